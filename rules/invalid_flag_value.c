/* DW004 invalid-flag-value: a known flag whose value BuildKit rejects
 * (dockerfile.md sections 5 and 9): a missing value, a non-boolean for a
 * boolean flag, a repeated non-repeatable flag, a bad --chmod, HEALTHCHECK
 * durations and retries, RUN --network/--security values, malformed
 * --mount options, variables in --from, and ADD --checksum misuse.
 *
 * Values BuildKit expands (--chmod, --checksum, --mount fields) are judged
 * only when they hold no variable: their final value is known at build
 * time only. Flags BuildKit does not know are DW003's. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a flag BuildKit knows with a value it rejects: a flag that needs\n"
    "`=value` written without one, a boolean flag with a value other than\n"
    "`true` or `false`, a flag given twice that may appear only once, a\n"
    "`--chmod` that is neither octal up to 07777 nor symbolic, a HEALTHCHECK\n"
    "duration without a unit or under 1ms, a negative `--retries`, an\n"
    "unknown `--network` or `--security` mode, a malformed `--mount` (unknown\n"
    "type or key, an option of another mount type, a `/` target),\n"
    "a variable in `--from`, and an ADD `--checksum` on a local source or\n"
    "not of the form `sha256:` plus 64 hex digits for an HTTP source.\n"
    "\n"
    "## Why is this bad?\n"
    "BuildKit stops the build with an error for each of these, often only\n"
    "when it reaches the instruction, after the earlier steps ran.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN --mount=type=cache,target=/var/cache/apk,sharing=exclusive apk add curl\n"
    "HEALTHCHECK --interval=30 CMD wget -q -O- http://localhost/\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM alpine:3.20\n"
    "RUN --mount=type=cache,target=/var/cache/apk,sharing=locked apk add curl\n"
    "HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/\n"
    "```\n";

enum flag_type {
    FT_BOOL,   /* --x, --x=true, --x=false */
    FT_STRING, /* --x=value, once */
    FT_MULTI,  /* --x=value, repeatable */
};

enum flag_check {
    FC_NONE,
    FC_CHMOD,
    FC_DURATION,
    FC_RETRIES,
    FC_NETWORK,
    FC_SECURITY,
    FC_MOUNT,
    FC_FROM,
    FC_CHECKSUM,
};

struct flag_def {
    const char *name;
    enum flag_type type;
    enum flag_check check;
};

/* BuildKit's flags per instruction (dockerfile.md sections 5 and 9). */
static const struct flag_def from_flags[] = {
    { "platform", FT_STRING, FC_NONE },
    { NULL, FT_STRING, FC_NONE },
};
static const struct flag_def run_flags[] = {
    { "mount", FT_MULTI, FC_MOUNT },        { "network", FT_STRING, FC_NETWORK },
    { "security", FT_STRING, FC_SECURITY }, { "device", FT_MULTI, FC_NONE },
    { NULL, FT_STRING, FC_NONE },
};
static const struct flag_def add_flags[] = {
    { "chown", FT_STRING, FC_NONE },        { "chmod", FT_STRING, FC_CHMOD },
    { "link", FT_BOOL, FC_NONE },           { "keep-git-dir", FT_BOOL, FC_NONE },
    { "checksum", FT_STRING, FC_CHECKSUM }, { "unpack", FT_BOOL, FC_NONE },
    { "exclude", FT_MULTI, FC_NONE },       { NULL, FT_STRING, FC_NONE },
};
static const struct flag_def copy_flags[] = {
    { "from", FT_STRING, FC_FROM },   { "chown", FT_STRING, FC_NONE },
    { "chmod", FT_STRING, FC_CHMOD }, { "link", FT_BOOL, FC_NONE },
    { "parents", FT_BOOL, FC_NONE },  { "exclude", FT_MULTI, FC_NONE },
    { NULL, FT_STRING, FC_NONE },
};
static const struct flag_def healthcheck_flags[] = {
    { "interval", FT_STRING, FC_DURATION },     { "timeout", FT_STRING, FC_DURATION },
    { "start-period", FT_STRING, FC_DURATION }, { "start-interval", FT_STRING, FC_DURATION },
    { "retries", FT_STRING, FC_RETRIES },       { NULL, FT_STRING, FC_NONE },
};

