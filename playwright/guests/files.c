// Reads /input.txt, writes its upper-cased copy to /out/result.txt.
#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>
int main(void) {
    FILE *in = fopen("/input.txt", "r");
    if (!in) { perror("open /input.txt"); return 1; }
    mkdir("/out", 0755);
    FILE *out = fopen("/out/result.txt", "w");
    if (!out) { perror("open /out/result.txt"); return 1; }
    int c;
    while ((c = fgetc(in)) != EOF) fputc(toupper(c), out);
    fclose(out);
    fclose(in);
    printf("done\n");
    return 0;
}
