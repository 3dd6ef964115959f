/* libFuzzer target for build reports read back from JSON
 * (bld_report_parse_json, builder/report.h): a report file is user input.
 * Errors are expected; crashes, sanitizer reports and broken invariants
 * (abort) are not: a failure has a message and a documented code, and a
 * report that parsed is written as JSON that parses back and writes the
 * same bytes again, and prints as a table in both layouts. */
#include "builder/report.h"
#include "common/buf.h"
#include "common/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_json(const struct bld_report *r, struct buf *out)
{
    struct err e;
    if (bld_report_write_json(r, out, &e) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct bld_report r;
    bld_report_init(&r);
    struct err e;
    int rc = bld_report_parse_json((const char *)data, size, "fuzz.json", &r, &e);
    if (rc) {
        if (getenv("DW_FUZZ_VERBOSE"))
            fprintf(stderr, "fuzz_report: %s\n", e.msg); /* to check seeds */
        if (rc != e.code || !e.msg[0])
            abort();
        if (rc != ERR_SYNTAX && rc != ERR_INVALID && rc != ERR_UNSUPPORTED && rc != ERR_TOO_LARGE)
            abort();
        bld_report_release(&r);
        return 0;
    }
    struct buf one = BUF_INIT, two = BUF_INIT;
    write_json(&r, &one);
    struct bld_report back;
    bld_report_init(&back);
    if (bld_report_parse_json(one.data, one.len, "fuzz.json", &back, &e) != 0)
        abort(); /* what we write must read back */
    write_json(&back, &two);
    if (one.len != two.len || memcmp(one.data, two.data, one.len) != 0)
        abort();
    for (int history = 0; history < 2; history++) {
        struct bld_report_table_opts o = { (unsigned)(data[0] % 64), 3, history != 0 };
        struct buf t = BUF_INIT;
        if (bld_report_write_table(&r, &o, &t, &e) != 0)
            abort();
        buf_release(&t);
    }
    buf_release(&one);
    buf_release(&two);
    bld_report_release(&back);
    bld_report_release(&r);
    return 0;
}
