/* BuildKit's word expansion (frontend/dockerfile/shell), rewritten from the
 * behaviour described in dockerfile.md section 10. The structure follows
 * the behaviour it must reproduce: a word is scanned once, left to right;
 * `'`, `"` and `$` start sub-scanners, and a `${...}` modifier's word is
 * scanned by the same loop told to stop at `}` (or `/`). Several quirks are
 * deliberate because BuildKit has them; each is commented where it happens.
 *
 * Bytes that are not valid UTF-8 are copied through unchanged (BuildKit
 * turns each into U+FFFD); for classification and pattern matching they
 * count as U+FFFD, as in Go. */
#include "analyzer/expand.h"

#include "common/arena.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/utf8.h"
#include "common/vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cp_range {
    uint32_t lo, hi;
};

/* Code points of General_Category L* (letters) above U+007F, Unicode 15.0:
 * the set Go's unicode.IsLetter accepts, generated from the Unicode
 * Character Database (Python's unicodedata for 14.0 plus the blocks first
 * assigned in 15.0). Sorted, disjoint, inclusive ranges. */
static const struct cp_range letter_ranges[] = {
    { 0xAA, 0xAA },       { 0xB5, 0xB5 },       { 0xBA, 0xBA },       { 0xC0, 0xD6 },
    { 0xD8, 0xF6 },       { 0xF8, 0x2C1 },      { 0x2C6, 0x2D1 },     { 0x2E0, 0x2E4 },
    { 0x2EC, 0x2EC },     { 0x2EE, 0x2EE },     { 0x370, 0x374 },     { 0x376, 0x377 },
    { 0x37A, 0x37D },     { 0x37F, 0x37F },     { 0x386, 0x386 },     { 0x388, 0x38A },
    { 0x38C, 0x38C },     { 0x38E, 0x3A1 },     { 0x3A3, 0x3F5 },     { 0x3F7, 0x481 },
    { 0x48A, 0x52F },     { 0x531, 0x556 },     { 0x559, 0x559 },     { 0x560, 0x588 },
    { 0x5D0, 0x5EA },     { 0x5EF, 0x5F2 },     { 0x620, 0x64A },     { 0x66E, 0x66F },
    { 0x671, 0x6D3 },     { 0x6D5, 0x6D5 },     { 0x6E5, 0x6E6 },     { 0x6EE, 0x6EF },
    { 0x6FA, 0x6FC },     { 0x6FF, 0x6FF },     { 0x710, 0x710 },     { 0x712, 0x72F },
    { 0x74D, 0x7A5 },     { 0x7B1, 0x7B1 },     { 0x7CA, 0x7EA },     { 0x7F4, 0x7F5 },
    { 0x7FA, 0x7FA },     { 0x800, 0x815 },     { 0x81A, 0x81A },     { 0x824, 0x824 },
    { 0x828, 0x828 },     { 0x840, 0x858 },     { 0x860, 0x86A },     { 0x870, 0x887 },
    { 0x889, 0x88E },     { 0x8A0, 0x8C9 },     { 0x904, 0x939 },     { 0x93D, 0x93D },
    { 0x950, 0x950 },     { 0x958, 0x961 },     { 0x971, 0x980 },     { 0x985, 0x98C },
    { 0x98F, 0x990 },     { 0x993, 0x9A8 },     { 0x9AA, 0x9B0 },     { 0x9B2, 0x9B2 },
    { 0x9B6, 0x9B9 },     { 0x9BD, 0x9BD },     { 0x9CE, 0x9CE },     { 0x9DC, 0x9DD },
    { 0x9DF, 0x9E1 },     { 0x9F0, 0x9F1 },     { 0x9FC, 0x9FC },     { 0xA05, 0xA0A },
    { 0xA0F, 0xA10 },     { 0xA13, 0xA28 },     { 0xA2A, 0xA30 },     { 0xA32, 0xA33 },
    { 0xA35, 0xA36 },     { 0xA38, 0xA39 },     { 0xA59, 0xA5C },     { 0xA5E, 0xA5E },
    { 0xA72, 0xA74 },     { 0xA85, 0xA8D },     { 0xA8F, 0xA91 },     { 0xA93, 0xAA8 },
    { 0xAAA, 0xAB0 },     { 0xAB2, 0xAB3 },     { 0xAB5, 0xAB9 },     { 0xABD, 0xABD },
    { 0xAD0, 0xAD0 },     { 0xAE0, 0xAE1 },     { 0xAF9, 0xAF9 },     { 0xB05, 0xB0C },
    { 0xB0F, 0xB10 },     { 0xB13, 0xB28 },     { 0xB2A, 0xB30 },     { 0xB32, 0xB33 },
    { 0xB35, 0xB39 },     { 0xB3D, 0xB3D },     { 0xB5C, 0xB5D },     { 0xB5F, 0xB61 },
    { 0xB71, 0xB71 },     { 0xB83, 0xB83 },     { 0xB85, 0xB8A },     { 0xB8E, 0xB90 },
    { 0xB92, 0xB95 },     { 0xB99, 0xB9A },     { 0xB9C, 0xB9C },     { 0xB9E, 0xB9F },
    { 0xBA3, 0xBA4 },     { 0xBA8, 0xBAA },     { 0xBAE, 0xBB9 },     { 0xBD0, 0xBD0 },
    { 0xC05, 0xC0C },     { 0xC0E, 0xC10 },     { 0xC12, 0xC28 },     { 0xC2A, 0xC39 },
    { 0xC3D, 0xC3D },     { 0xC58, 0xC5A },     { 0xC5D, 0xC5D },     { 0xC60, 0xC61 },
    { 0xC80, 0xC80 },     { 0xC85, 0xC8C },     { 0xC8E, 0xC90 },     { 0xC92, 0xCA8 },
    { 0xCAA, 0xCB3 },     { 0xCB5, 0xCB9 },     { 0xCBD, 0xCBD },     { 0xCDD, 0xCDE },
    { 0xCE0, 0xCE1 },     { 0xCF1, 0xCF2 },     { 0xD04, 0xD0C },     { 0xD0E, 0xD10 },
    { 0xD12, 0xD3A },     { 0xD3D, 0xD3D },     { 0xD4E, 0xD4E },     { 0xD54, 0xD56 },
    { 0xD5F, 0xD61 },     { 0xD7A, 0xD7F },     { 0xD85, 0xD96 },     { 0xD9A, 0xDB1 },
    { 0xDB3, 0xDBB },     { 0xDBD, 0xDBD },     { 0xDC0, 0xDC6 },     { 0xE01, 0xE30 },
    { 0xE32, 0xE33 },     { 0xE40, 0xE46 },     { 0xE81, 0xE82 },     { 0xE84, 0xE84 },
    { 0xE86, 0xE8A },     { 0xE8C, 0xEA3 },     { 0xEA5, 0xEA5 },     { 0xEA7, 0xEB0 },
    { 0xEB2, 0xEB3 },     { 0xEBD, 0xEBD },     { 0xEC0, 0xEC4 },     { 0xEC6, 0xEC6 },
    { 0xEDC, 0xEDF },     { 0xF00, 0xF00 },     { 0xF40, 0xF47 },     { 0xF49, 0xF6C },
    { 0xF88, 0xF8C },     { 0x1000, 0x102A },   { 0x103F, 0x103F },   { 0x1050, 0x1055 },
    { 0x105A, 0x105D },   { 0x1061, 0x1061 },   { 0x1065, 0x1066 },   { 0x106E, 0x1070 },
    { 0x1075, 0x1081 },   { 0x108E, 0x108E },   { 0x10A0, 0x10C5 },   { 0x10C7, 0x10C7 },
    { 0x10CD, 0x10CD },   { 0x10D0, 0x10FA },   { 0x10FC, 0x1248 },   { 0x124A, 0x124D },
    { 0x1250, 0x1256 },   { 0x1258, 0x1258 },   { 0x125A, 0x125D },   { 0x1260, 0x1288 },
    { 0x128A, 0x128D },   { 0x1290, 0x12B0 },   { 0x12B2, 0x12B5 },   { 0x12B8, 0x12BE },
    { 0x12C0, 0x12C0 },   { 0x12C2, 0x12C5 },   { 0x12C8, 0x12D6 },   { 0x12D8, 0x1310 },
    { 0x1312, 0x1315 },   { 0x1318, 0x135A },   { 0x1380, 0x138F },   { 0x13A0, 0x13F5 },
    { 0x13F8, 0x13FD },   { 0x1401, 0x166C },   { 0x166F, 0x167F },   { 0x1681, 0x169A },
    { 0x16A0, 0x16EA },   { 0x16F1, 0x16F8 },   { 0x1700, 0x1711 },   { 0x171F, 0x1731 },
    { 0x1740, 0x1751 },   { 0x1760, 0x176C },   { 0x176E, 0x1770 },   { 0x1780, 0x17B3 },
    { 0x17D7, 0x17D7 },   { 0x17DC, 0x17DC },   { 0x1820, 0x1878 },   { 0x1880, 0x1884 },
    { 0x1887, 0x18A8 },   { 0x18AA, 0x18AA },   { 0x18B0, 0x18F5 },   { 0x1900, 0x191E },
    { 0x1950, 0x196D },   { 0x1970, 0x1974 },   { 0x1980, 0x19AB },   { 0x19B0, 0x19C9 },
    { 0x1A00, 0x1A16 },   { 0x1A20, 0x1A54 },   { 0x1AA7, 0x1AA7 },   { 0x1B05, 0x1B33 },
    { 0x1B45, 0x1B4C },   { 0x1B83, 0x1BA0 },   { 0x1BAE, 0x1BAF },   { 0x1BBA, 0x1BE5 },
    { 0x1C00, 0x1C23 },   { 0x1C4D, 0x1C4F },   { 0x1C5A, 0x1C7D },   { 0x1C80, 0x1C88 },
    { 0x1C90, 0x1CBA },   { 0x1CBD, 0x1CBF },   { 0x1CE9, 0x1CEC },   { 0x1CEE, 0x1CF3 },
    { 0x1CF5, 0x1CF6 },   { 0x1CFA, 0x1CFA },   { 0x1D00, 0x1DBF },   { 0x1E00, 0x1F15 },
    { 0x1F18, 0x1F1D },   { 0x1F20, 0x1F45 },   { 0x1F48, 0x1F4D },   { 0x1F50, 0x1F57 },
    { 0x1F59, 0x1F59 },   { 0x1F5B, 0x1F5B },   { 0x1F5D, 0x1F5D },   { 0x1F5F, 0x1F7D },
    { 0x1F80, 0x1FB4 },   { 0x1FB6, 0x1FBC },   { 0x1FBE, 0x1FBE },   { 0x1FC2, 0x1FC4 },
    { 0x1FC6, 0x1FCC },   { 0x1FD0, 0x1FD3 },   { 0x1FD6, 0x1FDB },   { 0x1FE0, 0x1FEC },
    { 0x1FF2, 0x1FF4 },   { 0x1FF6, 0x1FFC },   { 0x2071, 0x2071 },   { 0x207F, 0x207F },
    { 0x2090, 0x209C },   { 0x2102, 0x2102 },   { 0x2107, 0x2107 },   { 0x210A, 0x2113 },
    { 0x2115, 0x2115 },   { 0x2119, 0x211D },   { 0x2124, 0x2124 },   { 0x2126, 0x2126 },
    { 0x2128, 0x2128 },   { 0x212A, 0x212D },   { 0x212F, 0x2139 },   { 0x213C, 0x213F },
    { 0x2145, 0x2149 },   { 0x214E, 0x214E },   { 0x2183, 0x2184 },   { 0x2C00, 0x2CE4 },
    { 0x2CEB, 0x2CEE },   { 0x2CF2, 0x2CF3 },   { 0x2D00, 0x2D25 },   { 0x2D27, 0x2D27 },
    { 0x2D2D, 0x2D2D },   { 0x2D30, 0x2D67 },   { 0x2D6F, 0x2D6F },   { 0x2D80, 0x2D96 },
    { 0x2DA0, 0x2DA6 },   { 0x2DA8, 0x2DAE },   { 0x2DB0, 0x2DB6 },   { 0x2DB8, 0x2DBE },
    { 0x2DC0, 0x2DC6 },   { 0x2DC8, 0x2DCE },   { 0x2DD0, 0x2DD6 },   { 0x2DD8, 0x2DDE },
    { 0x2E2F, 0x2E2F },   { 0x3005, 0x3006 },   { 0x3031, 0x3035 },   { 0x303B, 0x303C },
    { 0x3041, 0x3096 },   { 0x309D, 0x309F },   { 0x30A1, 0x30FA },   { 0x30FC, 0x30FF },
    { 0x3105, 0x312F },   { 0x3131, 0x318E },   { 0x31A0, 0x31BF },   { 0x31F0, 0x31FF },
    { 0x3400, 0x4DBF },   { 0x4E00, 0xA48C },   { 0xA4D0, 0xA4FD },   { 0xA500, 0xA60C },
    { 0xA610, 0xA61F },   { 0xA62A, 0xA62B },   { 0xA640, 0xA66E },   { 0xA67F, 0xA69D },
    { 0xA6A0, 0xA6E5 },   { 0xA717, 0xA71F },   { 0xA722, 0xA788 },   { 0xA78B, 0xA7CA },
    { 0xA7D0, 0xA7D1 },   { 0xA7D3, 0xA7D3 },   { 0xA7D5, 0xA7D9 },   { 0xA7F2, 0xA801 },
    { 0xA803, 0xA805 },   { 0xA807, 0xA80A },   { 0xA80C, 0xA822 },   { 0xA840, 0xA873 },
    { 0xA882, 0xA8B3 },   { 0xA8F2, 0xA8F7 },   { 0xA8FB, 0xA8FB },   { 0xA8FD, 0xA8FE },
    { 0xA90A, 0xA925 },   { 0xA930, 0xA946 },   { 0xA960, 0xA97C },   { 0xA984, 0xA9B2 },
    { 0xA9CF, 0xA9CF },   { 0xA9E0, 0xA9E4 },   { 0xA9E6, 0xA9EF },   { 0xA9FA, 0xA9FE },
    { 0xAA00, 0xAA28 },   { 0xAA40, 0xAA42 },   { 0xAA44, 0xAA4B },   { 0xAA60, 0xAA76 },
    { 0xAA7A, 0xAA7A },   { 0xAA7E, 0xAAAF },   { 0xAAB1, 0xAAB1 },   { 0xAAB5, 0xAAB6 },
    { 0xAAB9, 0xAABD },   { 0xAAC0, 0xAAC0 },   { 0xAAC2, 0xAAC2 },   { 0xAADB, 0xAADD },
    { 0xAAE0, 0xAAEA },   { 0xAAF2, 0xAAF4 },   { 0xAB01, 0xAB06 },   { 0xAB09, 0xAB0E },
    { 0xAB11, 0xAB16 },   { 0xAB20, 0xAB26 },   { 0xAB28, 0xAB2E },   { 0xAB30, 0xAB5A },
    { 0xAB5C, 0xAB69 },   { 0xAB70, 0xABE2 },   { 0xAC00, 0xD7A3 },   { 0xD7B0, 0xD7C6 },
    { 0xD7CB, 0xD7FB },   { 0xF900, 0xFA6D },   { 0xFA70, 0xFAD9 },   { 0xFB00, 0xFB06 },
    { 0xFB13, 0xFB17 },   { 0xFB1D, 0xFB1D },   { 0xFB1F, 0xFB28 },   { 0xFB2A, 0xFB36 },
    { 0xFB38, 0xFB3C },   { 0xFB3E, 0xFB3E },   { 0xFB40, 0xFB41 },   { 0xFB43, 0xFB44 },
    { 0xFB46, 0xFBB1 },   { 0xFBD3, 0xFD3D },   { 0xFD50, 0xFD8F },   { 0xFD92, 0xFDC7 },
    { 0xFDF0, 0xFDFB },   { 0xFE70, 0xFE74 },   { 0xFE76, 0xFEFC },   { 0xFF21, 0xFF3A },
    { 0xFF41, 0xFF5A },   { 0xFF66, 0xFFBE },   { 0xFFC2, 0xFFC7 },   { 0xFFCA, 0xFFCF },
    { 0xFFD2, 0xFFD7 },   { 0xFFDA, 0xFFDC },   { 0x10000, 0x1000B }, { 0x1000D, 0x10026 },
    { 0x10028, 0x1003A }, { 0x1003C, 0x1003D }, { 0x1003F, 0x1004D }, { 0x10050, 0x1005D },
    { 0x10080, 0x100FA }, { 0x10280, 0x1029C }, { 0x102A0, 0x102D0 }, { 0x10300, 0x1031F },
    { 0x1032D, 0x10340 }, { 0x10342, 0x10349 }, { 0x10350, 0x10375 }, { 0x10380, 0x1039D },
    { 0x103A0, 0x103C3 }, { 0x103C8, 0x103CF }, { 0x10400, 0x1049D }, { 0x104B0, 0x104D3 },
    { 0x104D8, 0x104FB }, { 0x10500, 0x10527 }, { 0x10530, 0x10563 }, { 0x10570, 0x1057A },
    { 0x1057C, 0x1058A }, { 0x1058C, 0x10592 }, { 0x10594, 0x10595 }, { 0x10597, 0x105A1 },
    { 0x105A3, 0x105B1 }, { 0x105B3, 0x105B9 }, { 0x105BB, 0x105BC }, { 0x10600, 0x10736 },
    { 0x10740, 0x10755 }, { 0x10760, 0x10767 }, { 0x10780, 0x10785 }, { 0x10787, 0x107B0 },
    { 0x107B2, 0x107BA }, { 0x10800, 0x10805 }, { 0x10808, 0x10808 }, { 0x1080A, 0x10835 },
    { 0x10837, 0x10838 }, { 0x1083C, 0x1083C }, { 0x1083F, 0x10855 }, { 0x10860, 0x10876 },
    { 0x10880, 0x1089E }, { 0x108E0, 0x108F2 }, { 0x108F4, 0x108F5 }, { 0x10900, 0x10915 },
    { 0x10920, 0x10939 }, { 0x10980, 0x109B7 }, { 0x109BE, 0x109BF }, { 0x10A00, 0x10A00 },
    { 0x10A10, 0x10A13 }, { 0x10A15, 0x10A17 }, { 0x10A19, 0x10A35 }, { 0x10A60, 0x10A7C },
    { 0x10A80, 0x10A9C }, { 0x10AC0, 0x10AC7 }, { 0x10AC9, 0x10AE4 }, { 0x10B00, 0x10B35 },
    { 0x10B40, 0x10B55 }, { 0x10B60, 0x10B72 }, { 0x10B80, 0x10B91 }, { 0x10C00, 0x10C48 },
    { 0x10C80, 0x10CB2 }, { 0x10CC0, 0x10CF2 }, { 0x10D00, 0x10D23 }, { 0x10E80, 0x10EA9 },
    { 0x10EB0, 0x10EB1 }, { 0x10F00, 0x10F1C }, { 0x10F27, 0x10F27 }, { 0x10F30, 0x10F45 },
    { 0x10F70, 0x10F81 }, { 0x10FB0, 0x10FC4 }, { 0x10FE0, 0x10FF6 }, { 0x11003, 0x11037 },
    { 0x11071, 0x11072 }, { 0x11075, 0x11075 }, { 0x11083, 0x110AF }, { 0x110D0, 0x110E8 },
    { 0x11103, 0x11126 }, { 0x11144, 0x11144 }, { 0x11147, 0x11147 }, { 0x11150, 0x11172 },
    { 0x11176, 0x11176 }, { 0x11183, 0x111B2 }, { 0x111C1, 0x111C4 }, { 0x111DA, 0x111DA },
    { 0x111DC, 0x111DC }, { 0x11200, 0x11211 }, { 0x11213, 0x1122B }, { 0x1123F, 0x11240 },
    { 0x11280, 0x11286 }, { 0x11288, 0x11288 }, { 0x1128A, 0x1128D }, { 0x1128F, 0x1129D },
    { 0x1129F, 0x112A8 }, { 0x112B0, 0x112DE }, { 0x11305, 0x1130C }, { 0x1130F, 0x11310 },
    { 0x11313, 0x11328 }, { 0x1132A, 0x11330 }, { 0x11332, 0x11333 }, { 0x11335, 0x11339 },
    { 0x1133D, 0x1133D }, { 0x11350, 0x11350 }, { 0x1135D, 0x11361 }, { 0x11400, 0x11434 },
    { 0x11447, 0x1144A }, { 0x1145F, 0x11461 }, { 0x11480, 0x114AF }, { 0x114C4, 0x114C5 },
    { 0x114C7, 0x114C7 }, { 0x11580, 0x115AE }, { 0x115D8, 0x115DB }, { 0x11600, 0x1162F },
    { 0x11644, 0x11644 }, { 0x11680, 0x116AA }, { 0x116B8, 0x116B8 }, { 0x11700, 0x1171A },
    { 0x11740, 0x11746 }, { 0x11800, 0x1182B }, { 0x118A0, 0x118DF }, { 0x118FF, 0x11906 },
    { 0x11909, 0x11909 }, { 0x1190C, 0x11913 }, { 0x11915, 0x11916 }, { 0x11918, 0x1192F },
    { 0x1193F, 0x1193F }, { 0x11941, 0x11941 }, { 0x119A0, 0x119A7 }, { 0x119AA, 0x119D0 },
    { 0x119E1, 0x119E1 }, { 0x119E3, 0x119E3 }, { 0x11A00, 0x11A00 }, { 0x11A0B, 0x11A32 },
    { 0x11A3A, 0x11A3A }, { 0x11A50, 0x11A50 }, { 0x11A5C, 0x11A89 }, { 0x11A9D, 0x11A9D },
    { 0x11AB0, 0x11AF8 }, { 0x11C00, 0x11C08 }, { 0x11C0A, 0x11C2E }, { 0x11C40, 0x11C40 },
    { 0x11C72, 0x11C8F }, { 0x11D00, 0x11D06 }, { 0x11D08, 0x11D09 }, { 0x11D0B, 0x11D30 },
    { 0x11D46, 0x11D46 }, { 0x11D60, 0x11D65 }, { 0x11D67, 0x11D68 }, { 0x11D6A, 0x11D89 },
    { 0x11D98, 0x11D98 }, { 0x11EE0, 0x11EF2 }, { 0x11F02, 0x11F02 }, { 0x11F04, 0x11F10 },
    { 0x11F12, 0x11F33 }, { 0x11FB0, 0x11FB0 }, { 0x12000, 0x12399 }, { 0x12480, 0x12543 },
    { 0x12F90, 0x12FF0 }, { 0x13000, 0x1342E }, { 0x14400, 0x14646 }, { 0x16800, 0x16A38 },
    { 0x16A40, 0x16A5E }, { 0x16A70, 0x16ABE }, { 0x16AD0, 0x16AED }, { 0x16B00, 0x16B2F },
    { 0x16B40, 0x16B43 }, { 0x16B63, 0x16B77 }, { 0x16B7D, 0x16B8F }, { 0x16E40, 0x16E7F },
    { 0x16F00, 0x16F4A }, { 0x16F50, 0x16F50 }, { 0x16F93, 0x16F9F }, { 0x16FE0, 0x16FE1 },
    { 0x16FE3, 0x16FE3 }, { 0x17000, 0x187F7 }, { 0x18800, 0x18CD5 }, { 0x18D00, 0x18D08 },
    { 0x1AFF0, 0x1AFF3 }, { 0x1AFF5, 0x1AFFB }, { 0x1AFFD, 0x1AFFE }, { 0x1B000, 0x1B122 },
    { 0x1B150, 0x1B152 }, { 0x1B164, 0x1B167 }, { 0x1B170, 0x1B2FB }, { 0x1BC00, 0x1BC6A },
    { 0x1BC70, 0x1BC7C }, { 0x1BC80, 0x1BC88 }, { 0x1BC90, 0x1BC99 }, { 0x1D400, 0x1D454 },
    { 0x1D456, 0x1D49C }, { 0x1D49E, 0x1D49F }, { 0x1D4A2, 0x1D4A2 }, { 0x1D4A5, 0x1D4A6 },
    { 0x1D4A9, 0x1D4AC }, { 0x1D4AE, 0x1D4B9 }, { 0x1D4BB, 0x1D4BB }, { 0x1D4BD, 0x1D4C3 },
    { 0x1D4C5, 0x1D505 }, { 0x1D507, 0x1D50A }, { 0x1D50D, 0x1D514 }, { 0x1D516, 0x1D51C },
    { 0x1D51E, 0x1D539 }, { 0x1D53B, 0x1D53E }, { 0x1D540, 0x1D544 }, { 0x1D546, 0x1D546 },
    { 0x1D54A, 0x1D550 }, { 0x1D552, 0x1D6A5 }, { 0x1D6A8, 0x1D6C0 }, { 0x1D6C2, 0x1D6DA },
    { 0x1D6DC, 0x1D6FA }, { 0x1D6FC, 0x1D714 }, { 0x1D716, 0x1D734 }, { 0x1D736, 0x1D74E },
    { 0x1D750, 0x1D76E }, { 0x1D770, 0x1D788 }, { 0x1D78A, 0x1D7A8 }, { 0x1D7AA, 0x1D7C2 },
    { 0x1D7C4, 0x1D7CB }, { 0x1DF00, 0x1DF1E }, { 0x1DF25, 0x1DF2A }, { 0x1E030, 0x1E06D },
    { 0x1E100, 0x1E12C }, { 0x1E137, 0x1E13D }, { 0x1E14E, 0x1E14E }, { 0x1E290, 0x1E2AD },
    { 0x1E2C0, 0x1E2EB }, { 0x1E4D0, 0x1E4EB }, { 0x1E7E0, 0x1E7E6 }, { 0x1E7E8, 0x1E7EB },
    { 0x1E7ED, 0x1E7EE }, { 0x1E7F0, 0x1E7FE }, { 0x1E800, 0x1E8C4 }, { 0x1E900, 0x1E943 },
    { 0x1E94B, 0x1E94B }, { 0x1EE00, 0x1EE03 }, { 0x1EE05, 0x1EE1F }, { 0x1EE21, 0x1EE22 },
    { 0x1EE24, 0x1EE24 }, { 0x1EE27, 0x1EE27 }, { 0x1EE29, 0x1EE32 }, { 0x1EE34, 0x1EE37 },
    { 0x1EE39, 0x1EE39 }, { 0x1EE3B, 0x1EE3B }, { 0x1EE42, 0x1EE42 }, { 0x1EE47, 0x1EE47 },
    { 0x1EE49, 0x1EE49 }, { 0x1EE4B, 0x1EE4B }, { 0x1EE4D, 0x1EE4F }, { 0x1EE51, 0x1EE52 },
    { 0x1EE54, 0x1EE54 }, { 0x1EE57, 0x1EE57 }, { 0x1EE59, 0x1EE59 }, { 0x1EE5B, 0x1EE5B },
    { 0x1EE5D, 0x1EE5D }, { 0x1EE5F, 0x1EE5F }, { 0x1EE61, 0x1EE62 }, { 0x1EE64, 0x1EE64 },
    { 0x1EE67, 0x1EE6A }, { 0x1EE6C, 0x1EE72 }, { 0x1EE74, 0x1EE77 }, { 0x1EE79, 0x1EE7C },
    { 0x1EE7E, 0x1EE7E }, { 0x1EE80, 0x1EE89 }, { 0x1EE8B, 0x1EE9B }, { 0x1EEA1, 0x1EEA3 },
    { 0x1EEA5, 0x1EEA9 }, { 0x1EEAB, 0x1EEBB }, { 0x20000, 0x2A6DF }, { 0x2A700, 0x2B738 },
    { 0x2B740, 0x2B81D }, { 0x2B820, 0x2CEA1 }, { 0x2CEB0, 0x2EBE0 }, { 0x2F800, 0x2FA1D },
    { 0x30000, 0x3134A }, { 0x31350, 0x323AF },
};

