// wc: counts the lines, words and bytes of each file named (or of stdin), like wc(1).
#include <ctype.h>
#include <stdio.h>

struct counts {
    long lines, words, bytes;
};

static struct counts count(FILE *file) {
    struct counts total = {0, 0, 0};
    int in_word = 0;
    for (int c; (c = getc(file)) != EOF;) {
        total.bytes++;
        if (c == '\n') total.lines++;
        if (isspace(c)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            total.words++;
        }
    }
    return total;
}

static void print(struct counts c, const char *name) {
    printf("%7ld %7ld %7ld %s\n", c.lines, c.words, c.bytes, name);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print(count(stdin), "");
        return 0;
    }
    struct counts total = {0, 0, 0};
    int status = 0;
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (file == NULL) {
            perror(argv[i]);
            status = 1;
            continue;
        }
        struct counts c = count(file);
        fclose(file);
        print(c, argv[i]);
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
    }
    if (argc > 2) print(total, "total");
    return status;
}
