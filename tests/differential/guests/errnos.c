/* Raw WASI calls whose errnos are compared with wasmtime: rights, escapes, read-only mounts,
 * symlinks, renumbering, dot entries, trailing slashes. Expects /s (writable) and /r (read-only, with a file r). */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
int32_t raw_proc_raise(int32_t) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("proc_raise")));
#define P(name, expr) printf("%s = %d\n", name, (int)(expr))
int main(void) {
    __wasi_fd_t fd, d;
    char buf[64];
    P("proc_raise", raw_proc_raise(2));
    P("open rw", __wasi_path_open(3, 0, "f", 1, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &fd));
    P("fd_allocate", __wasi_fd_allocate(fd, 0, 100));
    P("fd_advise", __wasi_fd_advise(fd, 0, 10, 1));
    __wasi_size_t n; __wasi_ciovec_t iov = {(const uint8_t*)"x", 1};
    P("open ..", __wasi_path_open(3, 0, "..", 0, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    P("open /etc", __wasi_path_open(3, 0, "/etc", 0, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    P("symlink abs", __wasi_path_symlink("/etc/passwd", 3, "abs"));
    P("symlink rel out", __wasi_path_symlink("../x", 3, "relout"));
    P("open relout follow", __wasi_path_open(3, 1, "relout", 0, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    P("open relout nofollow", __wasi_path_open(3, 0, "relout", 0, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    __wasi_size_t used;
    P("readlink relout", __wasi_path_readlink(3, "relout", buf, sizeof buf, &used));
    P("readlink small", __wasi_path_readlink(3, "relout", buf, 2, &used)); printf("used=%d\n", (int)used);
    P("ro create", __wasi_path_open(4, 0, "new", 1, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    P("ro open write", __wasi_path_open(4, 0, "r", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &d));
    P("ro mkdir", __wasi_path_create_directory(4, "dd"));
    P("ro unlink", __wasi_path_unlink_file(4, "r"));
    __wasi_fd_t r;
    P("ro open read", __wasi_path_open(4, 0, "r", 0, __WASI_RIGHTS_FD_READ|__WASI_RIGHTS_FD_WRITE, 0, 0, &r));
    P("sock_shutdown on file", __wasi_sock_shutdown(fd, 1));
    __wasi_fd_t accepted; __wasi_size_t got; __wasi_roflags_t roflags;
    __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
    P("sock_accept on file", __wasi_sock_accept(fd, 0, &accepted));
    P("sock_recv on file", __wasi_sock_recv(fd, &riov, 1, 0, &got, &roflags));
    P("sock_send on file", __wasi_sock_send(fd, &siov, 1, 0, &got));
    P("sock_accept bad fd", __wasi_sock_accept(99, 0, &accepted));
    P("sock_recv bad fd", __wasi_sock_recv(99, &riov, 1, 0, &got, &roflags));
    P("fd_read dir", __wasi_fd_read(3, (const __wasi_iovec_t*)&iov, 1, &n));
    P("renumber onto preopen", __wasi_fd_renumber(fd, 4));
    __wasi_prestat_t ps; P("prestat 4 after", __wasi_fd_prestat_get(4, &ps));
    P("prestat_dir_name short", __wasi_fd_prestat_dir_name(3, (uint8_t*)buf, 1));
    P("mkdir existing", __wasi_path_create_directory(3, "."));
    P("rmdir dot", __wasi_path_remove_directory(3, "."));
    P("unlink dot", __wasi_path_unlink_file(3, "."));
    P("link dir", __wasi_path_create_directory(3, "dd") + 1000*__wasi_path_link(3, 0, "dd", 3, "dd2"));
    P("rename into self", __wasi_path_rename(3, "dd", 3, "dd/sub"));
    P("open trailing slash file", __wasi_path_open(3, 0, "f/", 0, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    P("create trailing slash", __wasi_path_open(3, 0, "g/", 1, 0x3FFFFFFFULL, 0x3FFFFFFFULL, 0, &d));
    P("open dir for write", __wasi_path_open(3, 0, "dd", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &d));
    P("sched_yield", __wasi_sched_yield());
    P("poll zero", __wasi_poll_oneoff(0, 0, 0, &n));
    return 0;
}
