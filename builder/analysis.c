#include "analysis.h"

#include "builder/anacache.h"
#include "builder/extract.h"
#include "common/buf.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define NIL UINT32_MAX
#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
/* Component names of every path, stored once each; far above real images. */
#define NAMES_LIMIT ((size_t)1 << 30)

/* The state of a path in dive's merged view of the layers fed so far. */
enum dive_state {
    DIVE_ABSENT,
    DIVE_PRESENT, /* an entry, or a parent created implicitly by one */
    DIVE_DIR,     /* a directory entry: only these size their whiteouts */
};

/* One path of the merged tree. Nodes are never freed: a deleted path just
 * stops being live, and may come back in a later layer. */
struct node {
    uint32_t parent, first_child, next_sibling;
    uint32_t name_off, name_len;
    uint64_t live_size; /* bytes of the live regular file */
    uint32_t live_layer;
    uint8_t live;       /* 0: not in the merged filesystem, else enum bld_entry_type + 1 */
    uint8_t dive;       /* enum dive_state */
    bool rewritten;     /* a non-directory at this path was hidden before */
    uint64_t dive_size; /* header size in dive's merged view */
    uint64_t dive_cum, dive_min;
    uint32_t dive_count;
    uint32_t has_child_in; /* layer + 1 whose tree holds a child of this node */
    uint32_t leaf_in;      /* layer + 1 whose occurrence of this path is recorded */
};

#define LIVE(t) ((uint8_t)((t) + 1))

enum item_kind { ITEM_ENTRY, ITEM_WHITEOUT, ITEM_OPAQUE };

/* An entry of the open layer, applied when the layer ends. */
struct item {
    uint32_t node;
    uint8_t kind; /* enum item_kind */
    uint8_t type; /* enum bld_entry_type */
    uint64_t size;
};

struct hidden {
    uint32_t node, layer, removed;
    uint64_t size;
    bool overwritten;
};

struct bld_analysis {
    VEC(struct node) nodes; /* [0] is the root */
    struct buf names;
    uint32_t *table; /* open addressing over (parent, name): node index or NIL */
    size_t table_cap;
    VEC(struct bld_layer_stats) layers;
    VEC(struct item) items; /* of the open layer */
    VEC(struct hidden) hidden;
    VEC(uint32_t) stack;
    bool open;
};

