/* Opens, fstat's, reads and closes small files (the pattern the browser answers from what each
 * open publishes, without entering Python), mixed with every call that must see or change the
 * same state: reads in pieces and past the end, seeks and tells after reads, writes through a
 * read-write descriptor, renames, unlinks, flag and rights changes, a renumber, a reused
 * descriptor number, pointers outside memory, a file too large to publish, a write-only
 * descriptor and a directory; then the same open made again and again (which the browser answers
 * from the first one's records while nothing changed), with everything that must make it see a
 * change in between (`reused`). argv[1]: the preopen. Ends with the files' bytes, compared by
 * the differential suite too. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define BAD_POINTER ((void *)0xFFFFFFF0u)

static char big[6000];

static __wasi_errno_t get(__wasi_fd_t fd, char *buffer, size_t size, __wasi_size_t *n) {
    __wasi_iovec_t iov = {(uint8_t *)buffer, size};
    return __wasi_fd_read(fd, &iov, 1, n);
}

/* fd_fdstat_get's answer, as the lines both hosts must print alike */
static void fdstat(const char *label, __wasi_fd_t fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e) {
        check(label, e);
        return;
    }
    show(label, "%s flags %u read %d write %d seek %d filestat %d", filetype_name(st.fs_filetype),
         (unsigned)st.fs_flags, !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ),
         !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE), !!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK),
         !!(st.fs_rights_base & __WASI_RIGHTS_FD_FILESTAT_GET));
}

static void filestat(const char *label, __wasi_fd_t fd) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    if (e) {
        check(label, e);
        return;
    }
    show(label, "%s size %llu nlink %llu", filetype_name(st.filetype), (unsigned long long)st.size,
         (unsigned long long)st.nlink);
}

static void reads(const char *label, __wasi_fd_t fd, size_t piece) {
    char buffer[64], line[256] = "";
    __wasi_size_t n = 0;
    for (int i = 0; i < 8; i++) {
        __wasi_errno_t e = get(fd, buffer, piece, &n);
        size_t used = strlen(line);
        if (e) {
            snprintf(line + used, sizeof line - used, "[%s]", errname(e));
            break;
        }
        snprintf(line + used, sizeof line - used, "[%.*s]", (int)n, buffer);
        if (n == 0) break;
    }
    show(label, "%s", line);
}

/* What wasmtime answers otherwise (tests/cases.py "set-rights", "rights-enforced", and a trap for
 * each pointer outside memory), so compared with the browser's fast paths off instead: rights
 * dropped after the open, an open without FD_FILESTAT_GET, and EFAULT for each pointer outside
 * memory with nothing moved. */
static void ours_only(int dir) {
    __wasi_fd_t fd;
    __wasi_size_t n = 0;
    char buffer[64];
    require("open small2", open_at(dir, "small2.txt", 0, RIGHTS_ALL, 0, &fd));
    fdstat("before", fd);
    check("drop FD_READ and FD_FILESTAT_GET",
          __wasi_fd_fdstat_set_rights(fd, RIGHTS_ALL & ~(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET), 0));
    fdstat("after dropping rights", fd);
    check("read without FD_READ", get(fd, buffer, 4, &n));
    check("fstat without FD_FILESTAT_GET", __wasi_fd_filestat_get(fd, (__wasi_filestat_t *)big));
    check("close", __wasi_fd_close(fd));
    require("open without FD_FILESTAT_GET", open_at(dir, "small2.txt", 0, __WASI_RIGHTS_FD_READ, 0, &fd));
    check("fstat without the right", __wasi_fd_filestat_get(fd, (__wasi_filestat_t *)big));
    reads("but it reads", fd, 64);
    check("close", __wasi_fd_close(fd));

    __wasi_fd_t other;
    require("open sub", open_at(dir, "sub", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, 0, &other));
    fdstat("fdstat of the directory", other);
    check("close", __wasi_fd_close(other));
    require("open small0 again", open_at(dir, "small0.txt", 0, RIGHTS_ALL, 0, &fd));
    check("fdstat to a bad pointer", __wasi_fd_fdstat_get(fd, BAD_POINTER));
    check("fstat to a bad pointer", __wasi_fd_filestat_get(fd, BAD_POINTER));
    __wasi_iovec_t outside = {(uint8_t *)BAD_POINTER, 8};
    check("read into a bad pointer", __wasi_fd_read(fd, &outside, 1, &n));
    __wasi_iovec_t fine = {(uint8_t *)buffer, 8};
    check("read with a bad result pointer", __wasi_fd_read(fd, &fine, 1, BAD_POINTER));
    check("read with a bad iovec table", __wasi_fd_read(fd, BAD_POINTER, 1, &n));
    /* the last 8 bytes of memory: too few for each record, the iovec or the result */
    uint8_t *edge = (uint8_t *)(__builtin_wasm_memory_size(0) * 65536) - 8;
    check("fdstat at the end of memory", __wasi_fd_fdstat_get(fd, (__wasi_fdstat_t *)edge));
    check("fstat at the end of memory", __wasi_fd_filestat_get(fd, (__wasi_filestat_t *)edge));
    __wasi_iovec_t across = {edge, 16};
    check("read across the end of memory", __wasi_fd_read(fd, &across, 1, &n));
    check("read with a result across the end", __wasi_fd_read(fd, &fine, 1, (__wasi_size_t *)(edge + 6)));
    reads("then the file", fd, 64);
    check("close", __wasi_fd_close(fd));
}

