#include "builder/meta.h"

#include "common/buf.h"
#include "common/goquote.h"
#include "common/vec.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ----------------------------------------------------------- */

static const char **dup_list(struct arena *a, const char *const *v, size_t n)
{
    const char **out = ARENA_NEW_ARRAY(a, const char *, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        out[i] = arena_strdup(a, v[i] ? v[i] : "");
    return out;
}

/* Appends s to a string list, copying the array into the arena. */
static void strs_push(struct arena *a, struct bld_strs *s, const char *v)
{
    const char **items = ARENA_NEW_ARRAY(a, const char *, s->len + 1);
    if (s->len)
        memcpy(items, s->items, s->len * sizeof *items);
    items[s->len++] = arena_strdup(a, v);
    s->items = items;
    s->set = true;
}

static bool strs_has(const struct bld_strs *s, const char *v)
{
    for (size_t i = 0; i < s->len; i++)
        if (strcmp(s->items[i], v) == 0)
            return true;
    return false;
}

static void set_list(struct arena *a, struct bld_strs *s, const char *const *v, size_t n)
{
    s->items = dup_list(a, v, n);
    s->len = n;
    s->set = true;
}

/* Go's %v of a []string: "[a b c]". */
static const char *plain_list(struct arena *a, const char *const *v, size_t n)
{
    struct buf b = BUF_INIT;
    int rc = buf_append_char(&b, '[');
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = buf_append_char(&b, ' ');
        if (!rc)
            rc = buf_append_cstr(&b, v[i]);
    }
    if (!rc)
        rc = buf_append_char(&b, ']');
    const char *out = arena_strdup(a, rc ? "[]" : buf_cstr(&b));
    buf_release(&b);
    return out;
}

const char *bld_meta_quote_list(struct arena *a, const char *const *v, size_t n)
{
    struct buf b = BUF_INIT;
    int rc = buf_append_char(&b, '[');
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = buf_append_char(&b, ' ');
        if (!rc)
            rc = go_quote(&b, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
    }
    if (!rc)
        rc = buf_append_char(&b, ']');
    const char *out = arena_strdup(a, rc ? "[]" : buf_cstr(&b));
    buf_release(&b);
    return out;
}

/* Appends "<int>[.<frac>]" with frac digits of v / 10^prec, trailing
 * zeros trimmed, as Go's fmtFrac and fmtInt do. */
static int frac_num(struct buf *b, uint64_t v, int prec)
{
    uint64_t div = 1;
    for (int i = 0; i < prec; i++)
        div *= 10;
    uint64_t ip = v / div, fp = v % div;
    int rc = buf_printf(b, "%llu", (unsigned long long)ip);
    if (rc || fp == 0)
        return rc;
    char digits[24];
    size_t len = (size_t)prec;
    for (size_t i = len; i-- > 0; fp /= 10)
        digits[i] = (char)('0' + fp % 10);
    while (len > 0 && digits[len - 1] == '0')
        len--;
    digits[len] = '\0';
    return buf_printf(b, ".%s", digits);
}

const char *bld_meta_duration(struct arena *a, int64_t ns)
{
    if (ns == 0)
        return "0s";
    struct buf b = BUF_INIT;
    int rc = 0;
    uint64_t u = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
    if (ns < 0)
        rc = buf_append_char(&b, '-');
    if (u < 1000000000ull) {
        if (!rc && u < 1000ull)
            rc = buf_printf(&b, "%lluns", (unsigned long long)u);
        else if (!rc && u < 1000000ull)
            rc = frac_num(&b, u, 3) || buf_append_cstr(&b, "\xc2\xb5s");
        else if (!rc)
            rc = frac_num(&b, u, 6) || buf_append_cstr(&b, "ms");
    } else {
        uint64_t secs = u / 1000000000ull;
        uint64_t h = secs / 3600, m = (secs / 60) % 60;
        if (!rc && h)
            rc = buf_printf(&b, "%lluh", (unsigned long long)h);
        if (!rc && (h || m))
            rc = buf_printf(&b, "%llum", (unsigned long long)m);
        uint64_t srem = (secs % 60) * 1000000000ull + u % 1000000000ull;
        if (!rc)
            rc = frac_num(&b, srem, 9) || buf_append_char(&b, 's');
    }
    const char *out = arena_strdup(a, rc ? "0s" : buf_cstr(&b));
    buf_release(&b);
    return out;
}

