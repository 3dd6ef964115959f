/* DW325 gem-no-document: `gem install` without --no-document builds ri and
 * rdoc documentation into the layer. A gemrc written earlier in the stage
 * that turns documentation off, and official ruby/jruby base images
 * (whose gemrc already does), are exempt. The fix adds --no-document. */
#include "rules/pkgmgr.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports `gem install` run without `--no-document` (`-N`), or without\n"
    "both `--no-rdoc` and `--no-ri` (the options of RubyGems before 3.0).\n"
    "Only output stages are checked (and ONBUILD triggers).\n"
    "\n"
    "Exempt: a gemrc that turns documentation off written earlier in the\n"
    "stage, in a stage it is built on or earlier in the same RUN (a RUN that\n"
    "writes `gem: --no-document` or `install: --no-document` into a `gemrc`\n"
    "or `.gemrc`, or a COPY/ADD to such a file); stages built on the official\n"
    "`ruby` image (its gemrc says `gem: --no-document`), the official `jruby`\n"
    "image (`install: --no-document`) or Microsoft's dev container images for\n"
    "Ruby (`mcr.microsoft.com/devcontainers/ruby`, built FROM ruby); and a\n"
    "command that asks for documentation explicitly (`--document`, `--rdoc`,\n"
    "`--ri`).\n"
    "\n"
    "## Why is this bad?\n"
    "Generating ri and rdoc slows the install down and leaves documentation\n"
    "nobody reads in the image: several megabytes for a framework like\n"
    "rails.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM debian:12-slim\n"
    "RUN gem install bundler:2.5.11\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM debian:12-slim\n"
    "RUN gem install --no-document bundler:2.5.11\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Safe: the fix inserts `--no-document` right after `install`; only the\n"
    "ri and rdoc files are no longer generated. An exec-form RUN is reported\n"
    "without a fix (the edit would fall inside its JSON).\n";

/* The offset from which src[from, to) has named a gemrc file and a
 * no-doc option (the end of the later of their first occurrences), or
 * UINT32_MAX when it does not name both: the text writes a gemrc that
 * turns documentation off. */
static uint32_t gemrc_written_at(const char *src, uint32_t from, uint32_t to)
{
    static const char *const nodoc[] = { "--no-document", "--no-rdoc", "--no-ri", NULL };
    uint32_t g = UINT32_MAX, d = UINT32_MAX;
    for (uint32_t i = from; i < to && (g == UINT32_MAX || d == UINT32_MAX); i++) {
        if (src[i] != 'g' && src[i] != '-')
            continue;
        struct str rest = str_make(src + i, to - i);
        if (g == UINT32_MAX && str_starts_with(rest, STR_LIT("gemrc")))
            g = i + 5;
        for (size_t k = 0; d == UINT32_MAX && nodoc[k]; k++)
            if (str_starts_with(rest, str_from_cstr(nodoc[k])))
                d = i + (uint32_t)strlen(nodoc[k]);
    }
    if (g == UINT32_MAX || d == UINT32_MAX)
        return UINT32_MAX;
    return g > d ? g : d;
}

/* Whether the last word of a COPY/ADD (its destination) is a gemrc. */
static bool copies_gemrc(const struct df_instr *o)
{
    const struct df_text *words = o->form == DF_FORM_EXEC ? o->exec : o->args;
    uint32_t nw = o->form == DF_FORM_EXEC ? o->n_exec : o->n_args;
    if (nw < 2)
        return false;
    return str_ends_with(words[nw - 1].raw, STR_LIT("gemrc"));
}

/* Splits a reference as written when the model could not (a variable in
 * the tag that does not expand): registry (STR_NULL when implicit) and
 * repository, tag and digest left out. */
static void split_ref(struct str t, struct str *reg, struct str *repo)
{
    long at = str_find_char(t, '@', 0);
    if (at >= 0)
        t.len = (size_t)at;
    size_t slash = 0;
    for (size_t i = 0; i < t.len; i++)
        if (t.ptr[i] == '/')
            slash = i;
    long colon = str_find_char(t, ':', slash);
    if (colon >= 0)
        t.len = (size_t)colon;
    *reg = STR_NULL;
    *repo = t;
    long first = str_find_char(t, '/', 0);
    if (first <= 0)
        return;
    struct str head = str_slice(t, 0, (size_t)first);
    if (str_find_char(head, '.', 0) >= 0 || str_find_char(head, ':', 0) >= 0 ||
        str_eq_cstr(head, "localhost")) {
        *reg = head;
        *repo = str_slice(t, (size_t)first + 1, t.len);
    }
}

/* Whether the image FROM names is the official ruby or jruby image, or
 * Microsoft's dev container image for Ruby, which is built FROM ruby. The
 * tag does not matter (a variable in it is fine). */
