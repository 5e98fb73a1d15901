// What a run finds of an earlier one in the same runtime (playwright/test_startup.py): whether
// /left.txt exists, MARK's value and the descriptor a new open gets; then it leaves /left.txt open
// with a byte written, and exits with argv[1].
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    const char *mark = getenv("MARK");
    printf("left:%s mark:%s ", access("/left.txt", F_OK) == 0 ? "yes" : "no", mark ? mark : "-");
    int fd = open("/left.txt", O_WRONLY | O_CREAT, 0644);
    printf("fd:%d\n", fd);
    if (fd < 0 || write(fd, "x", 1) != 1) return 99;
    return argc > 1 ? atoi(argv[1]) : 0;
}
