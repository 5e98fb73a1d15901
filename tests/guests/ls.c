/* ls -R: lists a directory tree (default "."), entries sorted by name, with a type marker and the
 * size of regular files; symlinks show their target. Playground example; differential: readdir,
 * path_filestat_get (no-follow), path_readlink through libc. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list(const char *path, int depth) {
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        names = realloc(names, (count + 1) * sizeof *names);
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare);
    int status = 0;
    for (size_t i = 0; i < count; i++) {
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        struct stat st;
        printf("%*s", depth * 2, "");
        if (lstat(child, &st) != 0) {
            printf("%s ? (%s)\n", names[i], strerror(errno));
            status = 1;
        } else if (S_ISLNK(st.st_mode)) {
            char target[1024];
            ssize_t n = readlink(child, target, sizeof target - 1);
            target[n < 0 ? 0 : n] = 0;
            printf("%s -> %s\n", names[i], target);
        } else if (S_ISDIR(st.st_mode)) {
            printf("%s/\n", names[i]);
            status |= list(child, depth + 1);
        } else {
            printf("%s %lld\n", names[i], (long long)st.st_size);
        }
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : ".";
    printf("%s:\n", root);
    return list(root, 1);
}
