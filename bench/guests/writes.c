/* 100 000 unbuffered 16-byte writes: to a file, appending (argv[1]="append") or rewriting in place
   ("inplace"), or to stdout ("stdout"). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int append = argc > 1 && strcmp(argv[1], "append") == 0;
    int count = argc > 2 ? atoi(argv[2]) : 100000;
    char block[16];
    memset(block, 'x', sizeof block);
    if (argc > 1 && strcmp(argv[1], "stdout") == 0) {
        for (int i = 0; i < count; i++)
            if (write(1, block, sizeof block) != sizeof block) return 3;
        return 0;
    }
    int fd = open("out.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 2;
    for (int i = 0; i < count; i++) {
        if (!append) lseek(fd, 0, SEEK_SET);
        if (write(fd, block, sizeof block) != sizeof block) return 3;
    }
    close(fd);
    return 0;
}
