/* A small command-line tool: prints argv and an env var, copies stdin to a file in the mounted
 * directory, lists that directory sorted, complains on stderr, and exits with argv[1]'s code. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    FILE *out = fopen("/work/copied.txt", "w");
    if (!out) { perror("fopen /work/copied.txt"); return 2; }
    int c;
    long n = 0;
    while ((c = getchar()) != EOF) { fputc(c, out); n++; }
    fclose(out);
    struct dirent **names;
    int count = scandir("/work", &names, NULL, by_name);
    for (int i = 0; i < count; i++) printf("entry %s\n", names[i]->d_name);
    fprintf(stderr, "copied %ld bytes\n", n);
    FILE *missing = fopen("/work/nope/x", "r");
    if (!missing) perror("fopen /work/nope/x");
    return argc > 1 ? atoi(argv[1]) : 0;
}
