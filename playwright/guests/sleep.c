// Sleeps through poll_oneoff (clock) and reports how long it took, in ms.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int ms = argc > 1 ? atoi(argv[1]) : 200;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(ms * 1000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("slept %ld ms\n", (long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000));
    return 0;
}
