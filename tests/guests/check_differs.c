/* Calls where pywasi_web deliberately differs from wasmtime (docs/api.md): each case runs ONE of
 * them, named by argv[1], because wasmtime ends the guest at the first (a trap for a pointer
 * outside memory or an out-of-range enum). The differential test asserts pywasi_web's documented
 * answer for each (tests/cases.py) and wasmtime's for the rest, so a change on either side that
 * closes or moves the gap is noticed.
 * argv[2]: a preopen's guest path for the checks that need one. */
#include "check.h"

/* The raw import: libc's wrapper would run strlen over the path in the guest and trap there. */
int32_t raw_path_open(int32_t fd, int32_t lookup, int32_t path, int32_t path_len, int32_t oflags, int64_t base,
                      int64_t inheriting, int32_t fdflags, int32_t result)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")));

#define OUTSIDE ((void *)0xFFFFFFF0u) /* past the end of a 1-2 MiB guest memory */

int main(int argc, char **argv) {
    const char *which = argc > 1 ? argv[1] : "";
    int dir = argc > 2 ? preopen_fd(argv[2]) : -1;
    __wasi_size_t n;
    __wasi_fd_t fd;
    if (strcmp(which, "efault-fd_write") == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)OUTSIDE, 100};
        check("fd_write from outside memory", __wasi_fd_write(1, &iov, 1, &n));
    } else if (strcmp(which, "efault-iovec-array") == 0) {
        check("fd_write iovec array outside memory", __wasi_fd_write(1, OUTSIDE, 1, &n));
    } else if (strcmp(which, "efault-fd_read") == 0) {
        __wasi_iovec_t iov = {(uint8_t *)OUTSIDE, 100};
        check("fd_read into outside memory", __wasi_fd_read(0, &iov, 1, &n));
    } else if (strcmp(which, "efault-result") == 0) {
        check("args_sizes_get result outside memory", __wasi_args_sizes_get(OUTSIDE, OUTSIDE));
    } else if (strcmp(which, "efault-path") == 0) {
        check("path_open path outside memory",
              raw_path_open(dir, 0, (int32_t)(uintptr_t)OUTSIDE, 8, 0, (int64_t)RIGHTS_ALL, 0, 0, (int32_t)(uintptr_t)&fd));
    } else if (strcmp(which, "efault-random") == 0) {
        check("random_get into outside memory", __wasi_random_get(OUTSIDE, 64));
    } else if (strcmp(which, "enum-advice") == 0) {
        require("open", open_at(dir, "enum.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd));
        check("fd_advise advice=9", __wasi_fd_advise(fd, 0, 1, 9));
    } else if (strcmp(which, "enum-whence") == 0) {
        __wasi_filesize_t position;
        require("open", open_at(dir, "enum.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd));
        check("fd_seek whence=7", __wasi_fd_seek(fd, 0, 7, &position));
    } else if (strcmp(which, "enum-clock") == 0) {
        __wasi_timestamp_t t;
        check("clock_time_get id=9", __wasi_clock_time_get(9, 0, &t));
    } else if (strcmp(which, "cpu-clocks") == 0) {
        __wasi_timestamp_t t = 0, r = 0;
        check("clock_res_get process cputime", __wasi_clock_res_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, &r));
        check("clock_time_get process cputime", __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 0, &t));
        check("clock_res_get thread cputime", __wasi_clock_res_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, &r));
        check("clock_time_get thread cputime", __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 0, &t));
    } else if (strcmp(which, "set-rights") == 0) {
        require("open", open_at(dir, "rights.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd));
        __wasi_fdstat_t st;
        require("fdstat", __wasi_fd_fdstat_get(fd, &st));
        check("fd_fdstat_set_rights drop write",
              __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE,
                                          st.fs_rights_inheriting));
        check("write after dropping FD_WRITE", write_all(fd, "x"));
        check("fd_fdstat_set_rights add back", __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, st.fs_rights_inheriting));
        /* a directory without a path right: ENOTCAPABLE (wasmtime cannot drop one) */
        __wasi_fdstat_t dst;
        require("fdstat dir", __wasi_fd_fdstat_get(dir, &dst));
        check("fd_fdstat_set_rights drop PATH_FILESTAT_SET_SIZE",
              __wasi_fd_fdstat_set_rights(dir, dst.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
                                          dst.fs_rights_inheriting));
        __wasi_fd_t truncated;
        if (!check("open with O_TRUNC without PATH_FILESTAT_SET_SIZE",
                   open_at(dir, "rights.txt", __WASI_OFLAGS_TRUNC, RIGHTS_ALL, 0, &truncated)))
            __wasi_fd_close(truncated);
    } else if (strcmp(which, "rights-enforced") == 0) {
        require("create", open_at(dir, "rights.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd));
        require("write", write_all(fd, "content"));
        __wasi_fd_close(fd);
        static const struct { const char *name; __wasi_rights_t rights; } modes[] = {
            {"none", 0}, {"readdir only", __WASI_RIGHTS_FD_READDIR}, {"read without seek", __WASI_RIGHTS_FD_READ},
        };
        for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
            char label[64], buffer[8];
            __wasi_iovec_t iov = {(uint8_t *)buffer, sizeof buffer};
            __wasi_filesize_t position;
            __wasi_fdstat_t st;
            snprintf(label, sizeof label, "open rights %s", modes[i].name);
            if (check(label, __wasi_path_open(dir, 0, "rights.txt", 0, modes[i].rights, 0, 0, &fd))) continue;
            snprintf(label, sizeof label, "  fd_read with %s", modes[i].name);
            check(label, __wasi_fd_read(fd, &iov, 1, &n));
            snprintf(label, sizeof label, "  fd_seek with %s", modes[i].name);
            check(label, __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position));
            __wasi_fd_fdstat_get(fd, &st);
            show("  fdstat rights", "base=%llx inheriting=%llx", (unsigned long long)st.fs_rights_base,
                 (unsigned long long)st.fs_rights_inheriting);
            __wasi_fd_close(fd);
        }
    } else if (strcmp(which, "readv") == 0) {
        /* one fd_read into two buffers of a file that fills both */
        char first[4], second[6];
        __wasi_iovec_t iovs[2] = {{(uint8_t *)first, sizeof first}, {(uint8_t *)second, sizeof second}};
        __wasi_filesize_t position;
        require("create", open_at(dir, "readv.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd));
        require("write", write_all(fd, "0123456789"));
        require("rewind", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position));
        if (!check("fd_read into 4 + 6 bytes of a 10-byte file", __wasi_fd_read(fd, iovs, 2, &n)))
            show("  bytes read", "%.*s|%.*s", (int)(n < 4 ? n : 4), first, (int)(n > 4 ? n - 4 : 0), second);
    } else {
        printf("HARNESS FAIL unknown check %s\n", which);
        return 2;
    }
    return done();
}
