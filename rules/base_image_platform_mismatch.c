/* DW105 base-image-platform-mismatch: the base image has no manifest for
 * the platform the stage is built for (BuildKit's InvalidBaseImagePlatform,
 * which learns the platforms from the registry).
 *
 * Rules see no image store or registry (rule_api.h offers no image
 * metadata), so the only metadata here is what an image's name fixes: the
 * Docker Hub architecture namespaces of the official images (`arm64v8/`,
 * `amd64/`, `winamd64/`, ...) hold one architecture each, and Microsoft's
 * `mcr.microsoft.com/windows/...` and `dotnet/framework/...` images exist for
 * Windows only. Every other image stays silent, as rules.md asks when
 * metadata is unavailable. The platform is the `--platform` value when it
 * is constant, or the build's target platform when `dockwright build` gave
 * one; a lint run does not guess the host it will be built on. */
#include "analyzer/rule_api.h"

#include <string.h>

static const char doc[] =
    "## What it does\n"
    "Reports a FROM whose base image has no manifest for the platform the\n"
    "stage is built for: its `--platform` value, or the target platform of\n"
    "the build. The platforms of an image come from image metadata; without\n"
    "it the rule stays silent. Today dockwright knows them for images whose\n"
    "name fixes the platform: the architecture namespaces of Docker's\n"
    "official images (`amd64/`, `arm64v8/`, `arm32v7/`, `i386/`, `ppc64le/`,\n"
    "`s390x/`, `winamd64/`, ...) and Microsoft's Windows-only images\n"
    "(`mcr.microsoft.com/windows/...`, `mcr.microsoft.com/dotnet/framework/...`).\n"
    "Platforms that can run the image (an `arm/v6` image on `arm/v7`, `386`\n"
    "on `amd64`) are not reported.\n"
    "\n"
    "## Why is this bad?\n"
    "The pull fails with \"no match for platform in manifest\", or the build\n"
    "produces an image for another platform than the one requested, which\n"
    "then runs only under emulation or not at all.\n"
    "\n"
    "## Example\n"
    "```dockerfile\n"
    "FROM --platform=linux/amd64 arm64v8/alpine:3.20\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```dockerfile\n"
    "FROM --platform=linux/amd64 alpine:3.20\n"
    "```\n";

static const struct rule_alias aliases[] = {
    { "InvalidBaseImagePlatform", NULL },
    { NULL, NULL },
};

struct platform {
    struct str os, arch, variant; /* empty when not known */
};

/* Docker Hub namespaces that hold one architecture of the official images
 * (github.com/docker-library/official-images, "Architectures other than
 * amd64"). */
static const struct {
    const char *ns, *os, *arch, *variant;
} namespaces[] = {
    { "amd64", "linux", "amd64", "" },       { "arm32v5", "linux", "arm", "v5" },
    { "arm32v6", "linux", "arm", "v6" },     { "arm32v7", "linux", "arm", "v7" },
    { "arm64v8", "linux", "arm64", "v8" },   { "i386", "linux", "386", "" },
    { "mips64le", "linux", "mips64le", "" }, { "ppc64le", "linux", "ppc64le", "" },
    { "riscv64", "linux", "riscv64", "" },   { "s390x", "linux", "s390x", "" },
    { "winamd64", "windows", "amd64", "" },
};

static struct str normalize_arch(struct str a)
{
    if (str_eq_cstr(a, "x86_64") || str_eq_cstr(a, "x86-64"))
        return STR_LIT("amd64");
    if (str_eq_cstr(a, "aarch64"))
        return STR_LIT("arm64");
    if (str_eq_cstr(a, "i386") || str_eq_cstr(a, "i686"))
        return STR_LIT("386");
    return a;
}

static struct platform parse_platform(struct str s)
{
    struct platform p = { STR_NULL, STR_NULL, STR_NULL };
    struct str parts[3] = { STR_NULL, STR_NULL, STR_NULL };
    size_t start = 0;
    int k = 0;
    for (size_t i = 0; i <= s.len && k < 3; i++) {
        if (i == s.len || s.ptr[i] == '/') {
            parts[k++] = str_slice(s, start, i);
            start = i + 1;
        }
    }
    p.os = parts[0];
    p.arch = normalize_arch(parts[1]);
    p.variant = parts[2];
    return p;
}

