/* A native component calling wasi:filesystem@0.2 itself (fsprobe.wit), its canonical-ABI glue
 * written by hand: opens, stats, links, renames and removes under its one preopen, every escape
 * route included, and reports each answer as a line, so two runtimes can be compared line by line.
 * The preopen holds tests/security/test_escapes.py's INSIDE layout. */
#include "probe.h"

#define TYPES(name) IMPORT("wasi:filesystem/types@0.2.12", name)
#define PREOPENS(name) IMPORT("wasi:filesystem/preopens@0.2.12", name)
#define STREAMS(name) IMPORT("wasi:io/streams@0.2.12", name)

enum { FOLLOW = 1 };                                         /* path-flags */
enum { CREATE = 1, DIRECTORY = 2, EXCLUSIVE = 4, TRUNCATE = 8 }; /* open-flags */
enum { READ = 1, WRITE = 2 };                                /* descriptor-flags */

PREOPENS("get-directories") void get_directories(void *ret);
TYPES("[method]descriptor.open-at")
void open_at(int32_t self, int32_t path_flags, const char *path, uint32_t len, int32_t open_flags,
             int32_t flags, void *ret);
TYPES("[method]descriptor.stat-at")
void stat_at(int32_t self, int32_t path_flags, const char *path, uint32_t len, void *ret);
TYPES("[method]descriptor.readlink-at") void readlink_at(int32_t self, const char *path, uint32_t len, void *ret);
TYPES("[method]descriptor.create-directory-at")
void create_directory_at(int32_t self, const char *path, uint32_t len, void *ret);
TYPES("[method]descriptor.remove-directory-at")
void remove_directory_at(int32_t self, const char *path, uint32_t len, void *ret);
TYPES("[method]descriptor.unlink-file-at")
void unlink_file_at(int32_t self, const char *path, uint32_t len, void *ret);
TYPES("[method]descriptor.symlink-at")
void symlink_at(int32_t self, const char *old, uint32_t old_len, const char *new, uint32_t new_len, void *ret);
TYPES("[method]descriptor.rename-at")
void rename_at(int32_t self, const char *old, uint32_t old_len, int32_t other, const char *new, uint32_t new_len,
               void *ret);
TYPES("[method]descriptor.read") void desc_read(int32_t self, uint64_t len, uint64_t offset, void *ret);
TYPES("[method]descriptor.write")
void desc_write(int32_t self, const void *buf, uint32_t len, uint64_t offset, void *ret);
TYPES("[resource-drop]descriptor") void drop_descriptor(int32_t self);
TYPES("[method]descriptor.read-via-stream") void read_via_stream(int32_t self, uint64_t offset, void *ret);
TYPES("[method]descriptor.write-via-stream") void write_via_stream(int32_t self, uint64_t offset, void *ret);
TYPES("[method]descriptor.append-via-stream") void append_via_stream(int32_t self, void *ret);
TYPES("[method]descriptor.read-directory") void read_directory(int32_t self, void *ret);
TYPES("[method]directory-entry-stream.read-directory-entry") void read_directory_entry(int32_t self, void *ret);
TYPES("[resource-drop]directory-entry-stream") void drop_entries(int32_t self);
TYPES("[method]descriptor.get-type") void get_type(int32_t self, void *ret);
TYPES("[method]descriptor.get-flags") void get_flags(int32_t self, void *ret);
TYPES("[method]descriptor.stat") void desc_stat(int32_t self, void *ret);
TYPES("[method]descriptor.set-size") void set_size(int32_t self, uint64_t size, void *ret);
TYPES("[method]descriptor.is-same-object") int32_t is_same_object(int32_t self, int32_t other);
TYPES("[method]descriptor.metadata-hash") void metadata_hash(int32_t self, void *ret);
TYPES("filesystem-error-code") void filesystem_error_code(int32_t error, void *ret);
STREAMS("[method]input-stream.blocking-read") void blocking_read(int32_t self, uint64_t len, void *ret);
STREAMS("[resource-drop]input-stream") void drop_input(int32_t self);
STREAMS("[method]output-stream.check-write") void check_write(int32_t self, void *ret);
STREAMS("[method]output-stream.blocking-write-and-flush")
void blocking_write(int32_t self, const void *data, uint32_t len, void *ret);
STREAMS("[resource-drop]output-stream") void drop_output(int32_t self);
IMPORT("wasi:io/error@0.2.12", "[resource-drop]error") void drop_error(int32_t self);