static const struct flag_def *flags_of(const struct df_instr *in)
{
    switch (in->kind) {
    case DF_FROM: return from_flags;
    case DF_RUN: return run_flags;
    case DF_ADD: return add_flags;
    case DF_COPY: return copy_flags;
    case DF_HEALTHCHECK:
        /* `HEALTHCHECK NONE` never parses its flags (DW003 reports them),
         * and a bare HEALTHCHECK fails before it would. */
        if (!in->n_args || str_eq_nocase(in->args[0].raw, STR_LIT("NONE")))
            return NULL;
        return healthcheck_flags;
    default: return NULL;
    }
}

static const struct flag_def *find_def(const struct flag_def *defs, struct str name)
{
    for (size_t i = 0; defs[i].name; i++)
        if (str_eq_cstr(name, defs[i].name))
            return &defs[i];
    return NULL;
}

/* ------------------------------------------------------------ small helpers */

/* A flag word's value as BuildKit reads it: quotes group and are removed,
 * the escape character keeps the next character (dockerfile.md section 5). */
static struct str unquote(struct rule_ctx *ctx, struct str s, int escape)
{
    bool plain = true;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] == '\'' || s.ptr[i] == '"' || s.ptr[i] == escape)
            plain = false;
    if (plain)
        return s;
    char *out = rule_alloc(ctx, s.len + 1);
    size_t n = 0;
    char quote = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else
                out[n++] = c;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == escape) {
            if (i + 1 < s.len)
                out[n++] = s.ptr[++i];
        } else {
            out[n++] = c;
        }
    }
    out[n] = '\0';
    return str_make(out, n);
}

static bool has_variable(struct str s)
{
    return memchr(s.ptr ? s.ptr : "", '$', s.len) != NULL;
}

static bool all_in(struct str s, const char *set)
{
    for (size_t i = 0; i < s.len; i++)
        if (!strchr(set, s.ptr[i]) || !s.ptr[i])
            return false;
    return true;
}

/* Go's strconv.ParseBool. */
static bool go_bool(struct str s)
{
    static const char *const ok[] = { "1", "t", "T", "TRUE",  "true",  "True",
                                      "0", "f", "F", "FALSE", "false", "False" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (str_eq_cstr(s, ok[i]))
            return true;
    return false;
}

/* strconv.ParseUint(s, base, 32) succeeds (base 8 or 10). */
static bool parse_uint32(struct str s, unsigned base, unsigned long long *out)
{
    if (!s.len)
        return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned)(s.ptr[i] - '0');
        if (s.ptr[i] < '0' || d >= base)
            return false;
        v = v * base + d;
        if (v > 0xFFFFFFFFull)
            return false;
    }
    *out = v;
    return true;
}

/* `/`, `//`, `/.`, `/a/..`: a path that cleans to the root. */
static bool is_root(struct str s)
{
    if (!s.len || s.ptr[0] != '/')
        return false;
    int depth = 0;
    size_t i = 0;
    while (i < s.len) {
        while (i < s.len && s.ptr[i] == '/')
            i++;
        size_t b = i;
        while (i < s.len && s.ptr[i] != '/')
            i++;
        struct str seg = str_make(s.ptr + b, i - b);
        if (!seg.len || str_eq_cstr(seg, "."))
            continue;
        if (str_eq_cstr(seg, ".."))
            depth = depth > 0 ? depth - 1 : 0;
        else
            depth++;
    }
    return depth == 0;
}

static struct str lower(struct rule_ctx *ctx, struct str s)
{
    char *out = rule_alloc(ctx, s.len + 1);
    for (size_t i = 0; i < s.len; i++)
        out[i] = (char)tolower((unsigned char)s.ptr[i]);
    out[s.len] = '\0';
    return str_make(out, s.len);
}

