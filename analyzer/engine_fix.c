/* eng_fix: fixes applied to a fixed point (STYLE.md section 4).
 *
 * Each pass lints the current text, keeps the fixes the mode allows,
 * sorts them by their first edit and takes each one whose edits start at
 * or after the end of the last one taken (so touching edits and inserts at
 * one point all apply, in order), all edits of a fix or none, edits of
 * other files included. The new text is re-parsed; a pass that adds a
 * syntax error is retried fix by fix and the fixes that add one are
 * dropped and reported. Passes repeat until nothing applies, at most
 * ENG_MAX_PASSES times; then the dropped fixes are tried once more on the
 * final text. */
#include "analyzer/engine_int.h"
#include "common/fileio.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the applier */

static int append_text(struct buf *out, struct str text, bool crlf)
{
    if (!crlf)
        return buf_append_str(out, text);
    for (size_t i = 0; i < text.len; i++) {
        char c = text.ptr[i];
        if (c == '\n' && (i == 0 || text.ptr[i - 1] != '\r')) {
            if (buf_append_char(out, '\r'))
                return ERR_TOO_LARGE;
        }
        if (buf_append_char(out, c))
            return ERR_TOO_LARGE;
    }
    return 0;
}

static bool ends_with_newline(const struct buf *b, size_t base)
{
    return b->len > base && b->data[b->len - 1] == '\n';
}

int eng_apply_edits(struct buf *out, struct str src, const struct edit *const *edits, size_t n,
                    const struct eng_text_facts *facts)
{
    size_t base = out->len;
    bool crlf = facts && facts->crlf;
    /* Nothing goes before a byte-order mark: an insert at 0 lands after it. */
    uint32_t floor = facts && facts->bom && src.len >= 3 ? 3 : 0;
    uint32_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t start = edits[i]->start, end = edits[i]->end;
        if (start < floor)
            start = floor;
        if (start < pos)
            start = pos;
        if (end < start)
            end = start;
        if (end > src.len)
            end = (uint32_t)src.len;
        if (start > end)
            start = end;
        if (buf_append(out, src.ptr + pos, start - pos) || append_text(out, edits[i]->text, crlf))
            return ERR_TOO_LARGE;
        pos = end;
    }
    if (buf_append(out, src.ptr + pos, src.len - pos))
        return ERR_TOO_LARGE;
    if (!facts)
        return 0;
    /* The final line ending, or its lack, stays as it was. */
    bool has = ends_with_newline(out, base);
    if (!facts->final_newline && has) {
        size_t cut = out->len - 1;
        if (cut > base && out->data[cut - 1] == '\r')
            cut--;
        buf_truncate(out, cut);
    } else if (facts->final_newline && !has && out->len > base + floor) {
        if (buf_append_cstr(out, crlf ? "\r\n" : "\n"))
            return ERR_TOO_LARGE;
    }
    return 0;
}

/* ----------------------------------------------------------- other files */

struct other_file {
    char *path;        /* relative to the context */
    bool existed;      /* it existed when first read */
    bool present;      /* it exists now (created by a fix, or existed) */
    bool failed;       /* it could not be read: fixes touching it are dropped */
    char *problem;     /* why, for the report */
    struct buf orig;   /* content when first read */
    struct buf text;   /* current content */
    uint32_t last_end; /* end of the last edit taken in this pass */
    bool taken;        /* an edit was taken in this pass */
};

struct fixer {
    const struct eng *e;
    const struct df_file *orig;
    enum eng_fix_mode mode;
    const char *base_dir;
    struct eng_text_facts facts;
    VEC(struct other_file) others;
    VEC(char *) blacklist; /* keys of dropped fixes */
    VEC(char *) dropped;   /* messages */
};

