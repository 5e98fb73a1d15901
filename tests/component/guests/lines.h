/* What liner.c and echo.c share: a line of stdin (read a byte at a time, so nothing beyond the
 * line is taken from the stream) returned as a canonical-ABI string through a static return area. */
#ifndef LINES_H
#define LINES_H
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "cabi.h"

static _Alignas(8) uint8_t ret_area[8];

/* The next line of stdin without its newline ("" at end of file), as the export's result. */
static uint8_t *stdin_line(void) {
    uint32_t len = 0, size = 64;
    char *line = cabi_realloc(NULL, 0, 1, size);
    char c;
    while (read(0, &c, 1) == 1 && c != '\n') {
        if (len == size) line = cabi_realloc(line, size, 1, size *= 2);
        line[len++] = c;
    }
    memcpy(ret_area, &line, 4);
    memcpy(ret_area + 4, &len, 4);
    return ret_area;
}

static void post_free_string(uint8_t *ret) { free(*(char **)ret); }
#endif
