/* Helpers shared by the package-manager rules DW301-DW317 (apt, apk, dnf,
 * yum, zypper): which commands a RUN runs, their subcommands, cache
 * mounts, cleanups and where a fix may append a command. Only the DW3xx
 * rule files use it; it uses nothing but analyzer/rule_api.h. */
#ifndef DW_RULES_PKGMGR_H
#define DW_RULES_PKGMGR_H

#include "analyzer/rule_api.h"

#include <stdbool.h>
#include <stdint.h>

/* Which flags of each tool take a value (for sh_arg_iter). */
extern const struct sh_flag_spec pm_apt_spec;
extern const struct sh_flag_spec pm_apk_spec;
extern const struct sh_flag_spec pm_rpm_spec; /* dnf, microdnf, yum */
extern const struct sh_flag_spec pm_zypper_spec;

/* The general case of pm_run_cmds below (call that one). */
const struct sh_visit *const *pm_run_cmds_all(struct rule_ctx *ctx, const struct df_instr *in,
                                              uint32_t *n);

/* The commands a RUN (or an ONBUILD RUN trigger) runs, in order: those of
 * its script, then those of heredoc bodies fed to a shell. An exec-form RUN
 * is one command whose words are its JSON strings (span: the literal with
 * its quotes; flagged SH_WORD_QUOTED), so no fix may edit inside them: see
 * pm_fixable. Arena memory of the file; *n is 0 for RUNs without commands.
 * Inline: some twenty rules ask it of every RUN, and a shell-form RUN
 * without heredocs (most of them) hands out its script's own list. */
static inline const struct sh_visit *const *pm_run_cmds(struct rule_ctx *ctx,
                                                        const struct df_instr *in, uint32_t *n)
{
    if (in->kind == DF_RUN && in->form == DF_FORM_SHELL && in->n_heredocs == 0) {
        *n = in->script ? in->script->n_cmds : 0;
        return *n ? in->script->cmd_refs : NULL;
    }
    return pm_run_cmds_all(ctx, in, n);
}

/* Whether fixes may edit the words of in's commands (shell form). */
bool pm_fixable(const struct df_instr *in);

/* Whether an [output] rule reports on in: triggers always (scope tags do
 * not apply to them), other instructions when their stage is an output
 * stage. */
bool pm_output_scope(const struct rule_ctx *ctx, const struct df_instr *in);

/* Whether in has a `--mount` of type cache or tmpfs whose target is one of
 * dirs (NULL-terminated; a trailing '/' of the target is ignored). */
bool pm_cache_mount(const struct df_instr *in, const char *const *dirs);

/* Calls fn(target, arg) for each cache or tmpfs `--mount` of in (target
 * without trailing slashes) until it returns true; returns whether one
 * did. */
bool pm_each_cache_target(const struct df_instr *in, bool (*fn)(struct str, const void *),
                          const void *arg);

/* Whether call is `rm` with an operand that removes dir or everything in
 * it: the directory itself, its content (a trailing slash-star), or a
 * parent of it. */
bool pm_rm_covers(const struct sh_call *c, const char *dir);

/* The subcommand of a call: its operand k (NULL when missing). */
const struct sh_word *pm_operand(const struct sh_call *c, uint32_t k,
                                 const struct sh_flag_spec *spec);

/* The index in c->argv of operand k, or UINT32_MAX. */
uint32_t pm_operand_index(const struct sh_call *c, uint32_t k, const struct sh_flag_spec *spec);

/* Whether a word's value comes (partly) from a variable or substitution:
 * pinning rules count such a word as pinned (rules.md Conventions). */
bool pm_word_dynamic(const struct sh_word *w);

/* Whether value names a local package file, a path or a URL (or ends with the suffix
 * (".deb", ".rpm", ".apk"). */
bool pm_local_file(struct str value, const char *suffix);

/* The edit that makes the RUN run cmd after every other command: " && cmd"
 * after the last element of a shell form's top-level list, or a line
 * "cmd" before the terminator of a `RUN <<EOF` script. False when there is
 * no such place (exec form, other heredoc forms, a last element run in the
 * background, a script with syntax problems). The text lives in the
 * file's arena. */
