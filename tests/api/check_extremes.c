/* Every preview1 call with the extreme values of each integer parameter (issue 10).
 *
 * For each call, each parameter in turn takes 0, 2**31 and 2**32-1 (32-bit parameters) or 0,
 * 2**31, 2**32-1, 2**63, 2**64-6 and 2**64-1 (64-bit ones) while the others keep a valid value; one line
 * per call gives the errno, a digest of the memory the call may write (the result area, the
 * first bytes of memory, and a page at 2 GiB: memory is grown past 2 GiB, so a pointer there is
 * valid) and one of the file f.txt. Results that differ between hosts by nature (times, inodes, descriptor numbers, random
 * bytes, rights) are marked "varies" instead. Before each call the state is the same: the file
 * f.txt holds "0123456789", fresh descriptors F and G are open on it, the memory areas are rebuilt.
 *
 * argv[1]: the preopen's guest path; argv[2..]: the calls to sweep (default: every call but
 * proc_raise, which wasmtime answers with a trap). Lines of stdin name lines to leave out
 * with "-" ("-fd_read iovs=4294967295": where wasmtime traps), or every line up to one with "+"
 * (to go on after a trap); read first, so argv and stdin's later reads are the same on every host. fd_renumber and fd_close come last, with descriptor 0 last: once
 * stdin is gone, hosts number new descriptors differently. Ends with proc_exit(0), the 46th call.
 * Writing or growing a file at offsets of 2 GiB and more would make files of gigabytes on every
 * host, so fd_pwrite and fd_filestat_set_size sweep 0, 2**63, 2**64-6 and 2**64-1 for those. */
#include "../guests/check.h"

#define WASI(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(#name)))
typedef int32_t I;
typedef int64_t L;
I x_args_get(I, I) WASI(args_get);
I x_args_sizes_get(I, I) WASI(args_sizes_get);
I x_environ_get(I, I) WASI(environ_get);
I x_environ_sizes_get(I, I) WASI(environ_sizes_get);
I x_clock_res_get(I, I) WASI(clock_res_get);
I x_clock_time_get(I, L, I) WASI(clock_time_get);
I x_fd_advise(I, L, L, I) WASI(fd_advise);
I x_fd_allocate(I, L, L) WASI(fd_allocate);
I x_fd_close(I) WASI(fd_close);
I x_fd_datasync(I) WASI(fd_datasync);
I x_fd_fdstat_get(I, I) WASI(fd_fdstat_get);
I x_fd_fdstat_set_flags(I, I) WASI(fd_fdstat_set_flags);
I x_fd_fdstat_set_rights(I, L, L) WASI(fd_fdstat_set_rights);
I x_fd_filestat_get(I, I) WASI(fd_filestat_get);
I x_fd_filestat_set_size(I, L) WASI(fd_filestat_set_size);
I x_fd_filestat_set_times(I, L, L, I) WASI(fd_filestat_set_times);
I x_fd_pread(I, I, I, L, I) WASI(fd_pread);
I x_fd_prestat_get(I, I) WASI(fd_prestat_get);
I x_fd_prestat_dir_name(I, I, I) WASI(fd_prestat_dir_name);
I x_fd_pwrite(I, I, I, L, I) WASI(fd_pwrite);
I x_fd_read(I, I, I, I) WASI(fd_read);
I x_fd_readdir(I, I, I, L, I) WASI(fd_readdir);
I x_fd_renumber(I, I) WASI(fd_renumber);
I x_fd_seek(I, L, I, I) WASI(fd_seek);
I x_fd_sync(I) WASI(fd_sync);
I x_fd_tell(I, I) WASI(fd_tell);
I x_fd_write(I, I, I, I) WASI(fd_write);
I x_path_create_directory(I, I, I) WASI(path_create_directory);
I x_path_filestat_get(I, I, I, I, I) WASI(path_filestat_get);
I x_path_filestat_set_times(I, I, I, I, L, L, I) WASI(path_filestat_set_times);
I x_path_link(I, I, I, I, I, I, I) WASI(path_link);
I x_path_open(I, I, I, I, I, L, L, I, I) WASI(path_open);
I x_path_readlink(I, I, I, I, I, I) WASI(path_readlink);
I x_path_remove_directory(I, I, I) WASI(path_remove_directory);
I x_path_rename(I, I, I, I, I, I) WASI(path_rename);
I x_path_symlink(I, I, I, I, I) WASI(path_symlink);
I x_path_unlink_file(I, I, I) WASI(path_unlink_file);
I x_poll_oneoff(I, I, I, I) WASI(poll_oneoff);
void x_proc_exit(I) WASI(proc_exit);
I x_proc_raise(I) WASI(proc_raise);
I x_sched_yield(void) WASI(sched_yield);
I x_random_get(I, I) WASI(random_get);
I x_sock_accept(I, I, I) WASI(sock_accept);
I x_sock_recv(I, I, I, I, I, I) WASI(sock_recv);
I x_sock_send(I, I, I, I, I) WASI(sock_send);
I x_sock_shutdown(I, I) WASI(sock_shutdown);