static struct other_file *other_get(struct fixer *fx, const char *path)
{
    for (size_t i = 0; i < fx->others.len; i++)
        if (!strcmp(fx->others.items[i].path, path))
            return &fx->others.items[i];
    struct other_file *o = VEC_PUSH_ZERO(&fx->others);
    o->path = xstrdup(path);
    buf_init(&o->orig, ENG_OTHER_FILE_MAX);
    buf_init(&o->text, 0);
    struct buf full = BUF_INIT;
    struct err err;
    if (buf_printf(&full, "%s/%s", fx->base_dir, path) ||
        file_read_all(buf_cstr(&full), ENG_OTHER_FILE_MAX, &o->orig, &err)) {
        if (err.code == ERR_IO && err.sys_errno == ENOENT) {
            o->existed = false;
        } else {
            o->failed = true;
            o->problem = xstrdup(err.msg);
        }
    } else {
        o->existed = o->present = true;
    }
    buf_release(&full);
    if (buf_append_str(&o->text, buf_str(&o->orig)))
        DW_BUG("unbounded buffer refused an append");
    return o;
}

/* The overlay rules read other files through (rule_context_file). */
static bool overlay_lookup(void *ud, const char *path, struct str *text, bool *exists)
{
    struct fixer *fx = ud;
    for (size_t i = 0; i < fx->others.len; i++) {
        struct other_file *o = &fx->others.items[i];
        if (strcmp(o->path, path))
            continue;
        if (o->failed)
            return false;
        *text = buf_str(&o->text);
        *exists = o->present;
        return true;
    }
    return false;
}

static void others_release(struct fixer *fx)
{
    for (size_t i = 0; i < fx->others.len; i++) {
        struct other_file *o = &fx->others.items[i];
        free(o->path);
        free(o->problem);
        buf_release(&o->orig);
        buf_release(&o->text);
    }
    VEC_RELEASE(&fx->others);
}

/* --------------------------------------------------------------- helpers */

static void drop(struct fixer *fx, const struct df_file *cur, const struct eng_finding *fi,
                 const char *fmt, ...) DW_PRINTF(4, 5);
