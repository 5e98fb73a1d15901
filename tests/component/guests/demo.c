/* A native component for tests: the `demo` world of demo.wit, with its canonical-ABI glue written
 * by hand (no bindings generator is pinned in the registries we use). Each export lifts its
 * arguments exactly as CanonicalABI.md lays them out and returns through a static return area;
 * post-return functions free what the host has read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cabi.h"


typedef struct { char *ptr; uint32_t len; } str_t;

static str_t copy_of(const char *text, size_t len) {
    str_t out = {cabi_realloc(NULL, 0, 1, len ? len : 1), (uint32_t)len};
    memcpy(out.ptr, text, len);
    return out;
}

static str_t format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static str_t format(const char *fmt, ...) {
    char buffer[512];
    va_list args;
    va_start(args, fmt);
    int len = vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    return copy_of(buffer, (size_t)len);
}

static _Alignas(8) uint8_t ret_area[64];

/* ---- imports from example:demo/host */
IMPORT("example:demo/host", "log") void host_log(const char *ptr, uint32_t len);
IMPORT("example:demo/host", "config") void host_config(void *ret);
IMPORT("example:demo/host", "checked-half") void host_checked_half(uint32_t n, void *ret);

/* ---- exports of example:demo/shapes */
#define SHAPES "example:demo/shapes#"

static void post_free_string(uint8_t *ret) { free(*(char **)ret); }