/* General_Category Nd (decimal digits) above U+007F, Unicode 15.0: Go's
 * unicode.IsDigit. */
static const struct cp_range digit_ranges[] = {
    { 0x660, 0x669 },     { 0x6F0, 0x6F9 },     { 0x7C0, 0x7C9 },     { 0x966, 0x96F },
    { 0x9E6, 0x9EF },     { 0xA66, 0xA6F },     { 0xAE6, 0xAEF },     { 0xB66, 0xB6F },
    { 0xBE6, 0xBEF },     { 0xC66, 0xC6F },     { 0xCE6, 0xCEF },     { 0xD66, 0xD6F },
    { 0xDE6, 0xDEF },     { 0xE50, 0xE59 },     { 0xED0, 0xED9 },     { 0xF20, 0xF29 },
    { 0x1040, 0x1049 },   { 0x1090, 0x1099 },   { 0x17E0, 0x17E9 },   { 0x1810, 0x1819 },
    { 0x1946, 0x194F },   { 0x19D0, 0x19D9 },   { 0x1A80, 0x1A89 },   { 0x1A90, 0x1A99 },
    { 0x1B50, 0x1B59 },   { 0x1BB0, 0x1BB9 },   { 0x1C40, 0x1C49 },   { 0x1C50, 0x1C59 },
    { 0xA620, 0xA629 },   { 0xA8D0, 0xA8D9 },   { 0xA900, 0xA909 },   { 0xA9D0, 0xA9D9 },
    { 0xA9F0, 0xA9F9 },   { 0xAA50, 0xAA59 },   { 0xABF0, 0xABF9 },   { 0xFF10, 0xFF19 },
    { 0x104A0, 0x104A9 }, { 0x10D30, 0x10D39 }, { 0x11066, 0x1106F }, { 0x110F0, 0x110F9 },
    { 0x11136, 0x1113F }, { 0x111D0, 0x111D9 }, { 0x112F0, 0x112F9 }, { 0x11450, 0x11459 },
    { 0x114D0, 0x114D9 }, { 0x11650, 0x11659 }, { 0x116C0, 0x116C9 }, { 0x11730, 0x11739 },
    { 0x118E0, 0x118E9 }, { 0x11950, 0x11959 }, { 0x11C50, 0x11C59 }, { 0x11D50, 0x11D59 },
    { 0x11DA0, 0x11DA9 }, { 0x11F50, 0x11F59 }, { 0x16A60, 0x16A69 }, { 0x16AC0, 0x16AC9 },
    { 0x16B50, 0x16B59 }, { 0x1D7CE, 0x1D7FF }, { 0x1E140, 0x1E149 }, { 0x1E2F0, 0x1E2F9 },
    { 0x1E4F0, 0x1E4F9 }, { 0x1E950, 0x1E959 }, { 0x1FBF0, 0x1FBF9 },
};

