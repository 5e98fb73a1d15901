/* argv[1] files (default 100 000) in one directory: create, list, stat each by name, remove. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 100000;
    char name[64];
    mkdir("big", 0755);
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof name, "big/f%06d", i);
        close(open(name, O_WRONLY | O_CREAT, 0644));
    }
    DIR *dir = opendir("big");
    int listed = 0;
    while (readdir(dir)) listed++;
    closedir(dir);
    struct stat st;
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof name, "big/f%06d", i);
        if (stat(name, &st) != 0) return 3;
    }
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof name, "big/f%06d", i);
        unlink(name);
    }
    return listed == count + 2 ? 0 : 4;
}
