/* A compute-bound loop (no WASI calls inside): argv[1] rounds of an xorshift checksum. */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 300000000L;
    unsigned long long x = 88172645463325252ULL, sum = 0;
    for (long i = 0; i < rounds; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; sum += x; }
    printf("%llu\n", sum);
    return 0;
}
