/* libFuzzer target for layer analysis (builder/analysis.h), which reads
 * the layers of images pulled from anywhere (`image analyze`, build
 * reports). The first byte picks the mode:
 *   odd:  the rest is a layer tar (plain or compressed), added twice so
 *         that its whiteouts and files meet a layer below them;
 *   even: the rest is entries fed by hand, one a line: a type character
 *         (f d l h, anything else is another kind), a size character
 *         (its value times 100 bytes) and the path; an empty line starts
 *         the next layer.
 * Errors are expected; crashes, sanitizer reports, hangs and broken
 * invariants (abort) are not: a failure says why, and the totals add up
 * (live + wasted = size, per-layer sums), the efficiency lies in [0, 1],
 * wasted files are listed largest first and never more than asked. */
#include "builder/analysis.h"
#include "common/arena.h"
#include "common/err.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char file[512];

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

static enum bld_entry_type type_of(char c)
{
    switch (c) {
    case 'f': return BLD_ENTRY_FILE;
    case 'd': return BLD_ENTRY_DIR;
    case 'l': return BLD_ENTRY_SYMLINK;
    case 'h': return BLD_ENTRY_HARDLINK;
    default: return BLD_ENTRY_OTHER;
    }
}

/* Feeds the hand-written layers; returns 0 or the error code. */
static int feed_entries(struct bld_analysis *an, const char *text, size_t len, struct err *e)
{
    int rc = bld_analysis_layer_begin(an, e);
    size_t pos = 0, lines = 0;
    while (!rc && pos < len && lines++ < 4096) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n == 0) {
            rc = bld_analysis_layer_end(an, e);
            if (!rc)
                rc = bld_analysis_layer_begin(an, e);
        } else if (n >= 2 && !memchr(text + pos, '\0', n)) {
            char path[256];
            size_t pl = n - 2 < sizeof path - 1 ? n - 2 : sizeof path - 1;
            memcpy(path, text + pos + 2, pl);
            path[pl] = '\0';
            uint64_t sz = (uint64_t)(unsigned char)text[pos + 1] * 100;
            rc = bld_analysis_entry(an, path, type_of(text[pos]), sz, e);
        }
        pos = end + 1;
    }
    if (!rc)
        rc = bld_analysis_layer_end(an, e);
    return rc;
}

static int feed_tar(struct bld_analysis *an, const uint8_t *data, size_t size, struct err *e)
{
    if (!file[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(file, sizeof file, "%s/dw-fuzz-analysis-XXXXXX", t && *t ? t : "/tmp");
        int fd = mkstemp(file);
        check(fd >= 0);
        close(fd);
    }
    int fd = open(file, O_WRONLY | O_TRUNC);
    check(fd >= 0);
    check(size == 0 || write(fd, data, size) == (ssize_t)size);
    close(fd);
    int rc = bld_analysis_add_tar_file(an, file, e);
    if (!rc)
        rc = bld_analysis_add_tar_file(an, file, e);
    return rc;
}

static void check_result(const struct bld_image_analysis *r, size_t max_paths)
{
    uint64_t size = 0, wasted = 0;
    for (size_t i = 0; i < r->n_layers; i++) {
        const struct bld_layer_stats *l = &r->layers[i];
        check(l->wasted_bytes <= l->size);
        size += l->size;
        wasted += l->wasted_bytes;
    }
    check(size == r->size && wasted == r->wasted_bytes);
    check(r->live_bytes + r->wasted_bytes == r->size);
    check(r->rewritten_live_bytes <= r->live_bytes);
    check(r->efficiency >= 0.0 && r->efficiency <= 1.0);
    check(r->n_wasted <= max_paths && r->n_wasted <= r->n_wasted_total);
    for (size_t i = 0; i < r->n_wasted; i++) {
        const struct bld_wasted_file *w = &r->wasted[i];
        check(w->path && w->path[0] == '/');
        check(w->layer < r->n_layers && w->removed < r->n_layers && w->layer <= w->removed);
        check(i == 0 || r->wasted[i - 1].size >= w->size);
    }
    check(r->dive.efficiency >= 0.0 && r->dive.efficiency <= 1.0);
    for (size_t i = 0; i < r->dive.n_paths; i++) {
        const struct bld_dive_path *p = &r->dive.paths[i];
        check(p->path && p->count >= 2 && p->minimum <= p->cumulative);
        check(i == 0 || r->dive.paths[i - 1].cumulative >= p->cumulative);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    struct bld_analysis *an = bld_analysis_new();
    struct err e;
    int rc = data[0] & 1 ? feed_tar(an, data + 1, size - 1, &e)
                         : feed_entries(an, (const char *)data + 1, size - 1, &e);
    if (rc) {
        check(rc == e.code && e.msg[0]);
    } else {
        size_t max_paths = data[0] >> 1;
        for (int round = 0; round < 2; round++) {
            struct arena a;
            arena_init(&a);
            struct bld_image_analysis r;
            check(bld_analysis_finish(an, max_paths, &a, &r, &e) == 0);
            check_result(&r, max_paths);
            arena_release(&a);
            max_paths = SIZE_MAX;
        }
    }
    bld_analysis_free(an);
    return 0;
}
