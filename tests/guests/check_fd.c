/* Descriptor calls on files and directories, with their error paths:
 * fd_write, fd_read, fd_pread, fd_pwrite, fd_seek, fd_tell, fd_advise, fd_allocate, fd_datasync,
 * fd_sync, fd_fdstat_get, fd_fdstat_set_flags, fd_filestat_get, fd_filestat_set_size,
 * fd_filestat_set_times, fd_readdir (small buffers, cookies resumed across calls), fd_renumber,
 * fd_close, fd_prestat_get, fd_prestat_dir_name; bad descriptors everywhere.
 * argv[1]: the guest path of a writable preopen (may hold other files; they are left alone). */
#include "check.h"

static void read_text(const char *label, __wasi_fd_t fd, size_t max) {
    char buffer[256];
    size_t got = 0;
    if (max > sizeof buffer - 1) max = sizeof buffer - 1;
    int e = read_full(fd, buffer, max, &got);
    buffer[got] = 0;
    for (size_t i = 0; i < got; i++) if (buffer[i] == 0) buffer[i] = '.'; else if (buffer[i] == '\n') buffer[i] = '|';
    show(label, "%s n=%u \"%s\"", errname(e), (unsigned)got, buffer);
}

static void show_offset(const char *label, __wasi_fd_t fd) {
    __wasi_filesize_t offset = 0;
    int e = __wasi_fd_tell(fd, &offset);
    show(label, "%s %llu", errname(e), (unsigned long long)offset);
}

static void show_size(const char *label, __wasi_fd_t fd) {
    __wasi_filestat_t st;
    int e = __wasi_fd_filestat_get(fd, &st);
    show(label, "%s size=%llu type=%s nlink=%llu", errname(e), e ? 0ULL : (unsigned long long)st.size,
         filetype_name(e ? 0 : st.filetype), e ? 0ULL : (unsigned long long)st.nlink);
}

/* Reads a whole directory with a `size`-byte buffer, resuming from the last complete entry's
 * d_next each time; collects "name:type" strings. Returns the number of calls made. */
static int read_dir(__wasi_fd_t dir, size_t size, __wasi_dircookie_t start, char names[][64], int *count,
                    __wasi_dircookie_t *cookies) {
    uint8_t buffer[512];
    __wasi_dircookie_t cookie = start;
    int calls = 0;
    *count = 0;
    for (;;) {
        __wasi_size_t used = 0;
        calls++;
        if (require("readdir", __wasi_fd_readdir(dir, buffer, size, cookie, &used)) || calls > 200) return calls;
        size_t offset = 0;
        int progressed = 0;
        while (offset + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t entry;
            memcpy(&entry, buffer + offset, sizeof entry);
            if (offset + sizeof entry + entry.d_namlen > used) break; /* truncated: resume from cookie */
            if (*count < 40) {
                snprintf(names[*count], 64, "%.*s:%s", (int)entry.d_namlen,
                         (const char *)buffer + offset + sizeof entry, filetype_name(entry.d_type));
                cookies[*count] = entry.d_next;
                (*count)++;
            }
            cookie = entry.d_next;
            offset += sizeof entry + entry.d_namlen;
            progressed = 1;
        }
        if (used < size) return calls; /* the end of the directory */
        if (!progressed) {
            printf("HARNESS FAIL readdir: buffer of %zu bytes too small for one entry\n", size);
            harness_failures++;
            return calls;
        }
    }
}