/* ---- stage state --------------------------------------------------------- */

void bld_meta_begin(struct bld_meta *m, struct bld_image_config *config, struct arena *a,
                    const char *created, const char *const **triggers, size_t *n)
{
    m->config = config;
    m->arena = a;
    m->created = created;
    m->cmd_set = false;
    if (triggers) {
        *triggers = config->config.on_build.items;
        *n = config->config.on_build.len;
    }
    /* BuildKit runs the base's triggers and does not carry them on. */
    memset(&config->config.on_build, 0, sizeof config->config.on_build);
}

const char *bld_meta_time(int64_t epoch, struct arena *a)
{
    struct timespec ts;
    if (epoch >= 0) {
        ts.tv_sec = (time_t)epoch;
        ts.tv_nsec = 0;
    } else {
        clock_gettime(CLOCK_REALTIME, &ts);
    }
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[64];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    if (ts.tv_nsec == 0)
        return arena_printf(a, "%sZ", base);
    char frac[16];
    snprintf(frac, sizeof frac, "%09ld", ts.tv_nsec);
    size_t len = strlen(frac);
    while (len > 0 && frac[len - 1] == '0')
        frac[--len] = '\0';
    return arena_printf(a, "%s.%sZ", base, frac);
}

int bld_meta_parse_epoch(const char *value, int64_t *epoch, struct err *err)
{
    *epoch = -1;
    if (!value || !*value || strcmp(value, "context") == 0)
        return 0;
    const char *p = value + (*value == '+');
    if (!*p)
        return err_set(err, ERR_INVALID, "invalid SOURCE_DATE_EPOCH: %s", value);
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return err_set(err, ERR_INVALID, "invalid SOURCE_DATE_EPOCH: %s", value);
        v = v * 10 + (*p - '0');
    }
    *epoch = v;
    return 0;
}

void bld_meta_finish(struct bld_meta *m)
{
    m->config->created = m->created ? arena_strdup(m->arena, m->created) : NULL;
}

void bld_meta_history(struct bld_meta *m, const char *created_by, bool empty_layer)
{
    struct bld_image_config *c = m->config;
    struct bld_history *h = ARENA_NEW_ARRAY(m->arena, struct bld_history, c->n_history + 1);
    if (c->n_history)
        memcpy(h, c->history, c->n_history * sizeof *h);
    struct bld_history *e = &h[c->n_history];
    memset(e, 0, sizeof *e);
    e->created = m->created ? arena_strdup(m->arena, m->created) : NULL;
    e->created_by = arena_strdup(m->arena, created_by);
    e->comment = BLD_HISTORY_COMMENT;
    e->empty_layer = empty_layer;
    c->history = h;
    c->n_history++;
}

/* "ENV a=1 b=2" / "LABEL ..." / "ARG a b=2". */
static const char *kv_text(struct arena *a, const char *word, const struct bld_kv *kv, size_t n,
                           bool bare_keys)
{
    struct buf b = BUF_INIT;
    int rc = buf_append_cstr(&b, word);
    for (size_t i = 0; i < n && !rc; i++) {
        if (bare_keys && !kv[i].value)
            rc = buf_printf(&b, " %s", kv[i].key);
        else
            rc = buf_printf(&b, " %s=%s", kv[i].key, kv[i].value ? kv[i].value : "");
    }
    const char *out = arena_strdup(a, rc ? word : buf_cstr(&b));
    buf_release(&b);
    return out;
}

static int check_kv(const struct bld_kv *kv, size_t n, const char *what, struct err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!kv[i].key || !*kv[i].key)
            return err_set(err, ERR_INVALID, "%s names can not be blank", what);
    return 0;
}

/* ---- instructions ------------------------------------------------------ */

