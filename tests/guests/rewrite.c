/* Rewrites a file in place through many small lseek + write pairs (the pattern the browser answers
 * without entering Python once a descriptor is hot), mixed with every call that must see or
 * change the same state: fstat, tell, reads through a second descriptor, seeks past the end,
 * growth, a seek before the start, an append-mode descriptor, a renumber.
 * argv[1]: the preopen. Ends with the file's bytes, compared by the differential suite too. */
#include "check.h"

static __wasi_errno_t seek(__wasi_fd_t fd, __wasi_filedelta_t offset, __wasi_whence_t whence,
                           __wasi_filesize_t *at) {
    return __wasi_fd_seek(fd, offset, whence, at);
}

static __wasi_errno_t put(__wasi_fd_t fd, const char *text, size_t length, __wasi_size_t *n) {
    __wasi_ciovec_t iov = {(const uint8_t *)text, length};
    return __wasi_fd_write(fd, &iov, 1, n);
}

int main(int argc, char **argv) {
    int dir = preopen_fd(argc > 1 ? argv[1] : "/sandbox");
    __wasi_fd_t fd, reader, appender;
    __wasi_filesize_t at = 0;
    __wasi_size_t n = 0;
    if (require("open out.bin", open_at(dir, "out.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                         RIGHTS_ALL, 0, &fd))) return 1;
    check("grow to 64 bytes", write_all(fd, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));

    /* 1000 rounds of seek + 4-byte write at a moving offset: hot after the first few */
    long sum = 0;
    for (int i = 0; i < 1000; i++) {
        char block[4] = {(char)('A' + i % 26), (char)('a' + i % 26), (char)('0' + i % 10), '|'};
        if (seek(fd, (i * 7) % 61, __WASI_WHENCE_SET, &at) || put(fd, block, 4, &n) || n != 4) {
            printf("round %d failed\n", i);
            return 1;
        }
        sum += (long)at;
    }
    show("offsets summed", "%ld", sum);
    check("tell", __wasi_fd_tell(fd, &at));
    show("position after the rounds", "%llu", (unsigned long long)at);
    __wasi_filestat_t st;
    check("fstat", __wasi_fd_filestat_get(fd, &st));
    show("size", "%llu", (unsigned long long)st.size);

    /* relative and end seeks while hot, then reads through a second descriptor */
    for (int i = 0; i < 8; i++) seek(fd, 1, __WASI_WHENCE_CUR, &at);
    show("after 8 relative seeks", "%llu", (unsigned long long)at);
    check("seek end -4", seek(fd, -4, __WASI_WHENCE_END, &at));
    show("at", "%llu", (unsigned long long)at);
    check("overwrite the last 4", put(fd, "LAST", 4, &n));
    require("open reader", open_at(dir, "out.bin", 0, RIGHTS_ALL, 0, &reader));
    char buffer[128];
    size_t got = 0;
    check("read all", read_full(reader, buffer, sizeof buffer, &got));
    show("read", "%.*s", (int)got, buffer);

    /* an error while the descriptor is hot: the kernel answers it (wasmtime traps on a bad
     * pointer or whence, so those stay out of this oracle-compared guest) */
    for (int i = 0; i < 8; i++) seek(fd, 0, __WASI_WHENCE_SET, &at), put(fd, "z", 1, &n);
    check("seek before the start", seek(fd, -1, __WASI_WHENCE_SET, &at));
    check("tell after it", __wasi_fd_tell(fd, &at));
    show("position", "%llu", (unsigned long long)at);
    __wasi_ciovec_t two[2] = {{(const uint8_t *)"<<", 2}, {(const uint8_t *)">>", 2}};
    check("gathered write", __wasi_fd_write(fd, two, 2, &n));
    if (n == 2) put(fd, ">>", 2, &n); /* a host may write only the first iovec (wasmtime does) */

    /* past the end: a hole, then growth */
    check("seek past the end", seek(fd, 100, __WASI_WHENCE_SET, &at));
    check("write there", put(fd, "END", 3, &n));
    check("fstat again", __wasi_fd_filestat_get(fd, &st));
    show("size now", "%llu", (unsigned long long)st.size);

    /* an append-mode descriptor on the same file, interleaved */
    require("open appender", open_at(dir, "out.bin", 0, RIGHTS_ALL, __WASI_FDFLAGS_APPEND, &appender));
    for (int i = 0; i < 6; i++) {
        seek(appender, 0, __WASI_WHENCE_SET, &at);
        put(appender, "+", 1, &n);
        seek(fd, i, __WASI_WHENCE_SET, &at);
        put(fd, "#", 1, &n);
    }
    check("fstat after appends", __wasi_fd_filestat_get(fd, &st));
    show("size", "%llu", (unsigned long long)st.size);

    /* renumber the hot descriptor onto another and keep writing */
    check("renumber onto the reader", __wasi_fd_renumber(fd, reader));
    for (int i = 0; i < 6; i++) seek(reader, 10 + i, __WASI_WHENCE_SET, &at), put(reader, "r", 1, &n);
    check("old number is closed", seek(fd, 0, __WASI_WHENCE_SET, &at));
    check("close", __wasi_fd_close(reader));
    check("close appender", __wasi_fd_close(appender));

    require("reopen", open_at(dir, "out.bin", 0, RIGHTS_ALL, 0, &reader));
    check("read back", read_full(reader, buffer, sizeof buffer, &got));
    printf("final: ");
    for (size_t i = 0; i < got; i++) putchar(buffer[i] ? buffer[i] : '.');
    printf("\n");
    printf("done\n");
    return harness_failures ? 2 : 0;
}
