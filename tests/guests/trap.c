/* Traps on purpose: "abort" calls abort(), "unreachable" runs the unreachable instruction,
 * "divide" divides by zero, "stack" recurses until the stack overflows. Output written before
 * the trap must still reach the host. Playground example. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int zero = 0;

static int recurse(volatile int depth) {
    volatile char pad[256];
    pad[0] = (char)depth;
    return recurse(depth + 1) + pad[0];
}

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "abort";
    printf("about to trap: %s\n", how);
    fflush(stdout);
    fprintf(stderr, "stderr before the trap\n");
    if (strcmp(how, "unreachable") == 0) __builtin_trap();
    if (strcmp(how, "divide") == 0) return 10 / zero;
    if (strcmp(how, "stack") == 0) return recurse(0);
    abort();
}