int bld_meta_env(struct bld_meta *m, const struct bld_kv *kv, size_t n, struct err *err)
{
    int rc = check_kv(kv, n, "ENV", err);
    if (rc)
        return rc;
    struct bld_strs *env = &m->config->config.env;
    for (size_t i = 0; i < n; i++) {
        const char *val = kv[i].value ? kv[i].value : "";
        const char *entry = arena_printf(m->arena, "%s=%s", kv[i].key, val);
        size_t klen = strlen(kv[i].key);
        bool replaced = false;
        /* BuildKit's addEnv: the first entry with the same key (compared
         * exactly on Linux) is replaced where it stands. */
        for (size_t j = 0; j < env->len && !replaced; j++) {
            const char *eq = strchr(env->items[j], '=');
            size_t el = eq ? (size_t)(eq - env->items[j]) : strlen(env->items[j]);
            if (el == klen && strncmp(env->items[j], kv[i].key, klen) == 0) {
                const char **items = dup_list(m->arena, env->items, env->len);
                items[j] = entry;
                env->items = items;
                replaced = true;
            }
        }
        if (!replaced)
            strs_push(m->arena, env, entry);
        env->set = true;
    }
    bld_meta_history(m, kv_text(m->arena, "ENV", kv, n, false), true);
    return 0;
}

static int cmp_label(const void *x, const void *y)
{
    return strcmp(((const struct bld_kv *)x)->key, ((const struct bld_kv *)y)->key);
}

int bld_meta_label(struct bld_meta *m, const struct bld_kv *kv, size_t n, struct err *err)
{
    int rc = check_kv(kv, n, "LABEL", err);
    if (rc)
        return rc;
    struct bld_container_config *cc = &m->config->config;
    struct bld_kv *labels = ARENA_NEW_ARRAY(m->arena, struct bld_kv, cc->n_labels + n + 1);
    size_t len = cc->n_labels;
    if (len)
        memcpy(labels, cc->labels, len * sizeof *labels);
    for (size_t i = 0; i < n; i++) {
        const char *val = arena_strdup(m->arena, kv[i].value ? kv[i].value : "");
        bool found = false;
        for (size_t j = 0; j < len && !found; j++) {
            if (strcmp(labels[j].key, kv[i].key) == 0) {
                labels[j].value = val;
                found = true;
            }
        }
        if (!found) {
            labels[len].key = arena_strdup(m->arena, kv[i].key);
            labels[len].value = val;
            len++;
        }
    }
    qsort(labels, len, sizeof *labels, cmp_label);
    cc->labels = labels;
    cc->n_labels = len;
    bld_meta_history(m, kv_text(m->arena, "LABEL", kv, n, false), true);
    return 0;
}

/* strconv.ParseUint(s, 10, 16). */
static bool parse_port(const char *s, size_t n, unsigned *out)
{
    if (n == 0)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > 65535)
            return false;
    }
    *out = (unsigned)v;
    return true;
}

/* parsePortRange: "80" or "8000-8010". */
static bool parse_range(const char *s, size_t n, unsigned *lo, unsigned *hi)
{
    const char *dash = memchr(s, '-', n);
    if (!dash) {
        if (!parse_port(s, n, lo))
            return false;
        *hi = *lo;
        return true;
    }
    const char *rest = dash + 1;
    size_t rn = n - (size_t)(rest - s);
    if (memchr(rest, '-', rn))
        return false;
    return parse_port(s, (size_t)(dash - s), lo) && parse_port(rest, rn, hi) && *hi >= *lo;
}

typedef VEC(const char *) str_vec;

/* What net.ParseIP would accept, closely enough: a dotted IPv4 address or
 * an IPv6 address (hex groups and colons, an IPv4 tail allowed). */
static bool looks_like_ip(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return false;
    if (strchr(s, ':')) {
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                  c == ':' || c == '.'))
                return false;
        }
        return true;
    }
    int parts = 0;
    for (const char *p = s; *p;) {
        unsigned v = 0;
        size_t digits = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (unsigned)(*p - '0');
            if (++digits > 3 || v > 255)
                return false;
            p++;
        }
        if (!digits)
            return false;
        parts++;
        if (*p == '.')
            p++;
        else if (*p)
            return false;
    }
    return parts == 4;
}