static uint64_t hash_name(uint32_t parent, const char *name, size_t len)
{
    /* FNV-1a, seeded with the parent so that equal names under different
     * directories spread. */
    uint64_t h = 14695981039346656037ULL ^ parent;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static const char *node_name(const struct bld_analysis *an, const struct node *n)
{
    return an->names.data + n->name_off;
}

static void table_grow(struct bld_analysis *an)
{
    size_t cap = an->table_cap ? an->table_cap * 2 : 1024;
    uint32_t *t = xmalloc(cap * sizeof *t);
    for (size_t i = 0; i < cap; i++)
        t[i] = NIL;
    for (uint32_t i = 1; i < an->nodes.len; i++) {
        const struct node *n = &an->nodes.items[i];
        size_t h = (size_t)hash_name(n->parent, node_name(an, n), n->name_len) & (cap - 1);
        while (t[h] != NIL)
            h = (h + 1) & (cap - 1);
        t[h] = i;
    }
    free(an->table);
    an->table = t;
    an->table_cap = cap;
}

/* Finds the child name of parent, creating it when absent. */
static int child(struct bld_analysis *an, uint32_t parent, const char *name, size_t len,
                 uint32_t *out, struct err *err)
{
    size_t mask = an->table_cap - 1;
    size_t h = (size_t)hash_name(parent, name, len) & mask;
    for (uint32_t i; (i = an->table[h]) != NIL; h = (h + 1) & mask) {
        const struct node *n = &an->nodes.items[i];
        if (n->parent == parent && n->name_len == len && memcmp(node_name(an, n), name, len) == 0) {
            *out = i;
            return 0;
        }
    }
    if (an->nodes.len >= BLD_ANALYSIS_MAX_PATHS)
        return err_set(err, ERR_TOO_LARGE, "more than %zu paths", BLD_ANALYSIS_MAX_PATHS);
    size_t off = an->names.len;
    if (buf_append(&an->names, name, len) || buf_append_char(&an->names, '\0'))
        return err_set(err, ERR_TOO_LARGE, "path names too large to analyze");
    uint32_t idx = (uint32_t)an->nodes.len;
    struct node *n = VEC_PUSH_ZERO(&an->nodes);
    n->parent = parent;
    n->name_off = (uint32_t)off;
    n->name_len = (uint32_t)len;
    n->first_child = NIL;
    n->next_sibling = an->nodes.items[parent].first_child;
    an->nodes.items[parent].first_child = idx;
    an->table[h] = idx;
    if (an->nodes.len * 2 > an->table_cap)
        table_grow(an);
    *out = idx;
    return 0;
}

struct bld_analysis *bld_analysis_new(void)
{
    struct bld_analysis *an = xcalloc(1, sizeof *an);
    buf_init(&an->names, NAMES_LIMIT);
    struct node *root = VEC_PUSH_ZERO(&an->nodes);
    root->parent = NIL;
    root->first_child = root->next_sibling = NIL;
    root->live = LIVE(BLD_ENTRY_DIR);
    root->dive = DIVE_DIR;
    if (buf_append_char(&an->names, '\0'))
        DW_BUG("names buffer");
    table_grow(an);
    return an;
}

void bld_analysis_free(struct bld_analysis *an)
{
    if (!an)
        return;
    VEC_RELEASE(&an->nodes);
    buf_release(&an->names);
    free(an->table);
    VEC_RELEASE(&an->layers);
    VEC_RELEASE(&an->items);
    VEC_RELEASE(&an->hidden);
    VEC_RELEASE(&an->stack);
    free(an);
}

size_t bld_analysis_layer_count(const struct bld_analysis *an)
{
    return an->layers.len - (an->open ? 1 : 0);
}

struct bld_layer_stats *bld_analysis_layer(struct bld_analysis *an, size_t i)
{
    return i < an->layers.len ? &an->layers.items[i] : NULL;
}

int bld_analysis_layer_begin(struct bld_analysis *an, struct err *err)
{
    if (an->open)
        return err_set(err, ERR_USAGE, "a layer is already open");
    if (an->layers.len >= BLD_ANALYSIS_MAX_LAYERS)
        return err_set(err, ERR_TOO_LARGE, "more than %zu layers", BLD_ANALYSIS_MAX_LAYERS);
    VEC_PUSH_ZERO(&an->layers);
    VEC_CLEAR(&an->items);
    an->open = true;
    return 0;
}

/* Forgets the open layer after a failure: its items were not applied yet,
 * and the nodes it created hold no state. */
static void layer_abort(struct bld_analysis *an)
{
    if (!an->open)
        return;
    an->layers.len--;
    VEC_CLEAR(&an->items);
    an->open = false;
}

int bld_analysis_entry(struct bld_analysis *an, const char *path, enum bld_entry_type type,
                       uint64_t size, struct err *err)
{
    if (!an->open)
        return err_set(err, ERR_USAGE, "no layer is open");
    size_t plen = strlen(path);
    if (plen > BLD_ANALYSIS_MAX_PATH_LEN)
        return err_set(err, ERR_TOO_LARGE, "entry '%.64s...': path longer than %zu bytes", path,
                       BLD_ANALYSIS_MAX_PATH_LEN);
    struct bld_layer_stats *ls = &VEC_LAST(&an->layers);
    /* The last component decides what the entry is. */
    const char *end = path + plen;
    while (end > path && end[-1] == '/')
        end--;
    const char *base = end;
    while (base > path && base[-1] != '/')
        base--;
    size_t blen = (size_t)(end - base);
    enum item_kind kind = ITEM_ENTRY;
    const char *dir_end = end; /* the path walked into nodes */
    if (blen >= 4 && memcmp(base, WH_PREFIX, 4) == 0) {
        if (blen == strlen(WH_OPAQUE) && memcmp(base, WH_OPAQUE, blen) == 0) {
            kind = ITEM_OPAQUE;
            dir_end = base;
        } else if (blen >= strlen(WH_META) && memcmp(base, WH_META, strlen(WH_META)) == 0) {
            ls->entries++; /* aufs bookkeeping (.wh..wh.plnk and the like) */
            return 0;
        } else if (blen == 4) {
            return err_set(err, ERR_INVALID, "entry '%s': whiteout without a name", path);
        } else {
            kind = ITEM_WHITEOUT;
        }
    }
    /* Walk the components, skipping empty ones and "."; a whiteout's last
     * component is its name without the prefix. */
    uint32_t node = 0;
    for (const char *p = path; p < dir_end;) {
        const char *q = p;
        while (q < dir_end && *q != '/')
            q++;
        size_t len = (size_t)(q - p);
        if (kind == ITEM_WHITEOUT && p == base) {
            p += 4;
            len -= 4;
        }
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return err_set(err, ERR_INVALID, "entry '%s': path has a '..' component", path);
        if (kind == ITEM_WHITEOUT && q == dir_end && len == 1 && p[0] == '.')
            return err_set(err, ERR_INVALID, "entry '%s': whiteout of '.'", path);
        if (len && !(len == 1 && p[0] == '.')) {
            int rc = child(an, node, p, len, &node, err);
            if (rc)
                return rc;
        }
        p = q + 1;
    }
    /* The root is a directory: a file there would count in the layer's
     * size and never in the merged tree, and the totals would not add up
     * (found by fuzz_analysis). */
    if (node == 0 && kind == ITEM_ENTRY && type != BLD_ENTRY_DIR)
        return err_set(err, ERR_INVALID, "entry '%s': names the root directory, not as a directory",
                       path);
    ls->entries++;
    if (kind != ITEM_ENTRY) {
        ls->whiteouts++;
    } else if (type == BLD_ENTRY_DIR) {
        ls->dirs++;
    } else {
        ls->files++;
        if (type == BLD_ENTRY_FILE)
            ls->size += size;
    }
    if (node == 0 && kind != ITEM_OPAQUE)
        return 0; /* the root directory itself ("./") */
    struct item it = { node, (uint8_t)kind, (uint8_t)type, type == BLD_ENTRY_FILE ? size : 0 };
    VEC_PUSH(&an->items, it);
    return 0;
}

/* ---- the exact account --------------------------------------------------- */

/* Takes the live entry at m out of the merged filesystem; its bytes become
 * waste of the layer that added it, removed by layer `by`. */
static void hide_node(struct bld_analysis *an, uint32_t m, uint32_t by, bool overwritten)
{
    struct node *x = &an->nodes.items[m];
    if (!x->live)
        return;
    if (x->live != LIVE(BLD_ENTRY_DIR))
        x->rewritten = true;
    if (x->live_size) {
        an->layers.items[x->live_layer].wasted_bytes += x->live_size;
        if (x->live_layer < by)
            an->layers.items[by].removed_bytes += x->live_size;
        struct hidden h = { m, x->live_layer, by, x->live_size, overwritten };
        VEC_PUSH(&an->hidden, h);
    }
    x->live = 0;
    x->live_size = 0;
}

/* Hides everything live below n (and n itself when self). A live node's
 * parents are live directories, so dead nodes need no visit. */
static void hide_tree(struct bld_analysis *an, uint32_t n, bool self, uint32_t by)
{
    VEC_CLEAR(&an->stack);
    VEC_PUSH(&an->stack, n);
    while (an->stack.len) {
        uint32_t m = VEC_POP(&an->stack);
        for (uint32_t c = an->nodes.items[m].first_child; c != NIL;
             c = an->nodes.items[c].next_sibling)
            if (an->nodes.items[c].live)
                VEC_PUSH(&an->stack, c);
        if (m != n)
            hide_node(an, m, by, false);
    }
    if (self)
        hide_node(an, n, by, false);
}

static void apply_entry(struct bld_analysis *an, const struct item *it, uint32_t layer)
{
    /* Parents must be directories: a lower non-directory in the way is
     * replaced, a missing parent appears as an implicit directory. Above
     * the first live directory every parent is one already. */
    for (uint32_t a = an->nodes.items[it->node].parent;
         a != 0 && an->nodes.items[a].live != LIVE(BLD_ENTRY_DIR); a = an->nodes.items[a].parent) {
        hide_node(an, a, layer, true);
        an->nodes.items[a].live = LIVE(BLD_ENTRY_DIR);
        an->nodes.items[a].live_layer = layer;
    }
    struct node *n = &an->nodes.items[it->node];
    bool was_dir = n->live == LIVE(BLD_ENTRY_DIR);
    if (was_dir && it->type == BLD_ENTRY_DIR)
        return; /* directories merge */
    if (was_dir)
        hide_tree(an, it->node, false, layer);
    hide_node(an, it->node, layer, true);
    n = &an->nodes.items[it->node];
    n->live = LIVE(it->type);
    n->live_size = it->size;
    n->live_layer = layer;
}

/* ---- dive's account ------------------------------------------------------ */

static uint64_t dive_tree_size(struct bld_analysis *an, uint32_t n)
{
    uint64_t total = 0;
    VEC_CLEAR(&an->stack);
    VEC_PUSH(&an->stack, n);
    while (an->stack.len) {
        uint32_t m = VEC_POP(&an->stack);
        total += an->nodes.items[m].dive_size;
        for (uint32_t c = an->nodes.items[m].first_child; c != NIL;
             c = an->nodes.items[c].next_sibling)
            if (an->nodes.items[c].dive != DIVE_ABSENT)
                VEC_PUSH(&an->stack, c);
    }
    return total;
}

static void dive_remove(struct bld_analysis *an, uint32_t n)
{
    VEC_CLEAR(&an->stack);
    VEC_PUSH(&an->stack, n);
    while (an->stack.len) {
        uint32_t m = VEC_POP(&an->stack);
        for (uint32_t c = an->nodes.items[m].first_child; c != NIL;
             c = an->nodes.items[c].next_sibling)
            if (an->nodes.items[c].dive != DIVE_ABSENT)
                VEC_PUSH(&an->stack, c);
        an->nodes.items[m].dive = DIVE_ABSENT;
        an->nodes.items[m].dive_size = 0;
    }
}

static void dive_layer(struct bld_analysis *an, uint32_t layer)
{
    uint32_t mark = layer + 1;
    struct item *items = an->items.items;
    size_t n_items = an->items.len;
    /* The layer's tree: every entry and whiteout with its parents; opaque
     * markers are not part of it. */
    for (size_t i = 0; i < n_items; i++) {
        if (items[i].kind == ITEM_OPAQUE)
            continue;
        for (uint32_t a = an->nodes.items[items[i].node].parent;
             a != NIL && an->nodes.items[a].has_child_in != mark; a = an->nodes.items[a].parent)
            an->nodes.items[a].has_child_in = mark;
    }
    /* One occurrence per leaf, sized against the lower layers' view; the
     * last entry of a path repeated in the tar is the one that counts. */
    for (size_t i = n_items; i-- > 0;) {
        if (items[i].kind == ITEM_OPAQUE)
            continue;
        struct node *n = &an->nodes.items[items[i].node];
        if (n->has_child_in == mark || n->leaf_in == mark)
            continue;
        n->leaf_in = mark;
        uint64_t size = items[i].size;
        if (items[i].kind == ITEM_WHITEOUT)
            size = n->dive == DIVE_DIR ? dive_tree_size(an, items[i].node) : 0;
        n = &an->nodes.items[items[i].node];
        n->dive_min = n->dive_count == 0 || size < n->dive_min ? size : n->dive_min;
        n->dive_cum += size;
        n->dive_count++;
    }
    /* Then the layer goes onto dive's view: whiteouts first. */
    for (size_t i = 0; i < n_items; i++)
        if (items[i].kind == ITEM_WHITEOUT)
            dive_remove(an, items[i].node);
    for (size_t i = 0; i < n_items; i++) {
        if (items[i].kind != ITEM_ENTRY)
            continue;
        struct node *n = &an->nodes.items[items[i].node];
        n->dive = items[i].type == BLD_ENTRY_DIR ? DIVE_DIR : DIVE_PRESENT;
        n->dive_size = items[i].size;
        for (uint32_t a = n->parent; a != NIL && an->nodes.items[a].dive == DIVE_ABSENT;
             a = an->nodes.items[a].parent)
            an->nodes.items[a].dive = DIVE_PRESENT;
    }
}

int bld_analysis_layer_end(struct bld_analysis *an, struct err *err)
{
    if (!an->open)
        return err_set(err, ERR_USAGE, "no layer is open");
    uint32_t layer = (uint32_t)(an->layers.len - 1);
    dive_layer(an, layer);
    /* A layer's whiteouts and opaque markers act on the layers below it
     * only (OCI image spec, "Whiteouts"), so they go first, whatever their
     * place in the tar. */
    for (size_t i = 0; i < an->items.len; i++) {
        const struct item *it = &an->items.items[i];
        if (it->kind == ITEM_WHITEOUT && an->nodes.items[it->node].live)
            hide_tree(an, it->node, true, layer);
        else if (it->kind == ITEM_OPAQUE && an->nodes.items[it->node].live)
            hide_tree(an, it->node, false, layer);
    }
    for (size_t i = 0; i < an->items.len; i++)
        if (an->items.items[i].kind == ITEM_ENTRY)
            apply_entry(an, &an->items.items[i], layer);
    VEC_CLEAR(&an->items);
    an->open = false;
    return 0;
}

/* ---- reading tars --------------------------------------------------------- */

static enum bld_entry_type entry_type(struct archive_entry *e)
{
    if (archive_entry_hardlink(e))
        return BLD_ENTRY_HARDLINK;
    switch (archive_entry_filetype(e)) {
    case AE_IFREG: return BLD_ENTRY_FILE;
    case AE_IFDIR: return BLD_ENTRY_DIR;
    case AE_IFLNK: return BLD_ENTRY_SYMLINK;
    default: return BLD_ENTRY_OTHER;
    }
}

static int diff_id_mismatch(const char *name, const struct bld_digest *expect,
                            const struct bld_digest *got, struct err *err)
{
    char want[BLD_DIGEST_STR_LEN + 1], have[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(expect, want);
    bld_digest_string(got, have);
    return err_set(err, ERR_INVALID, "layer '%s': diff_id mismatch: expected %s, got %s", name,
                   want, have);
}

/* Reads the tar on fd into a new layer; with expect, its diff_id must match
 * before the layer is applied. With rec, every entry given to the analysis
 * is recorded there too. */
static int add_tar(struct bld_analysis *an, int fd, const char *name,
                   const struct bld_digest *expect, struct bld_anacache_writer *rec,
                   struct err *err)
{
    struct stat st;
    off_t start = lseek(fd, 0, SEEK_CUR);
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && start >= 0;
    int rc = bld_analysis_layer_begin(an, err);
    if (rc)
        return rc;
    struct bld_tar_stream ts;
    rc = bld_tar_stream_open(&ts, fd, name, err);
    if (rc) {
        layer_abort(an);
        return rc;
    }
    struct archive_entry *e;
    while ((rc = bld_tar_stream_next(&ts, &e, err)) == 1) {
        const char *p = archive_entry_pathname(e);
        if (!p) {
            rc = err_set(err, ERR_INVALID, "layer '%s': an entry has no readable name", name);
            break;
        }
        la_int64_t sz = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        enum bld_entry_type type = entry_type(e);
        uint64_t size = sz > 0 ? (uint64_t)sz : 0;
        rc = bld_analysis_entry(an, p, type, size, err);
        if (!rc && rec)
            bld_anacache_writer_add(rec, p, type, size);
        if (rc) {
            char msg[ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            rc = err_set(err, rc, "layer '%s': %s", name, msg);
            break;
        }
    }
    struct bld_digest diff_id;
    uint64_t tar_size = 0;
    if (!rc)
        rc = bld_tar_stream_finish(&ts, &diff_id, &tar_size, err);
    bld_tar_stream_close(&ts);
    if (!rc && expect && !bld_digest_eq(expect, &diff_id))
        rc = diff_id_mismatch(name, expect, &diff_id, err);
    if (rc) {
        layer_abort(an);
        return rc;
    }
    struct bld_layer_stats *ls = &VEC_LAST(&an->layers);
    ls->has_diff_id = true;
    ls->diff_id = diff_id;
    ls->tar_size = tar_size;
    if (regular && st.st_size > start)
        ls->compressed_size = (uint64_t)(st.st_size - start);
    return bld_analysis_layer_end(an, err);
}

int bld_analysis_add_tar_fd(struct bld_analysis *an, int fd, const char *name, struct err *err)
{
    return add_tar(an, fd, name, NULL, NULL, err);
}

int bld_analysis_add_tar_file(struct bld_analysis *an, const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, path, "cannot open layer '%s'", path);
    int rc = add_tar(an, fd, path, NULL, NULL, err);
    close(fd);
    return rc;
}

/* Feeds the layer from its cache file when there is a good one (*done is
 * then true), else leaves the tar to be read. Errors are those the tar
 * would give too (a diff_id mismatch, too many layers). */
static int add_cached(struct bld_analysis *an, const struct bld_store *s, const char *name,
                      const struct bld_descriptor *desc, const struct bld_digest *diff_id,
                      bool *done, struct err *err)
{
    *done = false;
    struct bld_anacache c;
    if (!bld_anacache_load(s, &desc->digest, &c))
        return 0;
    int rc = 0;
    if (diff_id && !bld_digest_eq(diff_id, &c.diff_id))
        rc = diff_id_mismatch(name, diff_id, &c.diff_id, err);
    if (!rc)
        rc = bld_analysis_layer_begin(an, err);
    if (rc) {
        bld_anacache_release(&c);
        return rc;
    }
    const char *path;
    enum bld_entry_type type;
    uint64_t size;
    while (!rc && bld_anacache_next(&c, &path, &type, &size))
        rc = bld_analysis_entry(an, path, type, size, err);
    if (rc) {
        /* Checked entries the tar gave before: only a cap can refuse them
         * now; the tar then reports it with the layer's name. */
        layer_abort(an);
        bld_anacache_release(&c);
        return 0;
    }
    struct bld_layer_stats *ls = &VEC_LAST(&an->layers);
    ls->has_diff_id = true;
    ls->diff_id = c.diff_id;
    ls->tar_size = c.tar_size;
    ls->compressed_size = c.compressed_size;
    bld_anacache_release(&c);
    *done = true;
    return bld_analysis_layer_end(an, err);
}

int bld_analysis_add_blob(struct bld_analysis *an, const struct bld_store *s,
                          const struct bld_descriptor *desc, const struct bld_digest *diff_id,
                          struct err *err)
{
    char name[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&desc->digest, name);
    bool done;
    int rc = add_cached(an, s, name, desc, diff_id, &done, err);
    if (rc)
        return rc;
    if (!done) {
        struct arena a;
        arena_init(&a);
        const char *path = bld_store_blob_path(s, &desc->digest, &a);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = errno == ENOENT ? err_set(err, ERR_NOT_FOUND, "layer %s is not in the store", name)
                                 : err_sys(err, path, "cannot open layer '%s'", path);
        } else {
            /* Cached only once the tar was checked against its diff_id:
             * without one, a damaged blob could be remembered as good. */
            struct bld_anacache_writer rec;
            bld_anacache_writer_init(&rec);
            rc = add_tar(an, fd, name, diff_id, diff_id ? &rec : NULL, err);
            close(fd);
            if (!rc && diff_id) {
                const struct bld_layer_stats *ls = &an->layers.items[an->layers.len - 1];
                (void)bld_anacache_save(s, &desc->digest, &rec, &ls->diff_id, ls->tar_size,
                                        ls->compressed_size);
            }
            bld_anacache_writer_release(&rec);
        }
        arena_release(&a);
        if (rc)
            return rc;
    }
    struct bld_layer_stats *ls = &VEC_LAST(&an->layers);
    ls->has_digest = true;
    ls->digest = desc->digest;
    if (desc->size >= 0)
        ls->compressed_size = (uint64_t)desc->size;
    return 0;
}

/* The platform dockwright runs on, in OCI spelling. */
static const char *host_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__arm__)
    return "arm";