#define HIGH 0x80000000u   /* 2 GiB: valid once memory has grown past it */
#define PAGE 65536u
#define MAXP 9

typedef uint64_t U;
static uint8_t area[2048] __attribute__((aligned(16)));
#define A(offset) ((U)(uintptr_t)(area + (offset)))
/* The area: result slots at 0..256, iovecs, names and a subscription, buffers from 512. */
enum { RES = 0, RES2 = 16, IOV_R = 256, IOV_W = 264, DATA_W = 300, NAMES = 320, SUB = 400, BUF = 512, DIRBUF = 1024,
       EVENTS = 1600 };
/* "\x10" is the name a path at 2 GiB gives (the first byte there) with a length of 1. */
static const char *const names[] = {"f.txt", "d", "l", "sl", "r1", "r2", "s", "u", "\x10"};
#define NAME(i) A(NAMES + 8 * (i))
static volatile uintptr_t zero_address = 0; /* address 0, hidden from the compiler */
static int dir, high_ok;
static I file_f, file_g;

static uint32_t digest(uint32_t hash, const volatile uint8_t *bytes, size_t length) {
    for (size_t i = 0; i < length; i++) hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

static uint32_t memory_digest(void) {
    uint32_t hash = digest(2166136261u, area, sizeof area);
    hash = digest(hash, (const volatile uint8_t *)zero_address, 64);
    if (high_ok) hash = digest(hash, (const volatile uint8_t *)(uintptr_t)HIGH, 4096);
    return hash;
}

/* f.txt's bytes after a call, read through a descriptor of its own. */
static uint32_t file_digest(void) {
    static uint8_t content[64];
    __wasi_fd_t fd;
    size_t got = 0;
    if (__wasi_path_open((__wasi_fd_t)dir, 0, "f.txt", 0, RIGHTS_ALL, RIGHTS_ALL, 0, &fd)) return 0;
    read_full(fd, (char *)content, sizeof content, &got);
    x_fd_close((I)fd);
    return digest(2166136261u ^ (uint32_t)got, content, got);
}

static void put32(uint8_t *at, uint32_t value) { memcpy(at, &value, 4); }
static void put64(uint8_t *at, uint64_t value) { memcpy(at, &value, 8); }

static I open_file(uint16_t oflags) {
    uint32_t fd = 0;
    I e = x_path_open(dir, 1, (I)NAME(0), 5, oflags, (L)RIGHTS_ALL, (L)RIGHTS_ALL, 0, (I)A(RES2));
    memcpy(&fd, area + RES2, 4);
    return e ? -1 : (I)fd;
}

static void put_file(int name, const char *text) {
    I fd = -1;
    I e = x_path_open(dir, 0, (I)NAME(name), (I)strlen(names[name]), __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                      (L)RIGHTS_ALL, (L)RIGHTS_ALL, 0, (I)A(RES2));
    memcpy(&fd, area + RES2, 4);
    __wasi_ciovec_t content = {(const uint8_t *)text, strlen(text)};
    __wasi_size_t written;
    if (e || __wasi_fd_write((__wasi_fd_t)fd, &content, 1, &written)) printf("HARNESS FAIL reset %s\n", names[name]);
    x_fd_close(fd);
}

/* The same state before every call: the tree as the case made it, memory areas rebuilt, fresh F and G. */
static void reset(void) {
    memset(area, 0, sizeof area);
    for (size_t i = 0; i < 9; i++) strcpy((char *)area + NAMES + 8 * i, names[i]);
    put_file(0, "0123456789");
    put_file(4, "rename me");
    put_file(7, "unlink me");
    x_path_remove_directory(dir, (I)NAME(1), 1);
    x_path_unlink_file(dir, (I)NAME(2), 1);
    x_path_unlink_file(dir, (I)NAME(5), 2);
    x_path_unlink_file(dir, (I)NAME(6), 1);
    x_path_unlink_file(dir, (I)NAME(8), 1);
    x_path_remove_directory(dir, (I)NAME(8), 1);
    memset(area, 0, sizeof area);
    for (size_t i = 0; i < 9; i++) strcpy((char *)area + NAMES + 8 * i, names[i]);
    put32(area + IOV_R, (uint32_t)A(BUF));
    put32(area + IOV_R + 4, 8);
    put32(area + IOV_W, (uint32_t)A(DATA_W));
    put32(area + IOV_W + 4, 4);
    memcpy(area + DATA_W, "WXYZ", 4);
    put64(area + SUB, 42);                  /* userdata; tag 0: a clock */
    put32(area + SUB + 16, 1);              /* the monotonic clock, timeout 0: at once */
    volatile uint8_t *low = (volatile uint8_t *)zero_address;
    for (int i = 0; i < 64; i++) low[i] = 0;
    if (high_ok) {
        uint8_t *high = (uint8_t *)(uintptr_t)HIGH;
        memset(high, 0, 4096);
        put32(high, HIGH + 16); /* an iovec {HIGH + 16, 5} over "hello" */
        put32(high + 4, 5);
        memcpy(high + 16, "hello", 5);
    }
    file_f = open_file(0);
    file_g = open_file(0);
    memset(area + RES2, 0, 16);
}

/* Descriptors a call left open (path_open's, a renumbered one) go, so each call starts alike. */
static void tidy(void) {
    for (I fd = 4; fd < 64; fd++) x_fd_close(fd);
}

typedef I (*Invoke)(const U *a);
struct call {
    const char *name;
    int count;
    const char *params[MAXP];
    int wide; /* bit i: parameter i is 64-bit */
    Invoke invoke;
    void (*base)(U *a);
    int varies; /* its memory results differ between hosts by nature */
    int last;   /* it closes or replaces descriptors: parameters from the last, value 0 last */
};

static const U NARROW[] = {0, 0x80000000u, 0xFFFFFFFFu};
static const U WIDE[] = {0, 0x80000000u, 0xFFFFFFFFu, 0x8000000000000000u, 0xFFFFFFFFFFFFFFFAu,
                         0xFFFFFFFFFFFFFFFFu};
static const U WIDE_NO_GROWTH[] = {0, 0x8000000000000000u, 0xFFFFFFFFFFFFFFFAu, 0xFFFFFFFFFFFFFFFFu};

static char skips[65536];

static int resumed = 1;

/* Whether stdin named this line to leave out: "-LINE" this one, "+LINE" every line up to it. */
static int skipped(const char *line) {
    size_t length = strlen(line);
    for (const char *at = strstr(skips, line); at; at = strstr(at + 1, line)) {
        if (at - skips < 2 || at[-2] != '\n' || at[length] != '\n') continue;
        if (at[-1] == '-') return 1;
        if (at[-1] == '+') {
            resumed = 1;
            return 1;
        }
    }
    return !resumed;
}

/* One call from the state reset() made, with `a` built after it; unless its line is left out. */
static void one(const struct call *c, const char *label, const U *a) {
    char line[128];
    snprintf(line, sizeof line, "%s %s", c->name, label);
    if (skipped(line)) return;
    I e = c->invoke(a);
    uint32_t memory = memory_digest();
    if (c->varies)
        printf("%s %s: %s varies file=%08x\n", c->name, label, errname(e), file_digest());
    else
        printf("%s %s: %s mem=%08x file=%08x\n", c->name, label, errname(e), memory, file_digest());
    tidy();
}

static void sweep(const struct call *c) {
    U a[MAXP] = {0};
    reset();
    c->base(a);
    one(c, "base", a);
    for (int q = 0; q < c->count; q++) {
        int p = c->last ? c->count - 1 - q : q;
        int wide = (c->wide >> p) & 1;
        int no_growth = wide && (!strcmp(c->name, "fd_pwrite") || !strcmp(c->name, "fd_filestat_set_size")) &&
                        (!strcmp(c->params[p], "offset") || !strcmp(c->params[p], "size"));
        const U *values = no_growth ? WIDE_NO_GROWTH : wide ? WIDE : NARROW;
        size_t n = no_growth ? 4 : wide ? 6 : 3;
        for (size_t v = 0; v < n; v++) {
            reset();
            U args[MAXP] = {0};
            c->base(args);
            U value = c->last ? values[(v + 1) % n] : values[v]; /* 0 last */
            args[p] = value;
            char label[64];
            snprintf(label, sizeof label, "%s=%llu", c->params[p], (unsigned long long)value);
            one(c, label, args);
        }
    }
}

#define F ((U)(uint32_t)file_f)
#define G ((U)(uint32_t)file_g)
#define D ((U)(uint32_t)dir)
#define a32(i) ((I)a[i])
#define a64(i) ((L)a[i])

static I i_args_get(const U *a) { return x_args_get(a32(0), a32(1)); }
static void b_args_get(U *a) { a[0] = A(RES); a[1] = A(BUF); }
static I i_args_sizes_get(const U *a) { return x_args_sizes_get(a32(0), a32(1)); }
static void b_two_results(U *a) { a[0] = A(RES); a[1] = A(RES + 8); }
static I i_environ_get(const U *a) { return x_environ_get(a32(0), a32(1)); }
static I i_environ_sizes_get(const U *a) { return x_environ_sizes_get(a32(0), a32(1)); }
static I i_clock_res_get(const U *a) { return x_clock_res_get(a32(0), a32(1)); }
static void b_clock_res_get(U *a) { a[0] = 1; a[1] = A(RES); }
static I i_clock_time_get(const U *a) { return x_clock_time_get(a32(0), a64(1), a32(2)); }
static void b_clock_time_get(U *a) { a[0] = 1; a[1] = 0; a[2] = A(RES); }
static I i_fd_advise(const U *a) { return x_fd_advise(a32(0), a64(1), a64(2), a32(3)); }
static void b_fd_advise(U *a) { a[0] = F; a[1] = 0; a[2] = 4; a[3] = 0; }
static I i_fd_allocate(const U *a) { return x_fd_allocate(a32(0), a64(1), a64(2)); }
static void b_fd_allocate(U *a) { a[0] = F; a[1] = 0; a[2] = 4; }
static I i_fd_close(const U *a) { return x_fd_close(a32(0)); }
static void b_fd(U *a) { a[0] = F; }
static I i_fd_datasync(const U *a) { return x_fd_datasync(a32(0)); }
static I i_fd_sync(const U *a) { return x_fd_sync(a32(0)); }
static I i_fd_fdstat_get(const U *a) { return x_fd_fdstat_get(a32(0), a32(1)); }
static void b_fd_result(U *a) { a[0] = F; a[1] = A(RES); }
static I i_fd_fdstat_set_flags(const U *a) { return x_fd_fdstat_set_flags(a32(0), a32(1)); }
static void b_fd_fdstat_set_flags(U *a) { a[0] = F; a[1] = __WASI_FDFLAGS_APPEND; }
static I i_fd_fdstat_set_rights(const U *a) { return x_fd_fdstat_set_rights(a32(0), a64(1), a64(2)); }
static void b_fd_fdstat_set_rights(U *a) { a[0] = F; a[1] = __WASI_RIGHTS_FD_READ; a[2] = 0; }
static I i_fd_filestat_get(const U *a) { return x_fd_filestat_get(a32(0), a32(1)); }
static I i_fd_filestat_set_size(const U *a) { return x_fd_filestat_set_size(a32(0), a64(1)); }
static void b_fd_filestat_set_size(U *a) { a[0] = F; a[1] = 4; }
static I i_fd_filestat_set_times(const U *a) { return x_fd_filestat_set_times(a32(0), a64(1), a64(2), a32(3)); }
static void b_fd_filestat_set_times(U *a) { a[0] = F; a[1] = 1000; a[2] = 2000; a[3] = 5; }
static I i_fd_pread(const U *a) { return x_fd_pread(a32(0), a32(1), a32(2), a64(3), a32(4)); }
static void b_fd_pread(U *a) { a[0] = F; a[1] = A(IOV_R); a[2] = 1; a[3] = 2; a[4] = A(RES); }
static I i_fd_prestat_get(const U *a) { return x_fd_prestat_get(a32(0), a32(1)); }
static void b_dir_result(U *a) { a[0] = D; a[1] = A(RES); }
static I i_fd_prestat_dir_name(const U *a) { return x_fd_prestat_dir_name(a32(0), a32(1), a32(2)); }
static void b_fd_prestat_dir_name(U *a) { a[0] = D; a[1] = A(BUF); a[2] = 64; }
static I i_fd_pwrite(const U *a) { return x_fd_pwrite(a32(0), a32(1), a32(2), a64(3), a32(4)); }
static void b_fd_pwrite(U *a) { a[0] = F; a[1] = A(IOV_W); a[2] = 1; a[3] = 3; a[4] = A(RES); }
static I i_fd_read(const U *a) { return x_fd_read(a32(0), a32(1), a32(2), a32(3)); }
static void b_fd_read(U *a) { a[0] = F; a[1] = A(IOV_R); a[2] = 1; a[3] = A(RES); }
static I i_fd_readdir(const U *a) { return x_fd_readdir(a32(0), a32(1), a32(2), a64(3), a32(4)); }
static void b_fd_readdir(U *a) { a[0] = D; a[1] = A(DIRBUF); a[2] = 512; a[3] = 0; a[4] = A(RES); }
static I i_fd_renumber(const U *a) { return x_fd_renumber(a32(0), a32(1)); }
static void b_fd_renumber(U *a) { a[0] = F; a[1] = G; }
static I i_fd_seek(const U *a) { return x_fd_seek(a32(0), a64(1), a32(2), a32(3)); }
static void b_fd_seek(U *a) { a[0] = F; a[1] = 3; a[2] = __WASI_WHENCE_SET; a[3] = A(RES); }
static I i_fd_tell(const U *a) { return x_fd_tell(a32(0), a32(1)); }
static I i_fd_write(const U *a) { return x_fd_write(a32(0), a32(1), a32(2), a32(3)); }
static void b_fd_write(U *a) { a[0] = F; a[1] = A(IOV_W); a[2] = 1; a[3] = A(RES); }
static I i_path_create_directory(const U *a) { return x_path_create_directory(a32(0), a32(1), a32(2)); }
static void b_path_create_directory(U *a) { a[0] = D; a[1] = NAME(1); a[2] = 1; }
static I i_path_filestat_get(const U *a) { return x_path_filestat_get(a32(0), a32(1), a32(2), a32(3), a32(4)); }
static void b_path_filestat_get(U *a) { a[0] = D; a[1] = 1; a[2] = NAME(0); a[3] = 5; a[4] = A(RES); }
static I i_path_filestat_set_times(const U *a) {
    return x_path_filestat_set_times(a32(0), a32(1), a32(2), a32(3), a64(4), a64(5), a32(6));
}
static void b_path_filestat_set_times(U *a) {
    a[0] = D; a[1] = 1; a[2] = NAME(0); a[3] = 5; a[4] = 1000; a[5] = 2000; a[6] = 5;
}
static I i_path_link(const U *a) { return x_path_link(a32(0), a32(1), a32(2), a32(3), a32(4), a32(5), a32(6)); }
static void b_path_link(U *a) { a[0] = D; a[1] = 0; a[2] = NAME(0); a[3] = 5; a[4] = D; a[5] = NAME(2); a[6] = 1; }
static I i_path_open(const U *a) {
    return x_path_open(a32(0), a32(1), a32(2), a32(3), a32(4), a64(5), a64(6), a32(7), a32(8));
}
static void b_path_open(U *a) {
    a[0] = D; a[1] = 1; a[2] = NAME(0); a[3] = 5; a[4] = 0;
    a[5] = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK; a[6] = 0; a[7] = 0; a[8] = A(RES);
}
static I i_path_readlink(const U *a) { return x_path_readlink(a32(0), a32(1), a32(2), a32(3), a32(4), a32(5)); }
static void b_path_readlink(U *a) { a[0] = D; a[1] = NAME(3); a[2] = 2; a[3] = A(BUF); a[4] = 64; a[5] = A(RES); }
static I i_path_remove_directory(const U *a) { return x_path_remove_directory(a32(0), a32(1), a32(2)); }
static void b_path_remove_directory(U *a) { a[0] = D; a[1] = NAME(1); a[2] = 1; }
static I i_path_rename(const U *a) { return x_path_rename(a32(0), a32(1), a32(2), a32(3), a32(4), a32(5)); }
static void b_path_rename(U *a) { a[0] = D; a[1] = NAME(4); a[2] = 2; a[3] = D; a[4] = NAME(5); a[5] = 2; }
static I i_path_symlink(const U *a) { return x_path_symlink(a32(0), a32(1), a32(2), a32(3), a32(4)); }
static void b_path_symlink(U *a) { a[0] = NAME(0); a[1] = 5; a[2] = D; a[3] = NAME(6); a[4] = 1; }
static I i_path_unlink_file(const U *a) { return x_path_unlink_file(a32(0), a32(1), a32(2)); }
static void b_path_unlink_file(U *a) { a[0] = D; a[1] = NAME(7); a[2] = 1; }
static I i_poll_oneoff(const U *a) { return x_poll_oneoff(a32(0), a32(1), a32(2), a32(3)); }
static void b_poll_oneoff(U *a) { a[0] = A(SUB); a[1] = A(EVENTS); a[2] = 1; a[3] = A(RES); }
static I i_proc_raise(const U *a) { return x_proc_raise(a32(0)); }
static void b_proc_raise(U *a) { a[0] = 0; }
static I i_sched_yield(const U *a) { (void)a; return x_sched_yield(); }
static void b_none(U *a) { (void)a; }
static I i_random_get(const U *a) { return x_random_get(a32(0), a32(1)); }
static void b_random_get(U *a) { a[0] = A(BUF); a[1] = 16; }
static I i_sock_accept(const U *a) { return x_sock_accept(a32(0), a32(1), a32(2)); }
static void b_sock_accept(U *a) { a[0] = F; a[1] = 0; a[2] = A(RES); }
static I i_sock_recv(const U *a) { return x_sock_recv(a32(0), a32(1), a32(2), a32(3), a32(4), a32(5)); }
static void b_sock_recv(U *a) { a[0] = F; a[1] = A(IOV_R); a[2] = 1; a[3] = 0; a[4] = A(RES); a[5] = A(RES + 8); }
static I i_sock_send(const U *a) { return x_sock_send(a32(0), a32(1), a32(2), a32(3), a32(4)); }
static void b_sock_send(U *a) { a[0] = F; a[1] = A(IOV_W); a[2] = 1; a[3] = 0; a[4] = A(RES); }
static I i_sock_shutdown(const U *a) { return x_sock_shutdown(a32(0), a32(1)); }
static void b_sock_shutdown(U *a) { a[0] = F; a[1] = __WASI_SDFLAGS_WR; }

#define W(bits) (bits)
static const struct call calls[] = {
    {"args_get", 2, {"argv", "argv_buf"}, 0, i_args_get, b_args_get, 0},
    {"args_sizes_get", 2, {"argc", "argv_buf_size"}, 0, i_args_sizes_get, b_two_results, 0},
    {"environ_get", 2, {"environ", "environ_buf"}, 0, i_environ_get, b_args_get, 0},
    {"environ_sizes_get", 2, {"count", "buf_size"}, 0, i_environ_sizes_get, b_two_results, 0},
    {"clock_res_get", 2, {"id", "result"}, 0, i_clock_res_get, b_clock_res_get, 1},
    {"clock_time_get", 3, {"id", "precision", "result"}, W(2), i_clock_time_get, b_clock_time_get, 1},
    {"fd_advise", 4, {"fd", "offset", "len", "advice"}, W(6), i_fd_advise, b_fd_advise, 0},
    {"fd_allocate", 3, {"fd", "offset", "len"}, W(6), i_fd_allocate, b_fd_allocate, 0},
    {"fd_datasync", 1, {"fd"}, 0, i_fd_datasync, b_fd, 0},
    {"fd_fdstat_get", 2, {"fd", "result"}, 0, i_fd_fdstat_get, b_fd_result, 1},
    {"fd_fdstat_set_flags", 2, {"fd", "flags"}, 0, i_fd_fdstat_set_flags, b_fd_fdstat_set_flags, 0},
    {"fd_fdstat_set_rights", 3, {"fd", "base", "inheriting"}, W(6), i_fd_fdstat_set_rights, b_fd_fdstat_set_rights, 0},
    {"fd_filestat_get", 2, {"fd", "result"}, 0, i_fd_filestat_get, b_fd_result, 1},
    {"fd_filestat_set_size", 2, {"fd", "size"}, W(2), i_fd_filestat_set_size, b_fd_filestat_set_size, 0},
    {"fd_filestat_set_times", 4, {"fd", "atim", "mtim", "fst_flags"}, W(6), i_fd_filestat_set_times,
     b_fd_filestat_set_times, 0},
    {"fd_pread", 5, {"fd", "iovs", "iovs_len", "offset", "result"}, W(8), i_fd_pread, b_fd_pread, 0},
    {"fd_prestat_get", 2, {"fd", "result"}, 0, i_fd_prestat_get, b_dir_result, 0},
    {"fd_prestat_dir_name", 3, {"fd", "path", "path_len"}, 0, i_fd_prestat_dir_name, b_fd_prestat_dir_name, 0},
    {"fd_pwrite", 5, {"fd", "iovs", "iovs_len", "offset", "result"}, W(8), i_fd_pwrite, b_fd_pwrite, 0},
    {"fd_read", 4, {"fd", "iovs", "iovs_len", "result"}, 0, i_fd_read, b_fd_read, 0},
    {"fd_readdir", 5, {"fd", "buf", "buf_len", "cookie", "result"}, W(8), i_fd_readdir, b_fd_readdir, 1},
    {"fd_seek", 4, {"fd", "offset", "whence", "result"}, W(2), i_fd_seek, b_fd_seek, 0},
    {"fd_sync", 1, {"fd"}, 0, i_fd_sync, b_fd, 0},
    {"fd_tell", 2, {"fd", "result"}, 0, i_fd_tell, b_fd_result, 0},
    {"fd_write", 4, {"fd", "iovs", "iovs_len", "result"}, 0, i_fd_write, b_fd_write, 0},
    {"path_create_directory", 3, {"fd", "path", "path_len"}, 0, i_path_create_directory, b_path_create_directory, 0},
    {"path_filestat_get", 5, {"fd", "flags", "path", "path_len", "result"}, 0, i_path_filestat_get,
     b_path_filestat_get, 1},
    {"path_filestat_set_times", 7, {"fd", "flags", "path", "path_len", "atim", "mtim", "fst_flags"}, W(48),
     i_path_filestat_set_times, b_path_filestat_set_times, 0},
    {"path_link", 7, {"old_fd", "old_flags", "old_path", "old_len", "new_fd", "new_path", "new_len"}, 0, i_path_link,
     b_path_link, 0},
    {"path_open", 9, {"fd", "dirflags", "path", "path_len", "oflags", "base", "inheriting", "fdflags", "result"},
     W(96), i_path_open, b_path_open, 1},
    {"path_readlink", 6, {"fd", "path", "path_len", "buf", "buf_len", "result"}, 0, i_path_readlink, b_path_readlink, 0},
    {"path_remove_directory", 3, {"fd", "path", "path_len"}, 0, i_path_remove_directory, b_path_remove_directory, 0},
    {"path_rename", 6, {"fd", "old_path", "old_len", "new_fd", "new_path", "new_len"}, 0, i_path_rename, b_path_rename,
     0},
    {"path_symlink", 5, {"old_path", "old_len", "fd", "new_path", "new_len"}, 0, i_path_symlink, b_path_symlink, 0},
    {"path_unlink_file", 3, {"fd", "path", "path_len"}, 0, i_path_unlink_file, b_path_unlink_file, 0},
    {"poll_oneoff", 4, {"in", "out", "nsubscriptions", "result"}, 0, i_poll_oneoff, b_poll_oneoff, 0},
    {"proc_raise", 1, {"sig"}, 0, i_proc_raise, b_proc_raise, 0},
    {"sched_yield", 0, {""}, 0, i_sched_yield, b_none, 0},
    {"random_get", 2, {"buf", "buf_len"}, 0, i_random_get, b_random_get, 1},
    {"sock_accept", 3, {"fd", "flags", "result"}, 0, i_sock_accept, b_sock_accept, 0},
    {"sock_recv", 6, {"fd", "ri_data", "ri_data_len", "ri_flags", "ro_datalen", "ro_flags"}, 0, i_sock_recv,
     b_sock_recv, 0},
    {"sock_send", 5, {"fd", "si_data", "si_data_len", "si_flags", "result"}, 0, i_sock_send, b_sock_send, 0},
    {"sock_shutdown", 2, {"fd", "how"}, 0, i_sock_shutdown, b_sock_shutdown, 0},
    {"fd_renumber", 2, {"fd", "to"}, 0, i_fd_renumber, b_fd_renumber, 0, 1},
    {"fd_close", 1, {"fd"}, 0, i_fd_close, b_fd, 0, 1},
};

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    dir = preopen_fd(argv[1]);
    if (dir < 0) {
        printf("HARNESS FAIL no preopen %s\n", argv[1]);
        return 1;
    }
    size_t pages = __builtin_wasm_memory_size(0);
    size_t wanted = HIGH / PAGE + 1;
    high_ok = pages >= wanted || __builtin_wasm_memory_grow(0, wanted - pages) != (size_t)-1;
    printf("memory past 2 GiB: %s\n", high_ok ? "yes" : "no");
    size_t got = 0;
    read_full(0, skips + 1, sizeof skips - 2, &got);
    skips[0] = '\n';
    skips[got + 1] = 0;
    resumed = strchr(skips, '+') == NULL;
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        int chosen = argc == 2 ? strcmp(calls[i].name, "proc_raise") != 0 : 0;
        for (int k = 2; k < argc; k++) chosen |= strcmp(argv[k], calls[i].name) == 0;
        if (chosen) sweep(&calls[i]);
    }
    fflush(stdout);
    x_proc_exit(0);
}
