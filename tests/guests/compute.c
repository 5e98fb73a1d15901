/* CPU-bound: a checksum over an xorshift stream, argv[1] rounds of argv[2] words (defaults 200 and
 * 65536), so the run time is tunable. Prints the checksum only: it is deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 200;
    long words = argc > 2 ? atol(argv[2]) : 65536;
    if (rounds < 0 || words <= 0) {
        fprintf(stderr, "usage: compute [ROUNDS] [WORDS]\n");
        return 2;
    }
    uint32_t *data = malloc((size_t)words * sizeof *data);
    if (!data) return 1;
    uint64_t state = 0x9E3779B97F4A7C15ull, checksum = 0;
    for (long i = 0; i < words; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        data[i] = (uint32_t)state;
    }
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < words; i++) {
            data[i] = data[i] * 2654435761u + (uint32_t)r;
            checksum = (checksum ^ data[i]) * 1099511628211ull;
        }
    }
    printf("rounds=%ld words=%ld checksum=%016llx\n", rounds, words, (unsigned long long)checksum);
    free(data);
    return 0;
}
