#include "strdist.h"

static int fold(int c, bool fold_case)
{
    return fold_case && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

unsigned str_distance(struct str a, struct str b, bool fold_case)
{
    if (a.len > STR_DISTANCE_MAX_LEN || b.len > STR_DISTANCE_MAX_LEN)
        return STR_DISTANCE_FAR;
    unsigned d[STR_DISTANCE_MAX_LEN + 1][STR_DISTANCE_MAX_LEN + 1];
    for (size_t i = 0; i <= a.len; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= b.len; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= a.len; i++) {
        int ca = fold((unsigned char)a.ptr[i - 1], fold_case);
        for (size_t j = 1; j <= b.len; j++) {
            int cb = fold((unsigned char)b.ptr[j - 1], fold_case);
            unsigned v = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == fold((unsigned char)b.ptr[j - 2], fold_case) &&
                fold((unsigned char)a.ptr[i - 2], fold_case) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[a.len][b.len];
}