#define EOF_RUNE (-1)
#define RUNE_ERROR UTF8_RUNE_ERROR
/* Pattern matching keeps one byte per (segment, position); above this many
 * cells a match is refused rather than allowed to take seconds. */
#define MATCH_WORK_MAX ((size_t)16 * 1024 * 1024)

static bool in_ranges(const struct cp_range *r, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool exp_is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return in_ranges(letter_ranges, DW_ARRAY_LEN(letter_ranges), cp);
}

bool exp_is_digit(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    return in_ranges(digit_ranges, DW_ARRAY_LEN(digit_ranges), cp);
}

bool exp_is_space(uint32_t cp)
{
    switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000: return true;
    default: return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* ---- word splitting (EXP_SPLIT), BuildKit's wordsStruct ---- */

struct words {
    struct buf cur; /* the word being built */
    bool in_word;   /* something (possibly an empty quoted string) started it */
    struct buf all; /* finished words, each followed by a NUL */
    VEC(size_t) starts;
};

static int words_flush(struct words *w)
{
    VEC_PUSH(&w->starts, w->all.len);
    if (buf_append(&w->all, w->cur.data, w->cur.len) || buf_append_char(&w->all, '\0'))
        return ERR_TOO_LARGE;
    buf_reset(&w->cur);
    w->in_word = false;
    return 0;
}

static int words_add_raw(struct words *w, const char *p, size_t n)
{
    if (!w)
        return 0;
    w->in_word = true;
    return buf_append(&w->cur, p, n);
}

/* An unquoted, unescaped character: white space ends the current word. A
 * word that an empty quoted string started but that holds nothing yet is not
 * ended (BuildKit keeps in_word set then), which is harmless: empty words
 * are never produced. */
static int words_add_char(struct words *w, uint32_t cp, const char *p, size_t n)
{
    if (!w)
        return 0;
    if (exp_is_space(cp)) {
        if (w->in_word && w->cur.len)
            return words_flush(w);
        return 0;
    }
    return words_add_raw(w, p, n);
}

static int words_add_string(struct words *w, const char *p, size_t n)
{
    if (!w)
        return 0;
    for (size_t i = 0; i < n;) {
        size_t l;
        uint32_t cp = utf8_decode(p, n, i, &l);
        int rc = words_add_char(w, cp, p + i, l);
        if (rc)
            return rc;
        i += l;
    }
    return 0;
}

/* ---- the scanner ---- */

struct xp {
    const char *s;
    size_t n, pos;
    uint32_t base; /* source offset of s[0] */
    uint32_t esc;
    bool no_quotes;
    bool raw; /* keep escape characters (modifier words of # % /) */
    unsigned depth;
    size_t max_len;
    const struct exp_env *env;
    VEC(struct exp_ref) refs;
    struct err *err;
};

static struct span src_span(const struct xp *x, size_t from, size_t to)
{
    return span_make(x->base + (uint32_t)from, x->base + (uint32_t)to);
}

DW_PRINTF(5, 6)
static int fail(struct xp *x, int code, size_t from, size_t to, const char *fmt, ...)
{
    if (x->err) {
        err_clear(x->err);
        x->err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err->msg, sizeof x->err->msg, fmt, ap);
        va_end(ap);
        x->err->span = src_span(x, from, to);
    }
    return code;
}