bool pm_append_edit(struct rule_ctx *ctx, const struct df_instr *in, const char *cmd,
                    struct edit *out);

/* Whether the text from the start of in's stage (and of the in-file
 * stages it is built on) up to offset `upto` writes the apt option `key`
 * ("APT::Install-Recommends") with one of the values (NULL-terminated,
 * compared case-insensitively), as `echo 'key "0";' > /etc/apt/...`
 * does. */
bool pm_apt_config_before(const struct df_file *f, const struct df_instr *in, uint32_t upto,
                          const char *key, const char *const *values);

/* Whether stage s is stage base or built FROM it (transitively). */
bool pm_stage_builds_on(const struct df_model *m, int s, int base);

/* dnf, dnf5, microdnf or yum: the subcommand of c as one name ("install",
 * "module install", "group install"), the word that ends it (*last) and
 * the operand index of the first argument after it (*first_arg). False
 * when c is none of these tools or has no subcommand. */
bool pm_rpm_sub(struct rule_ctx *ctx, const struct sh_call *c, const char **name,
                const struct sh_word **last, uint32_t *first_arg);

/* Whether an rpm package spec carries a version: `name-1.2`, `name-1:1.2`,
 * or a comparison (`name >= 1.2`). */
bool pm_rpm_has_version(struct str v);

/* Reports each package operand of c from first on (dnf/yum install; with
 * module, `module install` specs) that names no version (no stream);
 * groups, local .rpm files, capabilities and paths are exempt. */
void pm_rpm_report_unpinned(struct rule_ctx *ctx, const struct sh_call *c, uint32_t first,
                            bool module);

/* Whether c (dnf, microdnf, yum) answers yes: -y or --assumeyes. */
bool pm_rpm_yes(const struct sh_call *c);

/* zypper: the command word of c (NULL when c is no zypper call or has
 * none) and its index in c->argv. */
const struct sh_word *pm_zypper_cmd(const struct sh_call *c, uint32_t *index);

/* Whether the zypper command word w is one of names (aliases included by
 * the caller). */
bool pm_word_in(const struct sh_word *w, const char *const *names);

/* Whether an apt-get/apt call only simulates (-s, --simulate, --dry-run,
 * --just-print, --recon, --no-act): it changes nothing and never prompts. */
bool pm_apt_simulates(const struct sh_call *c);

/* The span of a word for reporting. */
struct span pm_word_span(const struct sh_word *w);

/* ------------------------------------------------ npm and Yarn (DW320-DW323) */

/* Which npm and yarn (1 and berry) flags take a value. */
extern const struct sh_flag_spec pm_npm_spec;
extern const struct sh_flag_spec pm_yarn_spec;

/* npm: the subcommand of c with npm's aliases resolved ("install" for i,
 * add, in, ins, inst, insta, instal, isnt, isnta, isntal, isntall; "ci"
 * for clean-install, ic, install-clean, isntall-clean; "install-test" for
 * it; "install-ci-test" for cit; "cache"; other names as written), and in
 * *index the index of its word in c->argv. NULL when c is no npm call or
 * names no subcommand. The string is static or borrowed from c. */
const char *pm_npm_sub(const struct sh_call *c, uint32_t *index);

/* yarn: the subcommand word of c (its first operand) and its index, or
 * NULL with *index UINT32_MAX for a bare `yarn` (flags only). False when
 * c is no yarn call. */
bool pm_yarn_sub(const struct sh_call *c, const struct sh_word **sub, uint32_t *index);

/* Whether path (an rm operand, a mount target, a --cache value) is the
 * directory whose path ends with tail ("/.npm", "/.cache/yarn"), a parent
 * of it that ends with a leading part of tail ("/.cache" for
 * "/.cache/yarn"), or everything in either (a trailing slash-star). The
 * comparison works on whole path components; a relative path is read as
 * if it started with '/'. */
bool pm_path_covers_tail(struct str path, const char *tail);

