/* Args, environment, clocks, random, sleep, poll and stdin; exits with argv[1] (default 0). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>
extern char **environ;

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    struct timespec a, b, res;
    clock_gettime(CLOCK_MONOTONIC, &a);
    printf("clock_getres monotonic ok %d\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_nsec > 0);
    printf("realtime after 2020 %d\n", time(NULL) > 1577836800);
    __wasi_timestamp_t resolution;
    printf("res realtime %d\n", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &resolution));
    struct timespec nap = {0, 50 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long slept = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept at least 50ms %d\n", slept >= 50000000LL);
    unsigned char r1[32] = {0}, r2[32] = {0};
    getentropy(r1, sizeof r1);
    getentropy(r2, sizeof r2);
    printf("random differs %d\n", memcmp(r1, r2, sizeof r1) != 0);
    printf("sched_yield %d\n", __wasi_sched_yield());
    struct pollfd fds[2] = {{0, POLLIN, 0}, {1, POLLOUT, 0}};
    int ready = poll(fds, 2, 1000);
    printf("poll ready %d in=%d out=%d\n", ready, (fds[0].revents & POLLIN) != 0, (fds[1].revents & POLLOUT) != 0);
    char line[128];
    while (fgets(line, sizeof line, stdin)) printf("stdin: %s", line);
    fprintf(stderr, "to stderr\n");
    return argc > 1 ? atoi(argv[1]) : 0;
}
