/* dockwright parse: prints the syntax tree of a Dockerfile, for debugging,
 * bug reports and comparison with BuildKit's own parser. */
#include "analyzer/syntax.h"
#include "cli/cli.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/fileio.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

/* BuildKit refuses physical lines over 64 KiB; a whole file over this is
 * not a Dockerfile anyone writes, and the cap keeps memory bounded. */
#define PARSE_MAX_BYTES ((size_t)64 * 1024 * 1024)

static const struct cli_opt parse_opts[] = {
    { "format", 'f', CLI_OPT_STRING, "FORMAT",
      "sexp (default: the tree with fields and positions), json, or buildkit (BuildKit's AST "
      "dump)" },
};

/* sexp: one named node per line, indented, with its field name and its
 * [row, column] - [row, column] range (0-based, as tree-sitter prints). */
static int print_sexp(struct buf *out, TSTreeCursor *cur, int depth)
{
    TSNode n = ts_tree_cursor_current_node(cur);
    const char *field = ts_tree_cursor_current_field_name(cur);
    bool show = ts_node_is_named(n) || ts_node_is_missing(n);
    if (show) {
        TSPoint s = ts_node_start_point(n), e = ts_node_end_point(n);
        if (depth > 0 && buf_append_char(out, '\n'))
            return ERR_TOO_LARGE;
        for (int i = 0; i < depth; i++)
            if (buf_append_cstr(out, "  "))
                return ERR_TOO_LARGE;
        if (field && buf_printf(out, "%s: ", field))
            return ERR_TOO_LARGE;
        if (ts_node_is_missing(n)) {
            if (buf_printf(out, "(MISSING %s%s%s", ts_node_is_named(n) ? "" : "\"", ts_node_type(n),
                           ts_node_is_named(n) ? "" : "\""))
                return ERR_TOO_LARGE;
        } else if (buf_printf(out, "(%s", ts_node_type(n))) {
            return ERR_TOO_LARGE;
        }
        if (buf_printf(out, " [%u, %u] - [%u, %u]", s.row, s.column, e.row, e.column))
            return ERR_TOO_LARGE;
    }
    if (ts_tree_cursor_goto_first_child(cur)) {
        do {
            int rc = print_sexp(out, cur, show ? depth + 1 : depth);
            if (rc)
                return rc;
        } while (ts_tree_cursor_goto_next_sibling(cur));
        ts_tree_cursor_goto_parent(cur);
    }
    if (show && buf_append_char(out, ')'))
        return ERR_TOO_LARGE;
    return 0;
}

static json_t *point_json(TSPoint p)
{
    return json_pack("{s:I,s:I}", "row", (json_int_t)p.row, "column", (json_int_t)p.column);
}

/* json: every node, named or not, with its type, field, byte range and
 * points; ERROR and MISSING nodes are flagged. */
static json_t *node_json(TSTreeCursor *cur)
{
    TSNode n = ts_tree_cursor_current_node(cur);
    const char *field = ts_tree_cursor_current_field_name(cur);
    json_t *o =
        json_pack("{s:s,s:b,s:I,s:I,s:o,s:o}", "type", ts_node_type(n), "named",
                  ts_node_is_named(n), "start_byte", (json_int_t)ts_node_start_byte(n), "end_byte",
                  (json_int_t)ts_node_end_byte(n), "start", point_json(ts_node_start_point(n)),
                  "end", point_json(ts_node_end_point(n)));
    if (field)
        json_object_set_new(o, "field", json_string(field));
    if (ts_node_is_missing(n))
        json_object_set_new(o, "missing", json_true());
    if (ts_node_is_extra(n))
        json_object_set_new(o, "extra", json_true());
    if (ts_tree_cursor_goto_first_child(cur)) {
        json_t *kids = json_array();
        do {
            json_array_append_new(kids, node_json(cur));
        } while (ts_tree_cursor_goto_next_sibling(cur));
        ts_tree_cursor_goto_parent(cur);
        json_object_set_new(o, "children", kids);
    }
    return o;
}

static int cmd_parse(int argc, char **argv);

const struct cli_cmd cli_cmd_parse = {
    .name = "parse",
    .run = cmd_parse,
    .summary = "print the syntax tree of a Dockerfile",
    .usage = "dockwright parse [--format sexp|json|buildkit] FILE|-",
    .details = "FILE '-' reads standard input. The buildkit format prints one line per\n"
               "instruction exactly as BuildKit's parser tests dump their AST, so the two\n"
               "parsers can be compared line for line.",
    .opts = parse_opts,
    .n_opts = (int)(sizeof parse_opts / sizeof parse_opts[0]),
};

static int cmd_parse(int argc, char **argv)
{
    struct cli_args args;
    if (cli_parse_args(&cli_cmd_parse, argc, argv, &args))
        return CLI_EXIT_ERROR;
    int status = CLI_EXIT_ERROR;
    const char *format = args.opts[0].value ? args.opts[0].value : "sexp";
    struct buf src = BUF_INIT, out = BUF_INIT;
    TSTree *tree = NULL;
    if (args.n_positional != 1) {
        cli_error("'parse' takes exactly one FILE (or - for standard input); see 'dockwright help "
                  "parse'");
        goto done;
    }
    if (strcmp(format, "sexp") && strcmp(format, "json") && strcmp(format, "buildkit")) {
        cli_error("unknown format '%s' for 'parse' (use sexp, json or buildkit)", format);
        goto done;
    }
    struct err e;
    if (file_read_all(args.positional[0], PARSE_MAX_BYTES, &src, &e)) {
        char msg[ERR_MSG_MAX + ERR_PATH_MAX];
        err_format(&e, msg, sizeof msg);
        cli_error("%s", msg);
        goto done;
    }
    tree = syn_parse(buf_cstr(&src), (uint32_t)src.len);
    if (!tree) {
        cli_error("the Dockerfile language failed to load (tree-sitter ABI mismatch)");
        goto done;
    }
    TSNode root = ts_tree_root_node(tree);
    int rc = 0;
    if (strcmp(format, "sexp") == 0) {
        TSTreeCursor cur = ts_tree_cursor_new(root);
        rc = print_sexp(&out, &cur, 0);
        ts_tree_cursor_delete(&cur);
        if (!rc)
            rc = buf_append_char(&out, '\n');
    } else if (strcmp(format, "json") == 0) {
        TSTreeCursor cur = ts_tree_cursor_new(root);
        json_t *j = node_json(&cur);
        ts_tree_cursor_delete(&cur);
        char *s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        rc = buf_append_cstr(&out, s ? s : "null") || buf_append_char(&out, '\n');
        free(s);
    } else {
        rc = syn_dump_buildkit(root, buf_cstr(&src), &out);
    }
    if (rc) {
        cli_error("the tree of '%s' is too large to print", args.positional[0]);
        goto done;
    }
    if (fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len || fflush(stdout)) {
        cli_error("cannot write to standard output");
        goto done;
    }
    status = CLI_EXIT_OK;
done:
    if (tree)
        ts_tree_delete(tree);
    buf_release(&src);
    buf_release(&out);
    cli_args_release(&args);
    return status;
}
