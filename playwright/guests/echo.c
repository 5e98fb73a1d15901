// Interactive: echoes each stdin line until end of input, then exits with code 3.
#include <stdio.h>
#include <string.h>
int main(void) {
    char line[256];
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("ready\n");
    while (fgets(line, sizeof line, stdin)) printf("got: %s", line);
    printf("bye\n");
    return 3;
}