static void drop(struct fixer *fx, const struct df_file *cur, const struct eng_finding *fi,
                 const char *fmt, ...)
{
    (void)cur;
    struct buf b = BUF_INIT;
    char why[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (buf_printf(&b, "%s at %u:%u: %s", fi->rule->id, fi->line, fi->col, why))
        DW_BUG("unbounded buffer refused an append");
    VEC_PUSH(&fx->dropped, buf_detach(&b, NULL));
}

/* The line around [start, end), at most FIX_KEY_CONTEXT bytes each side. */
enum { FIX_KEY_CONTEXT = 120 };
static struct str line_around(const struct df_file *cur, uint32_t start, uint32_t end)
{
    uint32_t a = start, z = end;
    while (a > 0 && start - a < FIX_KEY_CONTEXT && cur->src[a - 1] != '\n')
        a--;
    while (z < cur->len && z - end < FIX_KEY_CONTEXT && cur->src[z] != '\n')
        z++;
    return str_make(cur->src + a, z - a);
}

/* What identifies a fix across passes, where offsets move: the rule, the
 * title, and each edit's old and new text with the line it sits in (two
 * inserts of the same text at different places are different fixes: one
 * may break the syntax while the other is fine). */
static char *fix_key(const struct df_file *cur, const struct eng_finding *fi)
{
    const struct eng_fix *x = fi->fix;
    struct buf b = BUF_INIT;
    int rc = buf_printf(&b, "%s\x1f%s\x1f", fi->rule->id, x->title ? x->title : "");
    for (uint32_t i = 0; i < x->n_edits; i++) {
        const struct edit *ed = &x->edits[i];
        struct str line = line_around(cur, ed->start, ed->end);
        rc |= buf_append(&b, line.ptr, line.len);
        rc |= buf_append_char(&b, '\x1e');
        rc |= buf_append(&b, cur->src + ed->start, ed->end - ed->start);
        rc |= buf_append_char(&b, '\x1e');
        rc |= buf_append_str(&b, ed->text);
        rc |= buf_append_char(&b, '\x1d');
    }
    for (uint32_t k = 0; k < x->n_others; k++) {
        rc |= buf_printf(&b, "\x1c%s", x->others[k].path);
        for (uint32_t i = 0; i < x->others[k].n_edits; i++) {
            const struct edit *ed = &x->others[k].edits[i];
            rc |= buf_printf(&b, "%u:%u\x1e", ed->start, ed->end);
            rc |= buf_append_str(&b, ed->text);
        }
    }
    if (rc)
        DW_BUG("unbounded buffer refused an append");
    return buf_detach(&b, NULL);
}

static bool blacklisted(const struct fixer *fx, const char *key)
{
    for (size_t i = 0; i < fx->blacklist.len; i++)
        if (!strcmp(fx->blacklist.items[i], key))
            return true;
    return false;
}

/* A fix whose edits would leave every byte as it is: taking it would
 * count as progress forever. */
static bool fix_is_noop(struct fixer *fx, const struct df_file *cur, const struct eng_fix *x)
{
    for (uint32_t i = 0; i < x->n_edits; i++) {
        const struct edit *ed = &x->edits[i];
        if (!str_eq(str_make(cur->src + ed->start, ed->end - ed->start), ed->text))
            return false;
    }
    for (uint32_t k = 0; k < x->n_others; k++) {
        const struct eng_file_edits *oe = &x->others[k];
        struct other_file *o = other_get(fx, oe->path);
        for (uint32_t i = 0; i < oe->n_edits; i++) {
            const struct edit *ed = &oe->edits[i];
            if (o->failed || ed->end > o->text.len ||
                !str_eq(str_make(o->text.data + ed->start, ed->end - ed->start), ed->text))
                return false;
        }
    }
    return true;
}

struct cand {
    const struct eng_finding *fi;
    uint32_t key; /* first Dockerfile edit, UINT32_MAX when it has none */
    uint32_t order;
};

static int cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static bool allowed(enum eng_fix_mode mode, enum fix_safety s)
{
    return s == FIX_SAFE || (s == FIX_UNSAFE && mode == ENG_FIX_UNSAFE);
}

/* Checks the other-file edits of a fix against the files' content and the
 * edits taken so far in this pass. Returns 1 to take it, 0 to leave it for
 * a later pass, -1 when it was dropped for good. */
static int check_others(struct fixer *fx, const struct df_file *cur, const struct eng_finding *fi,
                        const char *key)
{
    const struct eng_fix *x = fi->fix;
    for (uint32_t k = 0; k < x->n_others; k++) {
        const struct eng_file_edits *oe = &x->others[k];
        struct other_file *o = other_get(fx, oe->path);
        const char *bad = NULL;
        if (o->failed)
            bad = o->problem;
        for (uint32_t i = 0; !bad && i < oe->n_edits; i++) {
            const struct edit *ed = &oe->edits[i];
            if (ed->end > o->text.len)
                bad = "its edits of another file are out of range (a bug in the rule)";
        }
        if (bad) {
            drop(fx, cur, fi, "the fix cannot edit '%s': %s", oe->path, bad);
            VEC_PUSH(&fx->blacklist, xstrdup(key));
            return -1;
        }
        if (oe->n_edits && o->taken && oe->edits[0].start < o->last_end)
            return 0;
    }
    return 1;
}

static void take_others(struct fixer *fx, const struct eng_fix *x)
{
    for (uint32_t k = 0; k < x->n_others; k++) {
        const struct eng_file_edits *oe = &x->others[k];
        if (!oe->n_edits)
            continue;
        struct other_file *o = other_get(fx, oe->path);
        o->taken = true;
        o->last_end = oe->edits[oe->n_edits - 1].end;
    }
}

/* The Dockerfile text with the Dockerfile edits of fixes[0..n) applied. */
static int build_text(const struct fixer *fx, const struct df_file *cur,
                      const struct eng_finding *const *fixes, size_t n, struct buf *out)
{
    VEC(const struct edit *) edits = VEC_INIT;
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < fixes[i]->fix->n_edits; k++)
            VEC_PUSH(&edits, &fixes[i]->fix->edits[k]);
    int rc = eng_apply_edits(out, str_make(cur->src, cur->len), edits.items, edits.len, &fx->facts);
    VEC_RELEASE(&edits);
    return rc;
}

