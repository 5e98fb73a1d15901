/* Exits with the code given as argv[1] (default 3) through exit(), or through _Exit/return when
 * argv[2] says so; prints first, so buffered output must be flushed before proc_exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int code = argc > 1 ? atoi(argv[1]) : 3;
    const char *how = argc > 2 ? argv[2] : "exit";
    printf("exiting with %d via %s\n", code, how);
    fprintf(stderr, "goodbye\n");
    if (strcmp(how, "return") == 0) return code;
    if (strcmp(how, "_Exit") == 0) {
        fflush(stdout);
        _Exit(code);
    }
    exit(code);
}
