// stdout and stderr interleaved, many small writes each (enough for the engine to answer them
// itself), then a prompt and a blocking read of stdin, then both streams again: the page must see
// every write in order, and the prompt before the guest waits.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void say(int fd, const char *text) { write(fd, text, strlen(text)); }
int main(void) {
    char line[64];
    for (int i = 0; i < 12; i++) {
        for (int j = 0; j < 6; j++) say(1, "o");  // from the fourth, answered in JS
        say(2, "e");
    }
    say(2, "\n");
    say(1, "prompt> ");
    ssize_t got = read(0, line, sizeof line - 1);
    line[got > 0 ? got : 0] = 0;
    for (int i = 0; i < 6; i++) {
        say(2, "E");
        say(1, line);
    }
    return 0;
}