static int ours;

#define CYCLE_RIGHTS \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)

/* open read-only, fstat, read, close: the line says the number, the size and the bytes */
static void cycle(const char *label, int dir, const char *path) {
    __wasi_fd_t fd;
    __wasi_filestat_t st;
    __wasi_size_t n = 0;
    char buffer[64];
    __wasi_errno_t e = open_at(dir, path, 0, CYCLE_RIGHTS, 0, &fd);
    if (e) {
        check(label, e);
        return;
    }
    __wasi_errno_t stat_e = __wasi_fd_filestat_get(fd, &st);
    __wasi_errno_t read_e = get(fd, buffer, sizeof buffer, &n);
    show(label, "fd %u fstat %s size %llu read %s [%.*s] close %s", fd, errname(stat_e),
         (unsigned long long)st.size, errname(read_e), (int)n, buffer, errname(__wasi_fd_close(fd)));
}

static __wasi_errno_t silent_failure;

/* a call whose errno is shown later (printing now would write to stdout in between) */
static void check_silently(__wasi_errno_t e) {
    if (e && !silent_failure) silent_failure = e;
}

static void put(int dir, const char *path, const char *text) {
    __wasi_fd_t fd;
    if (require(path, open_at(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_ALL, 0, &fd))) return;
    check("write", write_all(fd, text));
    check("close", __wasi_fd_close(fd));
}

/* Which numbers opens get after closes and a renumber (wasmtime: the highest freed first) */
static void numbering(int dir) {
    __wasi_fd_t fds[4], next[3];
    for (int i = 0; i < 4; i++) require("open", open_at(dir, "small1.txt", 0, RIGHTS_ALL, 0, &fds[i]));
    check("close the third", __wasi_fd_close(fds[2]));
    check("close the second", __wasi_fd_close(fds[1]));
    for (int i = 0; i < 2; i++) require("open", open_at(dir, "small1.txt", 0, RIGHTS_ALL, 0, &next[i]));
    show("reopened", "%d %d (of %d %d %d %d)", (int)(next[0] - fds[0]), (int)(next[1] - fds[0]), 0,
         (int)(fds[1] - fds[0]), (int)(fds[2] - fds[0]), (int)(fds[3] - fds[0]));
    check("renumber the first onto the last", __wasi_fd_renumber(fds[0], fds[3]));
    require("open", open_at(dir, "small1.txt", 0, RIGHTS_ALL, 0, &next[2]));
    show("after the renumber", "%d", (int)(next[2] - fds[0]));
    for (int i = 0; i < 3; i++) check("close", __wasi_fd_close(next[i]));
    check("close", __wasi_fd_close(fds[3]));
}

/* The same open again and again, with each kind of change in between: the second and later
 * opens must see exactly what a first open would. */
