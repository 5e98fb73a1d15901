/* store MODE FILE [ARG]: a guest for persistent mounts.
 *   write FILE TEXT   writes TEXT, fsyncs (exit 3 if that fails), closes (exit 4 if that fails)
 *   append FILE TEXT  appends TEXT without fsync: the write-back at close must keep it
 *   read FILE         prints FILE
 *   fill FILE MIB C   writes MIB MiB of the character C, then closes (one large write-back)
 *   check FILE        prints "<size> <first byte> uniform|mixed": a crash must never mix versions
 *   hold FILE TEXT    writes TEXT, prints "written", reads stdin to its end with FILE still open
 *                     (no write-back of its own until then), then closes it */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_file(const char *path, int flags, const char *text, int sync) {
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    if (fd < 0) { perror(path); return 1; }
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) { perror("write"); return 2; }
    if (sync && fsync(fd) != 0) { perror("fsync"); return 3; }
    if (close(fd) != 0) { perror("close"); return 4; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) return 64;
    const char *mode = argv[1], *path = argv[2];
    if (!strcmp(mode, "write") && argc > 3) return write_file(path, O_TRUNC, argv[3], 1);
    if (!strcmp(mode, "append") && argc > 3) return write_file(path, O_APPEND, argv[3], 0);
    if (!strcmp(mode, "hold") && argc > 3) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) { perror(path); return 1; }
        if (write(fd, argv[3], strlen(argv[3])) < 0) { perror("write"); return 2; }
        printf("written\n");
        fflush(stdout);
        while (getchar() != EOF) {}
        if (close(fd) != 0) { perror("close"); return 4; }
        return 0;
    }
    if (!strcmp(mode, "read") || !strcmp(mode, "check")) {
        FILE *f = fopen(path, "rb");
        if (!f) { perror(path); return 1; }
        int c, first = -1;
        long size = 0, mixed = 0;
        while ((c = fgetc(f)) != EOF) {
            if (!strcmp(mode, "read")) putchar(c);
            if (first < 0) first = c;
            mixed |= c != first;
            size++;
        }
        if (!strcmp(mode, "check")) printf("%ld %c %s\n", size, first < 0 ? '-' : first, mixed ? "mixed" : "uniform");
        return 0;
    }
    if (!strcmp(mode, "fill") && argc > 4) {
        static char block[1 << 16];
        memset(block, argv[4][0], sizeof block);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) { perror(path); return 1; }
        for (long i = 0, n = atol(argv[3]) * 16; i < n; i++) {
            if (write(fd, block, sizeof block) != sizeof block) { perror("write"); return 2; }
        }
        if (close(fd) != 0) { perror("close"); return 4; }
        return 0;
    }
    return 64;
}
