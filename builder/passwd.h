/* Resolving a Dockerfile USER spec ("name", "uid", "name:group",
 * "uid:gid", any mix) against the text of an image's /etc/passwd and
 * /etc/group, the way BuildKit does for RUN:
 *
 * - "uid:gid" with both parts numeric is taken as is, without reading the
 *   files and without supplementary groups;
 * - otherwise a numeric user part is a uid (the passwd entry with that uid,
 *   if any, supplies the primary gid), a name must have a passwd entry
 *   ("unable to find user NAME: no matching entries in passwd file");
 * - a group part, numeric or a name, sets the primary gid; a name must have
 *   a group entry ("unable to find group NAME: no matching entries in group
 *   file"); with an explicit group there are no supplementary groups;
 * - without a group part, a user found in passwd gets as supplementary
 *   groups every group whose member list names it, in file order;
 * - an empty spec is root (0:0), without supplementary groups; an empty
 *   user part before a group (":staff") stands for uid 0.
 *
 * HOME comes from the passwd entry the user matched (or the first entry
 * with the final uid), else "/", as runc sets it when the environment lacks
 * HOME. Files are plain text, one entry a line, fields separated by ':';
 * blank lines, lines starting with '#' and lines whose ids are not decimal
 * numbers are skipped. */
#ifndef DW_BUILDER_PASSWD_H
#define DW_BUILDER_PASSWD_H

#include "common/compiler.h"
#include "common/err.h"
#include "common/span.h"

#include <stddef.h>
#include <stdint.h>

/* More supplementary groups than this is refused with ERR_TOO_LARGE. */
#define BLD_USER_MAX_GROUPS 64
/* Room for the home directory, terminator included. */
#define BLD_USER_HOME_MAX 512
/* The largest uid or gid accepted (as runc: a signed 32-bit range). */
#define BLD_USER_ID_MAX 2147483647u

struct bld_user {
    uint32_t uid, gid;
    uint32_t groups[BLD_USER_MAX_GROUPS]; /* supplementary gids, file order */
    size_t n_groups;
    char home[BLD_USER_HOME_MAX];
};

/* Resolves spec (NUL-terminated; NULL or "" means root) into out. passwd
 * and group are the files' contents; a slice with a NULL ptr stands for a
 * missing file, which behaves like an empty one. Errors: ERR_NOT_FOUND for
 * an unknown user or group name (BuildKit's messages, see above),
 * ERR_INVALID for an id out of range, ERR_TOO_LARGE for too many groups or an overlong home. out is
 * fully written on success and unspecified on failure. */
DW_NODISCARD int bld_user_resolve(const char *spec, struct str passwd, struct str group,
                                  struct bld_user *out, struct err *err);

#endif