/* "--name" of a flag: from its dashes to the end of its name. */
static struct span flag_word(const struct df_flag *fl)
{
    uint32_t end = fl->name.span.end > fl->span.start ? fl->name.span.end : fl->span.end;
    return span_make(fl->span.start, end);
}

/* Where a value problem points: the value, or the flag when it is empty. */
static struct span value_span(const struct df_flag *fl)
{
    return span_len(fl->value.span) ? fl->value.span : fl->span;
}

/* ------------------------------------------------------------------- chmod */

/* Symbolic modes: clauses `[ugoa]*([-+=]([rwxXst]*|[ugo]))+` joined by
 * commas (`u=rwX,go=rX`, `+x`, `a-w`). */
static bool chmod_symbolic(struct str s)
{
    size_t i = 0;
    for (;;) {
        while (i < s.len && strchr("ugoa", s.ptr[i]))
            i++;
        if (i >= s.len || !strchr("+-=", s.ptr[i]))
            return false;
        while (i < s.len && strchr("+-=", s.ptr[i])) {
            i++;
            if (i < s.len && strchr("ugo", s.ptr[i]))
                i++;
            else
                while (i < s.len && strchr("rwxXst", s.ptr[i]))
                    i++;
        }
        if (i == s.len)
            return true;
        if (s.ptr[i] != ',')
            return false;
        i++;
    }
}

static void check_chmod(struct rule_ctx *ctx, const struct df_flag *fl, struct str v)
{
    if (!v.len || has_variable(v))
        return;
    unsigned long long mode;
    if (parse_uint32(v, 8, &mode) && mode <= 07777)
        return;
    if (!all_in(v, "0123456789") && chmod_symbolic(v))
        return;
    rule_report(ctx, value_span(fl),
                "invalid chmod parameter: '%.*s'. it should be octal string and between 0 and "
                "07777, or symbolic such as u+x or go=rX",
                STR_FMT(v));
}

/* ---------------------------------------------------------------- duration */

/* Go's time.ParseDuration. Returns NULL and the duration in nanoseconds
 * (as a double: only its sign and size against 1ms matter), or the error
 * in Go's words. */
static const char *go_duration(struct rule_ctx *ctx, struct str s, double *ns)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {
        { "ns", 1 },   { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
        { "ms", 1e6 }, { "s", 1e9 },  { "m", 60e9 },        { "h", 3600e9 },
    };
    size_t i = 0;
    bool neg = false;
    *ns = 0;
    if (i < s.len && (s.ptr[i] == '-' || s.ptr[i] == '+'))
        neg = s.ptr[i++] == '-';
    if (s.len - i == 1 && s.ptr[i] == '0')
        return NULL;
    if (i == s.len)
        return rule_printf(ctx, "time: invalid duration \"%.*s\"", STR_FMT(s));
    while (i < s.len) {
        double v = 0, scale = 1;
        bool digits = false;
        while (i < s.len && isdigit((unsigned char)s.ptr[i])) {
            v = v * 10 + (s.ptr[i++] - '0');
            digits = true;
        }
        if (i < s.len && s.ptr[i] == '.') {
            i++;
            while (i < s.len && isdigit((unsigned char)s.ptr[i])) {
                scale /= 10;
                v += (s.ptr[i++] - '0') * scale;
                digits = true;
            }
        }
        if (!digits)
            return rule_printf(ctx, "time: invalid duration \"%.*s\"", STR_FMT(s));
        size_t u = i;
        while (i < s.len && s.ptr[i] != '.' && !isdigit((unsigned char)s.ptr[i]))
            i++;
        if (u == i)
            return rule_printf(ctx, "time: missing unit in duration \"%.*s\"", STR_FMT(s));
        struct str unit = str_make(s.ptr + u, i - u);
        double mul = 0;
        for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
            if (str_eq_cstr(unit, units[k].unit))
                mul = units[k].ns;
        if (!mul)
            return rule_printf(ctx, "time: unknown unit \"%.*s\" in duration \"%.*s\"",
                               STR_FMT(unit), STR_FMT(s));
        *ns += v * mul;
    }
    if (neg)
        *ns = -*ns;
    return NULL;
}