/* Whether c is `rm` with an operand that covers one of tails
 * (NULL-terminated; see pm_path_covers_tail). */
bool pm_rm_covers_tail(const struct sh_call *c, const char *const *tails);

/* Whether in has a cache or tmpfs `--mount` whose target covers one of
 * tails (NULL-terminated; see pm_path_covers_tail). */
bool pm_cache_mount_tail(const struct df_instr *in, const char *const *tails);

/* Whether path (absolute) is a cache or tmpfs mount target of in or lies
 * below one. */
bool pm_in_cache_mount(const struct df_instr *in, struct str path);

/* Whether s is non-empty and only letters, digits and / . _ - ~: a path a
 * fix can repeat in shell text without quoting. */
bool pm_plain_word(struct str s);

/* Whether in's shell form may run in a shell other than a POSIX one, so
 * that a fix must not add `&&` lists: a SHELL before it (in its stage or
 * the stages it is built on) naming pwsh, powershell or cmd, a
 * `# dockwright shell=` / `# hadolint shell=` pragma naming one, or a
 * Windows root image (repository or tag naming windows, nanoserver or
 * servercore, .NET Framework images) without a later POSIX SHELL.
 * *cache (NULL at first, kept by the caller in its rule state) holds the
 * verdicts of every instruction, computed in one pass on the first call. */
bool pm_shell_not_posix(struct rule_ctx *ctx, const struct df_instr *in, uint8_t **cache);

/* Whether v's command is started by a `sudo` wrapper (it may run as
 * another user, whose home holds the caches). */
bool pm_visit_sudo(const struct sh_visit *v);

/* Whether v's command may not run, or not to completion, when the RUN
 * runs: inside an if/while/until condition or branch, a case item, a loop
 * body, a function, a background job, or right after `||`. A command
 * appended after the RUN's list then runs where the tool it calls may be
 * missing or in a state the condition did not expect. */
bool pm_visit_conditional(const struct sh_visit *v);
/* ---------------------------------------- end of npm and Yarn (DW320-DW323) */

/* ------------------------------------------------------------------------
 * pip, pipx and gem (DW318, DW319, DW324, DW325)
 * ---------------------------------------------------------------------- */

/* Which flags of pip (global and `install` options), pipx and `gem
 * install` take a value. */
extern const struct sh_flag_spec pm_pip_spec;
extern const struct sh_flag_spec pm_pipx_spec;
extern const struct sh_flag_spec pm_gem_spec;

enum pm_pip_tool { PM_PIP_NONE, PM_PIP, PM_PIPX };

/* One `install` run by pip, pipx or gem. */
struct pm_install {
    enum pm_pip_tool tool; /* PM_PIP_NONE for gem */
    uint32_t args;         /* index in call->argv of the tool's first argument */
    uint32_t sub;          /* index in call->argv of the `install` word */
    const char *name;      /* for messages: "pip3", "python3 -m pip", "pipx", "gem" */
};

/* The index in c->argv of operand k among the words from `from` on (flags
 * and their values skipped), or UINT32_MAX. */
uint32_t pm_operand_index_from(const struct sh_call *c, uint32_t from, uint32_t k,
                               const struct sh_flag_spec *spec);

/* Whether c runs `install` of pip: `pip`, `pip3`, `pip3.11`, `pip-3.8`
 * from any directory (a venv's /opt/venv/bin/pip too), or `python -m pip`
 * (python, python3, python3.11, pypy3, with interpreter options before
 * -m); with pipx true, `pipx install` too. Fills *out (name in the
 * file's arena). */
bool pm_pip_install(struct rule_ctx *ctx, const struct sh_call *c, bool pipx,
                    struct pm_install *out);

/* Whether c is `gem install`; fills *out. */
bool pm_gem_install(const struct sh_call *c, struct pm_install *out);

/* Whether the long flag --name (or --name=...) is among c->argv[from..]. */
bool pm_has_long_from(const struct sh_call *c, uint32_t from, const char *name,
                      const struct sh_flag_spec *spec);

/* end of the pip, pipx and gem block */

#endif