static bool ruby_image(const struct df_image_ref *img)
{
    struct str reg = img->registry, repo = img->repository;
    if (!img->valid || img->has_variables || !repo.ptr)
        split_ref(img->text.raw, &reg, &repo);
    if (!repo.len || str_find_char(repo, '$', 0) >= 0)
        return false;
    if (reg.ptr && str_eq_cstr(reg, "mcr.microsoft.com"))
        return str_eq_cstr(repo, "devcontainers/ruby") ||
               str_eq_cstr(repo, "vscode/devcontainers/ruby");
    if (reg.ptr && !str_eq_cstr(reg, "docker.io") && !str_eq_cstr(reg, "index.docker.io") &&
        !str_eq_cstr(reg, "registry-1.docker.io"))
        return false;
    if (str_starts_with(repo, STR_LIT("library/")))
        repo = str_slice(repo, 8, repo.len);
    return str_eq_cstr(repo, "ruby") || str_eq_cstr(repo, "jruby");
}

/* Per file: for each stage, the index of its first instruction that
 * writes a gemrc turning documentation off (UINT32_MAX: none), computed
 * on first use so that each instruction's text is read once. */
struct state {
    const uint32_t *first_gemrc;
};

static const uint32_t *first_gemrc(struct rule_ctx *ctx)
{
    struct state *st = rule_state(ctx);
    if (st->first_gemrc)
        return st->first_gemrc;
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = &f->model;
    uint32_t *first = rule_alloc(ctx, ((size_t)m->n_stages + 1) * sizeof *first);
    for (uint32_t s = 0; s < m->n_stages; s++) {
        first[s] = UINT32_MAX;
        for (uint32_t i = 0; i < m->stages[s].n_instrs && first[s] == UINT32_MAX; i++) {
            const struct df_instr *o = m->stages[s].instrs[i];
            if ((o->kind == DF_RUN &&
                 gemrc_written_at(f->src, o->span.start, o->span.end) != UINT32_MAX) ||
                ((o->kind == DF_COPY || o->kind == DF_ADD) && copies_gemrc(o)))
                first[s] = o->index;
        }
    }
    st->first_gemrc = first;
    return first;
}

/* Whether documentation is off for the gem installs of in: a gemrc written
 * by an earlier instruction of its stage or by a stage it is built on, or
 * the base image. */
static bool docs_off_before(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_instr *run = in->parent ? in->parent : in;
    const struct df_model *m = rule_model(ctx);
    const uint32_t *first = first_gemrc(ctx);
    int s = run->stage;
    for (uint32_t hops = 0; s >= 0 && (uint32_t)s < m->n_stages && hops <= m->n_stages; hops++) {
        const struct df_stage *st = &m->stages[s];
        /* A stage built upon counts whole. */
        if (first[s] != UINT32_MAX && (hops > 0 || first[s] < run->index))
            return true;
        if (st->base_stage < 0)
            return st->from && ruby_image(&st->from->image);
        s = st->base_stage;
    }
    return false;
}

/* Whether the call turns documentation off, or asks for it explicitly. */
static bool doc_option_given(const struct sh_call *c)
{
    if (sh_call_has_short(c, 'N', &pm_gem_spec) ||
        pm_has_long_from(c, 1, "no-document", &pm_gem_spec) ||
        (pm_has_long_from(c, 1, "no-rdoc", &pm_gem_spec) &&
         pm_has_long_from(c, 1, "no-ri", &pm_gem_spec)))
        return true;
    return pm_has_long_from(c, 1, "document", &pm_gem_spec) ||
           pm_has_long_from(c, 1, "rdoc", &pm_gem_spec) ||
           pm_has_long_from(c, 1, "ri", &pm_gem_spec);
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (!pm_output_scope(ctx, in))
        return;
    uint32_t n;
    const struct sh_visit *const *cmds = pm_run_cmds(ctx, in, &n);
    int off = -1; /* docs_off_before, asked once per RUN */
    uint32_t ready = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const struct sh_call *c = &cmds[i]->call;
        struct pm_install gi;
        if (!pm_gem_install(c, &gi) || doc_option_given(c))
            continue;
        if (off < 0) {
            off = docs_off_before(ctx, in);
            ready = gemrc_written_at(rule_file(ctx)->src, in->span.start, in->span.end);
        }
        const struct sh_word *sub = &c->argv[gi.sub];
        /* A gemrc written earlier in this RUN counts too. */
        if (off || ready <= sub->span.start)
            continue;
        struct rule_finding *f =
            rule_report(ctx, sub->span,
                        "'gem install' without --no-document builds ri and rdoc documentation "
                        "into the layer");
        if (!f || !pm_fixable(in))
            continue;
        struct edit e = { sub->span.end, sub->span.end, STR_LIT(" --no-document") };
        rule_finding_fix(f, FIX_SAFE, "add --no-document", &e, 1);
    }
}

const struct rule rule_DW325 = {
    .id = "DW325",
    .name = "gem-no-document",
    .severity = SEV_INFO,
    .category = CAT_PACKAGES,
    .status = RULE_PREVIEW,
    .fix = FIX_SOMETIMES,
    .summary = "gem install generates documentation into the layer",
    .on = DF_ON(DF_RUN),
    .on_triggers = true,
    .check = check,
    .state_size = sizeof(struct state),
    .doc = doc,
};
