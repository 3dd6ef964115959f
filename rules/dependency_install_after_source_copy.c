/* DW201 dependency-install-after-source-copy: a stage copies the whole
 * context (or a directory holding a dependency manifest) and then runs a
 * dependency install that needs only the manifests, so every source edit
 * invalidates the install's cache (optimizations.md (a)). The fix copies
 * the manifest and lock files that exist in the build context (exact
 * names, never a glob that may match nothing), installs, and only then
 * copies the sources. */
#include "analyzer/rule_api.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char doc[] =
    "## What it does\n"
    "Reports a dependency install that runs after a COPY or ADD of the whole\n"
    "build context or of a directory holding the project's manifest\n"
    "(`COPY . .`, `COPY ./ /app/`, `COPY src/ /src/`): npm `ci`/`install`,\n"
    "yarn `install`, pnpm `install`, pip `install -r`, poetry `install`,\n"
    "pipenv `install`/`sync`, uv `sync`/`pip install -r`, `go mod download`\n"
    "(or `go build`/`test`/`install` with no download step before), cargo\n"
    "`build`/`fetch`, `bundle install`, composer `install`, mvn and gradle\n"
    "builds, `mix deps.get`, dotnet `restore`/`build`/`publish`. Not\n"
    "reported when that ecosystem's dependencies were installed before the\n"
    "source copy, when the install names packages (`npm install express`,\n"
    "`pip install flask`) or needs the project itself (`pip install .`,\n"
    "`-e .`), when a build context is known and no manifest of the ecosystem\n"
    "exists under the copied path, or for compile commands whose dependency\n"
    "cache is a `--mount=type=cache`.\n"
    "\n"
    "## Why is this bad?\n"
    "COPY is cached on the content of what it copies. When the sources are\n"
    "copied before the install, editing any source file changes that COPY,\n"
    "and every step after it, the dependency download included, runs again.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "WORKDIR /srv\n"
    "COPY . .\n"
    "RUN npm ci\n"
    "CMD [\"node\", \"server.js\"]\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM node:22-slim\n"
    "WORKDIR /srv\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm ci\n"
    "COPY . .\n"
    "CMD [\"node\", \"server.js\"]\n"
    "```\n"
    "\n"
    "## Fix safety\n"
    "Needs the build context: the fix inserts `COPY <manifests> <dest>` with\n"
    "the manifest and lock files that exist there (exact names, the same\n"
    "destination and `--chown`/`--chmod`/`--link` flags as the source copy)\n"
    "and the install RUN before the source copy, and removes the install from\n"
    "its old place (a leading `&&` step is split off; `go build` keeps its\n"
    "place and gets a `go mod download` step before the source copy).\n"
    "\n"
    "Safe when the install is lockfile-driven (`npm ci`; yarn\n"
    "`--frozen-lockfile`/`--immutable`; pnpm `--frozen-lockfile`; `pip\n"
    "install -r` with every `-r`/`-c` file present and no editable, local or\n"
    "nested entries; `poetry install --no-root` with poetry.lock; `pipenv\n"
    "install --deploy`/`sync` with Pipfile.lock; `uv sync --frozen|--locked\n"
    "--no-install-project` with uv.lock; `go mod download` without local\n"
    "`replace`; `bundle install` with a Gemfile.lock and no `gemspec`/`path:`;\n"
    "`mix deps.get` with mix.lock, config/*.exs copied too), nothing but\n"
    "LABEL, EXPOSE or comments stands between the source copy and the\n"
    "install, package.json has no install-time scripts and no `file:`,\n"
    "`link:` or workspace dependencies, and the install's output directory\n"
    "(node_modules, .venv, vendor, deps) is ignored by .dockerignore or absent\n"
    "from the context. Otherwise unsafe, as are the download steps added for\n"
    "single-project maven (`mvn -B dependency:go-offline`), gradle (`gradle\n"
    "--no-daemon dependencies`), dotnet (`dotnet restore`) and composer\n"
    "(`composer install --no-scripts --no-autoloader`; the original install\n"
    "stays after the copy to run the scripts and the autoloader). No fix\n"
    "without a context, when the copy does not land in the working directory\n"
    "or has other flags (`--parents`, `--exclude`), and none for cargo\n"
    "(needs a stub target), composer path repositories, workspaces,\n"
    "multi-project layouts and the mvnw/gradlew wrappers.\n";

enum eco {
    ECO_NPM,
    ECO_YARN,
    ECO_PNPM,
    ECO_PIP,
    ECO_POETRY,
    ECO_PIPENV,
    ECO_UV,
    ECO_GO,
    ECO_CARGO,
    ECO_BUNDLER,
    ECO_COMPOSER,
    ECO_MAVEN,
    ECO_GRADLE,
    ECO_MIX,
    ECO_DOTNET,
    ECO_COUNT
};

/* The file that shows the ecosystem is present in a copied directory. */
static const char *const eco_marker[ECO_COUNT] = {
    "package.json",  "package.json",   "package.json", NULL,         "pyproject.toml",
    "Pipfile",       "pyproject.toml", "go.mod",       "Cargo.toml", "Gemfile",
    "composer.json", "pom.xml",        NULL,           "mix.exs",    NULL,
};

/* Files copied first, when they exist (the marker is always first). */
static const char *const npm_files[] = { "package.json", "package-lock.json", "npm-shrinkwrap.json",
                                         ".npmrc", NULL };
