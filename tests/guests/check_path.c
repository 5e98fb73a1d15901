/* Path calls and their error paths: path_create_directory, path_filestat_get,
 * path_filestat_set_times, path_link, path_open (every oflag, fdflag, lookup flag, access rights),
 * path_readlink, path_remove_directory, path_rename, path_symlink, path_unlink_file; ENOENT,
 * EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ELOOP, EINVAL, trailing slashes, ".." and absolute paths and
 * symlinks that must not leave the preopen, hard links, renames over files and directories.
 * argv[1]: the guest path of a writable preopen holding tests/cases.py's SEED tree. */
#include "check.h"

static int dir;

static void stat_line(const char *label, __wasi_lookupflags_t flags, const char *path) {
    __wasi_filestat_t st;
    int e = __wasi_path_filestat_get(dir, flags, path, &st);
    if (e) show(label, "%s", errname(e));
    else if (st.filetype == __WASI_FILETYPE_DIRECTORY) show(label, "ok type=dir nlink>0=%d", st.nlink > 0);
    else show(label, "ok type=%s size=%llu nlink=%llu", filetype_name(st.filetype), (unsigned long long)st.size,
              (unsigned long long)st.nlink);
}

static int open_path(const char *label, __wasi_lookupflags_t lookup, const char *path, __wasi_oflags_t oflags,
                     __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = 0;
    int e = check(label, __wasi_path_open(dir, lookup, path, oflags, rights, rights, fdflags, &fd));
    return e ? -1 : (int)fd;
}

static void open_close(const char *label, __wasi_lookupflags_t lookup, const char *path, __wasi_oflags_t oflags,
                       __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
    int fd = open_path(label, lookup, path, oflags, rights, fdflags);
    if (fd >= 0) __wasi_fd_close(fd);
}

static void contents(const char *label, const char *path) {
    __wasi_fd_t fd;
    char buffer[128];
    size_t got = 0;
    int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (!e) {
        e = read_full(fd, buffer, sizeof buffer - 1, &got);
        __wasi_fd_close(fd);
    }
    buffer[got] = 0;
    for (size_t i = 0; i < got; i++) if (buffer[i] == '\n') buffer[i] = '|';
    show(label, "%s \"%s\"", errname(e), buffer);
}

static void readlink_line(const char *label, const char *path, size_t size) {
    char buffer[128];
    __wasi_size_t used = 0;
    memset(buffer, 0, sizeof buffer);
    int e = __wasi_path_readlink(dir, path, (uint8_t *)buffer, size, &used);
    show(label, "%s used=%u \"%.*s\"", errname(e), (unsigned)used, (int)(e ? 0 : used), buffer);
}

static void make_file(const char *path, const char *text) {
    __wasi_fd_t fd;
    if (!require(path, open_at(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_ALL, 0, &fd))) {
        require(path, write_all(fd, text));
        __wasi_fd_close(fd);
    }
}

