/* Commands as run: wrappers (rules.md "Shell analysis": the wrapper and the
 * command it starts both count as run), `sh -c` detection, and the flag
 * queries over a command's argv. */
#include "analyzer/shell.h"

#include "analyzer/shell_int.h"
#include "common/arena.h"
#include "common/compiler.h"

#include <string.h>

/* ------------------------------------------------------------- arguments */

static bool in_list(const char *const *list, struct str name)
{
    /* The lists are long (rpm has 23 names): the first byte rules out most
     * before a length is taken. */
    char first = name.len ? name.ptr[0] : '\0';
    for (; list && *list; list++)
        if ((*list)[0] == first && str_eq_cstr(name, *list))
            return true;
    return false;
}

static bool short_takes_value(const struct sh_flag_spec *spec, char c)
{
    return spec && spec->short_values && c != '\0' && strchr(spec->short_values, c);
}

void sh_arg_iter_init(struct sh_arg_iter *it, const struct sh_call *c, uint32_t from,
                      const struct sh_flag_spec *spec)
{
    it->call = c;
    it->spec = spec;
    it->i = from;
    it->flags_done = false;
}

bool sh_arg_next_flag(struct sh_arg_iter *it, struct sh_arg *out)
{
    const struct sh_call *c = it->call;
    uint32_t i = it->i;
    struct str v = c->argv[i].value;
    it->i = i + 1;
    *out = (struct sh_arg){ .index = i, .value_index = i };
    if (v.ptr[1] == '-') {
        if (v.len == 2) {
            out->kind = SH_ARG_END;
            it->flags_done = true;
            return true;
        }
        out->kind = SH_ARG_LONG;
        const char *eq = memchr(v.ptr + 2, '=', v.len - 2);
        if (eq) {
            out->name = str_make(v.ptr + 2, (size_t)(eq - v.ptr) - 2);
            out->has_value = true;
            out->value = str_make(eq + 1, v.len - (size_t)(eq + 1 - v.ptr));
        } else {
            out->name = str_make(v.ptr + 2, v.len - 2);
            if (it->spec && in_list(it->spec->long_values, out->name) && i + 1 < c->argc) {
                out->has_value = true;
                out->value = c->argv[i + 1].value;
                out->value_index = i + 1;
                it->i = i + 2;
            }
        }
        return true;
    }
    out->kind = SH_ARG_SHORT;
    out->name = str_make(v.ptr + 1, v.len - 1);
    for (size_t k = 1; k < v.len; k++) {
        if (!short_takes_value(it->spec, v.ptr[k]))
            continue;
        out->name = str_make(v.ptr + 1, k);
        if (k + 1 < v.len) {
            out->has_value = true;
            out->value = str_make(v.ptr + k + 1, v.len - k - 1);
        } else if (i + 1 < c->argc) {
            out->has_value = true;
            out->value = c->argv[i + 1].value;
            out->value_index = i + 1;
            it->i = i + 2;
        }
        break;
    }
    return true;
}

bool sh_call_find_flag(const struct sh_call *c, char short_flag, const char *long_name,
                       const struct sh_flag_spec *spec, struct sh_arg *out)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, spec);
    while (sh_arg_next(&it, &a)) {
        if (a.kind == SH_ARG_LONG && long_name && str_eq_cstr(a.name, long_name)) {
            if (out)
                *out = a;
            return true;
        }
        if (a.kind != SH_ARG_SHORT || short_flag == '\0' ||
            !memchr(a.name.ptr, short_flag, a.name.len))
            continue;
        if (out) {
            *out = a;
            /* Only the last letter of a cluster takes the value. */
            if (a.name.ptr[a.name.len - 1] != short_flag) {
                out->has_value = false;
                out->value = str_make(a.name.ptr, 0);
                out->value_index = a.index;
            }
        }
        return true;
    }
    return false;
}

bool sh_call_has_short(const struct sh_call *c, char flag, const struct sh_flag_spec *spec)
{
    return sh_call_find_flag(c, flag, NULL, spec, NULL);
}

bool sh_call_has_long(const struct sh_call *c, const char *name, const struct sh_flag_spec *spec)
{
    return sh_call_find_flag(c, '\0', name, spec, NULL);
}

