// hello: greets, then prints its arguments and every environment variable it was given.
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("hello from wasm");
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    for (char **variable = environ; *variable != NULL; variable++) printf("  %s\n", *variable);
    return 0;
}