static int too_large(struct xp *x)
{
    return fail(x, ERR_TOO_LARGE, 0, x->n, "expansion result exceeds %zu bytes", x->max_len);
}

static int put(struct xp *x, struct buf *b, const char *p, size_t n)
{
    if (n && buf_append(b, p, n))
        return too_large(x);
    return 0;
}

static int32_t peek(const struct xp *x, size_t *len)
{
    if (x->pos >= x->n) {
        *len = 0;
        return EOF_RUNE;
    }
    return (int32_t)utf8_decode(x->s, x->n, x->pos, len);
}

/* An unset variable reads as the empty string. */
static bool lookup(const struct xp *x, struct str name, struct str *value)
{
    *value = str_make("", 0);
    if (!x->env || !x->env->lookup)
        return false;
    if (!x->env->lookup(x->env->ctx, name, value)) {
        *value = str_make("", 0);
        return false;
    }
    if (!value->ptr)
        value->ptr = "";
    return true;
}

static int stop_on(struct xp *x, int32_t stop, bool raw, struct buf *out, struct words *w);

static int single_quote(struct xp *x, struct buf *out)
{
    size_t open = x->pos++;
    for (;;) {
        if (x->pos >= x->n)
            return fail(x, ERR_SYNTAX, open, x->n,
                        "unexpected end of statement while looking for matching single-quote");
        char c = x->s[x->pos];
        if (c == '\'') {
            x->pos++;
            return 0;
        }
        int rc = put(x, out, &c, 1);
        if (rc)
            return rc;
        x->pos++;
    }
}