/* BuildKit's parsePortSpec: [ip:][hostPort:]containerPort[/proto] into
 * "port/proto" strings, one per port of a range. */
static int port_spec(struct bld_meta *m, const char *raw, str_vec *out, struct err *err)
{
    /* splitParts: the last two colon-separated parts are the ports, the
     * rest (IPv6 addresses have colons) the IP. */
    size_t ncolon = 0;
    for (const char *p = raw; *p; p++)
        ncolon += *p == ':';
    const char *ip = "", *host = "", *cont = raw;
    char *tmp = arena_strdup(m->arena, raw);
    if (ncolon >= 1) {
        char *last = strrchr(tmp, ':');
        *last = '\0';
        cont = last + 1;
        if (ncolon >= 2) {
            char *prev = strrchr(tmp, ':');
            *prev = '\0';
            host = prev + 1;
            ip = tmp;
        } else {
            host = tmp;
        }
    }
    /* splitProtoPort. */
    const char *slash = strchr(cont, '/');
    size_t plen = slash ? (size_t)(slash - cont) : strlen(cont);
    if (plen == 0)
        return err_set(err, ERR_INVALID, "no port specified: %s<empty>", cont);
    char proto[16] = "tcp";
    if (slash && slash[1]) {
        size_t n = strlen(slash + 1);
        char *lower = arena_strdup(m->arena, slash + 1);
        for (size_t i = 0; i < n; i++)
            if (lower[i] >= 'A' && lower[i] <= 'Z')
                lower[i] = (char)(lower[i] - 'A' + 'a');
        if (strcmp(lower, "tcp") != 0 && strcmp(lower, "udp") != 0 && strcmp(lower, "sctp") != 0)
            return err_set(err, ERR_INVALID, "invalid proto: %s", lower);
        snprintf(proto, sizeof proto, "%s", lower);
    }
    if (*ip) {
        const char *check = ip;
        if (ip[0] == '[') {
            size_t n = strlen(ip);
            if (n < 2 || ip[n - 1] != ']')
                return err_set(err, ERR_INVALID, "invalid IP address %s", ip);
            check = arena_strndup(m->arena, ip + 1, n - 2);
        }
        if (!looks_like_ip(check))
            return err_set(err, ERR_INVALID, "invalid IP address: %s", check);
    }
    unsigned lo, hi;
    const char *cport = arena_strndup(m->arena, cont, plen);
    if (!parse_range(cport, plen, &lo, &hi))
        return err_set(err, ERR_INVALID, "invalid containerPort: %s", cport);
    if (*host) {
        unsigned hlo, hhi;
        if (!parse_range(host, strlen(host), &hlo, &hhi))
            return err_set(err, ERR_INVALID, "invalid hostPort: %s", host);
        if (hi - lo != hhi - hlo && hi != lo)
            return err_set(err, ERR_INVALID,
                           "invalid ranges specified for container and host Ports: %s and %s",
                           cport, host);
    }
    for (unsigned p = lo;; p++) {
        VEC_PUSH(out, arena_printf(m->arena, "%u/%s", p, proto));
        if (p == hi)
            break;
    }
    return 0;
}

int bld_meta_expose(struct bld_meta *m, const char *const *ports, size_t n, struct err *err)
{
    str_vec ps = VEC_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = port_spec(m, ports[i] ? ports[i] : "", &ps, err);
    if (rc) {
        VEC_RELEASE(&ps);
        return rc;
    }
    struct bld_strs *ep = &m->config->config.exposed_ports;
    for (size_t i = 0; i < ps.len; i++)
        if (!strs_has(ep, ps.items[i]))
            strs_push(m->arena, ep, ps.items[i]);
    ep->set = true;
    const char *text = plain_list(m->arena, ps.items, ps.len);
    VEC_RELEASE(&ps);
    bld_meta_history(m, arena_printf(m->arena, "EXPOSE %s", text), true);
    return 0;
}