static int parse(const struct fixer *fx, const struct buf *text, struct df_file **out,
                 struct err *err)
{
    *out = df_file_new(fx->orig->path, buf_cstr(text), text->len, fx->orig->opts, err);
    return *out ? 0 : err->code ? (int)err->code : ERR_INTERNAL;
}

/* Applies the other-file edits of the fixes taken, per file in order. */
static void apply_others(struct fixer *fx, const struct eng_finding *const *fixes, size_t n)
{
    for (size_t fi = 0; fi < fx->others.len; fi++) {
        struct other_file *o = &fx->others.items[fi];
        VEC(const struct edit *) edits = VEC_INIT;
        for (size_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < fixes[i]->fix->n_others; k++) {
                const struct eng_file_edits *oe = &fixes[i]->fix->others[k];
                if (strcmp(oe->path, o->path))
                    continue;
                for (uint32_t j = 0; j < oe->n_edits; j++)
                    VEC_PUSH(&edits, &oe->edits[j]);
            }
        if (edits.len) {
            struct buf next = BUF_INIT;
            if (eng_apply_edits(&next, buf_str(&o->text), edits.items, edits.len, NULL))
                DW_BUG("unbounded buffer refused an append");
            buf_release(&o->text);
            o->text = next;
            o->present = true;
        }
        VEC_RELEASE(&edits);
    }
}

/* Vectors of findings passed between helpers (VEC's struct is anonymous). */
struct finding_vec {
    const struct eng_finding **items;
    size_t len, cap;
};

/* Finding the fixes of one pass that add a syntax error. good holds the
 * fixes known to keep the syntax, in offset order, and *next the parse of
 * the text with exactly those applied. */
struct bisect {
    struct fixer *fx;
    const struct df_file *cur;
    struct buf *text;
    struct finding_vec *good;
    struct df_file **next;
    struct err *err;
    const struct eng_finding *const *taken;
    char **keys;
};

static int bisect_split(struct bisect *b, size_t from, size_t to);

/* Adds taken[from, to) to good when the text keeps its syntax, else splits
 * the range; a single fix that breaks it is dropped and blacklisted. */
static int bisect_try(struct bisect *b, size_t from, size_t to)
{
    if (from >= to)
        return 0;
    size_t base = b->good->len;
    for (size_t i = from; i < to; i++)
        VEC_PUSH(b->good, b->taken[i]);
    buf_reset(b->text);
    struct df_file *trial = NULL;
    int rc = build_text(b->fx, b->cur, b->good->items, b->good->len, b->text);
    if (!rc)
        rc = parse(b->fx, b->text, &trial, b->err);
    if (rc)
        return rc;
    if (trial->model.n_syntax_errors <= b->cur->model.n_syntax_errors) {
        if (*b->next)
            df_file_free(*b->next);
        *b->next = trial;
        return 0;
    }
    df_file_free(trial);
    b->good->len = base;
    return bisect_split(b, from, to);
}

static int bisect_split(struct bisect *b, size_t from, size_t to)
{
    if (to - from == 1) {
        drop(b->fx, b->cur, b->taken[from], "the fix would leave a syntax error");
        VEC_PUSH(&b->fx->blacklist, b->keys[from]);
        b->keys[from] = NULL;
        return 0;
    }
    size_t mid = from + (to - from) / 2;
    int rc = bisect_try(b, from, mid);
    return rc ? rc : bisect_try(b, mid, to);
}

