/* cat: copies the named files (or stdin, or "-") to stdout; a missing file is reported on stderr
 * and makes the exit code 1, like POSIX cat. Playground example. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy(FILE *in) {
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        if (fwrite(buffer, 1, got, stdout) != got) return 1;
    }
    return ferror(in) ? 1 : 0;
}

int main(int argc, char **argv) {
    int status = 0;
    if (argc < 2) return copy(stdin);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            status |= copy(stdin);
            continue;
        }
        FILE *in = fopen(argv[i], "rb");
        if (!in) {
            fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        status |= copy(in);
        fclose(in);
    }
    return status;
}
