/* A network guest for the browser tests and benchmarks, on its first preopened socket.
 *   netclient echo N   against an echo server: NONBLOCK gives EAGAIN, MSG_PEEK, MSG_WAITALL, then
 *                      N bytes sent and received back at once (poll), compared; prints the timing
 *   netclient ping K   K round trips of 32 bytes; prints the mean in microseconds
 *   netclient pipe     stdin to the socket (write), shutdown(SHUT_WR), the socket to stdout (read)
 *   netclient serve    accepts one connection, echoes it upper-cased until the peer ends
 * Errors go to stderr as "what: strerror" with a distinct exit status. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static char buf[1 << 16];

static int fail(const char *what, int status) {
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    return status;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static unsigned char pattern(long i) { return (unsigned char)(i * 31 + (i >> 12)); }

static int find_socket(void) {
    for (int i = 3; i < 32; i++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(i, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return i;
    }
    return -1;
}

static int echo(int fd, long total) {
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    printf("nonblock %zd %s\n", n, n < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    fcntl(fd, F_SETFL, flags);

    if (send(fd, "hello world!", 12, 0) != 12) return fail("send", 3);
    n = recv(fd, buf, 4, MSG_PEEK);
    printf("peek %zd %.4s\n", n, buf);
    n = recv(fd, buf, 12, MSG_WAITALL);
    printf("waitall %zd %.12s\n", n, buf);

    static unsigned char out[1 << 16];
    long sent = 0, received = 0;
    double started = now_ms();
    while (received < total) {
        struct pollfd p = {fd, POLLIN | (sent < total ? POLLOUT : 0), 0};
        if (poll(&p, 1, -1) < 0) return fail("poll", 5);
        if (p.revents & POLLOUT) {
            long size = total - sent < (long)sizeof out ? total - sent : (long)sizeof out;
            for (long i = 0; i < size; i++) out[i] = pattern(sent + i);
            ssize_t w = send(fd, out, size, 0);
            if (w < 0) return fail("send", 3);
            sent += w;
        }
        if (p.revents & (POLLIN | POLLHUP)) {
            n = recv(fd, buf, sizeof buf, 0);
            if (n < 0) return fail("recv", 4);
            if (n == 0) break;
            for (ssize_t i = 0; i < n; i++) {
                if ((unsigned char)buf[i] != pattern(received + i)) {
                    printf("mismatch at %ld\n", received + i);
                    return 6;
                }
            }
            received += n;
        }
    }
    printf("bulk sent %ld received %ld in %.1f ms\n", sent, received, now_ms() - started);
    return received == total ? 0 : 7;
}

static int ping(int fd, long count) {
    double started = now_ms();
    for (long k = 0; k < count; k++) {
        memset(buf, 'a' + k % 26, 32);
        if (send(fd, buf, 32, 0) != 32) return fail("send", 3);
        ssize_t n = recv(fd, buf, 32, MSG_WAITALL);
        if (n != 32) return n < 0 ? fail("recv", 4) : 7;
    }
    printf("ping %ld mean %.1f us\n", count, (now_ms() - started) * 1e3 / count);
    return 0;
}

static int pipe_through(int fd) {
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, n - done);
            if (w < 0) return fail("write", 3);
            done += w;
        }
    }
    if (shutdown(fd, SHUT_WR) < 0) return fail("shutdown", 8);
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, n, stdout);
        fflush(stdout);  /* as it arrives: a run stopped while waiting shows what came */
    }
    if (n < 0) return fail("read", 4);
    fprintf(stderr, "end of stream\n");
    return 0;
}

static int serve(int fd) {
    __wasi_fd_t conn;
    __wasi_errno_t error = __wasi_sock_accept(fd, 0, &conn);
    if (error) { errno = error; return fail("accept", 9); }
    printf("accepted\n");
    fflush(stdout);
    long total = 0;
    ssize_t n;
    while ((n = recv(conn, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < n; i++) buf[i] = toupper((unsigned char)buf[i]);
        for (ssize_t done = 0; done < n;) {
            ssize_t w = send(conn, buf + done, n - done, 0);
            if (w < 0) return fail("send", 3);
            done += w;
        }
        total += n;
    }
    if (n < 0) return fail("recv", 4);
    close(conn);
    printf("served %ld\n", total);
    return 0;
}

int main(int argc, char **argv) {
    int fd = find_socket();
    if (fd < 0) { fprintf(stderr, "no socket\n"); return 2; }
    const char *mode = argc > 1 ? argv[1] : "";
    long count = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(mode, "echo")) return echo(fd, count);
    if (!strcmp(mode, "ping")) return ping(fd, count);
    if (!strcmp(mode, "pipe")) return pipe_through(fd);
    if (!strcmp(mode, "serve")) return serve(fd);
    fprintf(stderr, "usage: netclient echo N | ping K | pipe | serve\n");
    return 2;
}
