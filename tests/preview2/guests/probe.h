/* What the probe components share besides cabi.h (the attributes and cabi_realloc): the lines
 * they report (`say`), and returning them as a list<string> with its post-return. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../component/guests/cabi.h"

typedef struct { char *ptr; uint32_t len; } str_t;
static str_t lines[128];
static uint32_t count;
static _Alignas(8) uint8_t ret[128]; /* the return area of every import call (a descriptor-stat result takes 104) */
static _Alignas(8) uint8_t out[8];  /* the export's list<string> */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    char buffer[1024];
    va_list args;
    va_start(args, fmt);
    int len = vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    if (len > (int)sizeof buffer - 1) len = sizeof buffer - 1;
    if (count == sizeof lines / sizeof *lines) return;
    lines[count].ptr = cabi_realloc(NULL, 0, 1, (size_t)len);
    memcpy(lines[count].ptr, buffer, (size_t)len);
    lines[count++].len = (uint32_t)len;
}

/* A result<own<resource>, error-code> (an 8-bit code) in `ret`: tag at 0, handle or code at 4.
 * Reports it; returns the handle, or -1. */
static int32_t made(const char *what) {
    if (ret[0]) {
        say("%s: err %u", what, ret[4]);
        return -1;
    }
    say("%s: ok", what);
    return *(int32_t *)(ret + 4);
}

/* The lines said so far as the export's list<string> (freed by free_lines after the host read them). */
static uint8_t *said(void) {
    str_t *copy = cabi_realloc(NULL, 0, 4, count * sizeof(str_t));
    memcpy(copy, lines, count * sizeof(str_t));
    *(str_t **)out = copy;
    *(uint32_t *)(out + 4) = count;
    count = 0;
    return out;
}

static void free_lines(uint8_t *result) {
    str_t *items = *(str_t **)result;
    uint32_t n = *(uint32_t *)(result + 4);
    for (uint32_t i = 0; i < n; i++) free(items[i].ptr);
    free(items);
}