/* result<_, error-code>: tag at 0, the code at 1 */
static void unit(const char *what) {
    if (ret[0]) say("%s: err %u", what, ret[1]);
    else say("%s: ok", what);
}

static int32_t open_path(int32_t dir, int32_t follow, const char *path, int32_t oflags, int32_t flags) {
    char what[128];
    snprintf(what, sizeof what, "open %s%s oflags=%d flags=%d", path, follow ? "" : " (nofollow)", oflags, flags);
    open_at(dir, follow, path, strlen(path), oflags, flags, ret);
    return made(what);
}

/* an open whose descriptor, if any, is not used further */
static void try_open(int32_t dir, const char *path, int32_t oflags, int32_t flags) {
    int32_t fd = open_path(dir, FOLLOW, path, oflags, flags);
    if (fd >= 0) drop_descriptor(fd);
}

static void stat_path(int32_t dir, int32_t follow, const char *path) {
    stat_at(dir, follow, path, strlen(path), ret);
    /* result<descriptor-stat, error-code>: tag at 0, the record (8-aligned) at 8: its type first */
    if (ret[0]) say("stat %s%s: err %u", path, follow ? "" : " (nofollow)", ret[8]);
    else say("stat %s%s: ok type=%u", path, follow ? "" : " (nofollow)", ret[8]);
}

static void read_all(int32_t fd, const char *what) {
    desc_read(fd, 100, 0, ret);
    /* result<tuple<list<u8>, bool>, error-code>: list at 4, bool at 12 */
    if (ret[0]) {
        say("read %s: err %u", what, ret[4]);
        return;
    }
    char *data = *(char **)(ret + 4);
    uint32_t len = *(uint32_t *)(ret + 8);
    say("read %s: ok \"%.*s\" eof=%u", what, (int)len, data, ret[12]);
    free(data);
}


/* result<_, stream-error> in `ret` (the variant at 4: 0 last-operation-failed(error) at 8, 1 closed):
 * reported, with the filesystem error-code a failure carries */
static void stream_result(const char *what) {
    if (!ret[0]) {
        say("%s: ok", what);
    } else if (ret[4] == 1) {
        say("%s: closed", what);
    } else {
        int32_t error = *(int32_t *)(ret + 8);
        filesystem_error_code(error, ret);
        say("%s: failed, code %s %u", what, ret[0] ? "some" : "none", ret[1]);
        drop_error(error);
    }
}

