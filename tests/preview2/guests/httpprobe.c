/* A native component making one HTTP request through wasi:http@0.2 itself (httpprobe.wit), its
 * canonical-ABI glue written by hand, reporting status, a response header, the body and each
 * error as lines, so two runtimes can be compared. Layouts follow CanonicalABI.md: a result whose
 * error is wasi:http's error-code (8-aligned) has its payload at 8. */
#include "probe.h"

#define TYPES(name) IMPORT("wasi:http/types@0.2.12", name)
#define STREAMS(name) IMPORT("wasi:io/streams@0.2.12", name)
#define POLL(name) IMPORT("wasi:io/poll@0.2.12", name)

TYPES("[constructor]fields") int32_t fields_new(void);
TYPES("[method]fields.append")
void fields_append(int32_t self, const char *name, uint32_t name_len, const void *value, uint32_t value_len,
                   void *ret);
TYPES("[method]fields.get") void fields_get(int32_t self, const char *name, uint32_t len, void *ret);
TYPES("[resource-drop]fields") void fields_drop(int32_t self);
TYPES("[constructor]outgoing-request") int32_t request_new(int32_t headers);
TYPES("[method]outgoing-request.set-method")
int32_t set_method(int32_t self, int32_t tag, const char *other, uint32_t other_len);
TYPES("[method]outgoing-request.set-scheme")
int32_t set_scheme(int32_t self, int32_t some, int32_t tag, const char *other, uint32_t other_len);
TYPES("[method]outgoing-request.set-authority")
int32_t set_authority(int32_t self, int32_t some, const char *text, uint32_t len);
TYPES("[method]outgoing-request.set-path-with-query")
int32_t set_path(int32_t self, int32_t some, const char *text, uint32_t len);
TYPES("[method]outgoing-request.body") void request_body(int32_t self, void *ret);
TYPES("[method]outgoing-body.write") void body_write(int32_t self, void *ret);
TYPES("[static]outgoing-body.finish") void body_finish(int32_t body, int32_t some, int32_t trailers, void *ret);
IMPORT("wasi:http/outgoing-handler@0.2.12", "handle")
void handle(int32_t request, int32_t some, int32_t options, void *ret);
TYPES("[method]future-incoming-response.subscribe") int32_t future_subscribe(int32_t self);
TYPES("[method]future-incoming-response.get") void future_get(int32_t self, void *ret);
TYPES("[resource-drop]future-incoming-response") void future_drop(int32_t self);
TYPES("[method]incoming-response.status") int32_t response_status(int32_t self);
TYPES("[method]incoming-response.headers") int32_t response_headers(int32_t self);
TYPES("[method]incoming-response.consume") void response_consume(int32_t self, void *ret);
TYPES("[resource-drop]incoming-response") void response_drop(int32_t self);
TYPES("[method]incoming-body.stream") void incoming_stream(int32_t self, void *ret);
TYPES("[resource-drop]incoming-body") void incoming_body_drop(int32_t self);
STREAMS("[method]input-stream.blocking-read") void blocking_read(int32_t self, uint64_t len, void *ret);
STREAMS("[resource-drop]input-stream") void input_drop(int32_t self);
STREAMS("[method]output-stream.blocking-write-and-flush")
void blocking_write(int32_t self, const void *data, uint32_t len, void *ret);
STREAMS("[resource-drop]output-stream") void output_drop(int32_t self);
POLL("[method]pollable.block") void pollable_block(int32_t self);
POLL("[resource-drop]pollable") void pollable_drop(int32_t self);

static int leave_in_flight; /* `send`, `run`: run returns once the request is handled */
static int32_t in_flight = -1; /* the future-incoming-response left in flight */