int bld_meta_user(struct bld_meta *m, const char *user, struct err *err)
{
    (void)err;
    m->config->config.user = arena_strdup(m->arena, user ? user : "");
    bld_meta_history(m, arena_printf(m->arena, "USER %s", user ? user : ""), true);
    return 0;
}

/* Go's path.Clean of an absolute path, in the arena. */
static const char *clean_abs(struct arena *a, const char *p)
{
    size_t n = strlen(p);
    char *out = arena_alloc(a, n + 2);
    size_t o = 0;
    out[o++] = '/';
    for (const char *s = p; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - s);
        if (len == 0 || (len == 1 && s[0] == '.')) {
            /* nothing */
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            if (o > 1)
                o--;
        } else {
            if (o > 1)
                out[o++] = '/';
            memcpy(out + o, s, len);
            o += len;
        }
        s = e;
    }
    out[o] = '\0';
    return out;
}

int bld_meta_workdir(struct bld_meta *m, const char *path, const char **resolved, bool *needs_layer,
                     struct err *err)
{
    if (!path || !*path)
        return err_set(err, ERR_INVALID, "WORKDIR requires exactly one argument");
    const char *cur = m->config->config.working_dir;
    const char *joined =
        path[0] == '/' ? path : arena_printf(m->arena, "/%s/%s", cur ? cur : "", path);
    const char *wd = clean_abs(m->arena, joined);
    m->config->config.working_dir = wd;
    bool layer = strcmp(wd, "/") != 0;
    bld_meta_history(m, arena_printf(m->arena, "WORKDIR %s", wd), !layer);
    if (resolved)
        *resolved = wd;
    if (needs_layer)
        *needs_layer = layer;
    return 0;
}

const char **bld_meta_with_shell(const struct bld_meta *m, const char *text, size_t *n)
{
    const struct bld_strs *sh = &m->config->config.shell;
    static const char *const def[] = { "/bin/sh", "-c" };
    const char *const *base = sh->len ? sh->items : def;
    size_t nb = sh->len ? sh->len : 2;
    const char **out = ARENA_NEW_ARRAY(m->arena, const char *, nb + 1);
    for (size_t i = 0; i < nb; i++)
        out[i] = arena_strdup(m->arena, base[i]);
    out[nb] = arena_strdup(m->arena, text ? text : "");
    *n = nb + 1;
    return out;
}

/* The argv CMD/ENTRYPOINT store: exec form as given, shell form with the
 * shell (BuildKit joins the words with spaces; shell form has one). */
static const char **command_args(struct bld_meta *m, const char *const *argv, size_t n,
                                 bool shell_form, size_t *out_n)
{
    if (!shell_form) {
        *out_n = n;
        return dup_list(m->arena, argv, n);
    }
    struct buf b = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = (i ? buf_append_char(&b, ' ') : 0) || buf_append_cstr(&b, argv[i] ? argv[i] : "");
    const char **out = bld_meta_with_shell(m, rc ? "" : buf_cstr(&b), out_n);
    buf_release(&b);
    return out;
}

int bld_meta_cmd(struct bld_meta *m, const char *const *argv, size_t n, bool shell_form,
                 struct err *err)
{
    (void)err;
    size_t k;
    const char **args = command_args(m, argv, n, shell_form, &k);
    set_list(m->arena, &m->config->config.cmd, args, k);
    m->cmd_set = true;
    bld_meta_history(m, arena_printf(m->arena, "CMD %s", bld_meta_quote_list(m->arena, args, k)),
                     true);
    return 0;
}

int bld_meta_entrypoint(struct bld_meta *m, const char *const *argv, size_t n, bool shell_form,
                        struct err *err)
{
    (void)err;
    size_t k;
    const char **args = command_args(m, argv, n, shell_form, &k);
    set_list(m->arena, &m->config->config.entrypoint, args, k);
    /* BuildKit: ENTRYPOINT drops an inherited CMD, not one this stage set
     * before it. */
    if (!m->cmd_set)
        memset(&m->config->config.cmd, 0, sizeof m->config->config.cmd);
    bld_meta_history(
        m, arena_printf(m->arena, "ENTRYPOINT %s", bld_meta_quote_list(m->arena, args, k)), true);
    return 0;
}

