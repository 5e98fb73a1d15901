/* Prints a greeting, its arguments and its environment (sorted, so the host's order does not matter).
 * Playground example; differential: args_sizes_get/args_get, environ_sizes_get/environ_get via libc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    printf("Hello from WebAssembly!\n");
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    int count = 0;
    while (environ[count]) count++;
    qsort(environ, count, sizeof *environ, compare);
    printf("envc=%d\n", count);
    for (int i = 0; i < count; i++) printf("env %s\n", environ[i]);
    return 0;
}