const struct sh_word *sh_call_operand(const struct sh_call *c, uint32_t k,
                                      const struct sh_flag_spec *spec)
{
    struct sh_arg_iter it;
    struct sh_arg a;
    sh_arg_iter_init(&it, c, 1, spec);
    while (sh_arg_next(&it, &a))
        if (a.kind == SH_ARG_OPERAND && k-- == 0)
            return &c->argv[a.index];
    return NULL;
}

const struct sh_word **sh_call_operands(const struct sh_call *c, uint32_t k,
                                        const struct sh_flag_spec *spec, struct arena *a,
                                        uint32_t *n)
{
    struct sh_arg_iter it;
    struct sh_arg arg;
    const struct sh_word **out = NULL;
    uint32_t count = 0, seen = 0;
    sh_arg_iter_init(&it, c, 1, spec);
    while (sh_arg_next(&it, &arg)) {
        if (arg.kind != SH_ARG_OPERAND || seen++ < k)
            continue;
        if (!out)
            out = arena_alloc(a, (size_t)c->argc * sizeof *out);
        out[count++] = &c->argv[arg.index];
    }
    *n = count;
    return out;
}

/* --------------------------------------------------------------- wrappers */

/* How a wrapper's own options look, so that the command it starts can be
 * found: the first word after its options (and, for env and sudo, after
 * NAME=value words; for timeout, after the duration). */
struct wrapper {
    const char *name;
    uint32_t len; /* of name */
    const char *short_values;
    const char *const *long_values;
    bool assigns;           /* NAME=value words may precede the command */
    uint32_t operands;      /* operands before the command (timeout DURATION) */
    const char *no_command; /* short flags with which nothing is run (command -v) */
};

static const char *const env_long[] = { "unset", "chdir", "split-string", NULL };
static const char *const sudo_long[] = {
    "user", "group", "host",       "prompt",     "chroot",          "chdir",
    "role", "type",  "other-user", "close-from", "command-timeout", NULL
};
static const char *const xargs_long[] = { "arg-file",  "delimiter",        "max-args", "max-procs",
                                          "max-chars", "process-slot-var", NULL };
static const char *const nice_long[] = { "adjustment", NULL };
static const char *const time_long[] = { "format", "output", NULL };
static const char *const timeout_long[] = { "signal", "kill-after", NULL };
static const char *const stdbuf_long[] = { "input", "output", "error", NULL };

/* Sorted by first byte: find_wrapper's cases give each letter's range. */
static const struct wrapper wrappers[] = {
    { "command", 7, NULL, NULL, false, 0, "vV" },
    { "env", 3, "uCS", env_long, true, 0, NULL },
    { "exec", 4, "a", NULL, false, 0, NULL },
    { "nice", 4, "n", nice_long, false, 0, NULL },
    { "nohup", 5, NULL, NULL, false, 0, NULL },
    { "stdbuf", 6, "ioe", stdbuf_long, false, 0, NULL },
    { "sudo", 4, "CDghpRrTtUu", sudo_long, true, 0, "lVvKe" },
    { "time", 4, "fo", time_long, false, 0, NULL },
    { "timeout", 7, "sk", timeout_long, false, 1, NULL },
    { "xargs", 5, "aEdILnPs", xargs_long, false, 0, NULL },
};

static const struct wrapper *find_wrapper(struct str name)
{
    /* Asked of every command: most names start with none of the first
     * bytes of the table's names, and the others are compared with the
     * one or two names of their letter (keep the cases in step with the
     * table). */
    if (!name.len)
        return NULL;
    size_t from, to;
    switch (name.ptr[0]) {
    case 'c': from = 0, to = 1; break;
    case 'e': from = 1, to = 3; break;
    case 'n': from = 3, to = 5; break;
    case 's': from = 5, to = 7; break;
    case 't': from = 7, to = 9; break;
    case 'x': from = 9, to = 10; break;
    default: return NULL;
    }
    for (size_t k = from; k < to; k++)
        if (name.len == wrappers[k].len && memcmp(name.ptr, wrappers[k].name, name.len) == 0)
            return &wrappers[k];
    return NULL;
}

