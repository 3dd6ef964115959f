/* DW106 constant-from-platform: `FROM --platform=` with a constant value
 * pins one platform, so `docker buildx build --platform a,b` builds the same
 * image for every requested platform. BuildKit (FromPlatformFlagConstDisallowed)
 * accepts a constant when the stage name says which platform it is for
 * (`AS build-amd64`), and so do we. */
#include "analyzer/rule_api.h"

#include <ctype.h>
#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports `FROM --platform=` with a value that contains no variable, such\n"
    "as `linux/amd64`, unless the stage name contains that platform's\n"
    "operating system or architecture (`AS build-amd64`).\n"
    "\n"
    "## Why is this bad?\n"
    "A constant platform ignores the platforms the build was asked for: a\n"
    "multi-platform build produces the same single-platform base for each of\n"
    "them, and a build on another architecture runs under emulation.\n"
    "`$BUILDPLATFORM` (tools that run during the build) and `$TARGETPLATFORM`\n"
    "(the image being built, the default) follow the request.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM --platform=linux/amd64 golang:1.22 AS build\n"
    "RUN go build -o /app ./cmd/app\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
    "ARG TARGETOS TARGETARCH\n"
    "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app ./cmd/app\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "DL3029", NULL },
    { "FromPlatformFlagConstDisallowed", NULL },
    { NULL, NULL },
};

/* Whether the lowercased stage name contains part (ASCII case-insensitive). */
static bool name_contains(struct str name, struct str part)
{
    if (!part.len || part.len > name.len)
        return false;
    for (size_t i = 0; i + part.len <= name.len; i++) {
        size_t k = 0;
        while (k < part.len &&
               tolower((unsigned char)name.ptr[i + k]) == tolower((unsigned char)part.ptr[k]))
            k++;
        if (k == part.len)
            return true;
    }
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_flag *fl = df_instr_flag(in, "platform");
    if (!fl || !fl->value.raw.ptr || !fl->value.raw.len)
        return;
    struct exp_result r;
    struct err err;
    if (df_expand(rule_file(ctx), in, &fl->value, 0, &r, &err) != 0)
        return; /* DW015 */
    if (r.n_refs > 0 || !r.value.len)
        return;
    struct str v = r.value;
    /* os/arch[/variant]: the stage name may name the OS or the
     * architecture. */
    long slash = str_find_char(v, '/', 0);
    struct str os = slash < 0 ? v : str_slice(v, 0, (size_t)slash);
    struct str arch = STR_NULL;
    if (slash >= 0) {
        long next = str_find_char(v, '/', (size_t)slash + 1);
        arch = str_slice(v, (size_t)slash + 1, next < 0 ? v.len : (size_t)next);
    }
    struct str name = in->stage_name.raw;
    if (name.ptr && (name_contains(name, os) || name_contains(name, arch)))
        return;
    rule_report(ctx, fl->value.span,
                "FROM --platform=%.*s pins a constant platform; use $BUILDPLATFORM or "
                "$TARGETPLATFORM, or name the stage after the platform",
                STR_FMT(v));
}

const struct rule rule_DW106 = {
    .id = "DW106",
    .name = "constant-from-platform",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "FROM --platform has a constant value",
    .aliases = aliases,
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
