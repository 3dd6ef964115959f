#include "passwd.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One line of a passwd or group file, split into at most 7 fields. */
struct fields {
    struct str f[7];
    size_t n;
};

/* Iterates over the lines of a file's text. */
struct line_iter {
    struct str text;
    size_t pos;
};

static bool next_line(struct line_iter *it, struct str *line)
{
    if (!it->text.ptr)
        return false;
    while (it->pos < it->text.len) {
        size_t start = it->pos;
        long nl = str_find_char(it->text, '\n', start);
        size_t end = nl < 0 ? it->text.len : (size_t)nl;
        it->pos = nl < 0 ? it->text.len : end + 1;
        struct str l = str_trim(str_slice(it->text, start, end));
        if (l.len == 0 || l.ptr[0] == '#')
            continue;
        *line = l;
        return true;
    }
    return false;
}

static void split_fields(struct str line, struct fields *out)
{
    out->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= line.len && out->n < DW_ARRAY_LEN(out->f); i++) {
        if (i == line.len || line.ptr[i] == ':') {
            out->f[out->n++] = str_slice(line, start, i);
            start = i + 1;
        }
    }
}

/* Parses a decimal id in [0, BLD_USER_ID_MAX]. Returns 1 when s is such a
 * number, 0 when s is not all digits, -1 when it is out of range. */
static int parse_id(struct str s, uint32_t *out)
{
    if (s.len == 0)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
        if (v > BLD_USER_ID_MAX) {
            /* Keep scanning: "12a" with a huge prefix is a name, not a range error. */
            for (size_t j = i + 1; j < s.len; j++)
                if (s.ptr[j] < '0' || s.ptr[j] > '9')
                    return 0;
            return -1;
        }
    }
    *out = (uint32_t)v;
    return 1;
}

struct pw_entry {
    struct str name, home;
    uint32_t uid, gid;
};

/* Finds the first passwd entry with the given name (by_uid false) or uid. */
static bool find_passwd(struct str passwd, bool by_uid, struct str name, uint32_t uid,
                        struct pw_entry *out)
{
    struct line_iter it = { passwd, 0 };
    struct str line;
    while (next_line(&it, &line)) {
        struct fields f;
        split_fields(line, &f);
        if (f.n < 4)
            continue;
        uint32_t u, g;
        if (parse_id(f.f[2], &u) != 1 || parse_id(f.f[3], &g) != 1)
            continue;
        if (by_uid ? u != uid : !str_eq(f.f[0], name))
            continue;
        out->name = f.f[0];
        out->uid = u;
        out->gid = g;
        out->home = f.n > 5 ? f.f[5] : STR_NULL;
        return true;
    }
    return false;
}

static bool list_has(struct str list, struct str name)
{
    size_t start = 0;
    for (size_t i = 0; i <= list.len; i++) {
        if (i == list.len || list.ptr[i] == ',') {
            if (str_eq(str_trim(str_slice(list, start, i)), name))
                return true;
            start = i + 1;
        }
    }
    return false;
}

/* Finds the first group entry with the given name (by_gid false) or gid. */
static bool find_group(struct str group, bool by_gid, struct str name, uint32_t gid, uint32_t *out)
{
    struct line_iter it = { group, 0 };
    struct str line;
    while (next_line(&it, &line)) {
        struct fields f;
        split_fields(line, &f);
        uint32_t g;
        if (f.n < 3 || parse_id(f.f[2], &g) != 1)
            continue;
        if (by_gid ? g != gid : !str_eq(f.f[0], name))
            continue;
        *out = g;
        return true;
    }
    return false;
}

/* Appends the gid of every group whose member list names user. */
static int member_groups(struct str group, struct str user, struct bld_user *out, struct err *err)
{
    struct line_iter it = { group, 0 };
    struct str line;
    while (next_line(&it, &line)) {
        struct fields f;
        split_fields(line, &f);
        uint32_t g;
        if (f.n < 4 || parse_id(f.f[2], &g) != 1 || !list_has(f.f[3], user))
            continue;
        if (out->n_groups == BLD_USER_MAX_GROUPS)
            return err_set(err, ERR_TOO_LARGE, "user %.*s is a member of more than %d groups",
                           STR_FMT(user), BLD_USER_MAX_GROUPS);
        out->groups[out->n_groups++] = g;
    }
    return 0;
}

static int set_home(struct bld_user *out, struct str home, struct err *err)
{
    if (home.len == 0)
        home = STR_LIT("/");
    if (home.len >= sizeof out->home)
        return err_set(err, ERR_TOO_LARGE, "home directory of uid %u is too long", out->uid);
    memcpy(out->home, home.ptr, home.len);
    out->home[home.len] = '\0';
    return 0;
}

static int range_error(struct err *err)
{
    return err_set(err, ERR_INVALID, "uids and gids must be in range 0-%u", BLD_USER_ID_MAX);
}

int bld_user_resolve(const char *spec, struct str passwd, struct str group, struct bld_user *out,
                     struct err *err)
{
    memset(out, 0, sizeof *out);
    struct str s = str_from_cstr(spec ? spec : "");
    long colon = str_find_char(s, ':', 0);
    struct str user_part = colon < 0 ? s : str_slice(s, 0, (size_t)colon);
    struct str group_part = colon < 0 ? STR_NULL : str_slice(s, (size_t)colon + 1, s.len);
    bool has_group = colon >= 0 && group_part.len > 0;

    uint32_t uid = 0, gid = 0;
    int uid_num = parse_id(user_part, &uid);
    int gid_num = has_group ? parse_id(group_part, &gid) : 0;
    if (uid_num < 0 || gid_num < 0)
        return range_error(err);

    struct pw_entry pw;
    bool matched = false;
    if (s.len == 0 || (uid_num == 1 && gid_num == 1)) {
        /* BuildKit's fast path: no lookup, no supplementary groups. */
        out->uid = uid;
        out->gid = gid;
        if (find_passwd(passwd, true, STR_NULL, uid, &pw))
            return set_home(out, pw.home, err);
        return set_home(out, STR_NULL, err);
    }

    if (user_part.len == 0)
        matched = find_passwd(passwd, true, STR_NULL, 0, &pw); /* ":group" is root */
    else if (uid_num == 1)
        matched = find_passwd(passwd, true, STR_NULL, uid, &pw);
    else
        matched = find_passwd(passwd, false, user_part, 0, &pw);

    if (matched) {
        out->uid = pw.uid;
        out->gid = pw.gid;
    } else if (uid_num == 1 || user_part.len == 0) {
        out->uid = uid; /* a numeric user needs no passwd entry */
    } else {
        return err_set(err, ERR_NOT_FOUND,
                       "unable to find user %.*s: no matching entries in passwd file",
                       STR_FMT(user_part));
    }

    if (has_group) {
        uint32_t g;
        if (find_group(group, gid_num == 1, group_part, gid, &g))
            out->gid = g;
        else if (gid_num == 1)
            out->gid = gid;
        else
            return err_set(err, ERR_NOT_FOUND,
                           "unable to find group %.*s: no matching entries in group file",
                           STR_FMT(group_part));
    } else if (matched) {
        int rc = member_groups(group, pw.name, out, err);
        if (rc < 0)
            return rc;
    }

    if (matched)
        return set_home(out, pw.home, err);
    if (find_passwd(passwd, true, STR_NULL, out->uid, &pw))
        return set_home(out, pw.home, err);
    return set_home(out, STR_NULL, err);
}