static int compare_names(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static void show_names(const char *label, char names[][64], int count) {
    qsort(names, count, 64, compare_names);
    char line[2048] = "";
    for (int i = 0; i < count; i++) {
        strncat(line, names[i], sizeof line - strlen(line) - 2);
        strncat(line, " ", sizeof line - strlen(line) - 1);
    }
    show(label, "%d [%s]", count, line);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("HARNESS FAIL usage: check_fd MOUNT\n");
        return 2;
    }
    int dir = preopen_fd(argv[1]);
    if (dir < 0) {
        printf("HARNESS FAIL no preopen named %s\n", argv[1]);
        return 2;
    }
    __wasi_fd_t fd, fd2, ro, wo, sub;
    char buffer[256];

    /* prestat */
    __wasi_prestat_t prestat;
    check("prestat_get preopen", __wasi_fd_prestat_get(dir, &prestat));
    show("prestat type/len", "%d %u", prestat.tag, (unsigned)prestat.u.dir.pr_name_len);
    memset(buffer, 0, sizeof buffer);
    check("prestat_dir_name", __wasi_fd_prestat_dir_name(dir, (uint8_t *)buffer, prestat.u.dir.pr_name_len));
    show("prestat name matches argv[1]", "%s", strcmp(buffer, argv[1]) == 0 ? "yes" : buffer);
    check("prestat_get stdin", __wasi_fd_prestat_get(0, &prestat));
    check("prestat_get stdout", __wasi_fd_prestat_get(1, &prestat));
    check("prestat_get bad fd", __wasi_fd_prestat_get(77, &prestat));
    check("prestat_dir_name bad fd", __wasi_fd_prestat_dir_name(77, (uint8_t *)buffer, 4));

    /* write, tell, seek, read */
    require("create f.txt", open_at(dir, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_ALL, 0, &fd));
    __wasi_ciovec_t pieces[3] = {{(const uint8_t *)"hello ", 6}, {(const uint8_t *)"", 0}, {(const uint8_t *)"world\n", 6}};
    __wasi_size_t n = 0;
    /* a host may write only some iovecs (wasmtime writes the first non-empty one): finish by hand */
    check("fd_write 3 iovecs", __wasi_fd_write(fd, pieces, 3, &n));
    show("fd_write count is a prefix", "%s", n == 6 || n == 12 ? "yes" : "no");
    if (n == 6) write_all(fd, "world\n");
    check("fd_write 0 iovecs", __wasi_fd_write(fd, pieces, 0, &n));
    show("fd_write 0 count", "%u", (unsigned)n);
    show_offset("fd_tell after write", fd);
    __wasi_filesize_t position = 99;
    check("fd_seek set 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position));
    show("fd_seek set 0 result", "%llu", (unsigned long long)position);
    read_text("fd_read 5", fd, 5);
    check("fd_seek cur +1", __wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &position));
    show("fd_seek cur result", "%llu", (unsigned long long)position);
    read_text("fd_read rest", fd, 100);
    read_text("fd_read at eof", fd, 100);
    check("fd_seek end -6", __wasi_fd_seek(fd, -6, __WASI_WHENCE_END, &position));
    show("fd_seek end result", "%llu", (unsigned long long)position);
    check("fd_seek negative", __wasi_fd_seek(fd, -100, __WASI_WHENCE_SET, &position));
    check("fd_seek cur negative", __wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &position));
    show_offset("fd_tell after failed seek", fd);
    check("fd_seek past end", __wasi_fd_seek(fd, 20, __WASI_WHENCE_SET, &position));
    read_text("fd_read past end", fd, 10);
    {
        char a[4], b[4];
        __wasi_iovec_t two[2] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 3}};
        __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position);
        memset(b, 0, sizeof b);
        check("fd_read 2 iovecs", __wasi_fd_read(fd, two, 2, &n));
        a[3] = 0;
        show("fd_read 2 iovecs fills the first", "%s \"%s\"", n == 3 || n == 6 ? "yes" : "no", a);
    }

    /* pread/pwrite do not move the offset; pwrite past the end fills with zeros */
    __wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &position);
    {
        char data[16] = {0};
        __wasi_iovec_t iov = {(uint8_t *)data, 5};
        check("fd_pread at 6", __wasi_fd_pread(fd, &iov, 1, 6, &n));
        data[n] = 0;
        show("fd_pread data", "%u \"%s\"", (unsigned)n, data);
        check("fd_pread past end", __wasi_fd_pread(fd, &iov, 1, 1000, &n));
        show("fd_pread past end count", "%u", (unsigned)n);
    }
    show_offset("fd_tell after pread", fd);
    {
        __wasi_ciovec_t iov = {(const uint8_t *)"XY", 2};
        check("fd_pwrite at 0", __wasi_fd_pwrite(fd, &iov, 1, 0, &n));
        check("fd_pwrite at 20", __wasi_fd_pwrite(fd, &iov, 1, 20, &n));
        show("fd_pwrite count", "%u", (unsigned)n);
    }
    show_offset("fd_tell after pwrite", fd);
    show_size("size after pwrite", fd);
    {
        char data[32] = {0};
        __wasi_iovec_t iov = {(uint8_t *)data, 22};
        __wasi_fd_pread(fd, &iov, 1, 0, &n);
        for (unsigned i = 0; i < n; i++) if (data[i] == 0) data[i] = '0'; else if (data[i] == '\n') data[i] = '|';
        show("contents after pwrite", "%u \"%s\"", (unsigned)n, data);
    }

    /* sizes, times, sync, advise, allocate */
    check("fd_filestat_set_size grow", __wasi_fd_filestat_set_size(fd, 30));
    show_size("size after grow", fd);
    check("fd_filestat_set_size shrink", __wasi_fd_filestat_set_size(fd, 4));
    show_size("size after shrink", fd);
    show_offset("fd_tell after shrink", fd);
    check("fd_filestat_set_times explicit",
          __wasi_fd_filestat_set_times(fd, 1000000000ULL, 2000000000ULL, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    {
        __wasi_filestat_t st;
        check("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
        show("times after set", "atim=%llu mtim=%llu", (unsigned long long)st.atim, (unsigned long long)st.mtim);
        check("fd_filestat_set_times mtim only", __wasi_fd_filestat_set_times(fd, 0, 3000000000ULL, __WASI_FSTFLAGS_MTIM));
        __wasi_fd_filestat_get(fd, &st);
        show("times after mtim only", "atim=%llu mtim=%llu", (unsigned long long)st.atim, (unsigned long long)st.mtim);
        check("fd_filestat_set_times now", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
        __wasi_fd_filestat_get(fd, &st);
        show("mtim now is recent", "%s", st.mtim > 1600000000000000000ULL ? "yes" : "no");
        check("fd_filestat_set_times atim+atim_now",
              __wasi_fd_filestat_set_times(fd, 5, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
        check("fd_filestat_set_times mtim+mtim_now",
              __wasi_fd_filestat_set_times(fd, 0, 5, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
        check("fd_filestat_set_times none", __wasi_fd_filestat_set_times(fd, 0, 0, 0));
    }
    check("fd_datasync", __wasi_fd_datasync(fd));
    check("fd_sync", __wasi_fd_sync(fd));
    for (int advice = 0; advice <= 5; advice++) {
        snprintf(buffer, sizeof buffer, "fd_advise %d", advice);
        check(buffer, __wasi_fd_advise(fd, 0, 100, (__wasi_advice_t)advice));
    }
    check("fd_allocate", __wasi_fd_allocate(fd, 0, 100));
    show_size("size after allocate", fd);

    /* fdstat and flags */
    {
        __wasi_fdstat_t st;
        check("fd_fdstat_get file", __wasi_fd_fdstat_get(fd, &st));
        show("fdstat file", "type=%s flags=%u", filetype_name(st.fs_filetype), st.fs_flags);
        check("fd_fdstat_get preopen", __wasi_fd_fdstat_get(dir, &st));
        show("fdstat preopen", "type=%s flags=%u", filetype_name(st.fs_filetype), st.fs_flags);
        check("fd_fdstat_set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
        __wasi_fd_fdstat_get(fd, &st);
        show("fdstat after append", "flags=%u", st.fs_flags);
        __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position);
        write_all(fd, "AP");
        show_offset("fd_tell after append write", fd);
        show_size("size after append write", fd);
        check("fd_fdstat_set_flags nonblock", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
        __wasi_fd_fdstat_get(fd, &st);
        show("fdstat after nonblock", "flags=%u", st.fs_flags);
        check("fd_fdstat_set_flags 0", __wasi_fd_fdstat_set_flags(fd, 0));
        __wasi_fd_fdstat_get(fd, &st);
        show("fdstat after clear", "flags=%u", st.fs_flags);
        check("fd_fdstat_set_flags sync", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
        check("fd_fdstat_set_flags dsync", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_DSYNC));
        check("fd_fdstat_set_flags bad fd", __wasi_fd_fdstat_set_flags(88, 0));
    }

    /* access modes: a read-only and a write-only descriptor */
    require("create ro", open_at(dir, "f.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                                     __WASI_RIGHTS_FD_FILESTAT_GET, 0, &ro));
    require("create wo", open_at(dir, "f.txt", 0, __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK, 0, &wo));
    {
        __wasi_ciovec_t iov = {(const uint8_t *)"z", 1};
        __wasi_iovec_t riov = {(uint8_t *)buffer, 4};
        check("fd_write on read-only", __wasi_fd_write(ro, &iov, 1, &n));
        check("fd_pwrite on read-only", __wasi_fd_pwrite(ro, &iov, 1, 0, &n));
        check("fd_filestat_set_size on read-only", __wasi_fd_filestat_set_size(ro, 1));
        check("fd_read on write-only", __wasi_fd_read(wo, &riov, 1, &n));
        check("fd_pread on write-only", __wasi_fd_pread(wo, &riov, 1, 0, &n));
        check("fd_write on write-only", __wasi_fd_write(wo, &iov, 1, &n));
        check("fd_read on read-only", __wasi_fd_read(ro, &riov, 1, &n));
    }

    /* directories as descriptors */
    require("mkdir rd", __wasi_path_create_directory(dir, "rd"));
    require("open rd", __wasi_path_open(dir, 0, "rd", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0, &sub));
    {
        __wasi_ciovec_t iov = {(const uint8_t *)"z", 1};
        __wasi_iovec_t riov = {(uint8_t *)buffer, 4};
        check("fd_read on dir", __wasi_fd_read(sub, &riov, 1, &n));
        check("fd_write on dir", __wasi_fd_write(sub, &iov, 1, &n));
        check("fd_pread on dir", __wasi_fd_pread(sub, &riov, 1, 0, &n));
        check("fd_seek on dir", __wasi_fd_seek(sub, 0, __WASI_WHENCE_CUR, &position));
        check("fd_filestat_set_size on dir", __wasi_fd_filestat_set_size(sub, 0));
        check("fd_allocate on dir", __wasi_fd_allocate(sub, 0, 1));
        check("fd_datasync on dir", __wasi_fd_datasync(sub));
        check("fd_sync on dir", __wasi_fd_sync(sub));
        check("fd_advise on dir", __wasi_fd_advise(sub, 0, 1, __WASI_ADVICE_NORMAL));
        check("fd_filestat_set_times on dir", __wasi_fd_filestat_set_times(sub, 7000000000ULL, 8000000000ULL,
                                                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
        __wasi_filestat_t st;
        check("fd_filestat_get on dir", __wasi_fd_filestat_get(sub, &st));
        show("dir filestat", "type=%s mtim=%llu", filetype_name(st.filetype), (unsigned long long)st.mtim);
        check("fd_readdir on file", __wasi_fd_readdir(fd, (uint8_t *)buffer, sizeof buffer, 0, &n));
        check("fd_prestat_get on opened dir", __wasi_fd_prestat_get(sub, &prestat));
    }

    /* readdir: many entries, small buffers, resumed cookies */
    {
        static const char *const entries[] = {"a", "bb", "a-much-longer-name-than-the-others.txt", "dir1", "dir2",
                                               "ccc", "dddd", "eeeee", "link", "z"};
        for (int i = 0; i < 10; i++) {
            __wasi_fd_t created;
            if (strncmp(entries[i], "dir", 3) == 0) require("mkdir entry", __wasi_path_create_directory(sub, entries[i]));
            else if (strcmp(entries[i], "link") == 0) require("symlink entry", __wasi_path_symlink("a", sub, "link"));
            else if (!require("create entry", open_at(sub, entries[i], __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &created)))
                __wasi_fd_close(created);
        }
        static char names[40][64], again[40][64];
        static __wasi_dircookie_t cookies[40], unused[40];
        int count = 0, count2 = 0;
        read_dir(sub, 512, 0, names, &count, cookies);
        int big_calls = read_dir(sub, 512, 0, names, &count, cookies);
        show("readdir big buffer calls", "%d", big_calls);
        int small_calls = read_dir(sub, 64, 0, again, &count2, unused);
        show("readdir 64-byte buffer needs several calls", "%s", small_calls > 3 ? "yes" : "no");
        show_names("readdir big buffer", names, count);
        show_names("readdir small buffer", again, count2);
        /* resume from the cookie after the third entry (before sorting `names`, re-read them) */
        read_dir(sub, 512, 0, names, &count, cookies);
        char expected[40][64];
        int remaining = count - 3;
        memcpy(expected, names + 3, (size_t)remaining * 64);
        read_dir(sub, 64, cookies[2], again, &count2, unused);
        int same = count2 == remaining;
        for (int i = 0; same && i < remaining; i++) same = strcmp(expected[i], again[i]) == 0;
        show("readdir resumed at cookie 3 gives the rest in order", "%s (%d of %d)", same ? "yes" : "no", count2, count);
        read_dir(sub, 512, cookies[count - 1], again, &count2, unused);
        show("readdir from the last cookie", "%d entries", count2);
        __wasi_size_t used = 0;
        check("readdir 10-byte buffer", __wasi_fd_readdir(sub, (uint8_t *)buffer, 10, 0, &used));
        show("readdir 10-byte buffer fills it", "%u", (unsigned)used);
        check("readdir 0-byte buffer", __wasi_fd_readdir(sub, (uint8_t *)buffer, 0, 0, &used));
        show("readdir 0-byte used", "%u", (unsigned)used);
        check("readdir bad fd", __wasi_fd_readdir(91, (uint8_t *)buffer, sizeof buffer, 0, &used));
        __wasi_fd_t empty;
        require("mkdir empty", __wasi_path_create_directory(sub, "dir1/empty"));
        require("open empty", __wasi_path_open(sub, 0, "dir1/empty", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0, &empty));
        read_dir(empty, 512, 0, names, &count, cookies);
        show_names("readdir empty dir", names, count);
        __wasi_fd_close(empty);
    }

    /* renumber and close */
    require("open second", open_at(dir, "g.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd2));
    write_all(fd2, "second file\n");
    check("fd_renumber file onto file", __wasi_fd_renumber(fd2, ro));
    __wasi_fd_seek(ro, 0, __WASI_WHENCE_SET, &position);
    read_text("read through renumbered fd", ro, 100);
    check("old fd after renumber", __wasi_fd_close(fd2));
    check("fd_renumber onto itself", __wasi_fd_renumber(ro, ro));
    check("fd_renumber bad from", __wasi_fd_renumber(93, ro));
    check("fd_renumber bad to", __wasi_fd_renumber(ro, 94));
    check("fd_close", __wasi_fd_close(wo));
    check("fd_close again", __wasi_fd_close(wo));
    check("fd_close bad", __wasi_fd_close(95));

    /* every fd_* on a descriptor that does not exist */
    {
        const __wasi_fd_t bad = 96;
        __wasi_ciovec_t iov = {(const uint8_t *)"z", 1};
        __wasi_iovec_t riov = {(uint8_t *)buffer, 4};
        __wasi_fdstat_t fst;
        __wasi_filestat_t st;
        check("bad fd_read", __wasi_fd_read(bad, &riov, 1, &n));
        check("bad fd_write", __wasi_fd_write(bad, &iov, 1, &n));
        check("bad fd_pread", __wasi_fd_pread(bad, &riov, 1, 0, &n));
        check("bad fd_pwrite", __wasi_fd_pwrite(bad, &iov, 1, 0, &n));
        check("bad fd_seek", __wasi_fd_seek(bad, 0, __WASI_WHENCE_SET, &position));
        check("bad fd_tell", __wasi_fd_tell(bad, &position));
        check("bad fd_advise", __wasi_fd_advise(bad, 0, 1, __WASI_ADVICE_NORMAL));
        check("bad fd_allocate", __wasi_fd_allocate(bad, 0, 1));
        check("bad fd_datasync", __wasi_fd_datasync(bad));
        check("bad fd_sync", __wasi_fd_sync(bad));
        check("bad fd_fdstat_get", __wasi_fd_fdstat_get(bad, &fst));
        check("bad fd_filestat_get", __wasi_fd_filestat_get(bad, &st));
        check("bad fd_filestat_set_size", __wasi_fd_filestat_set_size(bad, 0));
        check("bad fd_filestat_set_times", __wasi_fd_filestat_set_times(bad, 0, 0, 0));
        check("bad path_open", open_at(bad, "x", 0, RIGHTS_ALL, 0, &fd2));
        check("bad fd -1", __wasi_fd_close((__wasi_fd_t)-1));
    }

    /* closing the preopen itself: later path calls on it fail */
    check("fd_close opened dir", __wasi_fd_close(sub));
    check("fd_close preopen", __wasi_fd_close(dir));
    check("path_open on closed preopen", open_at(dir, "f.txt", 0, RIGHTS_ALL, 0, &fd2));
    check("prestat_get closed preopen", __wasi_fd_prestat_get(dir, &prestat));
    __wasi_fd_close(fd);
    __wasi_fd_close(ro);
    return done();
}