int main(int argc, char **argv) {
    if (argc < 2 || (dir = preopen_fd(argv[1])) < 0) {
        printf("HARNESS FAIL usage: check_path MOUNT (a preopen of that name)\n");
        return 2;
    }
    const __wasi_lookupflags_t FOLLOW = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    const __wasi_oflags_t CREAT = __WASI_OFLAGS_CREAT, EXCL = __WASI_OFLAGS_EXCL, TRUNC = __WASI_OFLAGS_TRUNC,
                          DIRECTORY = __WASI_OFLAGS_DIRECTORY;
    const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL,
                          W = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL;
    char label[128];

    /* the seed tree as the guest sees it */
    stat_line("stat existing.txt", 0, "existing.txt");
    stat_line("stat sub", 0, "sub");
    stat_line("stat sub/deeper/leaf.txt", 0, "sub/deeper/leaf.txt");
    stat_line("stat link-to-existing nofollow", 0, "link-to-existing");
    stat_line("stat link-to-existing follow", FOLLOW, "link-to-existing");
    stat_line("stat link-to-sub/inner.txt", 0, "link-to-sub/inner.txt");
    stat_line("stat dangling nofollow", 0, "dangling");
    stat_line("stat dangling follow", FOLLOW, "dangling");
    stat_line("stat missing", 0, "missing");
    stat_line("stat existing.txt/", 0, "existing.txt/");
    stat_line("stat sub/", 0, "sub/");
    stat_line("stat existing.txt/x", 0, "existing.txt/x");
    stat_line("stat .", 0, ".");
    stat_line("stat empty path", 0, "");
    stat_line("stat sub/..", 0, "sub/..");
    stat_line("stat sub/../existing.txt", 0, "sub/../existing.txt");
    stat_line("stat ./sub/./inner.txt", 0, "./sub/./inner.txt");
    stat_line("stat sub//inner.txt", 0, "sub//inner.txt");
    stat_line("stat link-to-sub/ (trailing slash follows)", 0, "link-to-sub/");

    /* escapes: "..", absolute paths, symlinks out of the preopen */
    stat_line("stat ..", 0, "..");
    stat_line("stat sub/../..", 0, "sub/../..");
    stat_line("stat ../existing.txt", 0, "../existing.txt");
    stat_line("stat /", 0, "/");
    stat_line("stat /existing.txt", 0, "/existing.txt");
    open_close("open ..", 0, "..", 0, R, 0);
    open_close("open sub/../../x create", 0, "sub/../../x", CREAT, R | W, 0);
    open_close("open /etc/passwd", FOLLOW, "/etc/passwd", 0, R, 0);
    check("symlink to .. (creating is allowed)", __wasi_path_symlink("..", dir, "up"));
    check("symlink to ../outside", __wasi_path_symlink("../outside", dir, "out"));
    check("symlink absolute target", __wasi_path_symlink("/etc/passwd", dir, "abs"));
    check("symlink into sub then up twice", __wasi_path_symlink("sub/../../x", dir, "sneaky"));
    stat_line("stat up follow", FOLLOW, "up");
    stat_line("stat up nofollow", 0, "up");
    stat_line("stat up/existing.txt", 0, "up/existing.txt");
    stat_line("stat out follow", FOLLOW, "out");
    stat_line("stat sneaky follow", FOLLOW, "sneaky");
    stat_line("stat abs follow", FOLLOW, "abs");
    open_close("open out follow", FOLLOW, "out", 0, R, 0);
    open_close("open out create", FOLLOW, "out", CREAT, R | W, 0);
    open_close("open up/x create", 0, "up/x", CREAT, R | W, 0);
    open_close("open abs follow", FOLLOW, "abs", 0, R, 0);
    check("mkdir through up", __wasi_path_create_directory(dir, "up/newdir"));
    check("symlink in sub to ../existing.txt", __wasi_path_symlink("../existing.txt", dir, "sub/back"));
    contents("read through sub/back", "sub/back");
    check("symlink in sub to ../../existing.txt", __wasi_path_symlink("../../existing.txt", dir, "sub/toofar"));
    open_close("open sub/toofar follow", FOLLOW, "sub/toofar", 0, R, 0);

    /* symlink loops */
    check("symlink loop1 -> loop2", __wasi_path_symlink("loop2", dir, "loop1"));
    check("symlink loop2 -> loop1", __wasi_path_symlink("loop1", dir, "loop2"));
    check("symlink self -> self", __wasi_path_symlink("self", dir, "self"));
    open_close("open loop1 follow", FOLLOW, "loop1", 0, R, 0);
    open_close("open loop1 nofollow", 0, "loop1", 0, R, 0);
    open_close("open self follow", FOLLOW, "self", 0, R, 0);
    stat_line("stat loop1 follow", FOLLOW, "loop1");
    stat_line("stat loop1 nofollow", 0, "loop1");
    stat_line("stat loop1/x", 0, "loop1/x");
    open_close("open loop1 create", FOLLOW, "loop1", CREAT, R | W, 0);
    check("symlink chain c1 -> c2", __wasi_path_symlink("c2", dir, "c1"));
    check("symlink chain c2 -> existing.txt", __wasi_path_symlink("existing.txt", dir, "c2"));
    contents("read through chain", "c1");

    /* path_symlink errors */
    check("symlink over existing file", __wasi_path_symlink("x", dir, "existing.txt"));
    check("symlink over existing link", __wasi_path_symlink("x", dir, "dangling"));
    check("symlink in missing dir", __wasi_path_symlink("x", dir, "missing/l"));
    check("symlink trailing slash", __wasi_path_symlink("x", dir, "newlink/"));
    check("symlink empty target", __wasi_path_symlink("", dir, "emptytarget"));
    check("symlink empty name", __wasi_path_symlink("x", dir, ""));

    /* path_readlink */
    readlink_line("readlink link-to-existing", "link-to-existing", 64);
    readlink_line("readlink out", "out", 64);
    readlink_line("readlink short buffer", "link-to-existing", 4);
    readlink_line("readlink zero buffer", "link-to-existing", 0);
    readlink_line("readlink file", "existing.txt", 64);
    readlink_line("readlink dir", "sub", 64);
    readlink_line("readlink missing", "missing", 64);
    readlink_line("readlink link-to-sub/", "link-to-sub/", 64);
    readlink_line("readlink through link dir", "link-to-sub/back", 64);

    /* path_open oflags */
    open_close("open missing", 0, "missing", 0, R, 0);
    open_close("open creat new", 0, "new.txt", CREAT, R | W, 0);
    open_close("open creat existing", 0, "new.txt", CREAT, R | W, 0);
    open_close("open creat|excl existing", 0, "new.txt", CREAT | EXCL, R | W, 0);
    open_close("open creat|excl new", 0, "excl.txt", CREAT | EXCL, R | W, 0);
    open_close("open excl without creat", 0, "existing.txt", EXCL, R, 0);
    open_close("open directory on dir", 0, "sub", DIRECTORY, RIGHTS_DIR, 0);
    open_close("open directory on file", 0, "existing.txt", DIRECTORY, R, 0);
    open_close("open directory on missing", 0, "nodir", DIRECTORY, R, 0);
    open_close("open creat|directory", 0, "cd", CREAT | DIRECTORY, RIGHTS_DIR, 0);
    open_close("open dir with write right", 0, "sub", 0, R | W, 0);
    open_close("open dir read-only rights", 0, "sub", 0, R, 0);
    open_close("open dir trunc", 0, "sub", TRUNC, R | W, 0);
    open_close("open file trailing slash", 0, "existing.txt/", 0, R, 0);
    open_close("open creat trailing slash", 0, "newfile/", CREAT, R | W, 0);
    open_close("open dir trailing slash", 0, "sub/", 0, RIGHTS_DIR, 0);
    open_close("open .", 0, ".", DIRECTORY, RIGHTS_DIR, 0);
    open_close("open empty path", 0, "", 0, R, 0);
    open_close("open creat in missing dir", 0, "missing/x", CREAT, R | W, 0);
    open_close("open creat under file", 0, "existing.txt/x", CREAT, R | W, 0);
    open_close("open creat through dangling follow", FOLLOW, "dangling", CREAT, R | W, 0);
    stat_line("stat nowhere after creat through dangling", 0, "nowhere");
    open_close("open creat|excl on dangling", FOLLOW, "dangling", CREAT | EXCL, R | W, 0);
    open_close("open link nofollow", 0, "link-to-existing", 0, R, 0);
    open_close("open link follow", FOLLOW, "link-to-existing", 0, R, 0);
    open_close("open link nofollow directory", 0, "link-to-sub", DIRECTORY, RIGHTS_DIR, 0);
    open_close("open link follow directory", FOLLOW, "link-to-sub", DIRECTORY, RIGHTS_DIR, 0);
    make_file("trunc.txt", "0123456789");
    open_close("open trunc", 0, "trunc.txt", TRUNC, R | W, 0);
    stat_line("stat after trunc", 0, "trunc.txt");
    make_file("trunc2.txt", "0123456789");
    open_close("open trunc read-only rights", 0, "trunc2.txt", TRUNC, R, 0);
    stat_line("stat after trunc read-only", 0, "trunc2.txt");

    /* fdflags */
    {
        make_file("app.txt", "start|");
        int fd = open_path("open append", 0, "app.txt", 0, R | W, __WASI_FDFLAGS_APPEND);
        if (fd >= 0) {
            __wasi_filesize_t position;
            __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position);
            write_all(fd, "appended|");
            __wasi_fdstat_t st;
            __wasi_fd_fdstat_get(fd, &st);
            show("append fdstat flags", "%u", st.fs_flags);
            __wasi_fd_close(fd);
        }
        contents("after append", "app.txt");
        static const struct { const char *name; __wasi_fdflags_t flags; } fdflags[] = {
            {"dsync", __WASI_FDFLAGS_DSYNC}, {"nonblock", __WASI_FDFLAGS_NONBLOCK}, {"rsync", __WASI_FDFLAGS_RSYNC},
            {"sync", __WASI_FDFLAGS_SYNC}, {"append|nonblock", __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK},
        };
        for (size_t i = 0; i < sizeof fdflags / sizeof *fdflags; i++) {
            snprintf(label, sizeof label, "open fdflags %s", fdflags[i].name);
            fd = open_path(label, 0, "app.txt", 0, R | W, fdflags[i].flags);
            __wasi_fdstat_t st = {0};
            if (fd >= 0) __wasi_fd_fdstat_get(fd, &st);
            show("  fdstat flags", "%s", fd >= 0 ? (snprintf(label, sizeof label, "%u", st.fs_flags), label) : "-");
            if (fd >= 0) __wasi_fd_close(fd);
        }
        fd = open_path("open dir with append", 0, "sub", DIRECTORY, RIGHTS_DIR, __WASI_FDFLAGS_APPEND);
        if (fd >= 0) __wasi_fd_close(fd);
    }

    /* access rights decide the access mode (rights without FD_READ: check_differs.c) */
    {
        static const struct { const char *name; __wasi_rights_t rights; } modes[] = {
            {"read", __WASI_RIGHTS_FD_READ}, {"write", __WASI_RIGHTS_FD_WRITE},
            {"read|write", __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE}, {"all", RIGHTS_ALL},
        };
        for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
            snprintf(label, sizeof label, "open rights %s", modes[i].name);
            int fd = open_path(label, 0, "app.txt", 0, modes[i].rights, 0);
            char buffer[8];
            __wasi_iovec_t iov = {(uint8_t *)buffer, sizeof buffer};
            __wasi_ciovec_t ciov = {(const uint8_t *)"", 0};
            __wasi_size_t n;
            snprintf(label, sizeof label, "  read with %s", modes[i].name);
            check(label, fd < 0 ? -1 : __wasi_fd_read(fd, &iov, 1, &n));
            snprintf(label, sizeof label, "  write with %s", modes[i].name);
            check(label, fd < 0 ? -1 : __wasi_fd_write(fd, &ciov, 1, &n));
            if (fd >= 0) __wasi_fd_close(fd);
        }
    }

    /* path_create_directory */
    check("mkdir d1", __wasi_path_create_directory(dir, "d1"));
    check("mkdir d1 again", __wasi_path_create_directory(dir, "d1"));
    check("mkdir d1/sub", __wasi_path_create_directory(dir, "d1/sub"));
    check("mkdir over file", __wasi_path_create_directory(dir, "existing.txt"));
    check("mkdir over symlink", __wasi_path_create_directory(dir, "dangling"));
    check("mkdir missing/x", __wasi_path_create_directory(dir, "missing/x"));
    check("mkdir under file", __wasi_path_create_directory(dir, "existing.txt/x"));
    check("mkdir trailing slash", __wasi_path_create_directory(dir, "d2/"));
    check("mkdir empty", __wasi_path_create_directory(dir, ""));
    check("mkdir ..", __wasi_path_create_directory(dir, ".."));
    check("mkdir ../escape", __wasi_path_create_directory(dir, "../escape"));
    check("mkdir /abs", __wasi_path_create_directory(dir, "/abs"));
    check("mkdir d1/../d3", __wasi_path_create_directory(dir, "d1/../d3"));

    /* path_filestat_set_times */
    check("set_times file", __wasi_path_filestat_set_times(dir, 0, "existing.txt", 11000000000ULL, 12000000000ULL,
                                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    {
        __wasi_filestat_t st;
        __wasi_path_filestat_get(dir, 0, "existing.txt", &st);
        show("times after path set", "atim=%llu mtim=%llu", (unsigned long long)st.atim, (unsigned long long)st.mtim);
        check("set_times through link follow", __wasi_path_filestat_set_times(dir, FOLLOW, "link-to-existing", 0,
                                                                              13000000000ULL, __WASI_FSTFLAGS_MTIM));
        __wasi_path_filestat_get(dir, 0, "existing.txt", &st);
        show("target mtim after follow", "%llu", (unsigned long long)st.mtim);
        check("set_times dir", __wasi_path_filestat_set_times(dir, 0, "d1", 0, 14000000000ULL, __WASI_FSTFLAGS_MTIM));
        __wasi_path_filestat_get(dir, 0, "d1", &st);
        show("dir mtim", "%llu", (unsigned long long)st.mtim);
        check("set_times mtim_now", __wasi_path_filestat_set_times(dir, 0, "existing.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
        __wasi_path_filestat_get(dir, 0, "existing.txt", &st);
        show("mtim now is recent", "%s", st.mtim > 1600000000000000000ULL ? "yes" : "no");
    }
    check("set_times missing", __wasi_path_filestat_set_times(dir, 0, "missing", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    check("set_times both mtim flags", __wasi_path_filestat_set_times(dir, 0, "existing.txt", 0, 1,
                                                                      __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
    check("set_times ..", __wasi_path_filestat_set_times(dir, 0, "..", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    check("set_times trailing slash on file", __wasi_path_filestat_set_times(dir, 0, "existing.txt/", 0, 0,
                                                                             __WASI_FSTFLAGS_MTIM_NOW));

    /* path_link: hard links share data */
    make_file("orig.txt", "original|");
    check("link orig -> hard", __wasi_path_link(dir, 0, "orig.txt", dir, "hard.txt"));
    stat_line("stat orig after link", 0, "orig.txt");
    {
        __wasi_fd_t fd;
        if (!require("open hard", open_at(dir, "hard.txt", 0, R | W, __WASI_FDFLAGS_APPEND, &fd))) {
            write_all(fd, "via hard|");
            __wasi_fd_close(fd);
        }
    }
    contents("orig after writing hard", "orig.txt");
    check("link onto existing", __wasi_path_link(dir, 0, "orig.txt", dir, "existing.txt"));
    check("link missing source", __wasi_path_link(dir, 0, "missing", dir, "x"));
    check("link a directory", __wasi_path_link(dir, 0, "d1", dir, "d1link"));
    check("link into missing dir", __wasi_path_link(dir, 0, "orig.txt", dir, "missing/x"));
    check("link to ..", __wasi_path_link(dir, 0, "orig.txt", dir, "../x"));
    check("link from ..", __wasi_path_link(dir, 0, "../x", dir, "x"));
    check("link trailing slash target", __wasi_path_link(dir, 0, "orig.txt", dir, "h2/"));
    check("link trailing slash source", __wasi_path_link(dir, 0, "orig.txt/", dir, "h3"));
    check("link symlink nofollow", __wasi_path_link(dir, 0, "link-to-existing", dir, "hardlink-to-symlink"));
    stat_line("stat hardlink-to-symlink", 0, "hardlink-to-symlink");
    check("link symlink follow", __wasi_path_link(dir, FOLLOW, "link-to-existing", dir, "hardlink-followed"));
    stat_line("stat hardlink-followed", 0, "hardlink-followed");
    check("link into subdir", __wasi_path_link(dir, 0, "orig.txt", dir, "d1/orig-link.txt"));
    check("unlink orig", __wasi_path_unlink_file(dir, "orig.txt"));
    stat_line("stat hard after unlink orig", 0, "hard.txt");
    contents("hard survives", "hard.txt");

    /* path_rename */
    make_file("r1.txt", "r1|");
    make_file("r2.txt", "r2|");
    check("rename file to new name", __wasi_path_rename(dir, "r1.txt", dir, "r1-renamed.txt"));
    stat_line("stat old name", 0, "r1.txt");
    check("rename file over file", __wasi_path_rename(dir, "r1-renamed.txt", dir, "r2.txt"));
    contents("r2 now", "r2.txt");
    check("rename missing", __wasi_path_rename(dir, "nope", dir, "x"));
    check("rename to itself", __wasi_path_rename(dir, "r2.txt", dir, "r2.txt"));
    check("rename file over dir", __wasi_path_rename(dir, "r2.txt", dir, "d1"));
    check("mkdir rdir", __wasi_path_create_directory(dir, "rdir"));
    check("mkdir rdir/child", __wasi_path_create_directory(dir, "rdir/child"));
    check("mkdir emptytarget-dir", __wasi_path_create_directory(dir, "edir"));
    check("rename dir over file", __wasi_path_rename(dir, "rdir", dir, "r2.txt"));
    check("rename dir over non-empty dir", __wasi_path_rename(dir, "edir", dir, "rdir"));
    check("rename dir over empty dir", __wasi_path_rename(dir, "rdir", dir, "edir"));
    check("rename dir into itself", __wasi_path_rename(dir, "edir", dir, "edir/child/x"));
    check("rename dir trailing slash", __wasi_path_rename(dir, "edir/", dir, "edir2/"));
    check("rename file trailing slash", __wasi_path_rename(dir, "r2.txt/", dir, "r3.txt"));
    check("rename file to trailing slash", __wasi_path_rename(dir, "r2.txt", dir, "r3.txt/"));
    check("rename into missing dir", __wasi_path_rename(dir, "r2.txt", dir, "missing/r2.txt"));
    check("rename into subdir", __wasi_path_rename(dir, "r2.txt", dir, "d1/sub/r2.txt"));
    check("rename out to ..", __wasi_path_rename(dir, "d1/sub/r2.txt", dir, "../r2.txt"));
    check("rename from ..", __wasi_path_rename(dir, "../x", dir, "x"));
    check("rename symlink", __wasi_path_rename(dir, "dangling", dir, "dangling-moved"));
    readlink_line("renamed symlink target kept", "dangling-moved", 64);
    check("rename .", __wasi_path_rename(dir, ".", dir, "dot"));
    check("rename onto .", __wasi_path_rename(dir, "d3", dir, "."));

    /* path_unlink_file / path_remove_directory */
    check("unlink dir", __wasi_path_unlink_file(dir, "d1"));
    check("unlink missing", __wasi_path_unlink_file(dir, "missing"));
    check("unlink trailing slash", __wasi_path_unlink_file(dir, "hard.txt/"));
    check("unlink symlink (not its target)", __wasi_path_unlink_file(dir, "link-to-existing"));
    stat_line("target of unlinked symlink", 0, "existing.txt");
    check("unlink symlink to dir with slash", __wasi_path_unlink_file(dir, "link-to-sub/"));
    check("unlink ..", __wasi_path_unlink_file(dir, ".."));
    check("unlink ../x", __wasi_path_unlink_file(dir, "../x"));
    check("unlink file", __wasi_path_unlink_file(dir, "excl.txt"));
    check("rmdir non-empty", __wasi_path_remove_directory(dir, "d1"));
    check("rmdir file", __wasi_path_remove_directory(dir, "hard.txt"));
    check("rmdir missing", __wasi_path_remove_directory(dir, "missing"));
    check("rmdir symlink to dir", __wasi_path_remove_directory(dir, "link-to-sub"));
    check("rmdir .", __wasi_path_remove_directory(dir, "."));
    check("rmdir ..", __wasi_path_remove_directory(dir, ".."));
    check("rmdir empty path", __wasi_path_remove_directory(dir, ""));
    check("rmdir trailing slash", __wasi_path_remove_directory(dir, "emptydir/"));
    check("rmdir d3", __wasi_path_remove_directory(dir, "d3"));
    check("rmdir d3 again", __wasi_path_remove_directory(dir, "d3"));
    check("rmdir d1/sub/..", __wasi_path_remove_directory(dir, "d1/sub/.."));

    /* a directory descriptor opened below the preopen is a root of its own for ".." */
    {
        __wasi_fd_t sub;
        if (!require("open sub", __wasi_path_open(dir, 0, "sub", DIRECTORY, RIGHTS_DIR, RIGHTS_ALL, 0, &sub))) {
            __wasi_fd_t fd;
            int e = __wasi_path_open(sub, 0, "../existing.txt", 0, R, 0, 0, &fd);
            check("open ../existing.txt from sub fd", e);
            if (!e) __wasi_fd_close(fd);
            e = __wasi_path_open(sub, 0, "deeper/../inner.txt", 0, R, 0, 0, &fd);
            check("open deeper/../inner.txt from sub fd", e);
            if (!e) __wasi_fd_close(fd);
            check("symlink from sub fd", __wasi_path_symlink("inner.txt", sub, "inner-link"));
            check("rename across descriptors", __wasi_path_rename(dir, "r2.txt", sub, "r2-in-sub.txt"));
            check("link across descriptors", __wasi_path_link(sub, 0, "inner.txt", dir, "inner-hard.txt"));
            __wasi_fd_close(sub);
            check("path call on closed dir fd", __wasi_path_create_directory(sub, "x"));
        }
    }

    /* libc on top: the same calls through absolute paths under the mount */
    {
        char path[512], other[512];
        const char *prefix = strcmp(argv[1], "/") == 0 ? "" : argv[1];
        snprintf(path, sizeof path, "%s/libc.txt", prefix);
        FILE *file = fopen(path, "w");
        show("fopen w", "%s", file ? "ok" : "failed");
        if (file) {
            fprintf(file, "written by stdio\n");
            fclose(file);
        }
        snprintf(other, sizeof other, "%s/libc-renamed.txt", prefix);
        show("rename()", "%d", rename(path, other));
        file = fopen(other, "r");
        char line[64] = "";
        if (file) {
            if (!fgets(line, sizeof line, file)) line[0] = 0;
            fclose(file);
        }
        line[strcspn(line, "\n")] = 0;
        show("fgets", "\"%s\"", line);
        snprintf(path, sizeof path, "%s/../outside.txt", prefix);
        file = fopen(path, "w");
        show("fopen outside the mount", "%s", file ? "opened" : "refused");
        if (file) fclose(file);
    }
    return done();
}
