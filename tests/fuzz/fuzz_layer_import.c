/* libFuzzer target for untrusted layer and image archives: the input, as a
 * file (tar, possibly gzip/zstd/xz-compressed), is extracted onto a
 * directory in both whiteout modes and imported into a fresh store. Errors
 * are expected; crashes, sanitizer reports, hangs and anything written
 * beside the extraction root are not (the last one traps). */
#include "builder/extract.h"
#include "builder/import.h"
#include "builder/store.h"
#include "common/arena.h"

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[512];

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

static const char *path(const char *rel)
{
    static char p[4][700];
    static int turn;
    turn = (turn + 1) % 4;
    snprintf(p[turn], sizeof p[turn], "%s/%s", base, rel);
    return p[turn];
}

static void fresh_dir(const char *rel)
{
    struct err e;
    check(bld_remove_tree(path(rel), &e) == 0);
    check(mkdir(path(rel), 0755) == 0);
}

/* Only the fuzzer's own entries may exist in the base directory. */
static void check_nothing_escaped(void)
{
    DIR *d = opendir(base);
    check(d != NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        check(!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "in") || !strcmp(n, "root") ||
              !strcmp(n, "store"));
    }
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(base, sizeof base, "%s/dw-fuzz-layer-XXXXXX", t && *t ? t : "/tmp");
        check(mkdtemp(base) != NULL);
    }
    int fd = open(path("in"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0);
    check(write(fd, data, size) == (ssize_t)size);
    close(fd);

    struct err e;
    static const struct bld_extract_opts modes[] = { { BLD_WHITEOUT_APPLY, false },
                                                     { BLD_WHITEOUT_OVERLAY, true } };
    for (size_t m = 0; m < 2; m++) {
        fresh_dir("root");
        struct bld_extract_result r;
        if (bld_extract_file(path("in"), path("root"), &modes[m], &r, &e) != 0)
            check(e.msg[0] != '\0'); /* every failure says why */
        check_nothing_escaped();
    }

    struct err ignored;
    check(bld_remove_tree(path("store"), &ignored) == 0);
    struct bld_store s;
    check(bld_store_open(&s, path("store"), &e) == 0);
    struct arena a;
    arena_init(&a);
    struct bld_import_result res;
    if (bld_import(&s, path("in"), "fuzz:1", &a, &res, &e) != 0)
        check(e.msg[0] != '\0');
    arena_release(&a);
    bld_store_close(&s);
    check_nothing_escaped();
    return 0;
}
