// httpget: an HTTP client without a network stack of its own. It writes an HTTP/1.1 request on the
// socket it was handed (the fetch bridge to this page's server), then prints the response it reads
// back, status line, headers and body, until the bridge ends the stream (Connection: close).
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int first_socket(void) {
    for (int fd = 3; fd < 32; fd++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return fd;
    }
    return -1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/";
    int fd = first_socket();
    if (fd < 0) {
        fprintf(stderr, "httpget: no socket was given to this program\n");
        return 2;
    }
    char request[1024];
    int length = snprintf(request, sizeof request,
                          "GET %s HTTP/1.1\r\nHost: playground\r\nAccept: */*\r\nConnection: close\r\n\r\n", path);
    if (length < 0 || length >= (int)sizeof request) {
        fprintf(stderr, "httpget: the path is too long\n");
        return 2;
    }
    for (int done = 0; done < length;) {
        ssize_t written = write(fd, request + done, length - done);
        if (written < 0) {
            fprintf(stderr, "httpget: write: %s\n", strerror(errno));
            return 1;
        }
        done += written;
    }
    char buffer[4096];
    long total = 0;
    ssize_t got;
    while ((got = read(fd, buffer, sizeof buffer)) > 0) {
        fwrite(buffer, 1, got, stdout);
        total += got;
    }
    fflush(stdout);
    if (got < 0) {
        fprintf(stderr, "httpget: read: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "\nhttpget: %ld bytes from GET %s\n", total, path);
    return 0;
}