static int dollar(struct xp *x, struct buf *out);

static int double_quote(struct xp *x, struct buf *out)
{
    size_t open = x->pos++;
    for (;;) {
        if (x->pos >= x->n)
            return fail(x, ERR_SYNTAX, open, x->n,
                        "unexpected end of statement while looking for matching double-quote");
        char c = x->s[x->pos];
        int rc;
        if (c == '"') {
            x->pos++;
            return 0;
        }
        if (c == '$') {
            rc = dollar(x, out);
            if (rc)
                return rc;
            continue;
        }
        size_t l;
        size_t at = x->pos;
        uint32_t cp = utf8_decode(x->s, x->n, at, &l);
        x->pos += l;
        if (cp == x->esc) {
            if (x->raw && (rc = put(x, out, x->s + at, l)))
                return rc;
            if (x->pos >= x->n)
                continue; /* the loop then reports the missing quote */
            /* Inside double quotes the escape character escapes only `"`,
             * `$` and itself; before anything else it stays. In raw mode
             * that means it is written twice, as BuildKit does. */
            char nc = x->s[x->pos];
            if (nc == '"' || nc == '$' || (unsigned char)nc == x->esc) {
                at = x->pos++;
                l = 1;
            }
        }
        if ((rc = put(x, out, x->s + at, l)))
            return rc;
    }
}

static enum exp_ref_kind scan_name(struct xp *x)
{
    size_t l;
    int32_t c = peek(x, &l);
    if (c == EOF_RUNE)
        return EXP_REF_NAME;
    if (exp_is_digit((uint32_t)c)) {
        /* $1x is $1 then x: a name that starts with a digit is all digits. */
        while ((c = peek(x, &l)) != EOF_RUNE && exp_is_digit((uint32_t)c))
            x->pos += l;
        return EXP_REF_POSITIONAL;
    }
    if (c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!') {
        x->pos++;
        return EXP_REF_SPECIAL;
    }
    while ((c = peek(x, &l)) != EOF_RUNE &&
           (exp_is_letter((uint32_t)c) || exp_is_digit((uint32_t)c) || c == '_'))
        x->pos += l;
    return EXP_REF_NAME;
}

static size_t push_ref(struct xp *x, size_t start, size_t name_start, enum exp_ref_kind kind,
                       bool braced, unsigned depth)
{
    struct exp_ref *r = VEC_PUSH_ZERO(&x->refs);
    r->name = str_make(x->s + name_start, x->pos - name_start);
    r->span = src_span(x, start, x->pos);
    r->name_span = src_span(x, name_start, x->pos);
    /* "$0" is a special parameter in POSIX, but BuildKit reads it as digits. */
    r->kind = kind;
    r->mod = EXP_MOD_NONE;
    r->braced = braced;
    r->depth = depth;
    return x->refs.len - 1;
}

/* ---- patterns of # % / ---- */

enum { PT_LIT, PT_ANY, PT_STAR };

struct ptok {
    uint8_t kind;
    uint32_t cp;
};

struct ptoks {
    struct ptok *items;
    size_t len, cap;
};

/* Reads a modifier pattern: `*`, `?`, `\` escaping `*`, `?` or `\`, and `\}`
 * or `\/` standing for `}` or `/`; every other escaped character is an
 * error. The error text quotes pat as given (for % that is the reversed
 * pattern, as in BuildKit). */
static int pattern_compile(struct xp *x, const char *pat, size_t n, struct ptoks *out, size_t from,
                           size_t to)
{
    for (size_t i = 0; i < n;) {
        size_t l;
        uint32_t cp = utf8_decode(pat, n, i, &l);
        i += l;
        struct ptok t = { PT_LIT, cp };
        if (cp == '*') {
            t.kind = PT_STAR;
        } else if (cp == '?') {
            t.kind = PT_ANY;
        } else if (cp == '\\') {
            if (i < n && (pat[i] == '}' || pat[i] == '/'))
                continue;
            uint32_t nc = RUNE_ERROR;
            size_t nl = 0;
            if (i < n)
                nc = utf8_decode(pat, n, i, &nl);
            i += nl;
            if (nc != '*' && nc != '?' && nc != '\\') {
                char enc[4];
                size_t el = utf8_encode(nc, enc);
                return fail(x, ERR_SYNTAX, from, to,
                            "invalid pattern (%.*s) in substitution: invalid escape '\\%.*s'",
                            (int)n, pat, (int)el, enc);
            }
            t.cp = nc;
        }
        VEC_PUSH(out, t);
    }
    return 0;
}

