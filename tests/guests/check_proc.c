/* Process-level calls: args_sizes_get, args_get, environ_sizes_get, environ_get, clock_res_get and
 * clock_time_get (realtime, monotonic; properties only), random_get, sched_yield, poll_oneoff
 * (relative and absolute clocks, fd_read/fd_write readiness, several subscriptions, bad fds),
 * proc_raise, sock_accept/sock_recv/sock_send/sock_shutdown on non-sockets, proc_exit.
 * argv[1]: a writable preopen's guest path, or "-" for none; argv[2] (optional): proc_exit code. */
#include "check.h"

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void poll_line(const char *label, const __wasi_subscription_t *subs, size_t count) {
    __wasi_event_t events[8];
    __wasi_size_t n = 0;
    memset(events, 0xAB, sizeof events);
    int e = __wasi_poll_oneoff(subs, events, count, &n);
    char line[256] = "";
    /* report events sorted by userdata, so the order a host lists them in does not matter */
    for (unsigned u = 0; !e && u < 32; u++) {
        for (unsigned i = 0; i < n && i < 8; i++) {
            if (events[i].userdata != u) continue;
            char one[64];
            snprintf(one, sizeof one, " [ud=%llu type=%d err=%s]", (unsigned long long)events[i].userdata,
                     events[i].type, errname(events[i].error));
            strncat(line, one, sizeof line - strlen(line) - 1);
        }
    }
    show(label, "%s n=%u%s", errname(e), (unsigned)n, line);
}

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout, int absolute) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 1000;
    s.u.u.clock.flags = absolute ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

