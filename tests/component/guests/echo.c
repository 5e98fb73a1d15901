/* The `echo` world of liner.wit: read-line reads this instance's stdin, relayed the stdin of the
 * instance whose example:liner/source it imports. */
#include "lines.h"

IMPORT("example:liner/source", "read-line") void source_read_line(void *ret);

EXPORT("example:liner/sink#read-line") uint8_t *read_line(void) { return stdin_line(); }
EXPORT("cabi_post_example:liner/sink#read-line") void post_read_line(uint8_t *ret) { post_free_string(ret); }

EXPORT("example:liner/sink#relayed") uint8_t *relayed(void) {
    source_read_line(ret_area); /* the string is ours now: its buffer is freed after the return */
    return ret_area;
}
EXPORT("cabi_post_example:liner/sink#relayed") void post_relayed(uint8_t *ret) { post_free_string(ret); }