static void reused(int dir) {
    __wasi_fd_t fd, held, sub;
    __wasi_filesize_t at = 0;
    __wasi_size_t n = 0;
    char buffer[64];
    put(dir, "r.txt", "first");
    for (int i = 0; i < 3; i++) cycle("again", dir, "r.txt");

    /* written through another descriptor, by Python and by in-place writes the browser answers */
    require("open to write", open_at(dir, "r.txt", 0, RIGHTS_ALL, 0, &fd));
    check("write", write_all(fd, "SECOND"));
    check("close", __wasi_fd_close(fd));
    cycle("after a write", dir, "r.txt");
    cycle("again", dir, "r.txt");
    require("open to rewrite", open_at(dir, "r.txt", 0, RIGHTS_ALL, 0, &fd));
    __wasi_errno_t failed = 0;
    for (int i = 0; i < 40; i++) {
        failed |= __wasi_fd_seek(fd, i % 6, __WASI_WHENCE_SET, &at);
        failed |= write_all(fd, i < 39 ? "x" : "Y");
    }
    check("40 seeks and writes in place", failed);
    cycle("while another descriptor rewrites it", dir, "r.txt");
    check("close", __wasi_fd_close(fd));
    cycle("after the rewrites", dir, "r.txt");

    /* the namespace changes: renamed over, unlinked, made again, reached through a changed link */
    put(dir, "other.txt", "other");
    check("rename over it", __wasi_path_rename(dir, "other.txt", dir, "r.txt"));
    cycle("after a rename over it", dir, "r.txt");
    check("unlink", __wasi_path_unlink_file(dir, "r.txt"));
    cycle("after the unlink", dir, "r.txt");
    put(dir, "r.txt", "third");
    cycle("made again", dir, "r.txt");
    check("symlink", __wasi_path_symlink("r.txt", dir, "link"));
    cycle("through a link", dir, "link");
    put(dir, "s.txt", "fourth");
    check("unlink the link", __wasi_path_unlink_file(dir, "link"));
    check("link elsewhere", __wasi_path_symlink("s.txt", dir, "link"));
    cycle("through the changed link", dir, "link");

    /* numbers: another descriptor held open, then closed */
    require("hold small2", open_at(dir, "small2.txt", 0, RIGHTS_ALL, 0, &held));
    cycle("with one more open", dir, "r.txt");
    cycle("again", dir, "r.txt");
    check("close the held one", __wasi_fd_close(held));
    cycle("after it closed", dir, "r.txt");
    cycle("again", dir, "r.txt");

    /* a reused open that stays open: used by calls only the kernel answers, and numbers after it */
    /* the same open made twice with nothing printed between (a write to stdout the kernel
     * answers makes the browser forget reusable opens); the second stays open and is used */
    __wasi_fd_t first;
    require("open", open_at(dir, "r.txt", 0, CYCLE_RIGHTS, 0, &first));
    check_silently(get(first, buffer, sizeof buffer, &n));
    check_silently(__wasi_fd_close(first));
    require("open again", open_at(dir, "r.txt", 0, CYCLE_RIGHTS, 0, &fd));
    check_silently(get(fd, buffer, 2, &n));
    __wasi_errno_t tell_e = __wasi_fd_tell(fd, &at);
    __wasi_errno_t seek_e = __wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &at);
    show("opened again and kept", "same number %d tell %s seek %s to %llu", fd == first, errname(tell_e),
         errname(seek_e), (unsigned long long)at);
    reads("then reads", fd, 64);
    check("close", __wasi_fd_close(fd));
    cycle("once more", dir, "r.txt");
    require("the same open, kept", open_at(dir, "r.txt", 0, CYCLE_RIGHTS, 0, &fd));
    check("read 2", get(fd, buffer, 2, &n));
    check("tell", __wasi_fd_tell(fd, &at));
    show("position", "%llu", (unsigned long long)at);
    require("open small2 beside it", open_at(dir, "small2.txt", 0, RIGHTS_ALL, 0, &held));
    show("numbers", "%u then %u", fd, held);
    check("renumber", __wasi_fd_renumber(held, fd));
    reads("the kept number now reads small2", fd, 64);
    check("close", __wasi_fd_close(fd));
    cycle("after the renumber", dir, "r.txt");
    require("open, kept", open_at(dir, "r.txt", 0, RIGHTS_ALL, 0, &fd));
    check("seek to 3", __wasi_fd_seek(fd, 3, __WASI_WHENCE_SET, &at));
    reads("from 3", fd, 64);
    check("close", __wasi_fd_close(fd));

    /* through a directory descriptor whose rights change (wasmtime refuses to drop rights) */
    if (!ours) {
        cycle("last", dir, "r.txt");
        check("calls checked silently", silent_failure);
        return;
    }
    require("open sub", __wasi_path_open((__wasi_fd_t)dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR,
                                         RIGHTS_ALL, 0, &sub));
    put(sub, "in.txt", "inside");
    cycle("in sub", sub, "in.txt");
    cycle("again", sub, "in.txt");
    check("drop PATH_OPEN", __wasi_fd_fdstat_set_rights(sub, RIGHTS_DIR & ~__WASI_RIGHTS_PATH_OPEN, RIGHTS_ALL));
    cycle("without PATH_OPEN", sub, "in.txt");
    check("close sub", __wasi_fd_close(sub));
    cycle("through a closed directory", sub, "in.txt");
    cycle("last", dir, "r.txt");
    check("calls checked silently", silent_failure);
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : "/sandbox";
    int dir = preopen_fd(root);
    __wasi_fd_t fd, other;
    __wasi_filesize_t at = 0;
    __wasi_size_t n = 0;
    char buffer[64];

    /* the C library's way, as bench/guests/metadata.c does it: open, fstat, read, close */
    if (chdir(root) != 0) return 1;
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "small%d.txt", i);
        int c = open(name, O_RDONLY);
        struct stat st;
        if (c < 0 || fstat(c, &st) != 0) return 2;
        ssize_t got = read(c, buffer, sizeof buffer);
        show(name, "fd %d size %lld read %zd [%.*s] close %d", c, (long long)st.st_size, got, (int)got,
             buffer, close(c));
    }

    /* reads in pieces, past the end; a seek and a tell after reads; the position after a close */
    if (require("open small0", open_at(dir, "small0.txt", 0, RIGHTS_ALL, 0, &fd))) return 1;
    fdstat("fdstat small0", fd);
    filestat("fstat small0", fd);
    reads("small0 in 4-byte pieces", fd, 4);
    check("tell at the end", __wasi_fd_tell(fd, &at));
    show("position", "%llu", (unsigned long long)at);
    check("close", __wasi_fd_close(fd));
    require("open small1", open_at(dir, "small1.txt", 0, RIGHTS_ALL, 0, &fd));
    check("read 3", get(fd, buffer, 3, &n));
    show("got", "%u [%.*s]", n, (int)n, buffer);
    check("tell after a read", __wasi_fd_tell(fd, &at));
    show("position", "%llu", (unsigned long long)at);
    check("seek back 2", __wasi_fd_seek(fd, -2, __WASI_WHENCE_CUR, &at));
    reads("small1 from there", fd, 5);
    check("close", __wasi_fd_close(fd));

    ours = argc > 2 && strcmp(argv[2], "ours") == 0;
    if (ours) ours_only(dir);

    /* a closed descriptor */
    require("open small0 again", open_at(dir, "small0.txt", 0, RIGHTS_ALL, 0, &fd));
    check("close", __wasi_fd_close(fd));
    check("read after close", get(fd, buffer, 4, &n));
    check("fstat after close", __wasi_fd_filestat_get(fd, (__wasi_filestat_t *)big));
    check("fdstat after close", __wasi_fd_fdstat_get(fd, (__wasi_fdstat_t *)big));

    /* a reused descriptor number describes the new file */
    require("open small1", open_at(dir, "small1.txt", 0, RIGHTS_ALL, 0, &fd));
    fdstat("fdstat", fd);
    check("close", __wasi_fd_close(fd));
    require("open sub as a directory", open_at(dir, "sub", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, 0, &other));
    show("same number", "%d", other == fd);
    filestat("fstat of the directory (type)", other);
    check("read of the directory", get(other, buffer, 4, &n));
    check("close", __wasi_fd_close(other));

    /* flags changed after the open */
    require("open small2 to append", open_at(dir, "small2.txt", 0, RIGHTS_ALL, 0, &fd));
    fdstat("before", fd);
    check("set APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    fdstat("after setting APPEND", fd);
    check("append", write_all(fd, "+appended"));
    check("close", __wasi_fd_close(fd));

    /* a renumber moves the description */
    require("open small0", open_at(dir, "small0.txt", 0, RIGHTS_ALL, 0, &fd));
    require("open small1 to append", open_at(dir, "small1.txt", 0, RIGHTS_ALL, __WASI_FDFLAGS_APPEND, &other));
    fdstat("small0 before", fd);
    fdstat("small1 before", other);
    check("renumber small1 onto small0", __wasi_fd_renumber(other, fd));
    fdstat("the old number", other);
    fdstat("the new number", fd);
    filestat("fstat of the new number", fd);
    reads("it reads small1", fd, 64);
    check("close", __wasi_fd_close(fd));

    /* read-write: reads, then writes at the position they reached, then fstat */
    require("open small1 read-write", open_at(dir, "small1.txt", 0, RIGHTS_ALL, 0, &fd));
    check("read 4", get(fd, buffer, 4, &n));
    check("overwrite from there", write_all(fd, "WXYZ"));
    filestat("fstat after the write", fd);
    check("seek to 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &at));
    reads("read back", fd, 64);
    check("close", __wasi_fd_close(fd));

    /* renamed and unlinked while open */
    require("open small0", open_at(dir, "small0.txt", 0, RIGHTS_ALL, 0, &fd));
    check("rename to moved.txt", __wasi_path_rename(dir, "small0.txt", dir, "moved.txt"));
    filestat("fstat after the rename", fd);
    reads("reads after the rename", fd, 64);
    check("close", __wasi_fd_close(fd));
    require("open moved.txt", open_at(dir, "moved.txt", 0, RIGHTS_ALL, 0, &fd));
    check("unlink it", __wasi_path_unlink_file(dir, "moved.txt"));
    filestat("fstat after the unlink", fd);
    reads("reads after the unlink", fd, 64);
    check("close", __wasi_fd_close(fd));
    check("open it again", open_at(dir, "moved.txt", 0, RIGHTS_ALL, 0, &fd));

    /* truncated through another descriptor between the open and the fstat */
    require("open small2", open_at(dir, "small2.txt", 0, RIGHTS_ALL, 0, &fd));
    require("open small2 to truncate", open_at(dir, "small2.txt", __WASI_OFLAGS_TRUNC, RIGHTS_ALL, 0, &other));
    filestat("fstat of the first", fd);
    reads("reads of the first", fd, 64);
    check("close", __wasi_fd_close(other));
    check("close", __wasi_fd_close(fd));

    /* a file larger than what an open publishes; a write-only descriptor */
    memset(big, 'b', sizeof big);
    require("create big.bin", open_at(dir, "big.bin", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0, &fd));
    __wasi_ciovec_t whole = {(const uint8_t *)big, sizeof big};
    check("write 6000 bytes", __wasi_fd_write(fd, &whole, 1, &n));
    check("close", __wasi_fd_close(fd));
    require("open big.bin", open_at(dir, "big.bin", 0, RIGHTS_ALL, 0, &fd));
    filestat("fstat big.bin", fd);
    __wasi_iovec_t into = {(uint8_t *)big, sizeof big};
    check("read big.bin", __wasi_fd_read(fd, &into, 1, &n));
    show("read", "%u", n);
    check("close", __wasi_fd_close(fd));
    require("open small1 write-only", open_at(dir, "small1.txt", 0, __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_GET, 0, &fd));
    filestat("fstat write-only", fd);
    check("read write-only", get(fd, buffer, 4, &n));
    check("close", __wasi_fd_close(fd));
    numbering(dir);
    reused(dir);
    return done();
}
