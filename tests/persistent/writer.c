/* writer MODE FILE [TEXT]: "write" writes TEXT then fsyncs; "append" appends TEXT without fsync
 * (the close write-back must still persist it); "read" prints FILE; "big" writes 8 MiB. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc < 3) return 2;
    if (!strcmp(argv[1], "read")) {
        FILE *f = fopen(argv[2], "r");
        if (!f) { perror(argv[2]); return 1; }
        int c;
        while ((c = fgetc(f)) != EOF) putchar(c);
        return 0;
    }
    int flags = O_WRONLY | O_CREAT | (strcmp(argv[1], "append") ? O_TRUNC : O_APPEND);
    int fd = open(argv[2], flags, 0644);
    if (fd < 0) { perror(argv[2]); return 1; }
    if (!strcmp(argv[1], "big")) {
        static char block[65536];
        memset(block, 'B', sizeof block);
        for (int i = 0; i < 128; i++) write(fd, block, sizeof block);
    } else {
        write(fd, argv[3], strlen(argv[3]));
    }
    if (!strcmp(argv[1], "write") && fsync(fd) != 0) { perror("fsync"); return 3; }
    if (close(fd) != 0) { perror("close"); return 4; }
    return 0;
}
