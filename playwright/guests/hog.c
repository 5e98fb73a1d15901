// Allocates 1 MiB blocks (touching each) until malloc fails, then reports how many it got.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char *blocks[4096];
int main(void) {
    int count = 0;
    while (count < 4096) {  // 4 GiB: no limit was applied
        char *block = malloc(1 << 20);
        if (block == NULL) break;
        memset(block, count, 1 << 20);
        blocks[count++] = block;
    }
    long sum = 0;
    for (int i = 0; i < count; i++) sum += blocks[i][i];
    printf("allocated %d MiB (check %ld)\n", count, sum);
    return 0;
}