/* The index of the command the wrapper at argv[at] starts, or 0 for none. */
static uint32_t wrapped_command(const struct sh_node *n, uint32_t at, const struct wrapper *w)
{
    uint32_t j = at + 1, operands = w->operands;
    while (j < n->argc) {
        struct str v = n->argv[j].value;
        if (str_eq_cstr(v, "--")) {
            j++;
            break;
        }
        if (v.len > 1 && v.ptr[0] == '-') {
            if (v.ptr[1] == '-') {
                struct str name = str_make(v.ptr + 2, v.len - 2);
                bool has_eq = memchr(name.ptr, '=', name.len) != NULL;
                j += !has_eq && in_list(w->long_values, name) ? 2 : 1;
                continue;
            }
            uint32_t step = 1;
            for (size_t k = 1; k < v.len; k++) {
                char c = v.ptr[k];
                if (w->no_command && c != '\0' && strchr(w->no_command, c))
                    return 0;
                if (w->short_values && c != '\0' && strchr(w->short_values, c)) {
                    step = k + 1 < v.len ? 1 : 2;
                    break;
                }
            }
            j += step;
            continue;
        }
        if (w->assigns && sh_int_assignment(v, NULL)) {
            j++;
            continue;
        }
        if (operands) {
            operands--;
            j++;
            continue;
        }
        break;
    }
    return j < n->argc ? j : 0;
}

struct str sh_int_unwrap(struct sh_node *n, struct arena *a)
{
    /* Most commands are no wrapper: they share one read-only list. */
    static const uint32_t first_only[1] = { 0 };
    if (n->argc == 0)
        return str_make("", 0);
    struct sh_call c0 = { n, n->argv, n->argc };
    struct str name = sh_call_name(&c0);
    if (!find_wrapper(name)) {
        n->runs = first_only;
        n->n_runs = 1;
        return name;
    }
    /* Each wrapper advances by at least one word, so argc bounds the runs. */
    uint32_t *runs = arena_alloc(a, (size_t)n->argc * sizeof *runs);
    uint32_t count = 0, at = 0;
    runs[count++] = 0;
    for (;;) {
        struct sh_call c = { n, n->argv + at, n->argc - at };
        name = sh_call_name(&c);
        const struct wrapper *w = find_wrapper(name);
        if (!w)
            break;
        uint32_t next = wrapped_command(n, at, w);
        if (next <= at)
            break;
        runs[count++] = next;
        at = next;
    }
    n->runs = runs;
    n->n_runs = count;
    return name;
}

/* ---------------------------------------------------------------- sh -c */

static bool is_shell(struct str name)
{
    static const char *const shells[] = {
        "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "posh"
    };
    /* Asked of every command: each of them has 2 to 4 bytes and ends in h. */
    if (name.len < 2 || name.len > 4 || name.ptr[name.len - 1] != 'h')
        return false;
    for (size_t k = 0; k < DW_ARRAY_LEN(shells); k++)
        if (str_eq_cstr(name, shells[k]))
            return true;
    return false;
}

int32_t sh_int_shell_c(const struct sh_node *n, struct str name, bool *pipefail)
{
    if (n->n_runs == 0)
        return -1;
    uint32_t at = n->runs[n->n_runs - 1];
    if (str_eq_cstr(name, "busybox") && at + 1 < n->argc && is_shell(n->argv[at + 1].value))
        at++;
    else if (!is_shell(name))
        return -1;
    bool has_c = false, pf = false;
    uint32_t j = at + 1;
    while (j < n->argc) {
        struct str v = n->argv[j].value;
        if (v.len < 2 || (v.ptr[0] != '-' && v.ptr[0] != '+'))
            break;
        if (str_eq_cstr(v, "--") || str_eq_cstr(v, "-")) {
            j++;
            break;
        }
        if (v.ptr[0] == '-' && v.ptr[1] == '-') {
            struct str o = str_make(v.ptr + 2, v.len - 2);
            j += str_eq_cstr(o, "rcfile") || str_eq_cstr(o, "init-file") ? 2 : 1;
            continue;
        }
        uint32_t opts = 0;
        for (size_t k = 1; k < v.len; k++) {
            if (v.ptr[k] == 'c')
                has_c = true;
            else if (v.ptr[k] == 'o' || v.ptr[k] == 'O')
                opts++;
        }
        j++;
        /* Each o takes the next word as an option name: -euxo pipefail. */
        for (; opts && j < n->argc; opts--, j++)
            if (str_eq_cstr(n->argv[j].value, "pipefail"))
                pf = v.ptr[0] == '-';
    }
    if (!has_c || j >= n->argc)
        return -1;
    *pipefail = pf;
    return (int32_t)j;
}
