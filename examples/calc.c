// calc: a WASI reactor, a library rather than a program: it has no main. The host instantiates it
// (its _initialize runs the C constructors), then calls its exports as often as it likes.
#include <stdint.h>
#include <stdio.h>

static int64_t calls;  // kept across calls: the instance lives until the host closes it

__attribute__((export_name("add"))) int32_t add(int32_t a, int32_t b) {
    calls++;
    return a + b;
}

__attribute__((export_name("fib"))) int64_t fib(int32_t n) {
    calls++;
    int64_t a = 0, b = 1;
    for (int32_t i = 0; i < n; i++) {
        int64_t next = a + b;
        a = b;
        b = next;
    }
    return a;
}

__attribute__((export_name("hypot2"))) double hypot2(double x, double y) {
    calls++;
    return x * x + y * y;
}

__attribute__((export_name("report"))) int64_t report(void) {
    printf("calc has answered %lld calls\n", (long long)calls);
    fflush(stdout);
    return calls;
}