/* The subject of a match: its code points, and where each starts. */
struct units {
    uint32_t *cp;
    size_t *off; /* n + 1 entries */
    size_t n;
};

static void units_init(struct units *u, const char *s, size_t n, bool reversed)
{
    u->cp = xmalloc((n + 1) * sizeof *u->cp);
    u->off = xmalloc((n + 1) * sizeof *u->off);
    u->n = 0;
    for (size_t i = 0; i < n;) {
        size_t l;
        u->cp[u->n] = utf8_decode(s, n, i, &l);
        u->off[u->n++] = i;
        i += l;
    }
    u->off[u->n] = n;
    if (reversed) {
        for (size_t i = 0, j = u->n ? u->n - 1 : 0; i < j; i++, j--) {
            uint32_t t = u->cp[i];
            u->cp[i] = u->cp[j];
            u->cp[j] = t;
        }
    }
}

static void units_release(struct units *u)
{
    free(u->cp);
    free(u->off);
}

/* A pattern is fixed-width segments separated by stars. BuildKit hands it to
 * Go's regexp (star = `.*?` or `.*`, `?` = `.`), whose leftmost-first rule
 * picks, star by star, the shortest (lazy) or longest (greedy) stretch that
 * still lets the rest match; `.` never matches a newline. ok[i][p] says
 * whether segments i.. can match from position p, so each choice is a
 * lookup rather than backtracking. */
struct matcher {
    const struct ptok *t;
    size_t nseg;
    size_t *seg_at, *seg_len; /* token index and length of each segment */
    const uint32_t *u;
    size_t n;
    size_t *lim; /* lim[p]: first newline at or after p, or n */
    uint8_t *ok; /* nseg rows of n + 1 */
};

static bool seg_matches(const struct matcher *m, size_t seg, size_t p)
{
    size_t len = m->seg_len[seg];
    if (p + len > m->n)
        return false;
    if (!len)
        return true; /* an empty pattern has no tokens: t may be NULL (NULL + 0) */
    const struct ptok *t = m->t + m->seg_at[seg];
    for (size_t k = 0; k < len; k++) {
        uint32_t c = m->u[p + k];
        if (t[k].kind == PT_ANY ? c == '\n' : c != t[k].cp)
            return false;
    }
    return true;
}

static int matcher_init(struct xp *x, struct matcher *m, const struct ptok *t, size_t nt,
                        const struct units *u)
{
    memset(m, 0, sizeof *m);
    size_t nseg = 1;
    for (size_t i = 0; i < nt; i++)
        nseg += t[i].kind == PT_STAR;
    if ((nt + 1) * (u->n + 1) > MATCH_WORK_MAX || nseg * (u->n + 1) > MATCH_WORK_MAX)
        return fail(x, ERR_TOO_LARGE, 0, x->n,
                    "pattern matching over a %zu-character value is too expensive", u->n);
    m->t = t;
    m->u = u->cp;
    m->n = u->n;
    m->nseg = nseg;
    m->seg_at = xmalloc(nseg * sizeof *m->seg_at);
    m->seg_len = xmalloc(nseg * sizeof *m->seg_len);
    size_t s = 0;
    m->seg_at[0] = 0;
    m->seg_len[0] = 0;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].kind == PT_STAR) {
            s++;
            m->seg_at[s] = i + 1;
            m->seg_len[s] = 0;
        } else {
            m->seg_len[s]++;
        }
    }
    size_t w = m->n + 1;
    m->lim = xmalloc(w * sizeof *m->lim);
    m->lim[m->n] = m->n;
    for (size_t p = m->n; p-- > 0;)
        m->lim[p] = m->u[p] == '\n' ? p : m->lim[p + 1];
    m->ok = xcalloc(nseg, w);
    size_t *next = xmalloc((w + 1) * sizeof *next);
    for (size_t seg = nseg; seg-- > 0;) {
        uint8_t *row = m->ok + seg * w;
        if (seg + 1 < nseg) {
            /* next[q]: first position >= q from which the rest matches. */
            const uint8_t *nrow = m->ok + (seg + 1) * w;
            next[w] = SIZE_MAX;
            for (size_t q = w; q-- > 0;)
                next[q] = nrow[q] ? q : next[q + 1];
        }
        for (size_t p = 0; p < w; p++) {
            if (!seg_matches(m, seg, p))
                continue;
            size_t q = p + m->seg_len[seg];
            row[p] = seg + 1 == nseg || next[q] <= m->lim[q];
        }
    }
    free(next);
    return 0;
}

static void matcher_release(struct matcher *m)
{
    free(m->seg_at);
    free(m->seg_len);
    free(m->lim);
    free(m->ok);
}

/* End of the match that starts at p (ok[0][p] must hold). */
static size_t matcher_walk(const struct matcher *m, size_t p, bool greedy)
{
    size_t w = m->n + 1;
    for (size_t seg = 0; seg + 1 < m->nseg; seg++) {
        const uint8_t *nrow = m->ok + (seg + 1) * w;
        size_t q0 = p + m->seg_len[seg], q1 = m->lim[q0];
        if (greedy) {
            p = q1;
            while (!nrow[p])
                p--;
        } else {
            p = q0;
            while (!nrow[p])
                p++;
        }
    }
    return p + m->seg_len[m->nseg - 1];
}

static bool matcher_at(const struct matcher *m, size_t p)
{
    return m->ok[p] != 0;
}

/* ${v#p} ${v##p} ${v%p} ${v%%p}. */
static int trim(struct xp *x, struct str value, const char *pat, size_t plen, bool suffix,
                bool greedy, struct buf *out, size_t from, size_t to)
{
    struct buf rev = BUF_INIT;
    if (suffix) {
        /* BuildKit reverses the value and the pattern and removes a prefix.
         * The pattern is reversed rune by rune, keeping `\` pairs in order;
         * a trailing lone `\` ends up first. */
        struct units pu;
        units_init(&pu, pat, plen, false);
        uint32_t *r = xmalloc((pu.n + 1) * sizeof *r);
        for (size_t i = 0; i < pu.n;) {
            size_t o = pu.n - 1 - i;
            if (pu.cp[i] == '\\' && i + 1 < pu.n) {
                r[o - 1] = '\\';
                r[o] = pu.cp[i + 1];
                i += 2;
            } else {
                r[o] = pu.cp[i];
                i++;
            }
        }
        for (size_t i = 0; i < pu.n; i++) {
            char enc[4];
            if (buf_append(&rev, enc, utf8_encode(r[i], enc))) {
                free(r);
                units_release(&pu);
                buf_release(&rev);
                return too_large(x);
            }
        }
        free(r);
        units_release(&pu);
        pat = buf_cstr(&rev);
        plen = rev.len;
    }
    struct ptoks toks = VEC_INIT;
    int rc = pattern_compile(x, pat, plen, &toks, from, to);
    struct units u = { 0 };
    struct matcher m = { 0 };
    if (rc)
        goto out;
    units_init(&u, value.ptr, value.len, suffix);
    if ((rc = matcher_init(x, &m, toks.items, toks.len, &u)))
        goto out;
    size_t cut = 0; /* units removed */
    if (matcher_at(&m, 0))
        cut = matcher_walk(&m, 0, greedy);
    if (suffix)
        rc = put(x, out, value.ptr, u.off[u.n - cut]);
    else
        rc = put(x, out, value.ptr + u.off[cut], value.len - u.off[cut]);
out:
    matcher_release(&m);
    if (u.cp)
        units_release(&u);
    VEC_RELEASE(&toks);
    buf_release(&rev);
    return rc;
}

/* Appends the replacement of ${v//p/r} for one match: BuildKit uses Go's
 * ReplaceAllString, so r is a template: `$$` is `$`, `$0` and `${0}` the
 * match, any other `$name`/`${name}` (the pattern has no groups) nothing,
 * and a `$` that starts neither is literal. */
