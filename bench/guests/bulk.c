/* Write then read back argv[1] MiB (default 64) in 64 KiB chunks; prints both durations in ns. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(int argc, char **argv) {
    int mib = argc > 1 ? atoi(argv[1]) : 64;
    static char chunk[65536];
    memset(chunk, 'b', sizeof chunk);
    int fd = open("bulk.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 2;
    long long t0 = now();
    for (int i = 0; i < mib * 16; i++) if (write(fd, chunk, sizeof chunk) != sizeof chunk) return 3;
    long long t1 = now();
    lseek(fd, 0, SEEK_SET);
    for (int i = 0; i < mib * 16; i++) if (read(fd, chunk, sizeof chunk) != sizeof chunk) return 4;
    long long t2 = now();
    close(fd);
    printf("%lld %lld\n", t1 - t0, t2 - t1);
    return 0;
}
