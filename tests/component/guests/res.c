/* A native component with resources (res.wit), canonical-ABI glue by hand: `counter` is defined
 * here (its representation is an index into `counters`), `blob` is the host's. blob-test's modes
 * other than 0 misuse handles on purpose: each must trap the guest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cabi.h"

#define COUNTERS "example:res/counters#"

/* the host's blob */
IMPORT("example:res/blobs", "[constructor]blob") uint32_t blob_new(const uint8_t *data, uint32_t len);
IMPORT("example:res/blobs", "[method]blob.size") uint32_t blob_size(uint32_t self);
IMPORT("example:res/blobs", "[method]blob.read") void blob_read(uint32_t self, void *ret);
IMPORT("example:res/blobs", "[static]blob.merge") uint32_t blob_merge(uint32_t a, uint32_t b);
IMPORT("example:res/blobs", "[resource-drop]blob") void blob_drop(uint32_t handle);
IMPORT("example:res/blobs", "make-blob") uint32_t make_blob(uint32_t n);

/* this component's counter */
IMPORT("[export]example:res/counters", "[resource-new]counter") uint32_t counter_new(uint32_t rep);
IMPORT("[export]example:res/counters", "[resource-rep]counter") uint32_t counter_rep(uint32_t handle);
IMPORT("[export]example:res/counters", "[resource-drop]counter") void counter_drop(uint32_t handle);

#define MAX_COUNTERS 64
static struct { uint32_t value; int live; } counters[MAX_COUNTERS + 1];

static uint32_t make_counter(uint32_t start) {
    for (uint32_t rep = 1; rep <= MAX_COUNTERS; rep++) {
        if (!counters[rep].live) {
            counters[rep].live = 1;
            counters[rep].value = start;
            return counter_new(rep);
        }
    }
    abort();
}

EXPORT(COUNTERS "[constructor]counter") uint32_t counter_constructor(uint32_t start) { return make_counter(start); }
EXPORT(COUNTERS "[method]counter.increment") void counter_increment(uint32_t rep, uint32_t by) { counters[rep].value += by; }
EXPORT(COUNTERS "[method]counter.get") uint32_t counter_get(uint32_t rep) { return counters[rep].value; }
EXPORT(COUNTERS "[static]counter.merge") uint32_t counter_merge(uint32_t a, uint32_t b) {
    return make_counter(counters[a].value + counters[b].value);
}
EXPORT(COUNTERS "[dtor]counter") void counter_dtor(uint32_t rep) { counters[rep].live = 0; }

EXPORT(COUNTERS "consume") uint32_t consume(uint32_t handle) {
    uint32_t value = counters[counter_rep(handle)].value;
    counter_drop(handle); /* the last owner: runs the destructor */
    return value;
}

EXPORT(COUNTERS "live-count") uint32_t live_count(void) {
    uint32_t live = 0;
    for (uint32_t rep = 1; rep <= MAX_COUNTERS; rep++) live += (uint32_t)counters[rep].live;
    return live;
}

EXPORT(COUNTERS "blob-test") uint32_t blob_test(uint32_t mode) {
    static const uint8_t xyz[] = "xyz";
    uint32_t made = make_blob(5), built = blob_new(xyz, 3);
    _Alignas(4) uint8_t ret[8];
    switch (mode) {
    case 0: {
        blob_read(built, ret);
        uint8_t *bytes;
        memcpy(&bytes, ret, 4);
        uint32_t result = blob_size(made) + 10 * blob_size(built) + 100 * (bytes[0] == 'x');
        free(bytes);
        blob_drop(made);
        blob_drop(built);
        return result;
    }
    case 1: return blob_size(12345);             /* a handle that was never given */
    case 2: blob_drop(made); blob_drop(made); return 0;  /* dropped twice */
    case 3: blob_drop(made); return blob_size(made);     /* used after drop */
    case 4: return blob_size(make_counter(1));    /* a counter handle where a blob is expected */
    case 5: return counter_rep(made);             /* a blob handle where a counter is expected */
    default: return 0;
    }
}

/* A borrowed blob must be dropped before returning: drop-it false leaves it, which traps. */
EXPORT(COUNTERS "inspect") uint32_t inspect(uint32_t handle, uint32_t drop_it) {
    uint32_t size = blob_size(handle);
    if (drop_it) blob_drop(handle);
    return size;
}

EXPORT(COUNTERS "take-blob") uint32_t take_blob(uint32_t handle) {
    uint32_t size = blob_size(handle);
    blob_drop(handle);
    return size;
}

static _Alignas(8) uint8_t merged_area[8];
EXPORT(COUNTERS "merged") uint8_t *merged(uint32_t n) {
    static const uint8_t xyz[] = "xyz";
    uint32_t made = make_blob(n), built = blob_new(xyz, 3);
    uint32_t joined = blob_merge(made, built); /* both lent for the call */
    blob_read(joined, merged_area);
    blob_drop(made);
    blob_drop(built);
    blob_drop(joined);
    return merged_area;
}
EXPORT("cabi_post_" COUNTERS "merged") void post_merged(uint8_t *ret) {
    uint8_t *bytes;
    memcpy(&bytes, ret, 4);
    free(bytes);
}

EXPORT(COUNTERS "new-blob") uint32_t new_blob(uint8_t *data, uint32_t len) {
    uint32_t blob = blob_new(data, len);
    free(data);
    return blob;
}