static int put_template(struct xp *x, struct buf *out, struct str r, const char *match, size_t mlen)
{
    size_t i = 0;
    int rc;
    while (i < r.len) {
        const char *d = memchr(r.ptr + i, '$', r.len - i);
        if (!d)
            break;
        size_t at = (size_t)(d - r.ptr);
        if ((rc = put(x, out, r.ptr + i, at - i)))
            return rc;
        i = at + 1;
        if (i < r.len && r.ptr[i] == '$') {
            if ((rc = put(x, out, "$", 1)))
                return rc;
            i++;
            continue;
        }
        bool brace = i < r.len && r.ptr[i] == '{';
        size_t ns = i + brace, ne = ns;
        while (ne < r.len) {
            size_t l;
            uint32_t cp = utf8_decode(r.ptr, r.len, ne, &l);
            if (!exp_is_letter(cp) && !exp_is_digit(cp) && cp != '_')
                break;
            ne += l;
        }
        size_t end = ne;
        if (ne == ns || (brace && (ne >= r.len || r.ptr[ne] != '}'))) {
            if ((rc = put(x, out, "$", 1)))
                return rc;
            continue;
        }
        if (brace)
            end++;
        if (ne - ns == 1 && r.ptr[ns] == '0' && (rc = put(x, out, match, mlen)))
            return rc;
        i = end;
    }
    return put(x, out, r.ptr + i, r.len - i);
}

/* ${v/p/r} and ${v//p/r}: wildcards are always greedy and the match is not
 * anchored. */
static int replace(struct xp *x, struct str value, struct str pat, struct str rep, bool all,
                   struct buf *out, size_t from, size_t to)
{
    struct ptoks toks = VEC_INIT;
    int rc = pattern_compile(x, pat.ptr, pat.len, &toks, from, to);
    struct units u = { 0 };
    struct matcher m = { 0 };
    if (rc)
        goto out;
    units_init(&u, value.ptr, value.len, false);
    if ((rc = matcher_init(x, &m, toks.items, toks.len, &u)))
        goto out;
    if (!all) {
        size_t s = 0;
        while (s <= u.n && !matcher_at(&m, s))
            s++;
        if (s > u.n) {
            rc = put(x, out, value.ptr, value.len);
            goto out;
        }
        size_t e = matcher_walk(&m, s, true);
        if (!(rc = put(x, out, value.ptr, u.off[s])) && !(rc = put(x, out, rep.ptr, rep.len)))
            rc = put(x, out, value.ptr + u.off[e], value.len - u.off[e]);
        goto out;
    }
    /* Go's ReplaceAll: successive leftmost matches; an empty match right
     * after the previous match is not replaced; the search always advances
     * by at least one character. */
    size_t last = 0, search = 0;
    while (search <= u.n) {
        size_t s = search;
        while (s <= u.n && !matcher_at(&m, s))
            s++;
        if (s > u.n)
            break;
        size_t e = matcher_walk(&m, s, true);
        if ((rc = put(x, out, value.ptr + u.off[last], u.off[s] - u.off[last])))
            goto out;
        if ((e > last || s == 0) &&
            (rc = put_template(x, out, rep, value.ptr + u.off[s], u.off[e] - u.off[s])))
            goto out;
        last = e;
        search = search + 1 > e ? search + 1 : e;
    }
    rc = put(x, out, value.ptr + u.off[last], value.len - u.off[last]);
out:
    matcher_release(&m);
    if (u.cp)
        units_release(&u);
    VEC_RELEASE(&toks);
    return rc;
}

/* ---- $ ---- */

static int missing_brace(struct xp *x, size_t start)
{
    return fail(x, ERR_SYNTAX, start, x->n, "syntax error: missing '}'");
}

static int unsupported(struct xp *x, size_t ref, size_t from, size_t to)
{
    x->refs.items[ref].mod = EXP_MOD_INVALID;
    return fail(x, ERR_SYNTAX, from, to, "unsupported modifier (%.*s) in substitution",
                (int)(to - from), x->s + from);
}

static int braced(struct xp *x, struct buf *out, size_t start);

static int dollar(struct xp *x, struct buf *out)
{
    size_t start = x->pos++;
    if (x->pos >= x->n || x->s[x->pos] != '{') {
        size_t ns = x->pos;
        enum exp_ref_kind kind = scan_name(x);
        if (x->pos == ns)
            return put(x, out, "$", 1); /* `$.`, a trailing `$` */
        size_t ref = push_ref(x, start, ns, kind, false, x->depth);
        struct str value;
        x->refs.items[ref].set = lookup(x, x->refs.items[ref].name, &value);
        return put(x, out, value.ptr, value.len);
    }
    x->pos++;
    if (x->pos >= x->n)
        return missing_brace(x, start);
    char c = x->s[x->pos];
    if (c == '{' || c == '}' || c == ':')
        return fail(x, ERR_SYNTAX, start, x->pos + 1, "syntax error: bad substitution");
    if (x->depth >= EXP_MAX_DEPTH)
        return fail(x, ERR_TOO_LARGE, start, x->pos, "substitutions nested more than %d deep",
                    EXP_MAX_DEPTH);
    x->depth++;
    int rc = braced(x, out, start);
    x->depth--;
    return rc;
}

static int braced(struct xp *x, struct buf *out, size_t start)
{
    size_t ns = x->pos;
    enum exp_ref_kind kind = scan_name(x);
    /* dollar() counted this reference's own level; it sits one above. */
    size_t ref = push_ref(x, start, ns, kind, true, x->depth - 1);
    struct str name = x->refs.items[ref].name;
    /* BuildKit reads past the end here and reports "unsupported modifier
     * (\uFFFD)"; the spec (and a reader) want the missing brace. */
    if (x->pos >= x->n)
        return missing_brace(x, start);
    size_t op = x->pos, l;
    int32_t ch = peek(x, &l);
    x->pos += l;
    struct str value;
    bool set;
    int rc = 0;
    if (ch == '}') {
        set = lookup(x, name, &value);
        x->refs.items[ref].set = set;
        x->refs.items[ref].span = src_span(x, start, x->pos);
        return put(x, out, value.ptr, value.len);
    }
    if (ch == '/') {
        bool all = x->pos < x->n && x->s[x->pos] == '/';
        if (all)
            x->pos++;
        x->refs.items[ref].mod = all ? EXP_MOD_REPLACE_ALL : EXP_MOD_REPLACE;
        struct buf pat = BUF_INIT, rep = BUF_INIT;
        buf_init(&pat, x->max_len);
        buf_init(&rep, x->max_len);
        if ((rc = stop_on(x, '/', true, &pat, NULL))) {
            if (x->pos >= x->n)
                rc = fail(x, ERR_SYNTAX, start, x->n, "syntax error: missing '/' in ${}");
        } else if ((rc = stop_on(x, '}', true, &rep, NULL))) {
            if (x->pos >= x->n)
                rc = missing_brace(x, start);
        } else {
            set = lookup(x, name, &value);
            x->refs.items[ref].set = set;
            x->refs.items[ref].span = src_span(x, start, x->pos);
            rc = replace(x, value, buf_str(&pat), buf_str(&rep), all, out, start, x->pos);
        }
        buf_release(&pat);
        buf_release(&rep);
        return rc;
    }
    bool null_is_unset = false;
    if (ch == ':') {
        null_is_unset = true;
        if (x->pos >= x->n)
            return missing_brace(x, start);
        ch = peek(x, &l);
        x->pos += l;
    } else if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
        return unsupported(x, ref, op, x->pos);
    }
    size_t op_end = x->pos;
    bool raw = ch == '#' || ch == '%';
    if (null_is_unset && raw)
        return unsupported(x, ref, op, op_end);
    struct buf word = BUF_INIT;
    buf_init(&word, x->max_len);
    if ((rc = stop_on(x, '}', raw, &word, NULL))) {
        if (x->pos >= x->n)
            rc = missing_brace(x, start);
        goto out;
    }
    set = lookup(x, name, &value);
    x->refs.items[ref].set = set;
    x->refs.items[ref].span = src_span(x, start, x->pos);
    bool empty = !set || (null_is_unset && value.len == 0);
    struct str w = buf_str(&word);
    switch (ch) {
    case '-':
        x->refs.items[ref].mod = null_is_unset ? EXP_MOD_DEFAULT_NULL : EXP_MOD_DEFAULT;
        rc = empty ? put(x, out, w.ptr, w.len) : put(x, out, value.ptr, value.len);
        break;
    case '+':
        x->refs.items[ref].mod = null_is_unset ? EXP_MOD_ALT_NULL : EXP_MOD_ALT;
        if (!empty)
            rc = put(x, out, w.ptr, w.len);
        break;
    case '?':
        x->refs.items[ref].mod = null_is_unset ? EXP_MOD_ERROR_NULL : EXP_MOD_ERROR;
        if (empty) {
            const char *why = !set ? "is not allowed to be unset" : "is not allowed to be empty";
            if (w.len)
                rc = fail(x, ERR_INVALID, start, x->pos, "%.*s: %.*s", STR_FMT(name), STR_FMT(w));
            else
                rc = fail(x, ERR_INVALID, start, x->pos, "%.*s: %s", STR_FMT(name), why);
            break;
        }
        rc = put(x, out, value.ptr, value.len);
        break;
    case '#':
    case '%': {
        /* The pattern's first character decides shortest or longest after
         * expansion, so `${v#$p}` with p="#x" is a longest match. */
        bool greedy = w.len > 0 && (unsigned char)w.ptr[0] == (unsigned)ch;
        if (greedy)
            w = str_slice(w, 1, w.len);
        if (ch == '#')
            x->refs.items[ref].mod = greedy ? EXP_MOD_TRIM_PREFIX_LONG : EXP_MOD_TRIM_PREFIX;
        else
            x->refs.items[ref].mod = greedy ? EXP_MOD_TRIM_SUFFIX_LONG : EXP_MOD_TRIM_SUFFIX;
        rc = trim(x, value, w.ptr, w.len, ch == '%', greedy, out, start, x->pos);
        break;
    }
    default:
        /* `:=`, `:1`, `:}` ...: BuildKit reads the word first, so a missing
         * brace wins over the bad modifier. */
        rc = unsupported(x, ref, op, op_end);
        break;
    }