static void check_duration(struct rule_ctx *ctx, const struct df_flag *fl, struct str v)
{
    /* Empty means the default (BuildKit's parseOptInterval). */
    if (!v.len)
        return;
    double ns;
    const char *err = go_duration(ctx, v, &ns);
    if (err) {
        rule_report(ctx, value_span(fl), "invalid --%.*s value '%.*s': %s", STR_FMT(fl->name.raw),
                    STR_FMT(v), err);
        return;
    }
    if (ns != 0 && ns < 1e6)
        rule_report(ctx, value_span(fl),
                    "--%.*s=%.*s is shorter than the minimum: Interval \"%.*s\" cannot be less "
                    "than 1ms",
                    STR_FMT(fl->name.raw), STR_FMT(v), STR_FMT(fl->name.raw));
}

static void check_retries(struct rule_ctx *ctx, const struct df_flag *fl, struct str v)
{
    if (!v.len)
        return;
    size_t i = v.ptr[0] == '-' || v.ptr[0] == '+' ? 1 : 0;
    unsigned long long n;
    if (i == v.len || !parse_uint32(str_make(v.ptr + i, v.len - i), 10, &n) ||
        n > (v.ptr[0] == '-' ? 0x80000000ull : 0x7FFFFFFFull)) {
        rule_report(ctx, value_span(fl), "invalid --retries value '%.*s': not an integer",
                    STR_FMT(v));
        return;
    }
    if (v.ptr[0] == '-' && n > 0)
        rule_report(ctx, value_span(fl), "--retries cannot be negative (%.*s)", STR_FMT(v));
}

/* ------------------------------------------------------------------- mount */

/* units.RAMInBytes: digits[.digits] [blank] [kmgtp][i][b], any case. */
static bool ram_size(struct str s)
{
    size_t i = 0;
    if (i >= s.len || !isdigit((unsigned char)s.ptr[i]))
        return false;
    while (i < s.len && isdigit((unsigned char)s.ptr[i]))
        i++;
    while (i + 1 < s.len && s.ptr[i] == '.' && isdigit((unsigned char)s.ptr[i + 1])) {
        i++;
        while (i < s.len && isdigit((unsigned char)s.ptr[i]))
            i++;
    }
    if (i < s.len && s.ptr[i] == ' ')
        i++;
    if (i < s.len && strchr("kKmMgGtTpP", s.ptr[i]))
        i++;
    if (i < s.len && (s.ptr[i] == 'i' || s.ptr[i] == 'I'))
        i++;
    if (i < s.len && (s.ptr[i] == 'b' || s.ptr[i] == 'B'))
        i++;
    return i == s.len;
}

/* A mount option's value without the CSV quotes around it. */
static struct str csv_value(struct str v)
{
    if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"')
        return str_make(v.ptr + 1, v.len - 2);
    return v;
}

struct mount_state {
    const char *type; /* NULL when a variable decides it */
    const struct df_mount_opt *from, *source, *target, *id, *sharing, *mode, *uid, *gid;
};

static bool type_is(const struct mount_state *st, const char *t)
{
    return st->type && !strcmp(st->type, t);
}

