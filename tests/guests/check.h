/* Shared by the check_* guests: numbered one-line checks ("NNN label: ok" or "NNN label: ENAME"),
 * value lines, harness failures and the final "done" line the self-check looks for.
 * The expectation is never here: both hosts must print the same lines. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* wasi-libc no longer declares proc_raise; the import still exists in wasi_snapshot_preview1. */
int32_t raw_proc_raise(int32_t signal)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("proc_raise")));

#define RIGHTS_ALL ((__wasi_rights_t)0x1FFFFFFFULL)
/* wasmtime opens a directory whose base rights include FD_WRITE for writing, which fails (EISDIR). */
#define RIGHTS_DIR (RIGHTS_ALL & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE)

/* Line-buffered stdout: a trap or an unexpected exit still shows the last completed check. */
__attribute__((constructor)) static void line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

static const char *const errno_names[] = {
    "ok", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
    "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET",
    "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM",
    "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK",
    "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS",
    "ENODEV", "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
    "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY",
    "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE",
    "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE", "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
};

static int check_number = 0;
static int harness_failures = 0;

static const char *errname(int e) {
    static char other[32];
    if (e == -1) return "-"; /* not attempted: an earlier step failed */
    if (e >= 0 && e < (int)(sizeof errno_names / sizeof *errno_names)) return errno_names[e];
    snprintf(other, sizeof other, "errno(%d)", e);
    return other;
}

/* One numbered check: the errno a call returned. */
static int check(const char *label, int e) {
    printf("%03d %s: %s\n", ++check_number, label, errname(e));
    return e;
}

/* One numbered value line (a size, a name, a property such as "monotonic ok"). */
static void show(const char *label, const char *format, ...) {
    va_list args;
    printf("%03d %s: ", ++check_number, label);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
}

/* A setup step the checks depend on; its failure is the guest's bug, not a host difference. */
static int require(const char *what, int e) {
    if (e != 0) {
        printf("HARNESS FAIL %s: %s\n", what, errname(e));
        harness_failures++;
    }
    return e;
}

/* The descriptor of the preopen named `name` (argv[1] of every check guest), or -1. */
static int preopen_fd(const char *name) {
    for (__wasi_fd_t fd = 3; fd < 64; fd++) {
        __wasi_prestat_t prestat;
        if (__wasi_fd_prestat_get(fd, &prestat) != 0) continue;
        char buffer[256];
        size_t length = prestat.u.dir.pr_name_len;
        if (length >= sizeof buffer || __wasi_fd_prestat_dir_name(fd, (uint8_t *)buffer, length) != 0) continue;
        buffer[length] = 0;
        if (strcmp(buffer, name) == 0) return (int)fd;
    }
    return -1;
}

static __wasi_errno_t open_at(int dir, const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights,
                              __wasi_fdflags_t fdflags, __wasi_fd_t *fd) {
    return __wasi_path_open((__wasi_fd_t)dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights, rights,
                            fdflags, fd);
}

/* Writes all of `text`, looping over short writes (a host may write only the first iovec). */
static __wasi_errno_t write_all(__wasi_fd_t fd, const char *text) {
    size_t length = strlen(text), offset = 0;
    while (offset < length) {
        __wasi_ciovec_t iov = {(const uint8_t *)text + offset, length - offset};
        __wasi_size_t written = 0;
        __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &written);
        if (e || written == 0) return e;
        offset += written;
    }
    return 0;
}

/* Reads until `size` bytes or end of file, looping over short reads; returns the errno, sets *got. */
static __wasi_errno_t read_full(__wasi_fd_t fd, char *buffer, size_t size, size_t *got) {
    *got = 0;
    while (*got < size) {
        __wasi_iovec_t iov = {(uint8_t *)buffer + *got, size - *got};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
        if (e) return e;
        if (n == 0) break;
        *got += n;
    }
    return 0;
}

static const char *filetype_name(__wasi_filetype_t type) {
    static const char *const names[] = {"unknown", "block", "char", "dir", "file", "dgram", "stream", "symlink"};
    return type < 8 ? names[type] : "?";
}

static int done(void) {
    printf("done (%d checks, %d harness failures)\n", check_number, harness_failures);
    return harness_failures ? 1 : 0;
}
