/* writeback DIR COUNT SIZE: writes COUNT files of SIZE bytes under DIR, all still open, then times
 * ONE fsync, which writes the whole dirty tree of a persistent mount back in one commit.
 * Prints the fsync's nanoseconds (CLOCK_MONOTONIC). The files are closed after (nothing left to
 * write back then). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) return 64;
    int count = atoi(argv[2]);
    long size = atol(argv[3]);
    static int fds[1000];
    if (count < 1 || count > 1000 || size < 1) return 64;
    char *data = malloc(size);
    if (!data) return 70;
    memset(data, 'w', size);
    char path[256];
    for (int i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/f%04d", argv[1], i);
        fds[i] = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fds[i] < 0) { perror(path); return 1; }
        for (long done = 0; done < size;) {
            ssize_t n = write(fds[i], data + done, size - done > (1 << 20) ? (1 << 20) : size - done);
            if (n <= 0) { perror("write"); return 2; }
            done += n;
        }
    }
    long long started = now_ns();
    if (fsync(fds[0]) != 0) { perror("fsync"); return 3; }
    printf("%lld\n", now_ns() - started);
    for (int i = 0; i < count; i++) close(fds[i]);
    return 0;
}