int bld_meta_healthcheck(struct bld_meta *m, const struct bld_healthcheck *hc, struct err *err)
{
    (void)err;
    struct bld_healthcheck *copy = ARENA_NEW(m->arena, struct bld_healthcheck);
    *copy = *hc;
    copy->test.items = dup_list(m->arena, hc->test.items, hc->test.len);
    copy->test.set = true;
    m->config->config.healthcheck = copy;
    struct arena *a = m->arena;
    /* Go's %+v of dockerspec.HealthcheckConfig. */
    const char *text = arena_printf(
        a,
        "HEALTHCHECK {Test:%s Interval:%s Timeout:%s StartPeriod:%s StartInterval:%s Retries:%lld}",
        plain_list(a, copy->test.items, copy->test.len), bld_meta_duration(a, hc->interval),
        bld_meta_duration(a, hc->timeout), bld_meta_duration(a, hc->start_period),
        bld_meta_duration(a, hc->start_interval), (long long)hc->retries);
    bld_meta_history(m, text, true);
    return 0;
}

int bld_meta_shell(struct bld_meta *m, const char *const *argv, size_t n, struct err *err)
{
    if (n == 0)
        return err_set(err, ERR_INVALID, "SHELL requires at least one argument");
    set_list(m->arena, &m->config->config.shell, argv, n);
    bld_meta_history(m, arena_printf(m->arena, "SHELL %s", plain_list(m->arena, argv, n)), true);
    return 0;
}

/* moby/sys/signal's SignalMap on Linux, without the SIG prefix. */
static const char *const signal_names[] = {
    "ABRT", "ALRM",   "BUS",  "CHLD",   "CLD",   "CONT", "FPE",  "HUP",   "ILL",
    "INT",  "IO",     "IOT",  "KILL",   "PIPE",  "POLL", "PROF", "PWR",   "QUIT",
    "SEGV", "STKFLT", "STOP", "SYS",    "TERM",  "TRAP", "TSTP", "TTIN",  "TTOU",
    "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
};