static const char *const yarn_files[] = { "package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml",
                                          NULL };
static const char *const pnpm_files[] = { "package.json", "pnpm-lock.yaml", ".npmrc", NULL };
static const char *const go_files[] = { "go.mod", "go.sum", NULL };
static const char *const bundler_files[] = { "Gemfile", "Gemfile.lock", NULL };
static const char *const mix_files[] = { "mix.exs", "mix.lock", NULL };
static const char *const maven_files[] = { "pom.xml", NULL };
static const char *const composer_files[] = { "composer.json", "composer.lock", NULL };
static const char *const poetry_files[] = { "pyproject.toml", "poetry.lock", "poetry.toml", NULL };
static const char *const pipenv_files[] = { "Pipfile", "Pipfile.lock", NULL };
static const char *const uv_files[] = { "pyproject.toml", "uv.lock", ".python-version", NULL };

/* One dependency step found in a RUN. */
struct dep {
    enum eco eco;
    const struct sh_visit *v;
    struct span at;    /* the command words to report */
    bool locked;       /* lockfile-driven: may be safe */
    bool compile;      /* a build command that downloads on the way (go build) */
    const char **reqs; /* pip: the -r/-c files as written */
    uint32_t n_reqs;
};

/* -------------------------------------------------------------- commands */

static bool has_word(const struct sh_call *c, const char *s)
{
    for (uint32_t i = 1; i < c->argc; i++)
        if (sh_word_is(&c->argv[i], s))
            return true;
    return false;
}

/* Operands after index from, skipping every word that starts with '-'. A
 * rough count: flags of these tools rarely take a separate value word. */
static uint32_t loose_operands(const struct sh_call *c, uint32_t from)
{
    uint32_t n = 0;
    for (uint32_t i = from; i < c->argc; i++)
        if (!c->argv[i].value.len || c->argv[i].value.ptr[0] != '-')
            n++;
    return n;
}

static struct span words_span(const struct sh_call *c, uint32_t last)
{
    if (last >= c->argc)
        last = c->argc - 1;
    return span_make(c->argv[0].span.start, c->argv[last].span.end);
}

static const char *const pip_long[] = {
    "requirement",
    "constraint",
    "target",
    "prefix",
    "root",
    "index-url",
    "extra-index-url",
    "find-links",
    "trusted-host",
    "platform",
    "python-version",
    "implementation",
    "abi",
    "progress-bar",
    "src",
    "upgrade-strategy",
    "cache-dir",
    "log",
    "timeout",
    "retries",
    "proxy",
    "cert",
    "client-cert",
    "exists-action",
    "global-option",
    "config-settings",
    NULL,
};
static const struct sh_flag_spec pip_spec = { "rctefi", pip_long, false };

static bool pip_install(struct rule_ctx *ctx, const struct sh_call *c, uint32_t sub, struct dep *d)
{
    /* argv[sub] is "install". */
    struct sh_call tail = { c->node, c->argv + sub, c->argc - sub };
    struct sh_arg_iter it;
    struct sh_arg a;
    uint32_t n = 0;
    sh_arg_iter_init(&it, &tail, 1, &pip_spec);
    while (sh_arg_next(&it, &a)) {
        if (a.kind == SH_ARG_OPERAND)
            return false; /* names packages or a local path */
        bool req = (a.kind == SH_ARG_SHORT &&
                    (a.name.ptr[a.name.len - 1] == 'r' || a.name.ptr[a.name.len - 1] == 'c')) ||
                   (a.kind == SH_ARG_LONG &&
                    (str_eq_cstr(a.name, "requirement") || str_eq_cstr(a.name, "constraint")));
        bool editable = (a.kind == SH_ARG_SHORT && a.name.ptr[a.name.len - 1] == 'e') ||
                        (a.kind == SH_ARG_LONG && str_eq_cstr(a.name, "editable"));
        if (editable)
            return false;
        if (req && a.has_value)
            n++;
    }
    if (!n)
        return false;
    d->reqs = rule_alloc(ctx, n * sizeof *d->reqs);
    sh_arg_iter_init(&it, &tail, 1, &pip_spec);
    while (sh_arg_next(&it, &a)) {
        bool req = (a.kind == SH_ARG_SHORT &&
                    (a.name.ptr[a.name.len - 1] == 'r' || a.name.ptr[a.name.len - 1] == 'c')) ||
                   (a.kind == SH_ARG_LONG &&
                    (str_eq_cstr(a.name, "requirement") || str_eq_cstr(a.name, "constraint")));
        if (req && a.has_value)
            d->reqs[d->n_reqs++] = rule_printf(ctx, "%.*s", STR_FMT(a.value));
    }
    d->eco = ECO_PIP;
    d->locked = true;
    d->at = words_span(c, sub);
    return true;
}