static void run(str_t authority, str_t method, str_t path, uint8_t *body, uint32_t body_len) {
    int post = method.len == 4 && memcmp(method.ptr, "POST", 4) == 0;
    int32_t headers = fields_new();
    fields_append(headers, "x-test", 6, "42", 2, ret);
    say("append x-test: %s", ret[0] ? "err" : "ok");
    fields_append(headers, "bad name", 8, "x", 1, ret);
    say("append a bad name: %s %u", ret[0] ? "err" : "ok", ret[1]);
    if (post) {
        char length[16];
        int n = snprintf(length, sizeof length, "%u", body_len);
        fields_append(headers, "content-length", 14, length, (uint32_t)n, ret);
        say("append content-length: %s", ret[0] ? "err" : "ok");
    }
    int32_t request = request_new(headers);
    say("set-method: %d", set_method(request, post ? 2 : 0, NULL, 0));
    say("set-scheme: %d", set_scheme(request, 1, 0, NULL, 0));
    say("set-authority: %d", set_authority(request, 1, authority.ptr, authority.len));
    say("set-path: %d", set_path(request, 1, path.ptr, path.len));
    int32_t outgoing = -1;
    if (post) {
        request_body(request, ret);
        outgoing = ret[0] ? -1 : *(int32_t *)(ret + 4);
        say("body: %s", outgoing < 0 ? "err" : "ok");
    }
    handle(request, 0, 0, ret);
    if (ret[0]) {
        say("handle: err %u", ret[8]);
        return;
    }
    int32_t future = *(int32_t *)(ret + 8);
    say("handle: ok");
    if (leave_in_flight) { /* the future stays: the run's end (or a drop) is what cancels it */
        in_flight = future;
        return;
    }
    if (outgoing >= 0) {
        body_write(outgoing, ret);
        int32_t stream = *(int32_t *)(ret + 4);
        blocking_write(stream, body, body_len, ret);
        say("write body: %s", ret[0] ? "err" : "ok");
        output_drop(stream);
        body_finish(outgoing, 0, 0, ret);
        say("finish body: %s", ret[0] ? "err" : "ok");
    }
    int32_t pollable = future_subscribe(future);
    pollable_block(pollable);
    pollable_drop(pollable);
    future_get(future, ret);
    /* option at 0; the outer result's tag at 8; the inner result's tag at 16, its payload at 24 */
    if (!ret[0] || ret[8]) {
        say("get: none or taken");
        return;
    }
    if (ret[16]) {
        say("response: err %u", ret[24]);
        future_drop(future);
        return;
    }
    int32_t response = *(int32_t *)(ret + 24);
    future_get(future, ret);
    say("get again: %s", ret[0] && ret[8] ? "taken" : "?");
    future_drop(future);
    say("status: %d", response_status(response));
    int32_t reply = response_headers(response);
    fields_get(reply, "x-reply", 7, ret);
    str_t *values = *(str_t **)ret;
    uint32_t n = *(uint32_t *)(ret + 4);
    for (uint32_t i = 0; i < n; i++) {
        say("x-reply: %.*s", (int)values[i].len, values[i].ptr);
        free(values[i].ptr);
    }
    free(values);
    fields_append(reply, "x-more", 6, "1", 1, ret);
    say("append to response headers: %s %u", ret[0] ? "err" : "ok", ret[1]);
    fields_drop(reply);
    response_consume(response, ret);
    int32_t incoming = *(int32_t *)(ret + 4);
    incoming_stream(incoming, ret);
    int32_t stream = *(int32_t *)(ret + 4);
    uint32_t total = 0;
    char first[64] = "";
    for (;;) {
        blocking_read(stream, 65536, ret);
        if (ret[0]) {
            say("end of body: %s", ret[4] == 1 ? "closed" : "failed");
            break;
        }
        uint8_t *data = *(uint8_t **)(ret + 4);
        uint32_t len = *(uint32_t *)(ret + 8);
        if (total < sizeof first - 1) {
            uint32_t take = len < sizeof first - 1 - total ? len : sizeof first - 1 - total;
            memcpy(first + total, data, take);
            first[total + take] = 0;
        }
        total += len;
        free(data);
    }
    say("body bytes: %u", total);
    say("body starts: %s", first);
    input_drop(stream);
    incoming_body_drop(incoming);
    response_drop(response);
}

