/* Copies stdin to stdout in small reads, then writes a summary line to stderr. */
#include <stdio.h>
#include <unistd.h>
int main(void) {
    char buf[7];
    long total = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        write(1, buf, n);
        total += n;
    }
    fprintf(stderr, "read %ld bytes\n", total);
    return n < 0 ? 1 : 0;
}
