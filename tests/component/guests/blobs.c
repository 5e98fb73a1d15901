/* The `blob-provider` world of res.wit: the blob resource implemented by a component, so that a
 * resource defined in one component is owned, borrowed and dropped by another. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cabi.h"

#define BLOBS "example:res/blobs#"

IMPORT("[export]example:res/blobs", "[resource-new]blob") uint32_t blob_new(uint32_t rep);

typedef struct { uint8_t *data; uint32_t len; } blob_t;
static _Alignas(8) uint8_t ret_area[8];

static uint32_t make(uint8_t *data, uint32_t len) {
    blob_t *blob = malloc(sizeof *blob);
    blob->data = data;
    blob->len = len;
    return blob_new((uint32_t)(uintptr_t)blob);
}

EXPORT(BLOBS "[constructor]blob") uint32_t constructor(uint8_t *data, uint32_t len) { return make(data, len); }
EXPORT(BLOBS "make-blob") uint32_t make_blob(uint32_t n) { return make(calloc(n ? n : 1, 1), n); }
EXPORT(BLOBS "[static]blob.merge") uint32_t merge(blob_t *a, blob_t *b) {
    uint8_t *data = malloc(a->len + b->len + 1);
    memcpy(data, a->data, a->len);
    memcpy(data + a->len, b->data, b->len);
    return make(data, a->len + b->len);
}
EXPORT(BLOBS "[method]blob.size") uint32_t size(blob_t *blob) { return blob->len; }
EXPORT(BLOBS "[method]blob.read") uint8_t *read(blob_t *blob) {
    uint8_t *copy = malloc(blob->len ? blob->len : 1);
    memcpy(copy, blob->data, blob->len);
    memcpy(ret_area, &copy, 4);
    memcpy(ret_area + 4, &blob->len, 4);
    return ret_area;
}
EXPORT("cabi_post_" BLOBS "[method]blob.read") void post_read(uint8_t *ret) {
    uint8_t *copy;
    memcpy(&copy, ret, 4);
    free(copy);
}

static uint32_t destroyed;
EXPORT(BLOBS "[dtor]blob") void destructor(blob_t *blob) {
    destroyed++;
    free(blob->data);
    free(blob);
}