out:
    buf_release(&word);
    return rc;
}

/* Whether ASCII byte c stands for itself in stop_on: no expansion, quote,
 * escape, stop character, nor (when splitting) a word break. */
static inline bool is_plain(const struct xp *x, int32_t c, int32_t stop, const struct words *w)
{
    if (c == '$' || c == stop || (uint32_t)c == x->esc)
        return false;
    if (!x->no_quotes && (c == '\'' || c == '"'))
        return false;
    /* The ASCII white space of exp_is_space: '\t' to '\r' and ' '. */
    return !w || !(c == ' ' || (c >= '\t' && c <= '\r'));
}

static int stop_on(struct xp *x, int32_t stop, bool raw, struct buf *out, struct words *w)
{
    bool saved = x->raw;
    x->raw = raw;
    int rc = 0;
    while (x->pos < x->n) {
        size_t l;
        int32_t c = peek(x, &l);
        if (stop != EOF_RUNE && c == stop) {
            x->pos += l;
            goto done;
        }
        if (c < 0x80 && is_plain(x, c, stop, w)) {
            /* A run of plain ASCII goes in one append, not one per
             * character: most words expand nothing. */
            size_t at = x->pos, end = at + 1;
            while (end < x->n && (unsigned char)x->s[end] < 0x80 &&
                   is_plain(x, (unsigned char)x->s[end], stop, w))
                end++;
            x->pos = end;
            if (words_add_raw(w, x->s + at, end - at))
                goto large;
            if ((rc = put(x, out, x->s + at, end - at)))
                goto done;
            continue;
        }
        size_t mark = out->len;
        if (c == '$') {
            if ((rc = dollar(x, out)))
                goto done;
            if (w && out->len > mark && words_add_string(w, out->data + mark, out->len - mark))
                goto large;
            continue;
        }
        if (!x->no_quotes && (c == '\'' || c == '"')) {
            rc = c == '\'' ? single_quote(x, out) : double_quote(x, out);
            if (rc)
                goto done;
            if (w && words_add_raw(w, out->data ? out->data + mark : "", out->len - mark))
                goto large;
            continue;
        }
        size_t at = x->pos;
        x->pos += l;
        if ((uint32_t)c == x->esc) {
            if (x->raw) {
                if ((rc = put(x, out, x->s + at, l)))
                    goto done;
                if (words_add_raw(w, x->s + at, l))
                    goto large;
            }
            /* A lone escape character at the end is dropped. */
            if (x->pos >= x->n)
                break;
            at = x->pos;
            (void)peek(x, &l);
            x->pos += l;
            if (words_add_raw(w, x->s + at, l))
                goto large;
        } else if (words_add_char(w, (uint32_t)c, x->s + at, l)) {
            goto large;
        }
        if ((rc = put(x, out, x->s + at, l)))
            goto done;
    }
    if (stop != EOF_RUNE)
        rc = fail(x, ERR_SYNTAX, x->pos, x->n,
                  "unexpected end of statement while looking for matching %c", (char)stop);
done:
    x->raw = saved;
    return rc;
large:
    x->raw = saved;
    return too_large(x);
}

/* Whether the word holds a '$', a quote (when quotes count) or the escape
 * character: anything stop_on would not copy as it is. */
static bool has_special(const struct xp *x)
{
    for (size_t i = 0; i < x->n; i++) {
        unsigned char c = (unsigned char)x->s[i];
        if (c == '$' || c == x->esc || (!x->no_quotes && (c == '\'' || c == '"')))
            return true;
    }
    return false;
}

int exp_word(struct arena *a, const char *word, size_t len, uint32_t src_offset,
             const struct exp_env *env, const struct exp_opts *opts, struct exp_result *out,
             struct err *err)
{
    memset(out, 0, sizeof *out);
    out->value = str_make("", 0);
    struct xp x = {
        .s = word ? word : "",
        .n = word ? len : 0,
        .base = src_offset,
        .esc = opts && opts->escape ? (unsigned char)opts->escape : '\\',
        .no_quotes = opts && (opts->flags & EXP_NO_QUOTES),
        .max_len = opts && opts->max_len ? opts->max_len : EXP_DEFAULT_MAX_LEN,
        .env = env,
        .err = err,
    };
    bool split = opts && (opts->flags & EXP_SPLIT);
    if (!split && x.n <= x.max_len && !has_special(&x)) {
        /* Nothing to expand, unquote or unescape: the value is the word
         * (stop_on would copy it byte for byte, through a heap buffer). */
        out->value = str_make(arena_strndup(a, x.s, x.n), x.n);
        if (err)
            err_clear(err);
        return 0;
    }
    struct buf result;
    buf_init(&result, x.max_len);
    struct words w = { BUF_INIT, false, BUF_INIT, VEC_INIT };
    buf_init(&w.cur, x.max_len);
    buf_init(&w.all, 2 * x.max_len);
    int rc = stop_on(&x, EOF_RUNE, false, &result, split ? &w : NULL);
    if (!rc && split && w.cur.len && words_flush(&w))
        rc = too_large(&x);
    if (x.refs.len) {
        out->refs = ARENA_NEW_ARRAY(a, struct exp_ref, x.refs.len);
        memcpy(out->refs, x.refs.items, x.refs.len * sizeof *out->refs);
        out->n_refs = x.refs.len;
    }
    if (!rc) {
        out->value = str_make(arena_strndup(a, buf_cstr(&result), result.len), result.len);
        if (split && w.starts.len) {
            char *all = arena_alloc(a, w.all.len);
            memcpy(all, w.all.data, w.all.len);
            out->words = ARENA_NEW_ARRAY(a, struct str, w.starts.len);
            /* Each word is followed by a NUL; a word may hold NULs itself. */
            for (size_t i = 0; i < w.starts.len; i++) {
                size_t end = i + 1 < w.starts.len ? w.starts.items[i + 1] : w.all.len;
                out->words[i] = str_make(all + w.starts.items[i], end - w.starts.items[i] - 1);
            }
            out->n_words = w.starts.len;
        }
        if (err)
            err_clear(err);
    }
    buf_release(&result);
    buf_release(&w.cur);
    buf_release(&w.all);
    VEC_RELEASE(&w.starts);
    VEC_RELEASE(&x.refs);
    return rc;
}