#elif defined(__i386__)
    return "386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    return "ppc64le";
#elif defined(__s390x__)
    return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#else
    return "";
#endif
}

int bld_analysis_resolve_image(const struct bld_store *s, const struct bld_descriptor *desc,
                               struct arena *a, struct bld_manifest *manifest,
                               struct bld_image_config *config, struct err *err)
{
    const struct bld_descriptor *m = desc;
    char name[BLD_DIGEST_STR_LEN + 1];
    bld_digest_string(&desc->digest, name);
    if (bld_media_type_is_index(desc->media_type)) {
        struct buf b = BUF_INIT;
        struct bld_index ix;
        int rc = bld_store_read_blob(s, &desc->digest, desc->size, BLD_JSON_MAX, &b, err);
        if (!rc)
            rc = bld_index_parse(buf_cstr(&b), b.len, "image index", a, &ix, err);
        buf_release(&b);
        if (rc)
            return rc;
        /* The platforms that were imported; among several, the host's. */
        const struct bld_descriptor *only = NULL, *host = NULL;
        size_t present = 0;
        for (size_t i = 0; i < ix.n_manifests; i++) {
            const struct bld_descriptor *d = &ix.manifests[i];
            if (!bld_media_type_is_manifest(d->media_type) || !bld_store_has_blob(s, &d->digest))
                continue;
            present++;
            only = d;
            if (!host && d->platform && d->platform->os && d->platform->architecture &&
                strcmp(d->platform->os, "linux") == 0 &&
                strcmp(d->platform->architecture, host_arch()) == 0)
                host = d;
        }
        if (present == 0)
            return err_set(err, ERR_NOT_FOUND, "image index %s: no platform of it is in the store",
                           name);
        if (present > 1 && !host)
            return err_set(err, ERR_UNSUPPORTED,
                           "image index %s holds %zu platforms and none is linux/%s", name, present,
                           host_arch());
        m = present == 1 ? only : host;
    } else if (!bld_media_type_is_manifest(desc->media_type)) {
        return err_set(err, ERR_UNSUPPORTED, "%s is a '%s', not an image", name,
                       desc->media_type ? desc->media_type : "blob without a media type");
    }
    int rc = bld_store_read_manifest(s, m, a, manifest, err);
    if (!rc)
        rc = bld_store_read_config(s, &manifest->config, a, config, err);
    if (!rc && config->n_diff_ids != manifest->n_layers) {
        bld_digest_string(&m->digest, name);
        rc = err_set(err, ERR_INVALID,
                     "image %s: the manifest lists %zu layers but the config %zu diff_ids", name,
                     manifest->n_layers, config->n_diff_ids);
    }
    return rc;
}