/* What the image's name says about its platforms; false when nothing. */
static bool image_platform(const struct df_image_ref *img, struct platform *out, const char **why)
{
    struct str reg = img->registry, repo = img->repository;
    bool hub = !reg.ptr || str_eq_cstr(reg, "docker.io") || str_eq_cstr(reg, "index.docker.io") ||
               str_eq_cstr(reg, "registry-1.docker.io");
    if (hub) {
        long slash = str_find_char(repo, '/', 0);
        if (slash <= 0)
            return false;
        struct str ns = str_slice(repo, 0, (size_t)slash);
        for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
            if (!str_eq_cstr(ns, namespaces[i].ns))
                continue;
            out->os = str_from_cstr(namespaces[i].os);
            out->arch = str_from_cstr(namespaces[i].arch);
            out->variant = str_from_cstr(namespaces[i].variant);
            *why = "its Docker Hub namespace holds one architecture";
            return true;
        }
        return false;
    }
    if (str_eq_cstr(reg, "mcr.microsoft.com") &&
        (str_eq_cstr(repo, "windows") || str_starts_with(repo, STR_LIT("windows/")) ||
         str_starts_with(repo, STR_LIT("dotnet/framework/")))) {
        out->os = STR_LIT("windows");
        out->arch = out->variant = STR_NULL;
        *why = "Microsoft publishes it for Windows only";
        return true;
    }
    return false;
}

static unsigned arm_version(struct str v)
{
    if (v.len == 2 && v.ptr[0] == 'v' && v.ptr[1] >= '5' && v.ptr[1] <= '8')
        return (unsigned)(v.ptr[1] - '0');
    return 0;
}

/* Whether a build for `want` can use an image made for `have`: same OS,
 * and the same architecture or one the requested platform runs (386 on
 * amd64, 32-bit arm on arm64, an older arm variant on a newer one), as
 * containerd's platform matcher falls back. Unknown parts match. */
static bool compatible(const struct platform *want, const struct platform *have)
{
    if (have->os.len && want->os.len && !str_eq(have->os, want->os))
        return false;
    if (!have->arch.len || !want->arch.len || str_eq(have->arch, want->arch)) {
        if (!str_eq_cstr(have->arch, "arm") || !want->arch.len || !str_eq_cstr(want->arch, "arm"))
            return true;
        unsigned hv = arm_version(have->variant), wv = arm_version(want->variant);
        return !hv || !wv || hv <= wv;
    }
    if (str_eq_cstr(want->arch, "amd64") && str_eq_cstr(have->arch, "386"))
        return true;
    if (str_eq_cstr(want->arch, "arm64") && str_eq_cstr(have->arch, "arm"))
        return true;
    return false;
}

static void check(struct rule_ctx *ctx, const struct df_instr *in)
{
    const struct df_file *f = rule_file(ctx);
    const struct df_model *m = rule_model(ctx);
    const struct df_image_ref *img = &in->image;
    if (!img->text.raw.ptr || !img->valid || img->is_scratch || in->stage < 0 ||
        (uint32_t)in->stage >= m->n_stages || m->stages[in->stage].base_stage >= 0)
        return;
    const char *target = f->opts ? f->opts->platform : NULL;
    struct str want_text;
    const struct df_flag *fl = df_instr_flag(in, "platform");
    if (fl && fl->value.raw.ptr) {
        struct exp_result r;
        struct err err;
        if (df_expand(f, in, &fl->value, 0, &r, &err) != 0 || !r.value.len)
            return;
        /* A variable follows the build's platforms: known only when the
         * build said which. */
        if (r.n_refs > 0 && !target)
            return;
        want_text = r.value;
    } else if (target) {
        want_text = str_from_cstr(target);
    } else {
        return;
    }
    struct platform want = parse_platform(want_text), have;
    const char *why = NULL;
    if (!image_platform(img, &have, &why) || compatible(&want, &have))
        return;
    const char *have_text =
        have.arch.len ? rule_printf(ctx, "%.*s/%.*s%s%.*s", STR_FMT(have.os), STR_FMT(have.arch),
                                    have.variant.len ? "/" : "", STR_FMT(have.variant))
                      : rule_printf(ctx, "%.*s", STR_FMT(have.os));
    rule_report(ctx, img->text.span,
                "base image '%.*s' has no manifest for %.*s, the platform this stage is built "
                "for: it exists for %s only (%s)",
                STR_FMT(img->expanded), STR_FMT(want_text), have_text, why);
}

const struct rule rule_DW105 = {
    .id = "DW105",
    .name = "base-image-platform-mismatch",
    .severity = SEV_WARNING,
    .category = CAT_CORRECTNESS,
    .status = RULE_STABLE,
    .fix = FIX_NONE,
    .summary = "the base image has no manifest for the stage's platform",
    .aliases = aliases,
    .on = DF_ON(DF_FROM),
    .check = check,
    .doc = doc,
};
