/* Compiler attributes and the invariant checks shared by every module. */
#ifndef DW_COMMON_COMPILER_H
#define DW_COMMON_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define DW_NODISCARD __attribute__((warn_unused_result))
#define DW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define DW_NORETURN __attribute__((noreturn))
#define DW_UNUSED __attribute__((unused))
#else
#define DW_NODISCARD
#define DW_PRINTF(fmt, args)
#define DW_NORETURN
#define DW_UNUSED
#endif

#define DW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Reports a broken invariant (a bug in dockwright, never bad input) with the
 * source location and aborts. */
DW_NORETURN DW_PRINTF(3, 4) void dw_bug(const char *file, int line, const char *fmt, ...);
#define DW_BUG(...) dw_bug(__FILE__, __LINE__, __VA_ARGS__)
#define DW_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            DW_BUG("assertion failed: %s", #cond);                                                 \
    } while (0)

#endif
