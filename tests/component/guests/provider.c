/* The `provider` world of demo.wit: example:demo/host implemented by a component, so that demo's
 * imports can be satisfied by another component (composition), canonical-ABI glue by hand. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cabi.h"

#define HOST "example:demo/host#"

typedef struct { char *ptr; uint32_t len; } str_t;
static _Alignas(8) uint8_t ret_area[16];
static uint32_t logged;

static str_t copy_of(const char *text) {
    str_t out = {cabi_realloc(NULL, 0, 1, strlen(text)), (uint32_t)strlen(text)};
    memcpy(out.ptr, text, out.len);
    return out;
}

EXPORT(HOST "log") void log_message(char *message, uint32_t len) {
    (void)len;
    logged++;
    free(message);
}

/* list<tuple<string, string>>: the pairs, then the list, are the caller's to read, ours to free */
EXPORT(HOST "config") uint8_t *config(void) {
    str_t *pairs = cabi_realloc(NULL, 0, 4, 2 * sizeof(str_t));
    char count[16];
    snprintf(count, sizeof count, "%u", logged);
    pairs[0] = copy_of("provider");
    pairs[1] = copy_of(count);
    str_t list = {(char *)pairs, 1};
    memcpy(ret_area, &list, sizeof list);
    return ret_area;
}
EXPORT("cabi_post_" HOST "config") void post_config(uint8_t *ret) {
    str_t list;
    memcpy(&list, ret, sizeof list);
    str_t *pairs = (str_t *)list.ptr;
    free(pairs[0].ptr);
    free(pairs[1].ptr);
    free(pairs);
}

EXPORT(HOST "checked-half") uint8_t *checked_half(uint32_t n) {
    memset(ret_area, 0, sizeof ret_area);
    if (n % 3 == 0) { /* this provider only halves multiples of three */
        uint32_t half = n / 2;
        memcpy(ret_area + 4, &half, 4);
    } else {
        ret_area[0] = 1;
        str_t error = copy_of("not a multiple of three");
        memcpy(ret_area + 4, &error, sizeof error);
    }
    return ret_area;
}
EXPORT("cabi_post_" HOST "checked-half") void post_checked_half(uint8_t *ret) {
    if (ret[0] == 1) {
        str_t error;
        memcpy(&error, ret + 4, sizeof error);
        free(error.ptr);
    }
}
