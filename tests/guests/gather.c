/* Many small unbuffered writes to stdout and stderr (the browser gathers them in JS once the stream
 * is hot and hands them to the kernel in one piece), mixed with calls that must see the stream as
 * the kernel has it: a seek and a tell (ESPIPE), fdstat, a write of several iovecs (one empty;
 * wasmtime writes only the first, so the rest follows as libc would send it), a sleep between
 * bursts, and writes after stdout is closed. */
#include "check.h"

static __wasi_errno_t put(__wasi_fd_t fd, const char *text) {
    __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    return e != 0 ? e : (n == strlen(text) ? 0 : __WASI_ERRNO_IO);
}

static void sleep_ms(int ms) {
    __wasi_subscription_t sub = {0};
    __wasi_event_t event;
    __wasi_size_t count = 0;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = (uint64_t)ms * 1000000;
    __wasi_poll_oneoff(&sub, &event, 1, &count);
}

int main(void) {
    fflush(stdout);
    __wasi_errno_t failed = 0;
    char line[32];
    for (int i = 0; i < 500; i++) {
        snprintf(line, sizeof line, "out %d\n", i);
        failed = failed ? failed : put(1, line);
        if (i % 50 == 0) failed = failed ? failed : put(2, "err\n");
    }
    check("500 writes to stdout, 10 to stderr", failed);
    __wasi_filesize_t at = 0;
    check("seek on stdout", __wasi_fd_seek(1, 4, __WASI_WHENCE_SET, &at));
    check("tell on stderr", __wasi_fd_tell(2, &at));
    __wasi_fdstat_t stat;
    check("fdstat of stdout", __wasi_fd_fdstat_get(1, &stat));
    fflush(stdout);
    for (int i = 0; i < 10; i++) put(1, "again ");
    __wasi_ciovec_t iovs[3] = {{(const uint8_t *)"one ", 4}, {(const uint8_t *)"", 0}, {(const uint8_t *)"two\n", 4}};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(1, iovs, 3, &n);
    if (e == 0 && n < 8) put(1, n < 4 ? "one two\n" + n : "two\n" + (n - 4));
    check("three iovecs, one empty", e);
    fflush(stdout);
    sleep_ms(50);
    failed = 0;
    for (int i = 0; i < 100; i++) failed = failed ? failed : put(1, "after the sleep\n");
    check("100 more after a sleep", failed);
    fflush(stdout);
    for (int i = 0; i < 10; i++) put(2, "e");
    put(2, "\n");
    check("close stdout", __wasi_fd_close(1));
    check("write to the closed stdout", put(1, "lost\n"));
    return 0;
}
