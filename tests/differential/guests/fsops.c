/* File-system semantics through wasi-libc, one line per check with its errno text, run inside
 * the directory given as argv[1]. Prints no inode numbers or current times, so both hosts agree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHECK(label, expr) do { errno = 0; long r_ = (long)(expr); \
    printf("%-28s %ld %s\n", label, r_, r_ < 0 ? strerror(errno) : "ok"); } while (0)

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void list(const char *dir) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    printf("list %s:", dir);
    for (int i = 0; i < n; i++) printf(" %s", names[i]->d_name);
    printf(" (%d)\n", n);
}

static void show(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) { printf("stat %s: %s\n", path, strerror(errno)); return; }
    const char *kind = S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : S_ISREG(st.st_mode) ? "file" : "other";
    printf("stat %s: %s size=%lld nlink=%d\n", path, kind, S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
           S_ISDIR(st.st_mode) ? 0 : (int)st.st_nlink);
}

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) != 0) { perror("chdir"); return 2; }
    char buf[256];
    int fd = open("a.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK("open a.txt", fd);
    CHECK("write", write(fd, "hello world\n", 12));
    CHECK("lseek set 6", lseek(fd, 6, SEEK_SET));
    CHECK("read 5", read(fd, buf, 5));
    buf[5] = 0; printf("  read: %s\n", buf);
    CHECK("lseek cur", lseek(fd, 0, SEEK_CUR));
    CHECK("lseek end -3", lseek(fd, -3, SEEK_END));
    CHECK("lseek negative", lseek(fd, -100, SEEK_SET));
    CHECK("pwrite at 0", pwrite(fd, "J", 1, 0));
    CHECK("pread 4 at 1", pread(fd, buf, 4, 1));
    buf[4] = 0; printf("  pread: %s\n", buf);
    CHECK("pwrite past end", pwrite(fd, "!", 1, 20));
    show("a.txt");
    CHECK("ftruncate 5", ftruncate(fd, 5));
    show("a.txt");
    CHECK("fsync", fsync(fd));
    CHECK("fdatasync", fdatasync(fd));
    CHECK("close", close(fd));
    CHECK("close again", close(fd));
    CHECK("read closed", read(fd, buf, 1));

    fd = open("a.txt", O_WRONLY | O_APPEND);
    CHECK("open append", fd);
    CHECK("lseek 0", lseek(fd, 0, SEEK_SET));
    CHECK("append write", write(fd, "++", 2));
    CHECK("fcntl getfl append", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    CHECK("read write-only fd", read(fd, buf, 1));
    close(fd);
    fd = open("a.txt", O_RDONLY);
    CHECK("read all", read(fd, buf, sizeof buf));
    CHECK("write read-only fd", write(fd, "x", 1));
    close(fd);

    CHECK("open excl existing", open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
    CHECK("open missing", open("missing.txt", O_RDONLY));
    CHECK("open dir as file rw", open(".", O_RDWR));
    CHECK("open file as dir", open("a.txt", O_RDONLY | O_DIRECTORY));
    CHECK("open trailing slash", open("a.txt/", O_RDONLY));
    CHECK("create trailing slash", open("new/", O_WRONLY | O_CREAT, 0644));

    CHECK("mkdir d", mkdir("d", 0755));
    CHECK("mkdir d again", mkdir("d", 0755));
    CHECK("mkdir missing parent", mkdir("x/y", 0755));
    CHECK("mkdir under file", mkdir("a.txt/y", 0755));
    CHECK("mkdir d/e", mkdir("d/e", 0755));
    CHECK("rmdir nonempty", rmdir("d"));
    CHECK("rmdir file", rmdir("a.txt"));
    CHECK("unlink dir", unlink("d"));
    CHECK("unlink missing", unlink("nope"));

    CHECK("link", link("a.txt", "d/hard.txt"));
    show("a.txt");
    CHECK("link existing target", link("a.txt", "d/hard.txt"));
    CHECK("link dir", link("d", "d2"));
    CHECK("symlink rel", symlink("../a.txt", "d/sym"));
    CHECK("symlink dangling", symlink("nowhere", "dangling"));
    CHECK("symlink existing", symlink("a.txt", "dangling"));
    show("d/sym");
    CHECK("readlink", readlink("d/sym", buf, sizeof buf));
    CHECK("readlink short buf", readlink("d/sym", buf, 3));
    CHECK("readlink file", readlink("a.txt", buf, sizeof buf));
    fd = open("d/sym", O_RDONLY);
    CHECK("open via symlink", fd);
    CHECK("read via symlink", read(fd, buf, sizeof buf));
    close(fd);
    CHECK("open dangling", open("dangling", O_RDONLY));
    CHECK("create via dangling", open("dangling", O_WRONLY | O_CREAT, 0644));
    CHECK("symlink loop 1", symlink("loop2", "loop1"));
    CHECK("symlink loop 2", symlink("loop1", "loop2"));
    CHECK("open loop", open("loop1", O_RDONLY));
    CHECK("stat through dir link", symlink("d", "dlink"));
    show("dlink/e");

    CHECK("rename file", rename("a.txt", "b.txt"));
    CHECK("rename missing", rename("a.txt", "c.txt"));
    CHECK("rename onto file", rename("d/hard.txt", "b.txt"));
    show("b.txt");
    CHECK("rename file onto dir", rename("b.txt", "d"));
    CHECK("mkdir f", mkdir("f", 0755));
    CHECK("rename dir onto empty dir", rename("f", "d/e"));
    CHECK("mkdir g", mkdir("g", 0755));
    CHECK("mkdir g/h", mkdir("g/h", 0755));
    CHECK("rename dir onto nonempty", rename("d", "g"));
    CHECK("rename into itself", rename("g", "g/h/i"));
    CHECK("rename dir onto file", rename("g", "b.txt"));

    struct timespec times[2] = {{1000000000, 500}, {1200000000, 700}};
    CHECK("utimensat", utimensat(AT_FDCWD, "b.txt", times, 0));
    struct stat st;
    stat("b.txt", &st);
    printf("  times: %lld.%09ld %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    fd = open("b.txt", O_RDWR);
    struct timespec ftimes[2] = {{1300000000, 0}, {1400000000, 900}};
    CHECK("futimens", futimens(fd, ftimes));
    CHECK("fstat", fstat(fd, &st));
    printf("  fstat: size=%lld mtime=%lld.%09ld\n", (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK("fcntl setfl append", fcntl(fd, F_SETFL, O_APPEND));
    CHECK("append after setfl", write(fd, "<", 1));
    CHECK("fcntl setfl nonblock", fcntl(fd, F_SETFL, O_NONBLOCK));
    CHECK("getfl nonblock", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    close(fd);
    show("b.txt");
    CHECK("truncate path", truncate("b.txt", 3));
    show("b.txt");

    list(".");
    list("d");
    DIR *dir = opendir("g");
    int count = 0;
    while (readdir(dir)) count++;
    printf("readdir g entries %d\n", count);
    closedir(dir);
    for (int i = 0; i < 300; i++) {  /* a directory big enough for several fd_readdir calls */
        snprintf(buf, sizeof buf, "many/file-with-a-longish-name-%03d", i);
        if (i == 0) mkdir("many", 0755);
        close(open(buf, O_WRONLY | O_CREAT, 0644));
    }
    dir = opendir("many");
    count = 0;
    long total = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) { count++; total += strlen(entry->d_name); }
    printf("readdir many entries %d name bytes %ld\n", count, total);
    closedir(dir);
    CHECK("unlink symlink", unlink("d/sym"));
    CHECK("unlink via trailing slash", unlink("b.txt/"));
    CHECK("rmdir empty", rmdir("g/h"));
    printf("done\n");
    return 0;
}
