// ls: lists the file system recursively from / (or each directory named), with sizes.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int list(const char *path, int depth);

static int show(const char *directory, const char *name, int depth) {
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", directory, directory[strlen(directory) - 1] == '/' ? "" : "/", name);
    struct stat info;
    if (lstat(path, &info) != 0) {
        perror(path);
        return 1;
    }
    printf("%*s", depth * 2, "");
    if (S_ISDIR(info.st_mode)) {
        printf("%s/\n", name);
        return list(path, depth + 1);
    }
    if (S_ISLNK(info.st_mode)) {
        char target[4096];
        ssize_t length = readlink(path, target, sizeof target - 1);
        target[length < 0 ? 0 : length] = '\0';
        printf("%s -> %s\n", name, target);
        return 0;
    }
    printf("%s  %lld bytes\n", name, (long long)info.st_size);
    return 0;
}

static int list(const char *path, int depth) {
    struct dirent **entries;
    int count = scandir(path, &entries, NULL, alphasort);  // sorted: the same listing every run
    if (count < 0) {
        perror(path);
        return 1;
    }
    int status = 0;
    for (int i = 0; i < count; i++) {
        const char *name = entries[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) status |= show(path, name, depth);
        free(entries[i]);
    }
    free(entries);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("/\n");
        return list("/", 1);
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        printf("%s\n", argv[i]);
        status |= list(argv[i], 1);
    }
    return status;
}
