// prompt: asks for a name until `quit` (or end of input), answering in colour (ANSI escapes).
#include <stdio.h>
#include <string.h>

#define BOLD_CYAN "\x1b[1;36m"
#define GREEN "\x1b[32m"
#define YELLOW "\x1b[33m"
#define RESET "\x1b[0m"

int main(void) {
    char line[256];
    int greeted = 0;
    for (;;) {
        printf(BOLD_CYAN "What is your name?" RESET " (quit ends) > ");
        fflush(stdout);  // the prompt must be on screen before the read waits
        if (fgets(line, sizeof line, stdin) == NULL) {
            printf("\n" YELLOW "end of input, bye" RESET "\n");
            return 0;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "quit") == 0) break;
        if (line[0] == '\0') continue;
        printf("Hello, " GREEN "%s" RESET "! Your name has %zu letters.\n", line, strlen(line));
        greeted++;
    }
    printf(YELLOW "bye: %d greeting%s" RESET "\n", greeted, greeted == 1 ? "" : "s");
    return 0;
}