/* Whether the call is a dependency step; fills *d. */
static bool classify(struct rule_ctx *ctx, const struct sh_call *c, struct dep *d)
{
    memset(d, 0, sizeof *d);
    if (c->argc < 1)
        return false;
    const struct sh_word *sub = c->argc > 1 ? &c->argv[1] : NULL;
    if (sh_call_is(c, "npm") && sub) {
        if (sh_word_is(sub, "ci") && loose_operands(c, 2) == 0) {
            *d = (struct dep){ .eco = ECO_NPM, .locked = true, .at = words_span(c, 1) };
            return true;
        }
        if ((sh_word_is(sub, "install") || sh_word_is(sub, "i")) && loose_operands(c, 2) == 0) {
            *d = (struct dep){ .eco = ECO_NPM, .at = words_span(c, 1) };
            return true;
        }
        return false;
    }
    if (sh_call_is(c, "yarn")) {
        if (loose_operands(c, 1) == 0 ||
            (sub && sh_word_is(sub, "install") && loose_operands(c, 2) == 0)) {
            bool locked = has_word(c, "--frozen-lockfile") || has_word(c, "--immutable");
            *d = (struct dep){ .eco = ECO_YARN,
                               .locked = locked,
                               .at = words_span(c, sub && sh_word_is(sub, "install") ? 1 : 0) };
            return true;
        }
        return false;
    }
    if (sh_call_is(c, "pnpm") && sub && (sh_word_is(sub, "install") || sh_word_is(sub, "i")) &&
        loose_operands(c, 2) == 0) {
        *d = (struct dep){ .eco = ECO_PNPM,
                           .locked = has_word(c, "--frozen-lockfile"),
                           .at = words_span(c, 1) };
        return true;
    }
    if ((sh_call_is(c, "pip") || sh_call_is(c, "pip3")) && sub && sh_word_is(sub, "install"))
        return pip_install(ctx, c, 1, d);
    if ((sh_call_is(c, "python") || sh_call_is(c, "python3")) && c->argc > 3 &&
        sh_word_is(&c->argv[1], "-m") && sh_word_is(&c->argv[2], "pip") &&
        sh_word_is(&c->argv[3], "install"))
        return pip_install(ctx, c, 3, d);
    if (sh_call_is(c, "uv") && sub) {
        if (sh_word_is(sub, "sync")) {
            bool locked = (has_word(c, "--frozen") || has_word(c, "--locked")) &&
                          has_word(c, "--no-install-project");
            *d = (struct dep){ .eco = ECO_UV, .locked = locked, .at = words_span(c, 1) };
            return true;
        }
        if (sh_word_is(sub, "pip") && c->argc > 2 && sh_word_is(&c->argv[2], "install")) {
            if (!pip_install(ctx, c, 2, d))
                return false;
            d->eco = ECO_UV;
            d->locked = false;
            return true;
        }
        return false;
    }
    if (sh_call_is(c, "poetry") && sub && sh_word_is(sub, "install")) {
        *d = (struct dep){ .eco = ECO_POETRY,
                           .locked = has_word(c, "--no-root"),
                           .at = words_span(c, 1) };
        return true;
    }
    if (sh_call_is(c, "pipenv") && sub &&
        ((sh_word_is(sub, "install") && loose_operands(c, 2) == 0) || sh_word_is(sub, "sync"))) {
        *d = (struct dep){ .eco = ECO_PIPENV,
                           .locked = sh_word_is(sub, "sync") || has_word(c, "--deploy"),
                           .at = words_span(c, 1) };
        return true;
    }
    if (sh_call_is(c, "go") && sub) {
        if (sh_word_is(sub, "mod") && c->argc > 2 && sh_word_is(&c->argv[2], "download")) {
            *d = (struct dep){ .eco = ECO_GO, .locked = true, .at = words_span(c, 2) };
            return true;
        }
        if (sh_word_is(sub, "build") || sh_word_is(sub, "test") || sh_word_is(sub, "install")) {
            for (uint32_t i = 2; i < c->argc; i++)
                if (memchr(c->argv[i].value.ptr, '@', c->argv[i].value.len))
                    return false; /* go install x@v fetches one module */
            *d = (struct dep){ .eco = ECO_GO, .compile = true, .at = words_span(c, 1) };
            return true;
        }
        return false;
    }
    if (sh_call_is(c, "cargo") && sub && (sh_word_is(sub, "build") || sh_word_is(sub, "fetch"))) {
        *d = (struct dep){ .eco = ECO_CARGO,
                           .compile = sh_word_is(sub, "build"),
                           .at = words_span(c, 1) };
        return true;
    }
    if (sh_call_is(c, "bundle") && sub && sh_word_is(sub, "install")) {
        *d = (struct dep){ .eco = ECO_BUNDLER, .locked = true, .at = words_span(c, 1) };
        return true;
    }
    if (sh_call_is(c, "composer") && sub && sh_word_is(sub, "install")) {
        /* The install stays (it runs the scripts and writes the
         * autoloader); a download-only install goes before the copy. */
        *d = (struct dep){ .eco = ECO_COMPOSER, .compile = true, .at = words_span(c, 1) };
        return true;
    }
    if (sh_call_is(c, "mvn") || sh_call_is(c, "mvnw")) {
        if (c->argc > 1) {
            *d = (struct dep){ .eco = ECO_MAVEN, .compile = true, .at = words_span(c, 0) };
            return true;
        }
        return false;
    }
    if ((sh_call_is(c, "gradle") || sh_call_is(c, "gradlew")) && c->argc > 1) {
        *d = (struct dep){ .eco = ECO_GRADLE, .compile = true, .at = words_span(c, 0) };
        return true;
    }
    if (sh_call_is(c, "mix") && sub && sh_word_is(sub, "deps.get")) {
        *d = (struct dep){ .eco = ECO_MIX, .locked = true, .at = words_span(c, 1) };
        return true;
    }
    if (sh_call_is(c, "dotnet") && sub &&
        (sh_word_is(sub, "restore") || sh_word_is(sub, "build") || sh_word_is(sub, "publish"))) {
        *d = (struct dep){ .eco = ECO_DOTNET,
                           .compile = !sh_word_is(sub, "restore"),
                           .at = words_span(c, 1) };
        return true;
    }
    return false;
}