static __wasi_subscription_t fd_sub(uint64_t userdata, __wasi_eventtype_t type, __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = type;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

int main(int argc, char **argv) {
    char buffer[512];

    /* args and environment through the raw calls */
    {
        __wasi_size_t count = 0, size = 0;
        check("args_sizes_get", __wasi_args_sizes_get(&count, &size));
        show("args sizes", "argc=%u bytes=%u", (unsigned)count, (unsigned)size);
        char *pointers[32];
        char *data = malloc(size + 1);
        if (count <= 32 && data) {
            check("args_get", __wasi_args_get((uint8_t **)pointers, (uint8_t *)data));
            for (unsigned i = 0; i < count; i++) show("arg", "%u \"%s\" len=%zu", i, pointers[i], strlen(pointers[i]));
            show("args_get bytes used", "%s", pointers[count - 1] + strlen(pointers[count - 1]) + 1 == data + size ? "exact" : "mismatch");
        }
        free(data);
        check("environ_sizes_get", __wasi_environ_sizes_get(&count, &size));
        show("environ sizes", "count=%u bytes=%u", (unsigned)count, (unsigned)size);
        data = malloc(size + 1);
        if (count <= 32 && data) {
            check("environ_get", __wasi_environ_get((uint8_t **)pointers, (uint8_t *)data));
            qsort(pointers, count, sizeof *pointers, compare);
            for (unsigned i = 0; i < count; i++) show("env", "\"%s\"", pointers[i]);
        }
        free(data);
        show("getenv GREETING", "%s", getenv("GREETING") ? getenv("GREETING") : "(unset)");
    }

    /* clocks: only properties, never values */
    {
        __wasi_timestamp_t resolution = 0, t1 = 0, t2 = 0;
        check("clock_res_get realtime", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &resolution));
        show("realtime resolution sane", "%s", resolution > 0 && resolution <= 1000000000ULL ? "yes" : "no");
        check("clock_res_get monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &resolution));
        show("monotonic resolution sane", "%s", resolution > 0 && resolution <= 1000000000ULL ? "yes" : "no");
        check("clock_time_get realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t1));
        show("realtime after 2020", "%s", t1 > 1577836800000000000ULL ? "yes" : "no");
        check("clock_time_get monotonic", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t1));

        check("sched_yield", __wasi_sched_yield());
        __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t2);
        show("monotonic", "%s", t2 >= t1 ? "monotonic ok" : "went backwards");
    }

    /* random */
    {
        uint8_t a[32], b[32];
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        check("random_get 0 bytes", __wasi_random_get(a, 0));
        check("random_get 32", __wasi_random_get(a, sizeof a));
        check("random_get 32 again", __wasi_random_get(b, sizeof b));
        int nonzero = 0;
        for (size_t i = 0; i < sizeof a; i++) nonzero |= a[i];
        show("random nonzero", "%s", nonzero ? "yes" : "no");
        show("random differs between calls", "%s", memcmp(a, b, sizeof a) ? "yes" : "no");
        uint8_t *big = malloc(100000);
        check("random_get 100000", __wasi_random_get(big, 100000));
        free(big);
    }

    /* poll_oneoff */
    {
        __wasi_timestamp_t now = 0, after = 0;
        __wasi_subscription_t subs[6];
        subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 1000000, 0);
        __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &now);
        poll_line("poll relative 1ms", subs, 1);
        __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &after);
        show("poll relative waited", "%s", after - now >= 1000000 ? "yes" : "no");
        subs[0] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 0, 0);
        poll_line("poll relative 0", subs, 1);
        __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &now);
        subs[0] = clock_sub(3, __WASI_CLOCKID_MONOTONIC, now + 2000000, 1);
        poll_line("poll absolute now+2ms", subs, 1);
        __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &after);
        show("poll absolute waited", "%s", after >= now + 2000000 ? "yes" : "no");
        subs[0] = clock_sub(4, __WASI_CLOCKID_MONOTONIC, 1, 1);
        poll_line("poll absolute in the past", subs, 1);
        __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &now);
        /* 100 ms ahead: made a component, the preview1 adapter answers EOVERFLOW for a deadline
         * already past when poll runs, which a loaded machine reached with 1 ms */
        subs[0] = clock_sub(5, __WASI_CLOCKID_REALTIME, now + 100000000, 1);
        poll_line("poll absolute realtime", subs, 1);
        subs[0] = clock_sub(6, __WASI_CLOCKID_MONOTONIC, 1000000, 0);
        subs[1] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 10000000000ULL, 0);
        poll_line("poll two clocks: the sooner fires", subs, 2);
        subs[0] = fd_sub(8, __WASI_EVENTTYPE_FD_WRITE, 1);
        subs[1] = clock_sub(9, __WASI_CLOCKID_MONOTONIC, 10000000000ULL, 0);
        poll_line("poll stdout writable", subs, 2);
        subs[0] = fd_sub(16, __WASI_EVENTTYPE_FD_READ, 0);
        subs[1] = clock_sub(17, __WASI_CLOCKID_MONOTONIC, 10000000000ULL, 0);
        poll_line("poll stdin readable", subs, 2);
        subs[0] = fd_sub(10, __WASI_EVENTTYPE_FD_READ, 99);
        poll_line("poll bad fd", subs, 1);
        subs[0] = fd_sub(11, __WASI_EVENTTYPE_FD_WRITE, 99);
        subs[1] = clock_sub(12, __WASI_CLOCKID_MONOTONIC, 1000000, 0);
        poll_line("poll bad fd with clock", subs, 2);
        __wasi_event_t events[1];
        __wasi_size_t n = 0;
        check("poll zero subscriptions", __wasi_poll_oneoff(subs, events, 0, &n));
        int dir = argc > 1 && strcmp(argv[1], "-") != 0 ? preopen_fd(argv[1]) : -1;
        if (dir >= 0) {
            __wasi_fd_t fd;
            if (!require("create poll.txt", open_at(dir, "poll.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd))) {
                write_all(fd, "data");
                __wasi_filesize_t position;
                __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position);
                /* one fd subscription at a time: which of several ready ones a host reports first
                 * is not specified (wasmtime's answer varies between runs) */
                subs[0] = fd_sub(13, __WASI_EVENTTYPE_FD_READ, fd);
                subs[1] = clock_sub(15, __WASI_CLOCKID_MONOTONIC, 10000000000ULL, 0);
                poll_line("poll file readable", subs, 2);
                subs[0] = fd_sub(14, __WASI_EVENTTYPE_FD_WRITE, fd);
                poll_line("poll file writable", subs, 2);
                subs[0] = fd_sub(13, __WASI_EVENTTYPE_FD_READ, dir);
                poll_line("poll fd_read on a directory", subs, 1);
                __wasi_fd_close(fd);
            }
        } else {
            show("poll file readable", "no preopen");
            show("poll file writable", "no preopen");
            show("poll fd_read on a directory", "no preopen");
        }
    }

    /* sockets: only error paths (a file, stdio, a bad descriptor) */
    {
        __wasi_fd_t accepted;
        __wasi_size_t got;
        __wasi_roflags_t roflags;
        __wasi_iovec_t riov = {(uint8_t *)buffer, 16};
        __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
        int dir = argc > 1 && strcmp(argv[1], "-") != 0 ? preopen_fd(argv[1]) : -1;
        __wasi_fd_t targets[3] = {1, 99, (__wasi_fd_t)dir};
        const char *names[3] = {"stdout", "bad fd", "preopen"};
        for (int i = 0; i < 3; i++) {
            char label[64];
            if (i == 2 && dir < 0) break;
            snprintf(label, sizeof label, "sock_accept %s", names[i]);
            check(label, __wasi_sock_accept(targets[i], 0, &accepted));
            snprintf(label, sizeof label, "sock_recv %s", names[i]);
            check(label, __wasi_sock_recv(targets[i], &riov, 1, 0, &got, &roflags));
            snprintf(label, sizeof label, "sock_send %s", names[i]);
            check(label, __wasi_sock_send(targets[i], &siov, 1, 0, &got));
            snprintf(label, sizeof label, "sock_shutdown %s", names[i]);
            check(label, __wasi_sock_shutdown(targets[i], __WASI_SDFLAGS_WR));
        }
    }

    check("proc_raise SIGTERM", raw_proc_raise(15));
    check("proc_raise 0", raw_proc_raise(0));
    fflush(stdout);
    int code = done();
    fflush(stdout);
    if (argc > 2) __wasi_proc_exit((__wasi_exitcode_t)atoi(argv[2]));
    return code;
}