static bool known_signal(const char *upper)
{
    for (size_t i = 0; i < sizeof signal_names / sizeof *signal_names; i++)
        if (strcmp(upper, signal_names[i]) == 0)
            return true;
    /* RTMIN+1..RTMIN+15 and RTMAX-14..RTMAX-1. */
    const char *num = NULL;
    if (strncmp(upper, "RTMIN+", 6) == 0 || strncmp(upper, "RTMAX-", 6) == 0)
        num = upper + 6;
    if (!num || !*num || strlen(num) > 2)
        return false;
    int v = 0;
    for (const char *p = num; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    return num[0] != '0' && v >= 1 && v <= (upper[5] == '+' ? 15 : 14);
}

int bld_meta_stopsignal(struct bld_meta *m, const char *sig, struct err *err)
{
    const char *s = sig ? sig : "";
    /* strconv.Atoi first: any non-zero integer (sign allowed) is taken. */
    const char *d = s + (*s == '+' || *s == '-');
    bool numeric = *d != '\0' && strlen(d) <= 10;
    for (const char *p = d; *p && numeric; p++)
        numeric = *p >= '0' && *p <= '9';
    bool ok;
    if (numeric) {
        ok = strtol(s, NULL, 10) != 0;
    } else {
        char upper[32];
        size_t n = strlen(s);
        if (n >= sizeof upper) {
            ok = false;
        } else {
            for (size_t i = 0; i <= n; i++)
                upper[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
            const char *name = strncmp(upper, "SIG", 3) == 0 ? upper + 3 : upper;
            ok = known_signal(name);
        }
    }
    if (!ok)
        return err_set(err, ERR_INVALID, "invalid signal: %s", s);
    m->config->config.stop_signal = arena_strdup(m->arena, s);
    bld_meta_history(m, arena_printf(m->arena, "STOPSIGNAL %s", s), true);
    return 0;
}

int bld_meta_volume(struct bld_meta *m, const char *const *paths, size_t n, struct err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!paths[i] || !*paths[i])
            return err_set(err, ERR_INVALID, "VOLUME specified can not be an empty string");
    struct bld_strs *v = &m->config->config.volumes;
    for (size_t i = 0; i < n; i++)
        if (!strs_has(v, paths[i]))
            strs_push(m->arena, v, paths[i]);
    v->set = true;
    bld_meta_history(m, arena_printf(m->arena, "VOLUME %s", plain_list(m->arena, paths, n)), true);
    return 0;
}

int bld_meta_onbuild(struct bld_meta *m, const char *trigger, struct err *err)
{
    if (!trigger || !*trigger)
        return err_set(err, ERR_INVALID, "ONBUILD requires at least one argument");
    strs_push(m->arena, &m->config->config.on_build, trigger);
    return 0;
}

int bld_meta_maintainer(struct bld_meta *m, const char *text, struct err *err)
{
    (void)err;
    m->config->author = arena_strdup(m->arena, text ? text : "");
    bld_meta_history(m, arena_printf(m->arena, "MAINTAINER %s", text ? text : ""), true);
    return 0;
}

int bld_meta_arg(struct bld_meta *m, const struct bld_kv *kv, size_t n, struct err *err)
{
    int rc = check_kv(kv, n, "ARG", err);
    if (rc)
        return rc;
    bld_meta_history(m, kv_text(m->arena, "ARG", kv, n, true), true);
    return 0;
}

const char *bld_meta_run_text(struct arena *a, const char *const *argv, size_t n,
                              const struct bld_kv *args, size_t n_args)
{
    struct buf b = BUF_INIT;
    int rc = buf_append_cstr(&b, "RUN");
    /* BuildKit's runCommandString: "|N" and the build args, a repeated
     * name keeping its first position with the last value. */
    size_t uniq = 0;
    const char **keys = ARENA_NEW_ARRAY(a, const char *, n_args ? n_args : 1);
    const char **vals = ARENA_NEW_ARRAY(a, const char *, n_args ? n_args : 1);
    for (size_t i = 0; i < n_args; i++) {
        size_t j = 0;
        while (j < uniq && strcmp(keys[j], args[i].key) != 0)
            j++;
        keys[j] = args[i].key;
        vals[j] = args[i].value ? args[i].value : "";
        if (j == uniq)
            uniq++;
    }
    if (uniq && !rc)
        rc = buf_printf(&b, " |%zu", uniq);
    for (size_t i = 0; i < uniq && !rc; i++)
        rc = buf_printf(&b, " %s=%s", keys[i], vals[i]);
    for (size_t i = 0; i < n && !rc; i++)
        rc = buf_printf(&b, " %s", argv[i] ? argv[i] : "");
    if (!rc)
        rc = buf_append_cstr(&b, " # buildkit");
    const char *out = arena_strdup(a, rc ? "RUN # buildkit" : buf_cstr(&b));
    buf_release(&b);
    return out;
}

const char *bld_meta_copy_text(struct arena *a, bool add, bool parents, const char *chown,
                               const char *chmod, const char *const *srcs, size_t n_srcs,
                               const char *const *heredocs, size_t n_heredocs, const char *dest)
{
    struct buf b = BUF_INIT;
    int rc = buf_append_cstr(&b, add ? "ADD" : "COPY");
    if (parents && !rc)
        rc = buf_append_cstr(&b, " --parents");
    if (chown && *chown && !rc)
        rc = buf_printf(&b, " --chown=%s", chown);
    if (chmod && *chmod && !rc)
        rc = buf_printf(&b, " --chmod=%s", chmod);
    for (size_t i = 0; i < n_srcs && !rc; i++)
        rc = buf_printf(&b, " %s", srcs[i]);
    for (size_t i = 0; i < n_heredocs && !rc; i++)
        rc = buf_printf(&b, " <<%s", heredocs[i]);
    if (!rc)
        rc = buf_printf(&b, " %s # buildkit", dest ? dest : "");
    const char *out =
        arena_strdup(a, rc ? (add ? "ADD # buildkit" : "COPY # buildkit") : buf_cstr(&b));
    buf_release(&b);
    return out;
}
