/* Edge cases found in issue 11, each compared with wasmtime: O_CREAT|O_EXCL on a dangling symlink,
 * O_CREAT on an existing directory, a directory descriptor held while its directory is renamed
 * (and a new one made at the old path), offsets, sizes, cookies and timestamps at and past 2**63,
 * zero-byte writes past the end, and poll_oneoff on clocks it cannot wait on.
 * argv[1]: the guest path of a writable preopen holding tests/cases.py's SEED tree. */
#include "check.h"

static int dir;
static const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                                 __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t W = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                                 __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;

static void open_close(const char *label, int at, __wasi_lookupflags_t lookup, const char *path,
                       __wasi_oflags_t oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    if (!check(label, __wasi_path_open((__wasi_fd_t)at, lookup, path, oflags, rights, rights, 0, &fd)))
        __wasi_fd_close(fd);
}

static void stat_line(const char *label, int at, const char *path) {
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get((__wasi_fd_t)at, 0, path, &st);
    if (e) show(label, "%s", errname(e));
    else show(label, "ok type=%s size=%llu", filetype_name(st.filetype),
              st.filetype == __WASI_FILETYPE_DIRECTORY ? 0ULL : (unsigned long long)st.size);
}

static void contents(const char *label, int at, const char *path) {
    __wasi_fd_t fd;
    char buffer[64];
    size_t got = 0;
    int e = __wasi_path_open((__wasi_fd_t)at, 0, path, 0, R, 0, 0, &fd);
    if (!e) {
        e = read_full(fd, buffer, sizeof buffer - 1, &got);
        __wasi_fd_close(fd);
    }
    buffer[got] = 0;
    show(label, "%s \"%s\"", errname(e), buffer);
}

static void make_file(int at, const char *path, const char *text) {
    __wasi_fd_t fd;
    if (!require(path, open_at(at, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R | W, 0, &fd))) {
        require(path, write_all(fd, text));
        __wasi_fd_close(fd);
    }
}

static void size_line(const char *label, __wasi_fd_t fd) {
    __wasi_filestat_t st;
    int e = __wasi_fd_filestat_get(fd, &st);
    show(label, "%s size=%llu", errname(e), e ? 0ULL : (unsigned long long)st.size);
}

static const __wasi_filesize_t OFFSETS[] = {0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 0xFFFFFFFFFFFFFFFEULL,
                                            0xFFFFFFFFFFFFFFFFULL};

static void creating_through_links(void) {
    require("symlink dangle", __wasi_path_symlink("missing-target", dir, "dangle"));
    open_close("creat|excl on a dangling link, follow", dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangle",
               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R | W);
    open_close("creat|excl on a dangling link, nofollow", dir, 0, "dangle", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
               R | W);
    stat_line("the link's target was not created", dir, "missing-target");
    open_close("creat|excl on a link to a file", dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link-to-existing",
               __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R | W);
    open_close("creat on .", dir, 0, ".", __WASI_OFLAGS_CREAT, R);
    open_close("creat on . with directory rights", dir, 0, ".", __WASI_OFLAGS_CREAT, RIGHTS_DIR);
    open_close("creat on an existing directory", dir, 0, "sub", __WASI_OFLAGS_CREAT, R);
    open_close("creat on an existing directory/", dir, 0, "sub/", __WASI_OFLAGS_CREAT, R);
    open_close("creat on sub/..", dir, 0, "sub/..", __WASI_OFLAGS_CREAT, R);
    open_close("creat on a link to a directory, follow", dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link-to-sub",
               __WASI_OFLAGS_CREAT, R);
    open_close("creat|excl on .", dir, 0, ".", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R);
}

