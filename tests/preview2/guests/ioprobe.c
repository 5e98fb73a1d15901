/* A native component calling wasi:cli, wasi:io, wasi:clocks and wasi:random@0.2 itself
 * (ioprobe.wit): arguments, environment, stdin and stdout streams, pollables and poll, clocks and
 * randomness, reported as lines (values that change between runs only by their properties) so
 * two runtimes can be compared. */
#include "probe.h"

#define CLI(interface, name) IMPORT("wasi:cli/" interface "@0.2.12", name)
#define STREAMS(name) IMPORT("wasi:io/streams@0.2.12", name)
#define POLL(name) IMPORT("wasi:io/poll@0.2.12", name)
#define CLOCK(name) IMPORT("wasi:clocks/monotonic-clock@0.2.12", name)

CLI("environment", "get-arguments") void get_arguments(void *ret);
CLI("environment", "get-environment") void get_environment(void *ret);
CLI("environment", "initial-cwd") void initial_cwd(void *ret);
CLI("stdin", "get-stdin") int32_t get_stdin(void);
CLI("stdout", "get-stdout") int32_t get_stdout(void);
CLI("terminal-stdin", "get-terminal-stdin") void get_terminal_stdin(void *ret);
CLI("terminal-stdout", "get-terminal-stdout") void get_terminal_stdout(void *ret);
STREAMS("[method]input-stream.blocking-read") void blocking_read(int32_t self, uint64_t len, void *ret);
STREAMS("[method]input-stream.subscribe") int32_t input_subscribe(int32_t self);
STREAMS("[method]input-stream.blocking-skip") void blocking_skip(int32_t self, uint64_t len, void *ret);
STREAMS("[resource-drop]input-stream") void drop_input(int32_t self);
STREAMS("[method]output-stream.check-write") void check_write(int32_t self, void *ret);
STREAMS("[method]output-stream.write") void stream_write(int32_t self, const void *data, uint32_t len, void *ret);
STREAMS("[method]output-stream.blocking-flush") void blocking_flush(int32_t self, void *ret);
STREAMS("[method]output-stream.blocking-write-and-flush")
void blocking_write(int32_t self, const void *data, uint32_t len, void *ret);
STREAMS("[method]output-stream.write-zeroes") void write_zeroes(int32_t self, uint64_t len, void *ret);
STREAMS("[method]output-stream.blocking-splice")
void blocking_splice(int32_t self, int32_t source, uint64_t len, void *ret);
STREAMS("[method]output-stream.subscribe") int32_t output_subscribe(int32_t self);
STREAMS("[resource-drop]output-stream") void drop_output(int32_t self);
POLL("poll") void io_poll(const int32_t *pollables, uint32_t count, void *ret); /* not libc's poll */
POLL("[method]pollable.ready") int32_t pollable_ready(int32_t self);
POLL("[method]pollable.block") void pollable_block(int32_t self);
POLL("[resource-drop]pollable") void drop_pollable(int32_t self);
CLOCK("now") uint64_t monotonic_now(void);
CLOCK("resolution") uint64_t monotonic_resolution(void);
CLOCK("subscribe-duration") int32_t subscribe_duration(uint64_t ns);
CLOCK("subscribe-instant") int32_t subscribe_instant(uint64_t ns);
IMPORT("wasi:clocks/wall-clock@0.2.12", "now") void wall_now(void *ret);
IMPORT("wasi:random/random@0.2.12", "get-random-bytes") void random_bytes(uint64_t len, void *ret);
IMPORT("wasi:random/random@0.2.12", "get-random-u64") uint64_t random_u64(void);
IMPORT("wasi:random/insecure@0.2.12", "get-insecure-random-bytes") void insecure_bytes(uint64_t len, void *ret);
IMPORT("wasi:random/insecure-seed@0.2.12", "insecure-seed") void insecure_seed(void *ret);

/* a list<string> in `ret` (pointer, length), each element a (pointer, length) pair; freed */
static void say_strings(const char *what, uint32_t stride) {
    uint8_t *items = *(uint8_t **)ret;
    uint32_t n = *(uint32_t *)(ret + 4);
    char line[512] = "";
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t part = 0; part < stride / 8; part++) {
            char *text = *(char **)(items + i * stride + part * 8);
            uint32_t len = *(uint32_t *)(items + i * stride + part * 8 + 4);
            snprintf(line + strlen(line), sizeof line - strlen(line), "%s%.*s", part ? "=" : "[", (int)len, text);
            if (len) free(text);
        }
        strncat(line, "] ", sizeof line - strlen(line) - 1);
    }
    if (n) free(items);
    say("%s: %u %s", what, n, line);
}

/* result<list<u8>, stream-error> in `ret`: the bytes (freed) or the error's case */
static void say_read(const char *what) {
    if (ret[0]) {
        say("%s: %s", what, ret[4] == 1 ? "closed" : "failed");
        return;
    }
    char *data = *(char **)(ret + 4);
    uint32_t len = *(uint32_t *)(ret + 8);
    say("%s: \"%.*s\"", what, (int)len, data);
    if (len) free(data);
}