EXPORT(SHAPES "greet") uint8_t *greet(char *name, uint32_t len) {
    str_t out = format("Hello, %.*s!", (int)len, name);
    free(name);
    memcpy(ret_area, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "greet") void post_greet(uint8_t *ret) { post_free_string(ret); }

EXPORT(SHAPES "sum") int64_t sum(int32_t *values, uint32_t count) {
    int64_t total = 0;
    for (uint32_t i = 0; i < count; i++) total += values[i];
    free(values);
    return total;
}

EXPORT(SHAPES "reverse") uint8_t *reverse(uint8_t *data, uint32_t len) {
    for (uint32_t i = 0; i < len / 2; i++) {
        uint8_t t = data[i];
        data[i] = data[len - 1 - i];
        data[len - 1 - i] = t;
    }
    str_t out = {(char *)data, len};
    memcpy(ret_area, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "reverse") void post_reverse(uint8_t *ret) { post_free_string(ret); }

EXPORT(SHAPES "swap") uint8_t *swap(uint32_t number, char *text, uint32_t len) {
    str_t out = {text, len}; /* the guest now owns the string: hand it back */
    memcpy(ret_area, &out, sizeof out);
    memcpy(ret_area + 8, &number, 4);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "swap") void post_swap(uint8_t *ret) { post_free_string(ret); }

EXPORT(SHAPES "classify") uint8_t *classify(int32_t n) {
    str_t out = n >= 0 ? format("%d is not negative", n) : format("%d is negative", n);
    ret_area[0] = n >= 0 ? 0 : 1;
    memcpy(ret_area + 4, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "classify") void post_classify(uint8_t *ret) { post_free_string(ret + 4); }

EXPORT(SHAPES "maybe-double") uint8_t *maybe_double(uint32_t is_some, uint32_t value) {
    memset(ret_area, 0, 8);
    if (is_some && value < 0x80000000u) {
        ret_area[0] = 1;
        uint32_t doubled = value * 2;
        memcpy(ret_area + 4, &doubled, 4);
    }
    return ret_area;
}

EXPORT(SHAPES "next-color") uint32_t next_color(uint32_t color) { return (color + 1) % 3; }

EXPORT(SHAPES "toggle") uint32_t toggle(uint32_t perms) { return perms ^ 0x7; }

EXPORT(SHAPES "describe") uint8_t *describe(uint32_t which, int64_t a, int32_t b, char *label, uint32_t len) {
    str_t out;
    if (which == 0) {
        double radius;
        memcpy(&radius, &a, 8);
        out = format("circle of radius %.3f", radius);
    } else if (which == 1) {
        out = format("rect to (%d, %d) labelled '%.*s'", (int32_t)a, b, (int)len, label);
        free(label);
    } else {
        out = format("nothing");
    }
    memcpy(ret_area, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "describe") void post_describe(uint8_t *ret) { post_free_string(ret); }

EXPORT(SHAPES "make-point") uint8_t *make_point(int32_t x, int32_t y) {
    str_t label = format("(%d|%d)", x, y);
    memcpy(ret_area, &x, 4);
    memcpy(ret_area + 4, &y, 4);
    memcpy(ret_area + 8, &label, sizeof label);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "make-point") void post_make_point(uint8_t *ret) { post_free_string(ret + 8); }

EXPORT(SHAPES "many")
uint8_t *many(uint32_t a, int32_t b, uint32_t c, int32_t d, uint32_t e, int32_t f, uint64_t g, int64_t h, float i,
              double j, uint32_t k, uint32_t l) {
    str_t out = format("%u %d %u %d %u %d %llu %lld %.2f %.3f U+%04X %s", a, b, c, d, e, f,
                       (unsigned long long)g, (long long)h, i, j, k, l ? "true" : "false");
    memcpy(ret_area, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "many") void post_many(uint8_t *ret) { post_free_string(ret); }

/* 17 u32 parameters: more than 16 flat values, so they arrive in memory behind one pointer */
EXPORT(SHAPES "wide") uint64_t wide(uint32_t *values) {
    uint64_t total = 0;
    for (int i = 0; i < 17; i++) total += (uint64_t)values[i] * (uint64_t)(i + 1);
    free(values);
    return total;
}

EXPORT(SHAPES "split-words") uint8_t *split_words(char *text, uint32_t len) {
    str_t *words = cabi_realloc(NULL, 0, 4, sizeof(str_t) * (len / 2 + 1));
    uint32_t count = 0;
    for (uint32_t i = 0; i < len;) {
        while (i < len && text[i] == ' ') i++;
        uint32_t start = i;
        while (i < len && text[i] != ' ') i++;
        if (i > start) words[count++] = copy_of(text + start, i - start);
    }
    free(text);
    str_t out = {(char *)words, count};
    memcpy(ret_area, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "split-words") void post_split_words(uint8_t *ret) {
    str_t list;
    memcpy(&list, ret, sizeof list);
    str_t *words = (str_t *)list.ptr;
    for (uint32_t i = 0; i < list.len; i++) free(words[i].ptr);
    free(words);
}

/* Calls every host function and reports what came back. */
EXPORT(SHAPES "use-host") uint8_t *use_host(uint32_t n) {
    static const char message[] = "use-host called";
    host_log(message, sizeof message - 1);
    _Alignas(4) uint8_t config[8];
    host_config(config);
    str_t list;
    memcpy(&list, config, sizeof list);
    char summary[256] = "";
    size_t used = 0;
    str_t *pairs = (str_t *)list.ptr;
    for (uint32_t i = 0; i < list.len; i++) {
        used += (size_t)snprintf(summary + used, sizeof summary - used, "%.*s=%.*s;", (int)pairs[2 * i].len,
                                 pairs[2 * i].ptr, (int)pairs[2 * i + 1].len, pairs[2 * i + 1].ptr);
        free(pairs[2 * i].ptr);
        free(pairs[2 * i + 1].ptr);
    }
    free(pairs);
    _Alignas(4) uint8_t half[12];
    host_checked_half(n, half);
    str_t out;
    if (half[0] == 0) {
        uint32_t value;
        memcpy(&value, half + 4, 4);
        out = format("%s half=%u", summary, value);
    } else {
        str_t error;
        memcpy(&error, half + 4, sizeof error);
        out = format("%s error=%.*s", summary, (int)error.len, error.ptr);
        free(error.ptr);
    }
    memcpy(ret_area, &out, sizeof out);
    return ret_area;
}
EXPORT("cabi_post_" SHAPES "use-host") void post_use_host(uint8_t *ret) { post_free_string(ret); }