EXPORT("fetch")
uint8_t *fetch(char *authority, uint32_t authority_len, char *method, uint32_t method_len, char *path,
               uint32_t path_len, uint8_t *body, uint32_t body_len) {
    run((str_t){authority, authority_len}, (str_t){method, method_len}, (str_t){path, path_len}, body, body_len);
    /* an empty string or list may not have been allocated */
    if (authority_len) free(authority);
    if (method_len) free(method);
    if (path_len) free(path);
    if (body_len) free(body);
    return said();
}

EXPORT("cabi_post_fetch") void post_fetch(uint8_t *result) { free_lines(result); }

EXPORT("send") uint8_t *send(char *authority, uint32_t authority_len, char *path, uint32_t path_len) {
    leave_in_flight = 1;
    run((str_t){authority, authority_len}, (str_t){(char *)"GET", 3}, (str_t){path, path_len}, NULL, 0);
    leave_in_flight = 0;
    if (authority_len) free(authority);
    if (path_len) free(path);
    return said();
}

EXPORT("cabi_post_send") void post_send(uint8_t *result) { free_lines(result); }

/* Waits for the in-flight request's response (taking it from its future, which is dropped);
 * returns it, or -1. */
static int32_t await_response(void) {
    int32_t pollable = future_subscribe(in_flight);
    pollable_block(pollable);
    pollable_drop(pollable);
    future_get(in_flight, ret);
    future_drop(in_flight);
    in_flight = -1;
    if (!ret[0] || ret[8] || ret[16]) {
        say("response: none or err");
        return -1;
    }
    int32_t response = *(int32_t *)(ret + 24);
    say("status: %d", response_status(response));
    return response;
}

/* Drops, unread, what `what` names of the request `send` left in flight: "future" (before the
 * response is taken), "response" (taken, unconsumed) or "body" (consumed, its stream never taken). */
EXPORT("drop") uint8_t *drop(char *what, uint32_t what_len) {
    if (in_flight < 0) {
        say("nothing in flight");
    } else if (what_len == 6 && !memcmp(what, "future", 6)) {
        future_drop(in_flight);
        in_flight = -1;
        say("dropped the future");
    } else {
        int32_t response = await_response();
        if (response >= 0 && what_len == 4 && !memcmp(what, "body", 4)) {
            response_consume(response, ret);
            incoming_body_drop(*(int32_t *)(ret + 4));
            say("dropped the body");
        }
        if (response >= 0) {
            response_drop(response);
            say("dropped the response");
        }
    }
    if (what_len) free(what);
    return said();
}

EXPORT("cabi_post_drop") void post_drop(uint8_t *result) { free_lines(result); }

/* wasi:cli/run: a GET to $HTTPPROBE_AUTHORITY$HTTPPROBE_PATH, its response's head awaited and its
 * body left unread, the lines on stdout; then the run ends as $HTTPPROBE_END says: "return",
 * "exit" (exit code 1), "trap", or "hang" (reads the body, which a hanging server never ends). */
EXPORT("wasi:cli/run@0.2.12#run") int32_t run_command(void) {
    const char *authority = getenv("HTTPPROBE_AUTHORITY"), *path = getenv("HTTPPROBE_PATH");
    const char *end = getenv("HTTPPROBE_END");
    if (!authority || !path || !end) return 1;
    leave_in_flight = 1;
    run((str_t){(char *)authority, strlen(authority)}, (str_t){(char *)"GET", 3}, (str_t){(char *)path, strlen(path)},
        NULL, 0);
    leave_in_flight = 0;
    int32_t response = in_flight >= 0 ? await_response() : -1;
    for (uint32_t i = 0; i < count; i++) printf("%.*s\n", (int)lines[i].len, lines[i].ptr);
    free_lines(said());
    fflush(stdout);
    if (!strcmp(end, "exit")) exit(1);
    if (!strcmp(end, "trap")) __builtin_trap();
    if (!strcmp(end, "hang") && response >= 0) {
        response_consume(response, ret);
        incoming_stream(*(int32_t *)(ret + 4), ret);
        int32_t stream = *(int32_t *)(ret + 4);
        for (;;) {
            blocking_read(stream, 65536, ret);
            if (ret[0]) break;
            free(*(uint8_t **)(ret + 4));
        }
    }
    return 0;
}