static void mount_key(struct rule_ctx *ctx, struct mount_state *st, const struct df_mount_opt *o)
{
    struct str key = lower(ctx, o->key.raw);
    struct span kspan = o->key.span;
    if (!o->value.raw.ptr) {
        if (str_eq_cstr(key, "ro") || str_eq_cstr(key, "readonly") || str_eq_cstr(key, "rw") ||
            str_eq_cstr(key, "readwrite"))
            return;
        if (str_eq_cstr(key, "required")) {
            if (st->type && !type_is(st, "secret") && !type_is(st, "ssh"))
                rule_report(ctx, kspan, "unexpected key 'required' for mount type '%s'", st->type);
            return;
        }
        rule_report(ctx, kspan, "invalid field '%.*s' must be a key=value pair",
                    STR_FMT(o->key.raw));
        return;
    }
    struct str v = csv_value(o->value.raw);
    bool var = has_variable(v);
    struct span vspan = span_len(o->value.span) ? o->value.span : kspan;
    if (str_eq_cstr(key, "type")) {
        static const char *const types[] = { "bind", "cache", "tmpfs", "secret", "ssh" };
        st->type = NULL;
        if (var)
            return;
        struct str t = lower(ctx, v);
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (str_eq_cstr(t, types[i]))
                st->type = types[i];
        if (!st->type)
            rule_report(ctx, vspan,
                        "unsupported mount type \"%.*s\" (bind, cache, tmpfs, secret or ssh)",
                        STR_FMT(v));
    } else if (str_eq_cstr(key, "from")) {
        st->from = o;
        if (var)
            rule_report(ctx, vspan,
                        "'from' doesn't support variable expansion, define alias stage instead");
    } else if (str_eq_cstr(key, "source") || str_eq_cstr(key, "src")) {
        st->source = o;
    } else if (str_eq_cstr(key, "target") || str_eq_cstr(key, "dst") ||
               str_eq_cstr(key, "destination")) {
        st->target = o;
        if (!var && is_root(v))
            rule_report(ctx, vspan, "invalid mount target \"%.*s\": a mount cannot cover /",
                        STR_FMT(v));
    } else if (str_eq_cstr(key, "ro") || str_eq_cstr(key, "readonly") || str_eq_cstr(key, "rw") ||
               str_eq_cstr(key, "readwrite")) {
        if (!var && !go_bool(v))
            rule_report(ctx, vspan, "invalid value '%.*s' for %.*s: expected a boolean", STR_FMT(v),
                        STR_FMT(o->key.raw));
    } else if (str_eq_cstr(key, "required")) {
        if (st->type && !type_is(st, "secret") && !type_is(st, "ssh"))
            rule_report(ctx, kspan, "unexpected key 'required' for mount type '%s'", st->type);
        else if (!var && !go_bool(v))
            rule_report(ctx, vspan, "invalid value '%.*s' for required: expected a boolean",
                        STR_FMT(v));
    } else if (str_eq_cstr(key, "size")) {
        if (st->type && !type_is(st, "tmpfs"))
            rule_report(ctx, kspan, "unexpected key 'size' for mount type '%s'", st->type);
        else if (!var && !ram_size(v))
            rule_report(ctx, vspan, "invalid size '%.*s' for a tmpfs mount (64m, 1g, 512k)",
                        STR_FMT(v));
    } else if (str_eq_cstr(key, "id")) {
        st->id = o;
    } else if (str_eq_cstr(key, "sharing")) {
        st->sharing = o;
        struct str s = lower(ctx, v);
        if (!var && !str_eq_cstr(s, "shared") && !str_eq_cstr(s, "private") &&
            !str_eq_cstr(s, "locked"))
            rule_report(ctx, vspan,
                        "unsupported sharing value \"%.*s\" (shared, private or locked)",
                        STR_FMT(v));
    } else if (str_eq_cstr(key, "mode") || str_eq_cstr(key, "uid") || str_eq_cstr(key, "gid")) {
        bool mode = str_eq_cstr(key, "mode");
        if (mode)
            st->mode = o;
        else if (str_eq_cstr(key, "uid"))
            st->uid = o;
        else
            st->gid = o;
        unsigned long long n;
        if (!var && !parse_uint32(v, mode ? 8 : 10, &n))
            rule_report(ctx, vspan, "invalid value %.*s for %.*s: expected %s", STR_FMT(v),
                        STR_FMT(key), mode ? "an octal mode" : "a decimal number");
    } else if (!str_eq_cstr(key, "env")) {
        rule_report(ctx, kspan, "unexpected key '%.*s' in '%.*s=%.*s'", STR_FMT(o->key.raw),
                    STR_FMT(o->key.raw), STR_FMT(o->value.raw));
    }
}

