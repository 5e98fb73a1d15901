/* An interactive prompt: reads lines from stdin and answers each one, until "quit" or end of input.
 * Playground example for interactive stdin; differential: fd_read in line-sized pieces. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char line[256];
    int asked = 0;
    printf("What is your name? (\"quit\" ends)\n> ");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strcmp(line, "quit") == 0) break;
        asked++;
        if (line[0] == 0) printf("Say something!\n");
        else {
            for (char *c = line; *c; c++) *c = (char)toupper((unsigned char)*c);
            printf("Hello, %s! (%zu letters)\n", line, strlen(line));
        }
        printf("> ");
        fflush(stdout);
    }
    printf("\nBye after %d answer%s.\n", asked, asked == 1 ? "" : "s");
    return 0;
}
