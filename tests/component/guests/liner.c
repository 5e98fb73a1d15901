/* The `liner` world of liner.wit: example:liner/source#read-line reads this instance's stdin. */
#include "lines.h"

EXPORT("example:liner/source#read-line") uint8_t *read_line(void) { return stdin_line(); }
EXPORT("cabi_post_example:liner/source#read-line") void post_read_line(uint8_t *ret) { post_free_string(ret); }