int bld_analysis_add_image(struct bld_analysis *an, const struct bld_store *s,
                           const struct bld_descriptor *desc, struct err *err)
{
    struct arena a;
    arena_init(&a);
    struct bld_manifest m;
    struct bld_image_config c;
    memset(&m, 0, sizeof m);
    memset(&c, 0, sizeof c);
    int rc = bld_analysis_resolve_image(s, desc, &a, &m, &c, err);
    for (size_t i = 0; !rc && i < m.n_layers; i++)
        rc = bld_analysis_add_blob(an, s, &m.layers[i], &c.diff_ids[i], err);
    arena_release(&a);
    return rc;
}

/* ---- results ---------------------------------------------------------------- */

static const char *path_of(const struct bld_analysis *an, uint32_t n, struct arena *a)
{
    size_t len = 0;
    for (uint32_t m = n; m != 0; m = an->nodes.items[m].parent)
        len += an->nodes.items[m].name_len + 1;
    if (len == 0)
        return arena_strdup(a, "/");
    char *p = arena_alloc(a, len + 1);
    p[len] = '\0';
    size_t at = len;
    for (uint32_t m = n; m != 0; m = an->nodes.items[m].parent) {
        const struct node *x = &an->nodes.items[m];
        at -= x->name_len;
        memcpy(p + at, node_name(an, x), x->name_len);
        p[--at] = '/';
    }
    return p;
}

