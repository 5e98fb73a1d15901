/* 100 000 clock_gettime calls. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 100000;
    struct timespec ts;
    long long sum = 0;
    for (int i = 0; i < count; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sum += ts.tv_nsec & 1;
    }
    return sum < 0;
}
