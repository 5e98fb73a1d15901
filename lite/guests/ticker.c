// The notebook example: prints a line every 200 ms (the cell shows each as it arrives), then writes
// a summary to /out/ticks.txt, which the notebook mounts from the JupyterLite drive.
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 5;
    for (int i = 1; i <= n; i++) {
        printf("tick %d of %d\n", i, n);
        fflush(stdout);
        usleep(200 * 1000);
    }
    FILE *out = fopen("/out/ticks.txt", "w");
    if (!out) { perror("open /out/ticks.txt"); return 1; }
    fprintf(out, "%d ticks written by a wasm32-wasi guest\n", n);
    fclose(out);
    printf("wrote /out/ticks.txt\n");
    return 0;
}