static void check_mount(struct rule_ctx *ctx, const struct df_flag *fl, struct str v)
{
    if (!v.len) {
        rule_report(ctx, flag_word(fl), "--mount= has no options (type=cache,target=/path)");
        return;
    }
    if (!fl->n_mount)
        return;
    struct mount_state st;
    memset(&st, 0, sizeof st);
    st.type = "bind"; /* BuildKit's default, and the type checks run in field order */
    for (uint32_t i = 0; i < fl->n_mount; i++)
        mount_key(ctx, &st, &fl->mount[i]);
    if (!st.type)
        return;
    const struct df_mount_opt *info[] = { st.mode, st.uid, st.gid };
    const char *info_name[] = { "mode", "uid", "gid" };
    if (!type_is(&st, "cache") && !type_is(&st, "secret") && !type_is(&st, "ssh"))
        for (size_t i = 0; i < 3; i++)
            if (info[i])
                rule_report(ctx, info[i]->key.span, "%s not allowed for \"%s\" type mounts",
                            info_name[i], st.type);
    if (st.sharing && !type_is(&st, "cache"))
        rule_report(ctx, st.sharing->key.span, "invalid cache sharing set for %s mount", st.type);
    if (type_is(&st, "secret")) {
        if (st.from)
            rule_report(ctx, st.from->key.span, "secret mount should not have a from");
        if (!st.source && !st.target && !st.id)
            rule_report(ctx, flag_word(fl),
                        "secret mount needs an id, a source or a target: one of source, target "
                        "required");
        if (st.source && st.id)
            rule_report(ctx, st.id->key.span, "both source and id can't be set on a secret mount");
    } else if (type_is(&st, "ssh")) {
        if (st.source)
            rule_report(ctx, st.source->key.span, "an ssh mount takes no source");
    }
    /* No target is fine for the other types: the mount goes on the
     * working directory (moby's own Dockerfile relies on it). */
}

/* ---------------------------------------------------------------- checksum */

static bool is_http(struct str s)
{
    return str_starts_with(s, STR_LIT("http://")) || str_starts_with(s, STR_LIT("https://"));
}

/* Git sources of ADD: git@host:repo, git:// and ssh:// URLs, and HTTP(S)
 * URLs whose path ends in .git. */
static bool is_git(struct str s)
{
    if (str_starts_with(s, STR_LIT("git@")) || str_starts_with(s, STR_LIT("git://")) ||
        str_starts_with(s, STR_LIT("ssh://")))
        return true;
    if (!is_http(s))
        return false;
    size_t end = 0;
    while (end < s.len && s.ptr[end] != '#' && s.ptr[end] != '?')
        end++;
    return str_ends_with(str_make(s.ptr, end), STR_LIT(".git"));
}

static bool sha256_digest(struct str v)
{
    if (v.len != 7 + 64 || !str_starts_with(v, STR_LIT("sha256:")))
        return false;
    return all_in(str_make(v.ptr + 7, 64), "0123456789abcdef");
}

static void check_checksum(struct rule_ctx *ctx, const struct df_instr *in,
                           const struct df_flag *fl, struct str v)
{
    const struct df_text *words = in->form == DF_FORM_EXEC ? in->exec : in->args;
    uint32_t n = in->form == DF_FORM_EXEC ? in->n_exec : in->n_args;
    if (n < 2)
        return; /* no destination: DW012 */
    if (n > 2) {
        rule_report(ctx, flag_word(fl), "--checksum needs exactly one source, not %u", n - 1);
        return;
    }
    struct str src = words[0].raw;
    if (has_variable(src))
        return;
    if (!is_http(src) && !is_git(src)) {
        rule_report(ctx, flag_word(fl),
                    "--checksum needs an HTTP(S) or git source: '%.*s' is a local path",
                    STR_FMT(src));
        return;
    }
    if (is_http(src) && !is_git(src) && !has_variable(v) && !sha256_digest(v))
        rule_report(ctx, value_span(fl),
                    "invalid --checksum '%.*s' for an HTTP source: expected sha256: and 64 "
                    "lowercase hex digits",
                    STR_FMT(v));
}