static int cmp_hidden(const void *x, const void *y)
{
    const struct hidden *a = x, *b = y;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

struct dive_pick {
    uint32_t node;
    uint64_t cum;
};

static int cmp_dive(const void *x, const void *y)
{
    const struct dive_pick *a = x, *b = y;
    if (a->cum != b->cum)
        return a->cum > b->cum ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

int bld_analysis_finish(struct bld_analysis *an, size_t max_paths, struct arena *a,
                        struct bld_image_analysis *out, struct err *err)
{
    if (an->open)
        return err_set(err, ERR_USAGE, "a layer is still open");
    memset(out, 0, sizeof *out);
    out->n_layers = an->layers.len;
    out->layers = ARENA_NEW_ARRAY(a, struct bld_layer_stats, out->n_layers ? out->n_layers : 1);
    for (size_t i = 0; i < an->layers.len; i++) {
        const struct bld_layer_stats *ls = &an->layers.items[i];
        out->layers[i] = *ls;
        out->size += ls->size;
        out->tar_size += ls->tar_size;
        out->compressed_size += ls->compressed_size;
        out->wasted_bytes += ls->wasted_bytes;
        if (i > 0)
            out->dive.user_size_bytes += ls->size;
    }
    uint64_t dive_min = 0, dive_cum = 0;
    VEC(struct dive_pick) picks = VEC_INIT;
    for (uint32_t i = 1; i < an->nodes.len; i++) {
        const struct node *n = &an->nodes.items[i];
        if (n->live == LIVE(BLD_ENTRY_FILE)) {
            out->live_bytes += n->live_size;
            out->live_files++;
            if (n->rewritten)
                out->rewritten_live_bytes += n->live_size;
        }
        if (n->dive_count) {
            dive_min += n->dive_min;
            dive_cum += n->dive_cum;
        }
        if (n->dive_count > 1) {
            out->dive.wasted_bytes += n->dive_cum;
            struct dive_pick p = { i, n->dive_cum };
            VEC_PUSH(&picks, p);
        }
    }
    out->efficiency = out->size ? (double)out->live_bytes / (double)out->size : 1.0;
    out->dive.efficiency = dive_cum ? (double)dive_min / (double)dive_cum : 1.0;
    if (out->dive.user_size_bytes)
        out->dive.wasted_user_percent =
            (double)out->dive.wasted_bytes / (double)out->dive.user_size_bytes;
    else
        out->dive.wasted_user_percent = out->dive.wasted_bytes ? INFINITY : 0.0;

    if (picks.len)
        qsort(picks.items, picks.len, sizeof *picks.items, cmp_dive);
    out->dive.n_paths = picks.len < max_paths ? picks.len : max_paths;
    out->dive.paths = ARENA_NEW_ARRAY(a, struct bld_dive_path, out->dive.n_paths + 1);
    for (size_t i = 0; i < out->dive.n_paths; i++) {
        const struct node *n = &an->nodes.items[picks.items[i].node];
        struct bld_dive_path *p = &out->dive.paths[i];
        p->path = path_of(an, picks.items[i].node, a);
        p->cumulative = n->dive_cum;
        p->minimum = n->dive_min;
        p->count = n->dive_count;
    }
    VEC_RELEASE(&picks);

    /* Sort a copy: the analysis may go on with more layers. */
    out->n_wasted_total = an->hidden.len;
    out->n_wasted = an->hidden.len < max_paths ? an->hidden.len : max_paths;
    out->wasted = ARENA_NEW_ARRAY(a, struct bld_wasted_file, out->n_wasted + 1);
    if (out->n_wasted) {
        struct hidden *h = xmalloc(an->hidden.len * sizeof *h);
        memcpy(h, an->hidden.items, an->hidden.len * sizeof *h);
        qsort(h, an->hidden.len, sizeof *h, cmp_hidden);
        for (size_t i = 0; i < out->n_wasted; i++) {
            struct bld_wasted_file *w = &out->wasted[i];
            w->path = path_of(an, h[i].node, a);
            w->size = h[i].size;
            w->layer = h[i].layer;
            w->removed = h[i].removed;
            w->overwritten = h[i].overwritten;
        }
        free(h);
    }
    (void)err;
    return 0;
}
