/* Parses every Dockerfile under a directory with the dockwright grammar.
 *
 *   corpus_check --check DIR EXPECTED_INVALID   robustness test: every file
 *       parses without ERROR or MISSING nodes, except the files listed (with
 *       a reason) in EXPECTED_INVALID, which must still have them. Exits 77
 *       when DIR does not exist (../shared is absent).
 *   corpus_check --bench DIR [ROUNDS]           throughput: MB/s and files/s
 *       over all files, parsing each ROUNDS times (default 20), and the
 *       peak RSS.
 * Both bench modes parse with syn_parse, as lint does (one parser per
 * thread, tree-sitter on the analyzer's allocator), so the floor is the
 * parse that lint itself performs.
 *   corpus_check --parse FILE...                the floor as a process: reads
 *       and parses each file once, prints nothing. Timed from outside exactly
 *       as `dockwright lint` over the same files is (start-up, reading and
 *       freeing included), so the two compare like for like.
 *
 * Files are found recursively: every regular file except MANIFEST.tsv and
 * the .dockerignore files the corpus keeps beside its Dockerfiles. */
#include "analyzer/syntax.h"
#include "common/buf.h"
#include "common/fileio.h"
#include "common/vec.h"
#include "common/xalloc.h"
#include "grammar/grammar.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <tree_sitter/api.h>

struct file {
    char *path; /* relative to DIR */
    char *text;
    size_t len;
};

static VEC(struct file) files = VEC_INIT;

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void walk(const char *root, const char *rel)
{
    char dir[8192];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        char sub[4096], full[8192];
        if (snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof sub)
            continue;
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (lstat(full, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(root, sub);
        } else if (S_ISREG(st.st_mode) && strcmp(sub, "MANIFEST.tsv") != 0 &&
                   !ends_with(sub, ".dockerignore")) {
            struct buf b = BUF_INIT;
            struct err er;
            if (file_read_all(full, 0, &b, &er) == 0) {
                struct file f = { xstrdup(sub), NULL, 0 };
                f.text = buf_detach(&b, &f.len);
                VEC_PUSH(&files, f);
            }
            buf_release(&b);
        }
    }
    closedir(d);
}

static bool has_error(TSNode n)
{
    return ts_node_has_error(n);
}

/* The first ERROR or MISSING node, for the message. */
static bool first_error(TSNode n, TSPoint *at, const char **what)
{
    if (ts_node_is_missing(n) || strcmp(ts_node_type(n), "ERROR") == 0) {
        *at = ts_node_start_point(n);
        *what = ts_node_is_missing(n) ? "MISSING" : "ERROR";
        return true;
    }
    uint32_t c = ts_node_child_count(n);
    for (uint32_t i = 0; i < c; i++)
        if (ts_node_has_error(ts_node_child(n, i)) && first_error(ts_node_child(n, i), at, what))
            return true;
    return false;
}

static bool listed(const char *list, const char *path)
{
    /* Lines: "<path><TAB or spaces><reason>"; '#' starts a comment line. */
    size_t plen = strlen(path);
    const char *p = list;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > plen && p[0] != '#' && strncmp(p, path, plen) == 0 &&
            (p[plen] == '\t' || p[plen] == ' '))
            return true;
        p = eol ? eol + 1 : NULL;
    }
    return false;
}

static int check(const char *dir, const char *expected_path)
{
    struct buf list = BUF_INIT;
    struct err e;
    if (file_read_all(expected_path, 0, &list, &e)) {
        fprintf(stderr, "corpus_check: cannot read '%s'\n", expected_path);
        return 2;
    }
    int failures = 0, invalid = 0;
    for (size_t i = 0; i < files.len; i++) {
        struct file *f = &files.items[i];
        TSTree *t = syn_parse(f->text, (uint32_t)f->len);
        TSNode root = ts_tree_root_node(t);
        bool bad = has_error(root);
        bool expect_bad = listed(buf_cstr(&list), f->path);
        if (bad && !expect_bad) {
            TSPoint at = { 0, 0 };
            const char *what = "ERROR";
            first_error(root, &at, &what);
            printf("FAIL %s:%u:%u: %s node\n", f->path, at.row + 1, at.column + 1, what);
            failures++;
        } else if (!bad && expect_bad) {
            printf("FAIL %s: listed as invalid but parses cleanly (remove it from the list)\n",
                   f->path);
            failures++;
        }
        invalid += bad;
        ts_tree_delete(t);
    }
    printf("%zu files, %d with syntax errors (all listed: %s), %d failures\n", files.len, invalid,
           failures ? "no" : "yes", failures);
    buf_release(&list);
    return failures ? 1 : 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(int rounds)
{
    size_t bytes = 0;
    for (size_t i = 0; i < files.len; i++)
        bytes += files.items[i].len;
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        for (size_t i = 0; i < files.len; i++)
            ts_tree_delete(syn_parse(files.items[i].text, (uint32_t)files.items[i].len));
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("files %zu, bytes %zu, best of %d rounds: %.3f ms, %.1f MB/s, %.0f files/s, peak RSS "
           "%ld KiB\n",
           files.len, bytes, rounds, best * 1e3, (double)bytes / best / 1e6,
           (double)files.len / best, ru.ru_maxrss);
    return 0;
}

static int parse_files(int n, char **paths)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct buf b = BUF_INIT;
        struct err e;
        if (file_read_all(paths[i], 0, &b, &e)) {
            fprintf(stderr, "corpus_check: cannot read '%s'\n", paths[i]);
            rc = 2;
        } else {
            ts_tree_delete(syn_parse(buf_cstr(&b), (uint32_t)b.len));
        }
        buf_release(&b);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--parse") == 0)
        return parse_files(argc - 2, argv + 2);
    if (argc < 3 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--bench"))) {
        fprintf(stderr, "usage: corpus_check --check DIR EXPECTED_INVALID | --bench DIR [ROUNDS] | "
                        "--parse FILE...\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[2], &st) || !S_ISDIR(st.st_mode)) {
        printf("corpus directory '%s' not found: skipped\n", argv[2]);
        return 77;
    }
    walk(argv[2], "");
    qsort(files.items, files.len, sizeof *files.items, cmp_file);
    int rc;
    if (strcmp(argv[1], "--check") == 0) {
        if (argc < 4) {
            fprintf(stderr, "usage: corpus_check --check DIR EXPECTED_INVALID\n");
            return 2;
        }
        rc = check(argv[2], argv[3]);
    } else {
        rc = bench(argc > 3 ? (int)strtol(argv[3], NULL, 10) : 20);
    }
    for (size_t i = 0; i < files.len; i++) {
        free(files.items[i].path);
        free(files.items[i].text);
    }
    VEC_RELEASE(&files);
    return rc;
}