/* ------------------------------------------------------------------- check */

static void check_value(struct rule_ctx *ctx, const struct df_instr *in, const struct df_flag *fl,
                        const struct flag_def *def, struct str v)
{
    switch (def->check) {
    case FC_NONE: break;
    case FC_CHMOD: check_chmod(ctx, fl, v); break;
    case FC_DURATION: check_duration(ctx, fl, v); break;
    case FC_RETRIES: check_retries(ctx, fl, v); break;
    case FC_NETWORK:
        /* Not expanded: a variable stays text and fails too. */
        if (!str_eq_cstr(v, "default") && !str_eq_cstr(v, "none") && !str_eq_cstr(v, "host"))
            rule_report(ctx, value_span(fl),
                        "invalid network mode \"%.*s\" (default, none or host)", STR_FMT(v));
        break;
    case FC_SECURITY:
        if (!str_eq_cstr(v, "sandbox") && !str_eq_cstr(v, "insecure"))
            rule_report(ctx, value_span(fl), "security \"%.*s\" is not valid (sandbox or insecure)",
                        STR_FMT(v));
        break;
    case FC_MOUNT: check_mount(ctx, fl, v); break;
    case FC_FROM:
        if (has_variable(v))
            rule_report(ctx, value_span(fl),
                        "variable expansion is not supported for --from, define a new stage "
                        "with FROM using ARG from global scope as a workaround");
        break;
    case FC_CHECKSUM: check_checksum(ctx, in, fl, v); break;
    }
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    if (in->has_syntax_error || !in->n_flags)
        return;
    const struct flag_def *defs = flags_of(in);
    if (!defs)
        return;
    int escape = rule_model(ctx)->escape;
    unsigned seen = 0;
    for (uint32_t i = 0; i < in->n_flags; i++) {
        const struct df_flag *fl = &in->flags[i];
        const struct flag_def *def = find_def(defs, fl->name.raw);
        if (!def)
            continue;
        if (def->type != FT_MULTI) {
            /* Tables hold at most 8 flags: one bit each. */
            unsigned bit = 1u << (unsigned)(def - defs);
            if (seen & bit) {
                rule_report(ctx, flag_word(fl), "duplicate flag specified: --%s", def->name);
                continue;
            }
            seen |= bit;
        }
        bool has_value = fl->value.raw.ptr != NULL;
        struct str v = has_value ? unquote(ctx, fl->value.raw, escape) : STR_LIT("");
        if (def->type == FT_BOOL) {
            if (has_value && !fl->value.raw.len)
                rule_report(ctx, flag_word(fl), "missing a value on flag: --%s (true or false)",
                            def->name);
            else if (has_value && !str_eq_nocase(v, STR_LIT("true")) &&
                     !str_eq_nocase(v, STR_LIT("false")))
                rule_report(ctx, value_span(fl), "expecting boolean value for flag --%s, not: %.*s",
                            def->name, STR_FMT(v));
            continue;
        }
        if (!has_value) {
            rule_report(ctx, flag_word(fl), "missing a value on flag: --%s (write --%s=value)",
                        def->name, def->name);
            continue;
        }
        check_value(ctx, in, fl, def, v);
    }
}

const struct rule rule_DW004 = {
    .id = "DW004",
    .name = "invalid-flag-value",
    .severity = SEV_ERROR,
    .category = CAT_SYNTAX,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "a flag has a value BuildKit rejects",
    .on = DF_ON(DF_FROM) | DF_ON(DF_RUN) | DF_ON(DF_ADD) | DF_ON(DF_COPY) | DF_ON(DF_HEALTHCHECK),
    .on_triggers = true,
    .check = check,
    .doc = doc,
};