/* -------------------------------------------------------------- context */

static bool ctx_exists(struct rule_ctx *ctx, const char *rel, bool *is_dir)
{
    const char *dir = rule_context_dir(ctx);
    if (!dir)
        return false;
    struct stat st;
    if (stat(rule_printf(ctx, "%s/%s", dir, rel), &st))
        return false;
    if (is_dir)
        *is_dir = S_ISDIR(st.st_mode);
    return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
}

static const char *ctx_text(struct rule_ctx *ctx, const char *rel)
{
    struct str t;
    bool exists = false;
    if (!rule_context_file(ctx, rel, &t, &exists) || !exists)
        return NULL;
    return rule_printf(ctx, "%.*s", STR_FMT(t));
}

/* Whether .dockerignore leaves the context path rel out of the build. */
static bool ctx_ignored(struct rule_ctx *ctx, const char *rel)
{
    struct str t;
    bool exists = false;
    if (!rule_context_file(ctx, ".dockerignore", &t, &exists) || !exists)
        return false;
    struct arena a;
    arena_init(&a);
    struct di_file *di = NULL;
    struct err err;
    bool ignored = false;
    if (!di_load(&a, ".dockerignore", t.ptr, t.len, &di, &err))
        ignored = di_match(di, rel, strlen(rel), NULL);
    arena_release(&a);
    return ignored;
}

/* Whether `name` under srcdir would not reach the image through the
 * source copy: absent from the context, or ignored. */
static bool out_dir_harmless(struct rule_ctx *ctx, const char *srcdir, const char *name)
{
    const char *rel = rule_printf(ctx, "%s%s", srcdir, name);
    return !ctx_exists(ctx, rel, NULL) || ctx_ignored(ctx, rel);
}

/* A regular file of the context that a COPY can name: present and not
 * ignored (naming an ignored file fails the build). */
static bool ctx_copyable(struct rule_ctx *ctx, const char *rel)
{
    bool dir = true;
    return ctx_exists(ctx, rel, &dir) && !dir && !ctx_ignored(ctx, rel);
}

/* Whether a line of text starts with word (after blanks). */
static bool text_has_line_prefix(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; p && *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncmp(p, word, n))
            return true;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return false;
}

/* ------------------------------------------------------------ the walk */

struct src_copy {
    const struct df_instr *in;
    const char *srcdir; /* "" for the context root, else "dir/" */
};

static bool plain_shell_run(const struct df_instr *in)
{
    return in->kind == DF_RUN && in->form == DF_FORM_SHELL && in->n_heredocs == 0 && in->script &&
           !in->has_syntax_error && in->script->n_problems == 0 &&
           !memchr(in->shell.raw.ptr, '#', in->shell.raw.len);
}

/* The source directory of a COPY/ADD that copies a directory from the
 * context: "" for `.`/`./`, "dir/" for `dir/` or `./dir`. NULL when it is
 * not a single directory copy from the context. */
static const char *copied_dir(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (df_instr_flag(in, "from") || in->n_heredocs || in->form == DF_FORM_EXEC || in->n_args != 2)
        return NULL;
    struct str s = in->args[0].raw;
    if (memchr(s.ptr, '$', s.len) || memchr(s.ptr, '*', s.len) || memchr(s.ptr, '?', s.len) ||
        memchr(s.ptr, ':', s.len))
        return NULL;
    while (s.len >= 2 && s.ptr[0] == '.' && s.ptr[1] == '/')
        s = str_slice(s, 2, s.len);
    while (s.len && s.ptr[s.len - 1] == '/')
        s.len--;
    if (!s.len || str_eq_cstr(s, "."))
        return "";
    if (s.ptr[0] == '/' || (s.len >= 2 && s.ptr[0] == '.' && s.ptr[1] == '.'))
        return NULL;
    const char *rel = rule_printf(ctx, "%.*s", STR_FMT(s));
    if (rule_context_dir(ctx)) {
        bool dir = false;
        if (!ctx_exists(ctx, rel, &dir) || !dir)
            return NULL;
        return rule_printf(ctx, "%s/", rel);
    }
    /* Without a context only an explicit directory (`src/`) counts. */
    if (in->args[0].raw.ptr[in->args[0].raw.len - 1] != '/')
        return NULL;
    return rule_printf(ctx, "%s/", rel);
}

static bool has_cache_mount(const struct df_instr *in)
{
    for (uint32_t i = 0; i < in->n_flags; i++)
        for (uint32_t k = 0; k < in->flags[i].n_mount; k++) {
            const struct df_mount_opt *o = &in->flags[i].mount[k];
            if (str_eq_cstr(o->key.raw, "type") && o->value.raw.ptr &&
                str_eq_cstr(o->value.raw, "cache"))
                return true;
        }
    return false;
}

static const char *eco_name(enum eco e)
{
    static const char *const names[ECO_COUNT] = {
        "npm",   "yarn",    "pnpm",     "pip",   "poetry", "pipenv", "uv",     "go",
        "cargo", "bundler", "composer", "maven", "gradle", "mix",    "dotnet",
    };
    return names[e];
}

/* ---------------------------------------------------------------- fix */

