/* What every hand-written component guest shares: the export and import attributes, and
 * cabi_realloc, the canonical ABI's allocator, over malloc. Included by every C file beside
 * this one and by tests/preview2/guests/probe.h; their builds list it among their inputs. */
#ifndef CABI_H
#define CABI_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    (void)align; /* malloc's alignment (16) covers every canonical ABI alignment */
    void *moved = realloc(old, new_size ? new_size : 1); /* a real block, which free() accepts */
    if (!moved) abort();
    return moved;
}
#endif