static void read_stream(int32_t stream, const char *what) {
    blocking_read(stream, 100, ret);
    if (ret[0]) {
        stream_result(what);
        return;
    }
    char *data = *(char **)(ret + 4);
    uint32_t len = *(uint32_t *)(ret + 8);
    say("%s: \"%.*s\"", what, (int)len, data);
    if (len) free(data);
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_directory(int32_t dir, const char *what) {
    read_directory(dir, ret);
    char label[64];
    snprintf(label, sizeof label, "read-directory %s", what);
    int32_t entries = made(label);
    if (entries < 0) return;
    char *names[32];
    int n = 0;
    for (;;) {
        read_directory_entry(entries, ret);
        /* result<option<directory-entry>, error-code>: option at 4, the entry's type at 8, name at 12 */
        if (ret[0] || !ret[4] || n == 32) break;
        uint32_t len = *(uint32_t *)(ret + 16);
        names[n] = malloc(len + 8);
        snprintf(names[n], len + 8, "%.*s:%u", (int)len, *(char **)(ret + 12), ret[8]);
        if (len) free(*(char **)(ret + 12));
        n++;
    }
    drop_entries(entries);
    qsort(names, (size_t)n, sizeof *names, compare_names);
    char line[512] = "";
    for (int i = 0; i < n; i++) {
        strncat(line, names[i], sizeof line - strlen(line) - 2);
        strcat(line, " ");
        free(names[i]);
    }
    say("entries of %s: %s", what, line);
}

static int32_t sub_descriptor = -1;
static int32_t sub_of(int32_t root) {
    if (sub_descriptor < 0) sub_descriptor = open_path(root, FOLLOW, "sub", DIRECTORY, READ);
    return sub_descriptor;
}

static void streams_and_metadata(int32_t root) {
    int32_t file = open_path(root, FOLLOW, "streamed.txt", CREATE, READ | WRITE);
    if (file < 0) return;
    write_via_stream(file, 0, ret);
    int32_t out = made("write-via-stream");
    check_write(out, ret);
    say("check-write: %s", ret[0] ? "err" : *(uint64_t *)(ret + 8) > 0 ? "some room" : "none");
    blocking_write(out, "hello ", 6, ret);
    stream_result("write hello");
    drop_output(out);
    append_via_stream(file, ret);
    out = made("append-via-stream");
    blocking_write(out, "world", 5, ret);
    stream_result("append world");
    drop_output(out);
    read_via_stream(file, 6, ret);
    int32_t in = made("read-via-stream at 6");
    read_stream(in, "read at 6");
    read_stream(in, "read at the end");
    drop_input(in);
    desc_stat(file, ret);
    say("stat: type=%u links=%llu size=%llu", ret[8], (unsigned long long)*(uint64_t *)(ret + 16),
        (unsigned long long)*(uint64_t *)(ret + 24));
    set_size(file, 3, ret);
    unit("set-size 3");
    desc_stat(file, ret);
    say("size after set-size: %llu", (unsigned long long)*(uint64_t *)(ret + 24));
    get_type(file, ret);
    say("get-type: %u", ret[1]);
    get_flags(file, ret);
    say("get-flags: %u", ret[1]);
    get_flags(root, ret);
    say("get-flags of the preopen: %u", ret[1]);
    int32_t again = open_path(root, FOLLOW, "streamed.txt", 0, READ);
    say("is-same-object: %d, with the preopen: %d", is_same_object(file, again), is_same_object(file, root));
    metadata_hash(file, ret);
    uint64_t lower = *(uint64_t *)(ret + 8), upper = *(uint64_t *)(ret + 16);
    metadata_hash(again, ret);
    say("metadata-hash equal for the same file: %d", lower == *(uint64_t *)(ret + 8) && upper == *(uint64_t *)(ret + 16));
    write_via_stream(again, 0, ret);
    out = made("write-via-stream on a read-only descriptor");
    if (out >= 0) {
        check_write(out, ret);
        say("its check-write: %s", ret[0] ? "err" : "ok");
        blocking_write(out, "x", 1, ret);
        stream_result("its write");
        drop_output(out);
    }
    append_via_stream(again, ret);
    out = made("append-via-stream on a read-only descriptor");
    if (out >= 0) drop_output(out);
    read_via_stream(sub_of(root), 0, ret);
    say("read-via-stream on a directory: %s %u", ret[0] ? "err" : "ok", ret[4]);
    write_via_stream(sub_of(root), 0, ret);
    say("write-via-stream on a directory: %s %u", ret[0] ? "err" : "ok", ret[4]);
    int32_t writer = open_path(root, FOLLOW, "streamed.txt", 0, WRITE);
    if (writer >= 0) {
        read_via_stream(writer, 0, ret);
        in = made("read-via-stream on a write-only descriptor");
        if (in >= 0) {
            read_stream(in, "its read");
            drop_input(in);
        }
        drop_descriptor(writer);
    }
    read_via_stream(file, 100, ret);
    in = made("read-via-stream past the end");
    read_stream(in, "read past the end");
    drop_input(in);
    drop_descriptor(again);
    drop_descriptor(file);
    list_directory(root, "the preopen");
    int32_t sub = open_path(root, FOLLOW, "sub", DIRECTORY, READ);
    if (sub >= 0) {
        list_directory(sub, "sub");
        drop_descriptor(sub);
    }
    int32_t plain = open_path(root, FOLLOW, "data.txt", 0, READ);
    if (plain >= 0) {
        list_directory(plain, "a file");
        drop_descriptor(plain);
    }
}

static void probe_run(void) {
    get_directories(ret);
    uint8_t *list = *(uint8_t **)ret;
    uint32_t n = *(uint32_t *)(ret + 4);
    say("preopens: %u", n);
    if (n != 1) return;
    int32_t root = *(int32_t *)list;
    char *name = *(char **)(list + 4);
    say("preopen name: %.*s", (int)*(uint32_t *)(list + 8), name);
    free(name);
    free(list);

    int32_t file = open_path(root, FOLLOW, "data.txt", 0, READ);
    if (file >= 0) {
        read_all(file, "data.txt");
        desc_write(file, "x", 1, 0, ret);
        say("write on a read-only descriptor: %s %u", ret[0] ? "err" : "ok", ret[8]);
        drop_descriptor(file);
    }
    static const char *escapes[] = {
        "..", "../secret", "/secret", "/etc/passwd", "sub/../../secret", "./../secret", "out_rel", "out_abs",
        "chain1", "up", "up/secret", "loop_a", "missing", "data.txt/", "data.txt/x", "sub/nested.txt",
    };
    for (size_t i = 0; i < sizeof escapes / sizeof *escapes; i++) {
        try_open(root, escapes[i], 0, READ);
        stat_path(root, FOLLOW, escapes[i]);
    }
    stat_path(root, 0, "out_abs");
    stat_path(root, 0, "up");
    readlink_at(root, "out_rel", 7, ret);
    if (ret[0]) say("readlink out_rel: err %u", ret[4]);
    else say("readlink out_rel: ok %.*s", (int)*(uint32_t *)(ret + 8), *(char **)(ret + 4));
    readlink_at(root, "data.txt", 8, ret);
    say("readlink data.txt: %s %u", ret[0] ? "err" : "ok", ret[4]);

    try_open(root, "sub", DIRECTORY, READ);
    try_open(root, "data.txt", DIRECTORY, READ);
    try_open(root, "data.txt", CREATE | EXCLUSIVE, READ | WRITE);
    try_open(root, "sub", 0, READ | WRITE);
    try_open(root, "out_rel", CREATE, READ | WRITE);
    try_open(root, "../created", CREATE, READ | WRITE);
    int32_t fd = open_path(root, FOLLOW, "new.txt", CREATE | EXCLUSIVE, READ | WRITE);
    if (fd >= 0) {
        desc_write(fd, "hello", 5, 0, ret);
        say("write new.txt: %s %llu", ret[0] ? "err" : "ok", (unsigned long long)*(uint64_t *)(ret + 8));
        read_all(fd, "new.txt");
        drop_descriptor(fd);
    }
    create_directory_at(root, "newdir", 6, ret);
    unit("mkdir newdir");
    create_directory_at(root, "newdir", 6, ret);
    unit("mkdir newdir again");
    create_directory_at(root, "../outside", 10, ret);
    unit("mkdir ../outside");
    create_directory_at(root, "up/outside", 10, ret);
    unit("mkdir up/outside");
    symlink_at(root, "/etc/passwd", 11, "abs-link", 8, ret);
    unit("symlink to an absolute path");
    symlink_at(root, "../secret", 9, "rel-out", 7, ret);
    unit("symlink pointing out");
    stat_path(root, FOLLOW, "rel-out");
    rename_at(root, "new.txt", 7, root, "../stolen", 9, ret);
    unit("rename out");
    rename_at(root, "new.txt", 7, root, "sub/moved.txt", 13, ret);
    unit("rename into sub");
    unlink_file_at(root, "sub", 3, ret);
    unit("unlink a directory");
    remove_directory_at(root, "sub", 3, ret);
    unit("rmdir a non-empty directory");
    remove_directory_at(root, "newdir", 6, ret);
    unit("rmdir newdir");
    unlink_file_at(root, "../secret", 9, ret);
    unit("unlink ../secret");
    unlink_file_at(root, "out_rel", 7, ret);
    unit("unlink the link out_rel (not what it points to)");
    streams_and_metadata(root);
}

EXPORT("probe") uint8_t *probe(void) {
    probe_run();
    return said();
}

EXPORT("cabi_post_probe") void post_probe(uint8_t *result) { free_lines(result); }