struct files {
    const char *names[32]; /* context paths relative to the source dir */
    uint32_t n;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void files_add(struct files *fs, const char *name)
{
    for (uint32_t i = 0; i < fs->n; i++)
        if (!strcmp(fs->names[i], name))
            return;
    if (fs->n < 32)
        fs->names[fs->n++] = name;
}

/* Collects the manifests of d that exist under srcdir. Returns false when
 * a required one is missing; *safe is cleared when the install could read
 * more than the manifests. */
static bool collect(struct rule_ctx *ctx, const struct dep *d, const char *srcdir,
                    const char *reqbase, struct files *fs, bool *safe)
{
    const char *const *list = NULL;
    switch (d->eco) {
    case ECO_NPM: list = npm_files; break;
    case ECO_YARN: list = yarn_files; break;
    case ECO_PNPM: list = pnpm_files; break;
    case ECO_GO: list = go_files; break;
    case ECO_BUNDLER: list = bundler_files; break;
    case ECO_MIX: list = mix_files; break;
    case ECO_POETRY: list = poetry_files; break;
    case ECO_PIPENV: list = pipenv_files; break;
    case ECO_UV: list = d->n_reqs ? NULL : uv_files; break;
    case ECO_PIP: break;
    case ECO_MAVEN: list = maven_files; break;
    case ECO_COMPOSER: list = composer_files; break;
    case ECO_GRADLE: break;
    case ECO_DOTNET: break;
    default: return false;
    }
    if (d->eco == ECO_COMPOSER) {
        /* Path repositories need the sources; the early install skips the
         * scripts the later one runs. */
        const char *cj = ctx_text(ctx, rule_printf(ctx, "%scomposer.json", srcdir));
        if (!cj || strstr(cj, "\"path\""))
            return false;
        *safe = false;
    }
    if (d->eco == ECO_MAVEN || d->eco == ECO_GRADLE || d->eco == ECO_DOTNET) {
        /* Multi-project layouts need every project file: left to the user. */
        *safe = false;
        struct str prog = sh_call_name(&d->v->call);
        if (str_ends_with(prog, STR_LIT("w")))
            return false; /* mvnw, gradlew need their wrapper directories */
    }
    if (d->eco == ECO_MAVEN) {
        const char *pom = ctx_text(ctx, rule_printf(ctx, "%spom.xml", srcdir));
        if (!pom || strstr(pom, "<modules>"))
            return false;
    }
    if (d->eco == ECO_GRADLE) {
        static const char *const gradle_files[] = {
            "settings.gradle",  "settings.gradle.kts", "build.gradle",
            "build.gradle.kts", "gradle.properties",   NULL,
        };
        for (uint32_t i = 0; gradle_files[i]; i++) {
            const char *rel = rule_printf(ctx, "%s%s", srcdir, gradle_files[i]);
            const char *t = ctx_text(ctx, rel);
            if (!t)
                continue;
            if (i < 2 && strstr(t, "include"))
                return false;
            if (!ctx_copyable(ctx, rel))
                return false;
            files_add(fs, gradle_files[i]);
        }
        bool build = false;
        for (uint32_t i = 0; i < fs->n; i++)
            build |= !strncmp(fs->names[i], "build.gradle", 12);
        if (!build)
            return false;
    }
    if (d->eco == ECO_DOTNET) {
        const char *dir = rule_context_dir(ctx);
        DIR *dp = dir ? opendir(rule_printf(ctx, "%s/%s", dir, srcdir[0] ? srcdir : ".")) : NULL;
        if (!dp)
            return false;
        uint32_t projects = 0;
        bool sln = false;
        const struct dirent *de;
        while ((de = readdir(dp))) {
            struct str n = str_from_cstr(de->d_name);
            if (str_ends_with(n, STR_LIT(".sln")) || str_ends_with(n, STR_LIT(".slnx")))
                sln = true;
            if (str_ends_with(n, STR_LIT(".csproj")) || str_ends_with(n, STR_LIT(".fsproj")) ||
                str_ends_with(n, STR_LIT(".vbproj"))) {
                projects++;
                if (!ctx_copyable(ctx, rule_printf(ctx, "%s%s", srcdir, de->d_name)))
                    sln = true; /* an ignored project file: leave it */
                files_add(fs, rule_printf(ctx, "%s", de->d_name));
            }
        }
        closedir(dp);
        if (sln || projects != 1)
            return false;
        static const char *const extra[] = {
            "Directory.Build.props", "Directory.Packages.props", "NuGet.config",
            "nuget.config",          "packages.lock.json",       NULL,
        };
        for (uint32_t i = 0; extra[i]; i++) {
            if (ctx_copyable(ctx, rule_printf(ctx, "%s%s", srcdir, extra[i])))
                files_add(fs, extra[i]);
        }
    }
    if (list) {
        for (uint32_t i = 0; list[i]; i++) {
            if (ctx_copyable(ctx, rule_printf(ctx, "%s%s", srcdir, list[i])))
                files_add(fs, list[i]);
            else if (i == 0)
                return false;
        }
    }
    if (d->eco == ECO_NPM || d->eco == ECO_YARN || d->eco == ECO_PNPM) {
        const char *pj = ctx_text(ctx, rule_printf(ctx, "%spackage.json", srcdir));
        static const char *const hazards[] = {
            "\"preinstall\"", "\"install\"", "\"postinstall\"", "\"prepare\"",
            "\"file:",        "\"link:",     "\"workspace:",    "\"workspaces\"",
        };
        for (size_t i = 0; pj && i < sizeof hazards / sizeof hazards[0]; i++)
            if (strstr(pj, hazards[i]))
                *safe = false;
        if (ctx_exists(ctx, rule_printf(ctx, "%spnpm-workspace.yaml", srcdir), NULL) ||
            ctx_exists(ctx, rule_printf(ctx, "%s.yarn", srcdir), NULL))
            return false; /* workspaces and Yarn 2 trees need more files */
        bool lock = false;
        for (uint32_t i = 0; i < fs->n; i++)
            lock |= strstr(fs->names[i], "lock") != NULL || strstr(fs->names[i], "shrinkwrap");
        if (!lock)
            *safe = false;
        if (!out_dir_harmless(ctx, srcdir, "node_modules"))
            *safe = false;
    }
    if (d->eco == ECO_GO) {
        const char *gm = ctx_text(ctx, rule_printf(ctx, "%sgo.mod", srcdir));
        if (!gm || strstr(gm, "=> ./") || strstr(gm, "=> ../") || strstr(gm, "=> /"))
            *safe = false;
        if (ctx_exists(ctx, rule_printf(ctx, "%sgo.work", srcdir), NULL))
            return false;
        if (!out_dir_harmless(ctx, srcdir, "vendor"))
            *safe = false;
    }
    if (d->eco == ECO_BUNDLER) {
        const char *gf = ctx_text(ctx, rule_printf(ctx, "%sGemfile", srcdir));
        if (!gf || text_has_line_prefix(gf, "gemspec") || strstr(gf, "path:") ||
            strstr(gf, ":path"))
            *safe = false;
        if (fs->n < 2 || !out_dir_harmless(ctx, srcdir, "vendor"))
            *safe = false;
    }
    if (d->eco == ECO_POETRY || d->eco == ECO_PIPENV || d->eco == ECO_UV) {
        /* The lock is what makes the install read nothing else. */
        if (fs->n < 2 || !out_dir_harmless(ctx, srcdir, ".venv"))
            *safe = false;
        const char *pp = ctx_text(ctx, rule_printf(ctx, "%spyproject.toml", srcdir));
        if (pp &&
            (strstr(pp, "path = ") || strstr(pp, "path=") || strstr(pp, "[tool.uv.workspace]")))
            *safe = false;
    }
    if (d->eco == ECO_MIX) {
        if (!out_dir_harmless(ctx, srcdir, "deps") || fs->n < 2)
            *safe = false;
        /* Mix reads the .exs files of config/ when it loads the project;
         * they are copied in name order (readdir's order is the file
         * system's). */
        const char *dir = rule_context_dir(ctx);
        DIR *dp = dir ? opendir(rule_printf(ctx, "%s/%sconfig", dir, srcdir)) : NULL;
        if (dp) {
            const char *names[16];
            uint32_t n = 0;
            const struct dirent *de;
            while ((de = readdir(dp))) {
                const char *rel = rule_printf(ctx, "config/%s", de->d_name);
                if (str_ends_with(str_from_cstr(de->d_name), STR_LIT(".exs")) &&
                    ctx_copyable(ctx, rule_printf(ctx, "%s%s", srcdir, rel))) {
                    if (n == 16) {
                        closedir(dp);
                        return false;
                    }
                    names[n++] = rel;
                }
            }
            closedir(dp);
            qsort(names, n, sizeof names[0], cmp_names);
            for (uint32_t i = 0; i < n; i++)
                files_add(fs, names[i]);
        }
    }
    if (d->eco == ECO_PIP) {
        /* -r/-c files as written, relative to the working directory, which
         * must be the copy's destination (reqbase). Nested -r/-c lines are
         * followed one level deep. */
        for (uint32_t i = 0; i < d->n_reqs; i++) {
            const char *r = d->reqs[i];
            if (r[0] == '/') {
                size_t bl = strlen(reqbase);
                if (!bl)
                    return false;
                if (strncmp(r, reqbase, bl) || r[bl] != '/')
                    return false;
                r += bl + 1;
            }
            while (r[0] == '.' && r[1] == '/')
                r += 2;
            if (strstr(r, "..") || strchr(r, '$'))
                return false;
            const char *text = ctx_text(ctx, rule_printf(ctx, "%s%s", srcdir, r));
            if (!text || !ctx_copyable(ctx, rule_printf(ctx, "%s%s", srcdir, r)))
                return false;
            files_add(fs, r);
            for (const char *p = text; *p;) {
                const char *e = strchr(p, '\n');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                struct str line = str_trim(str_make(p, n));
                if (str_starts_with(line, STR_LIT("-e")) ||
                    str_starts_with(line, STR_LIT("--editable")) ||
                    str_starts_with(line, STR_LIT(".")) || str_starts_with(line, STR_LIT("/")) ||
                    str_starts_with(line, STR_LIT("file:")))
                    *safe = false;
                if (str_starts_with(line, STR_LIT("-r ")) || str_starts_with(line, STR_LIT("-c ")))
                    *safe = false; /* nested files: copied by hand */
                p = e ? e + 1 : p + n;
            }
        }
    }
    return fs->n > 0;
}

static const char *line_end(const struct df_file *f)
{
    return f->crlf ? "\r\n" : "\n";
}

static struct span whole_lines(const struct df_file *f, struct span s)
{
    uint32_t a = s.start, b = s.end;
    while (a > 0 && f->src[a - 1] != '\n')
        a--;
    while (b < f->len && f->src[b] != '\n')
        b++;
    if (b < f->len)
        b++;
    return span_make(a, b);
}

static const char *call_text(struct rule_ctx *ctx, const struct sh_node *node)
{
    const char *t = NULL;
    for (uint32_t k = 0; k < node->n_assigns + node->argc; k++) {
        const struct sh_word *w =
            k < node->n_assigns ? &node->assigns[k] : &node->argv[k - node->n_assigns];
        t = t ? rule_printf(ctx, "%s %.*s", t, STR_FMT(w->raw))
              : rule_printf(ctx, "%.*s", STR_FMT(w->raw));
    }
    return t ? t : "";
}

static void add_fix(struct rule_ctx *ctx, struct rule_finding *rf, const struct df_stage *st,
                    const struct src_copy *sc, const struct df_instr *run, const struct dep *d,
                    const char *wd)
{
    const struct df_file *f = rule_file(ctx);
    if (!rule_context_dir(ctx) || !plain_shell_run(run) || sc->in->parent || run->parent)
        return;
    const struct sh_node *node = d->v->call.node;
    if (d->v->call.argv != node->argv || node->redirs || node->kind != SH_SIMPLE)
        return;
    /* The install must be the RUN, or its leading && step (a build keeps
     * its place and may sit anywhere). */
    struct span remove = { 0, 0 };
    if (!d->compile) {
        const struct sh_node *root = run->script->root;
        if (root->n_kids != 1 || root->kids[0]->background)
            return;
        const struct sh_node *top = root->kids[0];
        if (top == node) {
            remove = whole_lines(f, run->span);
        } else {
            if (top->kind != SH_AND_OR || top->kids[0] != node || top->kids[1]->op != SH_OP_AND)
                return;
            remove = span_make(node->span.start, top->kids[1]->span.start);
        }
    }
    bool safe = d->locked;
    /* Only LABEL and EXPOSE may stand between the copy and the install. */
    uint32_t i = 0;
    while (i < st->n_instrs && st->instrs[i] != sc->in)
        i++;
    for (i++; i < st->n_instrs && st->instrs[i] != run; i++) {
        enum df_kind k = st->instrs[i]->kind;
        if (k == DF_WORKDIR || k == DF_COPY || k == DF_ADD || k == DF_RUN || k == DF_USER ||
            k == DF_SHELL || k == DF_ONBUILD)
            return;
        if (k != DF_LABEL && k != DF_EXPOSE)
            safe = false;
    }
    /* The install reads its manifests from the working directory: the
     * copy must have put them there. */
    const char *dest = rule_printf(ctx, "%.*s", STR_FMT(sc->in->args[1].raw));
    size_t destn = strlen(dest);
    while (destn > 1 && dest[destn - 1] == '/')
        destn--;
    const char *dn = rule_printf(ctx, "%.*s", (int)destn, dest);
    if (strcmp(dn, ".") && (!wd || strcmp(dn, wd)))
        return;
    const char *reqbase = wd ? wd : "";
    struct files fs = { .n = 0 };
    if (!collect(ctx, d, sc->srcdir, reqbase, &fs, &safe))
        return;
    /* The flags of the source copy that shape the files: --chown, --chmod,
     * --link. */
    const char *cflags = "";
    for (uint32_t k = 0; k < sc->in->n_flags; k++) {
        const struct df_flag *fl = &sc->in->flags[k];
        if (str_eq_cstr(fl->name.raw, "chown") || str_eq_cstr(fl->name.raw, "chmod") ||
            str_eq_cstr(fl->name.raw, "link"))
            cflags = rule_printf(ctx, "%s%.*s ", cflags, (int)span_len(fl->span),
                                 f->src + fl->span.start);
        else
            return; /* --parents, --exclude, --keep-git-dir...: another layout */
    }
    const char *nl = line_end(f);
    const char *text = "";
    /* One COPY per directory keeps the files at their relative paths. */
    bool done[32] = { false };
    for (uint32_t k = 0; k < fs.n; k++) {
        if (done[k])
            continue;
        const char *slash = strrchr(fs.names[k], '/');
        size_t dl = slash ? (size_t)(slash - fs.names[k]) + 1 : 0;
        const char *srcs = "";
        for (uint32_t j = k; j < fs.n; j++) {
            const char *sl = strrchr(fs.names[j], '/');
            size_t jl = sl ? (size_t)(sl - fs.names[j]) + 1 : 0;
            if (jl != dl || strncmp(fs.names[j], fs.names[k], dl))
                continue;
            done[j] = true;
            srcs = rule_printf(ctx, "%s%s%s", srcs, sc->srcdir, fs.names[j]);
            srcs = rule_printf(ctx, "%s ", srcs);
        }
        size_t destl = strlen(dest);
        const char *dd =
            rule_printf(ctx, "%s%s%.*s", dest, destl && dest[destl - 1] == '/' ? "" : "/", (int)dl,
                        fs.names[k]);
        text = rule_printf(ctx, "%s%.*s %s%s%s%s", text, (int)span_len(sc->in->keyword),
                           f->src + sc->in->keyword.start, cflags, srcs, dd, nl);
    }
    const char *rflags = "";
    if (run->n_flags)
        rflags = rule_printf(
            ctx, "%.*s ", (int)(run->flags[run->n_flags - 1].span.end - run->flags[0].span.start),
            f->src + run->flags[0].span.start);
    const char *install = call_text(ctx, node);
    if (d->compile) {
        /* The build keeps its place; a download step warms the cache. */
        switch (d->eco) {
        case ECO_GO: install = "go mod download"; break;
        case ECO_MAVEN: install = "mvn -B dependency:go-offline"; break;
        case ECO_GRADLE: install = "gradle --no-daemon dependencies"; break;
        case ECO_DOTNET: install = "dotnet restore"; break;
        case ECO_COMPOSER:
            install = "composer install --no-interaction --no-scripts --no-autoloader";
            break;
        default: return;
        }
    }
    text = rule_printf(ctx, "%s%.*s %s%s%s", text, (int)span_len(run->keyword),
                       f->src + run->keyword.start, rflags, install, nl);
    uint32_t at = whole_lines(f, sc->in->span).start;
    struct edit edits[2] = {
        { at, at, str_from_cstr(text) },
        { remove.start, remove.end, STR_LIT("") },
    };
    rule_finding_fix(rf, safe ? FIX_SAFE : FIX_UNSAFE,
                     "install the dependencies before copying the sources", edits,
                     d->compile ? 1 : 2);
}

static void walk_stage(struct rule_ctx *ctx, const struct df_stage *st)
{
    const char *wd = NULL;
    struct src_copy sc = { NULL, NULL };
    bool installed[ECO_COUNT] = { false };
    bool reported[ECO_COUNT] = { false };
    for (uint32_t i = 0; i < st->n_instrs; i++) {
        const struct df_instr *in = st->instrs[i];
        if (in->kind == DF_WORKDIR && in->n_args == 1) {
            struct str p = in->args[0].raw;
            if (p.len && p.ptr[0] == '/' && !memchr(p.ptr, '$', p.len)) {
                while (p.len > 1 && p.ptr[p.len - 1] == '/')
                    p.len--;
                wd = rule_printf(ctx, "%.*s", STR_FMT(p));
            } else {
                wd = NULL;
            }
            continue;
        }
        if ((in->kind == DF_COPY || in->kind == DF_ADD) && !sc.in) {
            const char *dir = copied_dir(ctx, in);
            if (dir)
                sc = (struct src_copy){ in, dir };
            continue;
        }
        if (in->kind != DF_RUN || !in->script)
            continue;
        const struct sh_script *s = in->script;
        for (uint32_t k = 0; k < s->n_cmds; k++) {
            const struct sh_visit *v = &s->cmds[k];
            struct dep d;
            if (v->ctx & SH_IN_FUNCTION || !classify(ctx, &v->call, &d))
                continue;
            d.v = v;
            enum eco e = d.eco;
            if (!sc.in) {
                installed[e] = true;
                if (e == ECO_YARN || e == ECO_PNPM)
                    installed[ECO_NPM] = true;
                continue;
            }
            if (installed[e] || reported[e])
                continue;
            if (d.compile && e != ECO_COMPOSER && has_cache_mount(in))
                continue;
            /* With a context, the ecosystem must be there. */
            if (rule_context_dir(ctx)) {
                const char *marker = eco_marker[e];
                if (e == ECO_PIP || (e == ECO_UV && d.n_reqs)) {
                    marker = NULL;
                    const char *r = d.reqs[0];
                    while (r[0] == '.' && r[1] == '/')
                        r += 2;
                    if (r[0] != '/' && !strchr(r, '$') &&
                        !ctx_exists(ctx, rule_printf(ctx, "%s%s", sc.srcdir, r), NULL))
                        continue;
                }
                if (e == ECO_GRADLE &&
                    !ctx_exists(ctx, rule_printf(ctx, "%sbuild.gradle", sc.srcdir), NULL) &&
                    !ctx_exists(ctx, rule_printf(ctx, "%sbuild.gradle.kts", sc.srcdir), NULL))
                    continue;
                if (marker && !ctx_exists(ctx, rule_printf(ctx, "%s%s", sc.srcdir, marker), NULL))
                    continue;
            }
            reported[e] = true;
            uint32_t line, col;
            df_file_locate(rule_file(ctx), sc.in->keyword.start, &line, &col);
            struct rule_finding *rf = rule_report(
                ctx, d.at,
                "'%.*s' (%s) runs after the %.*s on line %u copied the sources, so every "
                "source edit reruns it; copy the manifests and install first",
                (int)span_len(d.at), rule_file(ctx)->src + d.at.start, eco_name(e),
                (int)span_len(sc.in->keyword), rule_file(ctx)->src + sc.in->keyword.start, line);
            if (!rf)
                continue;
            rule_finding_related(rf, sc.in->span, "the sources are copied here");
            if (e == ECO_GO && d.compile) {
                /* The build stays; a download step goes before the copy. */
                d.locked = true;
            }
            add_fix(ctx, rf, st, &sc, in, &d, wd);
        }
    }
}

static void finish(struct rule_ctx *ctx)
{
    const struct df_model *m = rule_model(ctx);
    for (uint32_t s = 0; s < m->n_stages; s++)
        walk_stage(ctx, &m->stages[s]);
}

const struct rule rule_DW201 = {
    .id = "DW201",
    .name = "dependency-install-after-source-copy",
    .severity = SEV_WARNING,
    .category = CAT_CACHE,
    .status = RULE_STABLE,
    .fix = FIX_SOMETIMES,
    .summary = "dependencies are installed after the sources are copied",
    .finish = finish,
    .doc = doc,
};
