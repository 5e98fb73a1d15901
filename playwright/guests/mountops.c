// File operations named by its arguments, one line of output each, for the mount tests:
//   cat:PATH            the file's bytes
//   peek:PATH:OFF:LEN   LEN bytes at OFF (fseek + fread)
//   write:PATH          open PATH for reading and writing, write a byte: "write PATH: ok" or the error
//   put:PATH:TEXT       create or replace PATH with TEXT
//   rm:PATH             unlink PATH
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *what, const char *path) { printf("%s %s: %s\n", what, path, strerror(errno)); }

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        char *op = strtok(argv[i], ":"), *path = strtok(NULL, ":"), *rest = strtok(NULL, "");
        if (!op || !path) continue;
        if (!strcmp(op, "cat") || !strcmp(op, "peek")) {
            FILE *file = fopen(path, "rb");
            if (!file) { fail(op, path); continue; }
            long offset = 0, length = 1 << 30;
            if (!strcmp(op, "peek") && rest) sscanf(rest, "%ld:%ld", &offset, &length);
            if (fseek(file, offset, SEEK_SET)) { fail("seek", path); fclose(file); continue; }
            char buffer[4096];
            size_t got;
            printf("%s %s: ", op, path);
            while (length > 0 && (got = fread(buffer, 1, length < (long)sizeof buffer ? (size_t)length : sizeof buffer, file)) > 0) {
                fwrite(buffer, 1, got, stdout);
                length -= (long)got;
            }
            if (ferror(file)) fail("read", path);
            printf("\n");
            fclose(file);
        } else if (!strcmp(op, "write")) {
            int fd = open(path, O_RDWR);
            if (fd < 0 || write(fd, "x", 1) != 1) fail(op, path);
            else printf("write %s: ok\n", path);
            if (fd >= 0) close(fd);
        } else if (!strcmp(op, "put")) {
            FILE *file = fopen(path, "w");
            if (!file) { fail(op, path); continue; }
            fputs(rest ? rest : "", file);
            fclose(file);
            printf("put %s: ok\n", path);
        } else if (!strcmp(op, "rm")) {
            if (unlink(path)) fail(op, path);
            else printf("rm %s: ok\n", path);
        }
    }
    return 0;
}
