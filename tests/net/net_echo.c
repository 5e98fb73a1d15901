/* Finds its preopened socket (the first socket descriptor). If it listens, accepts one
 * connection. Then: peeks, reads with MSG_WAITALL, and echoes everything upper-cased until
 * the peer closes; reports what it saw on stderr. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
    int fd = -1;
    for (int i = 3; i < 16; i++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(i, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) { fd = i; break; }
    }
    if (fd < 0) { fprintf(stderr, "no socket\n"); return 2; }
    __wasi_fd_t conn;
    if (__wasi_sock_accept(fd, 0, &conn) == 0) { fprintf(stderr, "accepted\n"); fd = conn; }
    char buf[65536];
    ssize_t n = recv(fd, buf, 4, MSG_PEEK);
    fprintf(stderr, "peek %zd %.4s\n", n, buf);
    n = recv(fd, buf, 8, MSG_WAITALL);
    fprintf(stderr, "waitall %zd\n", n);
    long total = 0;
    while (n > 0) {
        for (ssize_t i = 0; i < n; i++) buf[i] = toupper((unsigned char)buf[i]);
        for (ssize_t done = 0; done < n;) {
            ssize_t w = send(fd, buf + done, n - done, 0);
            if (w < 0) { fprintf(stderr, "send: %s\n", strerror(errno)); return 3; }
            done += w;
        }
        total += n;
        n = recv(fd, buf, sizeof buf, 0);
    }
    if (n < 0) { fprintf(stderr, "recv: %s\n", strerror(errno)); return 4; }
    shutdown(fd, SHUT_WR);
    fprintf(stderr, "echoed %ld\n", total);
    return 0;
}
