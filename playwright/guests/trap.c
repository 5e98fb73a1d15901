// Traps (unreachable) a few frames deep, so the backtrace has wasm frames.
#include <stdio.h>
__attribute__((noinline)) static int inner(int x) { if (x > 0) __builtin_trap(); return x; }
__attribute__((noinline)) int middle(int x) { return inner(x) + 1; }
int main(int argc, char **argv) { printf("about to trap\n"); fflush(stdout); return middle(argc); }