static void say_unit(const char *what) { say("%s: %s", what, ret[0] ? (ret[4] == 1 ? "closed" : "failed") : "ok"); }

static void process(void) {
    get_arguments(ret);
    say_strings("arguments", 8);
    get_environment(ret);
    say_strings("environment", 16);
    initial_cwd(ret);
    say("initial cwd: %s", ret[0] ? "some" : "none");
    get_terminal_stdin(ret);
    say("terminal stdin: %s", ret[0] ? "some" : "none");
    get_terminal_stdout(ret);
    say("terminal stdout: %s", ret[0] ? "some" : "none");
}

static void stdio(void) {
    int32_t in = get_stdin();
    int32_t ready = input_subscribe(in);
    pollable_block(ready);
    say("stdin ready: %d", pollable_ready(ready));
    drop_pollable(ready);
    blocking_read(in, 3, ret);
    say_read("stdin first 3");
    blocking_skip(in, 2, ret);
    say("stdin skip 2: %s %llu", ret[0] ? "err" : "ok", (unsigned long long)*(uint64_t *)(ret + 8));
    int32_t out = get_stdout();
    check_write(out, ret);
    say("stdout check-write: %s", ret[0] ? "err" : *(uint64_t *)(ret + 8) >= 4096 ? "at least 4096" : "less");
    stream_write(out, "out:", 4, ret);
    say_unit("stdout write");
    blocking_splice(out, in, 4, ret);
    say("splice stdin to stdout: %s %llu", ret[0] ? "err" : "ok", (unsigned long long)*(uint64_t *)(ret + 8));
    write_zeroes(out, 2, ret);
    say_unit("stdout write-zeroes");
    blocking_write(out, "|end\n", 5, ret);
    say_unit("stdout blocking-write-and-flush");
    blocking_flush(out, ret);
    say_unit("stdout blocking-flush");
    int32_t writable = output_subscribe(out);
    say("stdout writable: %d", pollable_ready(writable));
    drop_pollable(writable);
    blocking_read(in, 100, ret);
    say_read("stdin rest");
    blocking_read(in, 100, ret);
    say_read("stdin after its end");
    drop_output(out);
    drop_input(in);
}

static void clocks(void) {
    uint64_t before = monotonic_now();
    say("monotonic resolution positive: %d", monotonic_resolution() > 0);
    int32_t never = subscribe_instant(before + 3600ull * 1000000000ull);
    int32_t soon = subscribe_duration(2000000); /* 2 ms */
    int32_t now = subscribe_duration(0);
    /* a zero duration is due at once, but wasmtime's timer may not say so before a first wait */
    pollable_block(now);
    say("ready: never %d, now after block %d", pollable_ready(never), pollable_ready(now));
    int32_t list[3] = {never, now, soon};
    io_poll(list, 3, ret);
    uint32_t *indexes = *(uint32_t **)ret;
    uint32_t n = *(uint32_t *)(ret + 4);
    say("poll(never, now, soon) includes now: %d, never: %d", n >= 1 && (indexes[0] == 1 || (n > 1 && indexes[1] == 1)),
        indexes[0] == 0);
    if (n) free(indexes);
    int32_t pair[2] = {never, soon};
    io_poll(pair, 2, ret);
    indexes = *(uint32_t **)ret;
    n = *(uint32_t *)(ret + 4);
    say("poll(never, soon): %u ready, index %u, waited 2 ms: %d", n, indexes[0], monotonic_now() - before >= 2000000);
    if (n) free(indexes);
    drop_pollable(never);
    drop_pollable(soon);
    drop_pollable(now);
    say("monotonic moved forward: %d", monotonic_now() >= before);
    wall_now(ret);
    say("wall clock after 2020: %d, nanoseconds below 1e9: %d", *(uint64_t *)ret > 1577836800ull,
        *(uint32_t *)(ret + 8) < 1000000000u);
}

static void randomness(void) {
    random_bytes(32, ret);
    uint8_t *first = *(uint8_t **)ret;
    uint32_t n = *(uint32_t *)(ret + 4);
    random_bytes(32, ret);
    uint8_t *second = *(uint8_t **)ret;
    say("random bytes: %u, two draws differ: %d", n, memcmp(first, second, 32) != 0);
    free(first);
    free(second);
    say("random u64 draws differ: %d", random_u64() != random_u64());
    insecure_bytes(0, ret);
    say("insecure bytes of length 0: %u", *(uint32_t *)(ret + 4));
    insecure_seed(ret);
    uint64_t a = *(uint64_t *)ret, b = *(uint64_t *)(ret + 8);
    insecure_seed(ret);
    say("insecure seed stable: %d", a == *(uint64_t *)ret && b == *(uint64_t *)(ret + 8));
}

EXPORT("probe") uint8_t *probe(void) {
    process();
    stdio();
    clocks();
    randomness();
    return said();
}

EXPORT("cabi_post_probe") void post_probe(uint8_t *result) { free_lines(result); }
