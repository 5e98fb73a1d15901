/* A native component writing to stdout and stderr through wasi:io/streams itself (outprobe.wit),
 * one scenario per call of `probe`: ordinary writes of every size blocking-write-and-flush
 * allows, interleaved on two streams and with the other write functions; then the misuses a
 * host must trap on or refuse (a dropped handle, a handle index now naming another resource, a
 * write over 4096 bytes, contents outside memory, a misaligned result pointer, a write past
 * what check-write allows). Each scenario runs in a fresh instance: a trap ends it. */
#include "probe.h"

#define STREAMS(name) IMPORT("wasi:io/streams@0.2.12", name)

IMPORT("wasi:cli/stdout@0.2.12", "get-stdout") int32_t get_stdout(void);
IMPORT("wasi:cli/stderr@0.2.12", "get-stderr") int32_t get_stderr(void);
STREAMS("[method]output-stream.check-write") void check_write(int32_t self, void *ret);
STREAMS("[method]output-stream.write") void stream_write(int32_t self, const void *data, uint32_t len, void *ret);
STREAMS("[method]output-stream.blocking-write-and-flush")
void blocking_write(int32_t self, const void *data, uint32_t len, void *ret);
STREAMS("[method]output-stream.blocking-flush") void blocking_flush(int32_t self, void *ret);
STREAMS("[resource-drop]output-stream") void drop_output(int32_t self);
IMPORT("wasi:clocks/monotonic-clock@0.2.12", "subscribe-duration") int32_t subscribe_duration(uint64_t ns);

static char big[4097];

static const char *outcome(void) { return ret[0] ? (ret[4] == 1 ? "closed" : "failed") : "ok"; }

static void write_text(int32_t stream, const char *what, const char *text) {
    blocking_write(stream, text, (uint32_t)strlen(text), ret);
    say("%s: %s", what, outcome());
}

/* Writes of 0, 1, 16 and 4096 bytes to stdout and stderr, interleaved, with write and flush
 * between them, through two stdout handles, one dropped halfway. */
static void ordinary(void) {
    int32_t out = get_stdout(), err = get_stderr(), again = get_stdout();
    say("two stdout handles differ: %d", out != again);
    for (int i = 0; i < 20; i++) {
        char line[32];
        snprintf(line, sizeof line, "out %d\n", i);
        write_text(i % 3 ? out : again, "blocking-write-and-flush", line);
        if (i % 5 == 0) write_text(err, "stderr", "err\n");
        if (i == 10) drop_output(again);
        if (i == 10) again = out;
    }
    blocking_write(out, big, 0, ret);
    say("empty write: %s", outcome());
    memset(big, 'x', sizeof big);
    big[4095] = '\n';
    blocking_write(out, big, 4096, ret);
    say("4096 bytes: %s", outcome());
    check_write(out, ret);
    say("check-write: %s, at least 4096: %d", outcome(), *(uint64_t *)(ret + 8) >= 4096);
    stream_write(out, "write\n", 6, ret);
    say("write: %s", outcome());
    blocking_flush(out, ret);
    say("blocking-flush: %s", outcome());
    write_text(out, "after flush", "last\n");
    drop_output(out);
    drop_output(err);
}

EXPORT("probe") uint8_t *probe(uint32_t scenario) {
    int32_t out = get_stdout();
    write_text(out, "first", "first\n");
    switch (scenario) {
    case 0:
        ordinary();
        break;
    case 1: /* a dropped handle */
        drop_output(out);
        write_text(out, "dropped", "dropped\n");
        break;
    case 2: { /* the handle's index reused by a pollable */
        drop_output(out);
        int32_t pollable = subscribe_duration(0);
        say("index reused: %d", pollable == out);
        write_text(pollable, "pollable", "pollable\n");
        break;
    }
    case 3: /* more than blocking-write-and-flush takes */
        blocking_write(out, big, 4097, ret);
        say("4097 bytes: %s", outcome());
        break;
    case 4: /* contents outside memory */
        blocking_write(out, (const void *)0xFFFFFF00u, 16, ret);
        say("outside memory: %s", outcome());
        break;
    case 5: /* a result pointer not aligned to 4 */
        blocking_write(out, "x\n", 2, ret + 1);
        say("misaligned result: %s", outcome());
        break;
    case 6: { /* a write past the 64 KiB wasmtime's check-write allows on stdout */
        char *data = calloc(65537, 1);
        stream_write(out, data, 65537, ret);
        say("65537 bytes: %s", outcome());
        free(data);
        break;
    }
    case 7: { /* a write of more than this host's check-write allows */
        check_write(out, ret);
        uint64_t allowed = *(uint64_t *)(ret + 8);
        char *data = calloc(allowed + 1, 1);
        stream_write(out, data, (uint32_t)allowed + 1, ret);
        say("write past check-write: %s", outcome());
        free(data);
        break;
    }
    }
    return said();
}

EXPORT("cabi_post_probe") void post_probe(uint8_t *result) { free_lines(result); }
