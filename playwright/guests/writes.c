// Benchmark: N small write(1, ...) calls (fd_write), then N clock_gettime calls; reports us per call on stderr.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    double t0 = now_us();
    for (int i = 0; i < n; i++) write(1, "x\n", 2);
    double t1 = now_us();
    for (int i = 0; i < n; i++) now_us();
    double t2 = now_us();
    fprintf(stderr, "fd_write_us=%.3f clock_time_get_us=%.3f\n", (t1 - t0) / n, (t2 - t1) / n);
    return 0;
}