static void held_directory(void) {
    __wasi_fd_t held;
    require("mkdir held", __wasi_path_create_directory(dir, "held"));
    make_file(dir, "held/inside.txt", "inside");
    if (require("open held", __wasi_path_open(dir, 0, "held", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0,
                                              &held)))
        return;
    check("rename held -> held2", __wasi_path_rename(dir, "held", dir, "held2"));
    contents("read inside.txt through the held descriptor", held, "inside.txt");
    check("mkdir a new held", __wasi_path_create_directory(dir, "held"));
    make_file(held, "made-through-fd.txt", "made");
    stat_line("it is in held2", dir, "held2/made-through-fd.txt");
    stat_line("not in the new held", dir, "held/made-through-fd.txt");
    check("rename held2 into sub", __wasi_path_rename(dir, "held2", dir, "sub/held3"));
    contents("read through the held descriptor after a second move", held, "made-through-fd.txt");
    stat_line("stat . through the held descriptor", held, ".");
    open_close("open .. from the held descriptor", held, 0, "..", 0, R);
    open_close("open ../inner.txt from the held descriptor", held, 0, "../inner.txt", 0, R);
    check("mkdir through the held descriptor", __wasi_path_create_directory(held, "child"));
    stat_line("the child is in sub/held3", dir, "sub/held3/child");
    check("remove sub/held3/child", __wasi_path_remove_directory(dir, "sub/held3/child"));
    __wasi_fd_close(held);
}

static void extreme_offsets(void) {
    __wasi_fd_t fd;
    char label[96], buffer[8];
    __wasi_size_t n;
    make_file(dir, "big.txt", "0123456789");
    if (require("open big.txt", open_at(dir, "big.txt", 0, R | W, 0, &fd))) return;
    for (size_t i = 0; i < sizeof OFFSETS / sizeof *OFFSETS; i++) {
        __wasi_iovec_t iov = {(uint8_t *)buffer, sizeof buffer};
        __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
        n = 99;
        snprintf(label, sizeof label, "fd_pread at %llu", (unsigned long long)OFFSETS[i]);
        check(label, __wasi_fd_pread(fd, &iov, 1, OFFSETS[i], &n));
        snprintf(label, sizeof label, "fd_pwrite at %llu", (unsigned long long)OFFSETS[i]);
        check(label, __wasi_fd_pwrite(fd, &ciov, 1, OFFSETS[i], &n));
        snprintf(label, sizeof label, "fd_filestat_set_size %llu", (unsigned long long)OFFSETS[i]);
        check(label, __wasi_fd_filestat_set_size(fd, OFFSETS[i]));
    }
    size_line("size after the extreme calls", fd);
    __wasi_filesize_t position = 0;
    check("fd_seek set 2**63-1", __wasi_fd_seek(fd, 0x7FFFFFFFFFFFFFFFLL, __WASI_WHENCE_SET, &position));
    show("position", "%llu", (unsigned long long)position);
    {
        __wasi_iovec_t iov = {(uint8_t *)buffer, sizeof buffer};
        n = 99;
        check("fd_read at 2**63-1", __wasi_fd_read(fd, &iov, 1, &n));
        show("fd_read count", "%u", (unsigned)n);
    }
    check("fd_seek cur +1 past 2**63-1", __wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &position));
    check("fd_seek end +2**63-1", __wasi_fd_seek(fd, 0x7FFFFFFFFFFFFFFFLL, __WASI_WHENCE_END, &position));
    check("fd_seek set -2**63", __wasi_fd_seek(fd, (__wasi_filedelta_t)0x8000000000000000ULL, __WASI_WHENCE_SET,
                                                &position));
    /* zero-byte writes past the end change nothing */
    {
        __wasi_ciovec_t empty = {(const uint8_t *)"", 0};
        check("fd_seek set 100", __wasi_fd_seek(fd, 100, __WASI_WHENCE_SET, &position));
        n = 99;
        check("fd_write 0 bytes at 100", __wasi_fd_write(fd, &empty, 1, &n));
        show("fd_write count", "%u", (unsigned)n);
        size_line("size after an empty write past the end", fd);
        n = 99;
        check("fd_pwrite 0 bytes at 50", __wasi_fd_pwrite(fd, &empty, 1, 50, &n));
        show("fd_pwrite count", "%u", (unsigned)n);
        size_line("size after an empty pwrite past the end", fd);
        check("fd_pwrite 0 iovecs at 70", __wasi_fd_pwrite(fd, &empty, 0, 70, &n));
        size_line("size after a pwrite of no iovecs", fd);
    }
    __wasi_fd_close(fd);
}