static const char *base_dir_of(struct arena *a, const struct df_file *f, const char *context_dir)
{
    if (context_dir)
        return context_dir;
    const char *slash = f->path ? strrchr(f->path, '/') : NULL;
    if (!slash)
        return ".";
    if (slash == f->path)
        return "/";
    return arena_strndup(a, f->path, (size_t)(slash - f->path));
}

/* ------------------------------------------------------------------ eng_fix */

int eng_fix(const struct eng *e, struct df_file *f, enum eng_fix_mode mode, const char *context_dir,
            struct eng_fixed *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    struct fixer fx;
    memset(&fx, 0, sizeof fx);
    fx.e = e;
    fx.orig = f;
    fx.mode = mode;
    fx.facts = (struct eng_text_facts){ f->crlf, f->bom, f->final_newline };
    struct arena scratch;
    arena_init(&scratch);
    /* Rules see the given context (else the engine's); other files are
     * edited there, or beside the Dockerfile when there is none. */
    struct eng_overlay ov = { context_dir ? context_dir : e->context_dir, overlay_lookup, &fx };
    fx.base_dir = base_dir_of(&scratch, f, ov.dir);

    struct df_file *cur = df_file_new(f->path, f->src, f->len, f->opts, err);
    if (!cur) {
        arena_release(&scratch);
        return err->code ? (int)err->code : ERR_INTERNAL;
    }
    int rc = 0;
    struct eng_result res;
    VEC(struct cand) cands = VEC_INIT;
    VEC(const struct eng_finding *) taken = VEC_INIT;
    struct finding_vec good = VEC_INIT;
    VEC(char *) keys = VEC_INIT;
    struct buf text = BUF_INIT;
    bool retried = false; /* the dropped fixes were given their second chance */

    for (;;) {
        rc = eng_lint_with(e, cur, &ov, &res, err);
        if (rc)
            break;
        VEC_CLEAR(&cands);
        VEC_CLEAR(&taken);
        for (size_t i = 0; i < keys.len; i++)
            free(keys.items[i]);
        VEC_CLEAR(&keys);
        for (uint32_t i = 0; i < res.n_findings; i++) {
            const struct eng_finding *fi = &res.findings[i];
            if (!fi->fix || !allowed(mode, fi->fix->safety))
                continue;
            if (!fi->fix->n_edits && !fi->fix->n_others)
                continue;
            if (fix_is_noop(&fx, cur, fi->fix))
                continue;
            struct cand c = { fi, fi->fix->n_edits ? fi->fix->edits[0].start : UINT32_MAX, i };
            VEC_PUSH(&cands, c);
        }
        if (cands.len)
            qsort(cands.items, cands.len, sizeof *cands.items, cand_cmp);
        for (size_t i = 0; i < fx.others.len; i++)
            fx.others.items[i].taken = false;
        uint32_t last_end = 0;
        bool any_df = false;
        for (size_t i = 0; i < cands.len; i++) {
            const struct eng_finding *fi = cands.items[i].fi;
            const struct eng_fix *x = fi->fix;
            char *key = fix_key(cur, fi);
            if (blacklisted(&fx, key)) {
                free(key);
                continue;
            }
            if (x->n_edits && any_df && x->edits[0].start < last_end) {
                free(key);
                continue;
            }
            int ok = check_others(&fx, cur, fi, key);
            if (ok <= 0) {
                free(key);
                continue;
            }
            take_others(&fx, x);
            if (x->n_edits) {
                any_df = true;
                last_end = x->edits[x->n_edits - 1].end;
            }
            VEC_PUSH(&taken, fi);
            VEC_PUSH(&keys, key);
        }
        if (!taken.len) {
            /* A fix dropped for a syntax error was judged against the text
             * of its pass; on the text the later fixes made it may apply,
             * and a second `lint --fix` would take it. Retry the dropped
             * fixes once on the final text, so that fixing twice is fixing
             * once (fuzz_lint: DW002 and DW114 fixes in one pass). */
            if (fx.blacklist.len && !retried && out->passes < ENG_MAX_PASSES) {
                retried = true;
                for (size_t i = 0; i < fx.blacklist.len; i++)
                    free(fx.blacklist.items[i]);
                VEC_CLEAR(&fx.blacklist);
                for (size_t i = 0; i < fx.dropped.len; i++)
                    free(fx.dropped.items[i]);
                VEC_CLEAR(&fx.dropped);
                continue;
            }
            out->converged = true;
            break;
        }
        if (out->passes == ENG_MAX_PASSES) {
            out->converged = false;
            break;
        }

        buf_reset(&text);
        struct df_file *next = NULL;
        rc = build_text(&fx, cur, taken.items, taken.len, &text);
        if (!rc)
            rc = parse(&fx, &text, &next, err);
        if (rc) {
            if (rc == ERR_TOO_LARGE)
                err_set(err, ERR_TOO_LARGE, "the fixed text of '%s' is too large", f->path);
            break;
        }
        VEC_CLEAR(&good);
        if (next->model.n_syntax_errors > cur->model.n_syntax_errors) {
            /* Some fix breaks the syntax: find which by halving the set
             * (few parses when few fixes are at fault) and drop those for
             * good; the others apply. */
            df_file_free(next);
            next = NULL;
            struct bisect b = { &fx, cur, &text, &good, &next, err, taken.items, keys.items };
            rc = bisect_split(&b, 0, taken.len);
            if (rc) {
                if (next)
                    df_file_free(next);
                break;
            }
            if (!good.len)
                continue; /* the same text again, without the dropped fixes */
        } else {
            for (size_t i = 0; i < taken.len; i++)
                VEC_PUSH(&good, taken.items[i]);
        }
        apply_others(&fx, good.items, good.len);
        out->n_applied += (uint32_t)good.len;
        out->passes++;
        df_file_free(cur);
        cur = next;
    }

    if (!rc) {
        struct arena *a = &cur->arena;
        out->result = cur;
        out->remaining = res;
        struct eng_fixed_file *files = ARENA_NEW_ARRAY(a, struct eng_fixed_file, fx.others.len + 1);
        uint32_t nf = 0;
        if (cur->len != f->len || memcmp(cur->src, f->src, f->len))
            files[nf++] = (struct eng_fixed_file){ NULL, str_make(cur->src, cur->len), false };
        for (size_t i = 0; i < fx.others.len; i++) {
            struct other_file *o = &fx.others.items[i];
            if (o->failed)
                continue;
            bool changed =
                !o->existed ? o->text.len > 0 : !str_eq(buf_str(&o->text), buf_str(&o->orig));
            if (!changed)
                continue;
            const char *t = arena_strndup(a, buf_cstr(&o->text), o->text.len);
            files[nf++] = (struct eng_fixed_file){ arena_strdup(a, o->path),
                                                   str_make(t, o->text.len), !o->existed };
        }
        out->files = files;
        out->n_files = nf;
        const char **d = ARENA_NEW_ARRAY(a, const char *, fx.dropped.len + 1);
        for (size_t i = 0; i < fx.dropped.len; i++)
            d[i] = arena_strdup(a, fx.dropped.items[i]);
        out->dropped = d;
        out->n_dropped = (uint32_t)fx.dropped.len;
    } else {
        df_file_free(cur);
        memset(out, 0, sizeof *out);
    }

    for (size_t i = 0; i < keys.len; i++)
        free(keys.items[i]);
    VEC_RELEASE(&keys);
    for (size_t i = 0; i < fx.blacklist.len; i++)
        free(fx.blacklist.items[i]);
    VEC_RELEASE(&fx.blacklist);
    for (size_t i = 0; i < fx.dropped.len; i++)
        free(fx.dropped.items[i]);
    VEC_RELEASE(&fx.dropped);
    others_release(&fx);
    VEC_RELEASE(&cands);
    VEC_RELEASE(&taken);
    VEC_RELEASE(&good);
    buf_release(&text);
    arena_release(&scratch);
    return rc;
}
