/* Metadata-heavy work on argv[1] small files (default 1000) in meta/files/: each is opened, fstat'ed,
 * read and closed, argv[2] rounds over all of them (default 10); then the directory is listed
 * argv[2] times. Creating the files is not timed. Prints the cycles' and the listings' total ns. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static long long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 1000, rounds = argc > 2 ? atoi(argv[2]) : 10;
    char name[64], buffer[4096];
    mkdir("meta", 0755);
    mkdir("meta/files", 0755);
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof name, "meta/files/f%04d.txt", i);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dprintf(fd, "file %d: a few bytes of content\n", i) < 0) return 2;
        close(fd);
    }
    long long t0 = now();
    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < count; i++) {
            snprintf(name, sizeof name, "meta/files/f%04d.txt", i);
            int fd = open(name, O_RDONLY);
            struct stat st;
            if (fd < 0 || fstat(fd, &st) != 0) return 3;
            if (read(fd, buffer, sizeof buffer) != st.st_size) return 4;
            close(fd);
        }
    }
    long long t1 = now();
    for (int round = 0; round < rounds; round++) {
        DIR *dir = opendir("meta/files");
        int listed = 0;
        while (readdir(dir)) listed++;
        closedir(dir);
        if (listed != count + 2) return 5;
    }
    long long t2 = now();
    printf("%lld %lld\n", t1 - t0, t2 - t1);
    return 0;
}