static void extreme_times(void) {
    static const __wasi_timestamp_t times[] = {0, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 0xFFFFFFFFFFFFFFFFULL};
    char label[96];
    make_file(dir, "times.txt", "t");
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        snprintf(label, sizeof label, "path_filestat_set_times mtim %llu", (unsigned long long)times[i]);
        int e = check(label, __wasi_path_filestat_set_times(dir, 0, "times.txt", 0, times[i], __WASI_FSTFLAGS_MTIM));
        __wasi_filestat_t st;
        /* the largest is the host file system's to clamp (ext4 stops in 2446; memory does not) */
        if (!e && times[i] != 0xFFFFFFFFFFFFFFFFULL && !__wasi_path_filestat_get(dir, 0, "times.txt", &st))
            show("  mtim", "%llu", (unsigned long long)st.mtim);
    }
}

static void extreme_cookies(void) {
    uint8_t buffer[256];
    static const __wasi_dircookie_t cookies[] = {1000, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL,
                                                 0xFFFFFFFFFFFFFFFFULL};
    char label[96];
    for (size_t i = 0; i < sizeof cookies / sizeof *cookies; i++) {
        __wasi_size_t used = 99;
        snprintf(label, sizeof label, "fd_readdir cookie %llu", (unsigned long long)cookies[i]);
        int e = check(label, __wasi_fd_readdir(dir, buffer, sizeof buffer, cookies[i], &used));
        if (!e) show("  bytes", "%u", (unsigned)used);
    }
}

static void poll_clocks(void) {
    static const struct { const char *name; __wasi_clockid_t id; __wasi_timestamp_t timeout; __wasi_subclockflags_t flags; } clocks[] = {
        {"process cputime", __WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, 0},
        {"thread cputime", __WASI_CLOCKID_THREAD_CPUTIME_ID, 1, 0},
        {"realtime abstime 0", __WASI_CLOCKID_REALTIME, 0, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME},
        {"monotonic timeout 0", __WASI_CLOCKID_MONOTONIC, 0, 0},
    };
    char label[96];
    for (size_t i = 0; i < sizeof clocks / sizeof *clocks; i++) {
        __wasi_subscription_t sub;
        __wasi_event_t event;
        __wasi_size_t count = 99;
        memset(&sub, 0, sizeof sub);
        memset(&event, 0, sizeof event);
        sub.userdata = 7;
        sub.u.tag = __WASI_EVENTTYPE_CLOCK;
        sub.u.u.clock.id = clocks[i].id;
        sub.u.u.clock.timeout = clocks[i].timeout;
        sub.u.u.clock.flags = clocks[i].flags;
        snprintf(label, sizeof label, "poll_oneoff %s", clocks[i].name);
        int e = check(label, __wasi_poll_oneoff(&sub, &event, 1, &count));
        if (!e) show("  events", "%u userdata=%llu error=%s", (unsigned)count, (unsigned long long)event.userdata,
                     errname(event.error));
    }
    /* the longest timeout beside a descriptor that is ready at once */
    __wasi_subscription_t subs[2];
    __wasi_event_t events[2];
    __wasi_size_t count = 99;
    memset(subs, 0, sizeof subs);
    memset(events, 0, sizeof events);
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 0xFFFFFFFFFFFFFFFFULL;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[1].u.u.fd_write.file_descriptor = 1;
    check("poll_oneoff timeout 2**64-1 beside a ready stdout", __wasi_poll_oneoff(subs, events, 2, &count));
    show("  events", "%u first userdata=%llu", (unsigned)count, (unsigned long long)events[0].userdata);
}

int main(int argc, char **argv) {
    if (argc < 2 || (dir = preopen_fd(argv[1])) < 0) {
        printf("HARNESS FAIL usage: check_edges MOUNT (a preopen of that name)\n");
        return 2;
    }
    creating_through_links();
    held_directory();
    extreme_offsets();
    extreme_times();
    extreme_cookies();
    poll_clocks();
    return done();
}
