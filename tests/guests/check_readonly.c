/* A read-only preopen: reading works, every change is refused (wasmtime: EPERM... the oracle says).
 * path_open with write rights / CREAT / TRUNC, path_create_directory, path_unlink_file,
 * path_remove_directory, path_rename, path_symlink, path_link, path_filestat_set_times,
 * fd_filestat_set_size, fd_filestat_set_times, fd_write, fd_allocate on what it opened.
 * argv[1]: the guest path of a read-only preopen holding tests/cases.py's SEED tree. */
#include "check.h"

int main(int argc, char **argv) {
    int dir = argc > 1 ? preopen_fd(argv[1]) : -1;
    if (dir < 0) {
        printf("HARNESS FAIL usage: check_readonly MOUNT\n");
        return 2;
    }
    const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET |
                              __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;
    __wasi_fd_t fd, d;
    char buffer[64];
    size_t got = 0;
    if (!check("open existing read", __wasi_path_open(dir, 0, "existing.txt", 0, R, 0, 0, &fd))) {
        check("read it", read_full(fd, buffer, sizeof buffer - 1, &got));
        buffer[got] = 0;
        buffer[strcspn(buffer, "\n")] = 0;
        show("contents", "\"%s\"", buffer);
        __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
        __wasi_size_t n;
        check("fd_write on it", __wasi_fd_write(fd, &iov, 1, &n));
        check("fd_filestat_set_size on it", __wasi_fd_filestat_set_size(fd, 0));
        check("fd_filestat_set_times on it", __wasi_fd_filestat_set_times(fd, 0, 5, __WASI_FSTFLAGS_MTIM));
        check("fd_allocate on it", __wasi_fd_allocate(fd, 0, 10));
        check("fd_sync on it", __wasi_fd_sync(fd));
        __wasi_fd_close(fd);
    }
    check("open existing write", __wasi_path_open(dir, 0, "existing.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    check("open existing read+write", __wasi_path_open(dir, 0, "existing.txt", 0, R | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    check("open create new", __wasi_path_open(dir, 0, "new.txt", __WASI_OFLAGS_CREAT, R, 0, 0, &fd));
    check("open create existing", __wasi_path_open(dir, 0, "existing.txt", __WASI_OFLAGS_CREAT, R, 0, 0, &fd));
    check("open trunc", __wasi_path_open(dir, 0, "existing.txt", __WASI_OFLAGS_TRUNC, R, 0, 0, &fd));
    check("open append", __wasi_path_open(dir, 0, "existing.txt", 0, R, 0, __WASI_FDFLAGS_APPEND, &fd));
    check("open dir", __wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, RIGHTS_DIR, 0, &d));
    check("mkdir", __wasi_path_create_directory(dir, "newdir"));
    check("unlink", __wasi_path_unlink_file(dir, "existing.txt"));
    check("unlink missing", __wasi_path_unlink_file(dir, "missing"));
    check("rmdir", __wasi_path_remove_directory(dir, "emptydir"));
    check("rename", __wasi_path_rename(dir, "existing.txt", dir, "moved.txt"));
    check("symlink", __wasi_path_symlink("existing.txt", dir, "newlink"));
    check("link", __wasi_path_link(dir, 0, "existing.txt", dir, "hard.txt"));
    check("set_times", __wasi_path_filestat_set_times(dir, 0, "existing.txt", 0, 5, __WASI_FSTFLAGS_MTIM));
    __wasi_filestat_t st;
    check("stat", __wasi_path_filestat_get(dir, 0, "existing.txt", &st));
    check("stat through link", __wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link-to-existing", &st));
    __wasi_size_t used;
    check("readlink", __wasi_path_readlink(dir, "link-to-existing", (uint8_t *)buffer, sizeof buffer, &used));
    check("readdir", __wasi_fd_readdir(dir, (uint8_t *)buffer, sizeof buffer, 0, &used));
    return done();
}
