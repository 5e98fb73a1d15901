/* wc: lines, words and bytes of each named file (or stdin), with a total for several files.
 * Playground example. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct { long lines, words, bytes; } counts;

static counts count(FILE *in) {
    counts c = {0, 0, 0};
    int ch, in_word = 0;
    while ((ch = fgetc(in)) != EOF) {
        c.bytes++;
        if (ch == '\n') c.lines++;
        if (isspace(ch)) in_word = 0;
        else if (!in_word) { in_word = 1; c.words++; }
    }
    return c;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        counts c = count(stdin);
        printf("%7ld %7ld %7ld\n", c.lines, c.words, c.bytes);
        return 0;
    }
    counts total = {0, 0, 0};
    int status = 0;
    for (int i = 1; i < argc; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) {
            fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        counts c = count(in);
        fclose(in);
        printf("%7ld %7ld %7ld %s\n", c.lines, c.words, c.bytes, argv[i]);
        total.lines += c.lines; total.words += c.words; total.bytes += c.bytes;
    }
    if (argc > 2) printf("%7ld %7ld %7ld total\n", total.lines, total.words, total.bytes);
    return status;
}
