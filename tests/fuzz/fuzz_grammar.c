/* libFuzzer target: any bytes parse to a tree whose nodes nest, stay in
 * bounds and are ordered; the parse always finishes. */
#include "analyzer/syntax.h"
#include "grammar/grammar.h"

#include <stdint.h>
#include <stdlib.h>
#include <tree_sitter/api.h>

static void check(TSNode n, uint32_t lo, uint32_t hi)
{
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    if (s > e || s < lo || e > hi)
        abort();
    uint32_t prev_end = s;
    uint32_t count = ts_node_child_count(n);
    for (uint32_t i = 0; i < count; i++) {
        TSNode c = ts_node_child(n, i);
        if (ts_node_start_byte(c) < prev_end)
            abort();
        check(c, s, e);
        prev_end = ts_node_end_byte(c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    TSTree *t = syn_parse((const char *)data, (uint32_t)size);
    if (!t)
        abort();
    TSNode root = ts_tree_root_node(t);
    check(root, 0, (uint32_t)size);
    struct buf out = BUF_INIT;
    if (syn_dump_buildkit(root, (const char *)data, &out))
        abort();
    buf_release(&out);
    ts_tree_delete(t);
    return 0;
}
