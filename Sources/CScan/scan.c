#include "CScan.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EXTRIAGE_X86 1
#endif

/// Bytes of each needle that make its fingerprint: the rarest window of that many (ripgrep's
/// rare-byte idea), so a common prefix such as `/ow` of `/owa/auth/` does not fire on every URL.
#define FINGERPRINT 4
#define BUCKETS 8
/// Needles that can be reported (the callers' mask).
#define REPORTED 128

struct extriage_needle_set {
    size_t count;
    uint8_t **bytes;
    size_t *lengths;
    /// Where each needle's fingerprint window starts.
    size_t *offsets;
    /// Each needle's window bytes with bit 5 set, little-endian, and which of the bytes count: a
    /// candidate is checked against these before the whole needle is compared.
    uint32_t *window;
    uint32_t *window_mask;
    /// Per fingerprint byte: for each low / high nibble, the buckets whose needles may have it there.
    uint8_t lo[FINGERPRINT][16];
    uint8_t hi[FINGERPRINT][16];
    /// Per fingerprint byte: buckets with a needle shorter than that (any byte, or none, will do).
    uint8_t wild[FINGERPRINT];
    /// Needle indexes per bucket.
    size_t *members[BUCKETS];
    size_t member_count[BUCKETS];
    /// The bits of every needle that can be found: the scan stops once all are.
    uint64_t all[2];
    int ssse3;
    int avx2;
};

static inline uint8_t fold(uint8_t byte) { return (byte >= 'A' && byte <= 'Z') ? (uint8_t)(byte + 32) : byte; }

static int usable(const uint8_t *needle, size_t length) {
    if (length == 0) return 0;
    for (size_t i = 0; i < length; i++) {
        if (needle[i] >= 'A' && needle[i] <= 'Z') return 0;
    }
    return 1;
}

/// How common a byte is in log text, lower is rarer: the anchor of a single-needle search is
/// its rarest byte (ripgrep's rare-byte heuristic, coarsely).
static int commonness(uint8_t c) {
    if (c >= 'a' && c <= 'z') return strchr("etaoinsrhlcdu", c) ? 6 : 4;
    if (c >= '0' && c <= '9') return 5;
    switch (c) {
    case ' ': case '/': case '.': case '-': case ',': case ':': case '=': case '&': case '?': case '_': case '+':
        return 5;
    default:
        return 1;
    }
}

/// The start of the needle's rarest window of `FINGERPRINT` bytes (0 for a shorter needle).
static size_t rarest_window(const uint8_t *needle, size_t length) {
    if (length <= FINGERPRINT) return 0;
    size_t best = 0;
    int best_score = 1 << 30;
    for (size_t start = 0; start + FINGERPRINT <= length; start++) {
        int score = 0;
        for (int j = 0; j < FINGERPRINT; j++) score += commonness(needle[start + j]);
        if (score < best_score) {
            best_score = score;
            best = start;
        }
    }
    return best;
}

/// Orders needle indexes by their fingerprint, so needles sharing one share a bucket.
static int before(const extriage_needle_set *set, size_t x, size_t y) {
    size_t lx = set->lengths[x] < FINGERPRINT ? set->lengths[x] : FINGERPRINT;
    size_t ly = set->lengths[y] < FINGERPRINT ? set->lengths[y] : FINGERPRINT;
    int order = memcmp(set->bytes[x] + set->offsets[x], set->bytes[y] + set->offsets[y], lx < ly ? lx : ly);
    if (order != 0) return order < 0;
    if (lx != ly) return lx < ly;
    return x < y;
}

/// Candidates a bucket lets through, roughly: the product over the window of the byte values its
/// nibble tables accept.
static long bucket_cost(const uint8_t lo[FINGERPRINT][16], const uint8_t hi[FINGERPRINT][16], uint8_t bit) {
    long cost = 1;
    for (int j = 0; j < FINGERPRINT; j++) {
        int los = 0, his = 0;
        for (int nibble = 0; nibble < 16; nibble++) {
            los += (lo[j][nibble] & bit) != 0;
            his += (hi[j][nibble] & bit) != 0;
        }
        cost *= los * his;
    }
    return cost;
}

/// The bucket (among the first `open`, or an empty one while there is one) whose candidates grow
/// least with this needle: needles that look alike share a bucket.
static int cheapest_bucket(const extriage_needle_set *set, size_t index, int open) {
    if (open < BUCKETS) return open;
    int best = 0;
    long best_growth = -1;
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
        uint8_t bit = (uint8_t)(1u << bucket);
        uint8_t lo[FINGERPRINT][16], hi[FINGERPRINT][16];
        memcpy(lo, set->lo, sizeof lo);
        memcpy(hi, set->hi, sizeof hi);
        long before = bucket_cost(lo, hi, bit);
        for (int j = 0; j < FINGERPRINT; j++) {
            if ((size_t)j >= set->lengths[index]) {
                for (int nibble = 0; nibble < 16; nibble++) { lo[j][nibble] |= bit; hi[j][nibble] |= bit; }
                continue;
            }
            uint8_t c = set->bytes[index][set->offsets[index] + j] | 0x20;
            lo[j][c & 15] |= bit;
            hi[j][c >> 4] |= bit;
        }
        long growth = bucket_cost(lo, hi, bit) - before;
        if (best_growth < 0 || growth < best_growth) {
            best_growth = growth;
            best = bucket;
        }
    }
    return best;
}

extriage_needle_set *extriage_needle_set_new(const uint8_t *const *needles, const size_t *lengths, size_t count) {
    extriage_needle_set *set = calloc(1, sizeof *set);
    if (!set) return NULL;
    set->count = count;
    set->bytes = calloc(count ? count : 1, sizeof *set->bytes);
    set->lengths = calloc(count ? count : 1, sizeof *set->lengths);
    set->offsets = calloc(count ? count : 1, sizeof *set->offsets);
    set->window = calloc(count ? count : 1, sizeof *set->window);
    set->window_mask = calloc(count ? count : 1, sizeof *set->window_mask);
    size_t *order = calloc(count ? count : 1, sizeof *order);
    for (int b = 0; b < BUCKETS; b++) set->members[b] = calloc(count ? count : 1, sizeof(size_t));
    int failed = !set->bytes || !set->lengths || !set->offsets || !set->window || !set->window_mask || !order;
    for (int b = 0; b < BUCKETS; b++) failed |= !set->members[b];
    for (size_t i = 0; i < count && !failed; i++) {
        set->bytes[i] = malloc(lengths[i] ? lengths[i] : 1);
        if (!set->bytes[i]) { failed = 1; break; }
        memcpy(set->bytes[i], needles[i], lengths[i]);
        set->lengths[i] = lengths[i];
        set->offsets[i] = rarest_window(set->bytes[i], lengths[i]);
    }
    if (failed) {
        free(order);
        extriage_needle_set_free(set);
        return NULL;
    }
    size_t usable_count = 0;
    for (size_t i = 0; i < count && i < REPORTED; i++) {
        if (!usable(set->bytes[i], set->lengths[i])) continue;
        order[usable_count++] = i;
        set->all[i / 64] |= (uint64_t)1 << (i % 64);
    }
    for (size_t i = 1; i < usable_count; i++) {  // insertion sort: a few dozen needles
        size_t key = order[i], j = i;
        while (j > 0 && before(set, key, order[j - 1])) { order[j] = order[j - 1]; j--; }
        order[j] = key;
    }
    for (size_t rank = 0; rank < usable_count; rank++) {
        size_t index = order[rank];
        int bucket = cheapest_bucket(set, index, rank < BUCKETS ? (int)rank : BUCKETS);
        uint8_t bit = (uint8_t)(1u << bucket);
        set->members[bucket][set->member_count[bucket]++] = index;
        for (int j = 0; j < FINGERPRINT; j++) {
            if ((size_t)j >= set->lengths[index]) {
                set->wild[j] |= bit;
                for (int nibble = 0; nibble < 16; nibble++) {
                    set->lo[j][nibble] |= bit;
                    set->hi[j][nibble] |= bit;
                }
                continue;
            }
            // Text bytes are looked up with bit 5 set (`| 0x20`), which makes ASCII letters lower
            // case (and merges a few other pairs: only more candidates, never fewer).
            uint8_t c = set->bytes[index][set->offsets[index] + j] | 0x20;
            set->lo[j][c & 15] |= bit;
            set->hi[j][c >> 4] |= bit;
            set->window[index] |= (uint32_t)c << (8 * j);
            set->window_mask[index] |= (uint32_t)0xFF << (8 * j);
        }
    }
    free(order);
#if EXTRIAGE_X86
    __builtin_cpu_init();
    set->ssse3 = __builtin_cpu_supports("ssse3");
    set->avx2 = __builtin_cpu_supports("avx2");
#endif
    return set;
}

void extriage_needle_set_free(extriage_needle_set *set) {
    if (!set) return;
    if (set->bytes) {
        for (size_t i = 0; i < set->count; i++) free(set->bytes[i]);
    }
    free(set->bytes);
    free(set->lengths);
    free(set->offsets);
    free(set->window);
    free(set->window_mask);
    for (int b = 0; b < BUCKETS; b++) free(set->members[b]);
    free(set);
}

static inline int equal_folded(const uint8_t *text, const uint8_t *needle, size_t length) {
    for (size_t k = 0; k < length; k++) {
        if (fold(text[k]) != needle[k]) return 0;
    }
    return 1;
}

/// Checks the needles of `buckets` whose fingerprint window starts at `position`; returns 1 once
/// every needle was found.
static inline int verify(const extriage_needle_set *set, uint8_t buckets, const uint8_t *text, size_t length,
                         size_t position, uint64_t found[2]) {
    while (buckets) {
        int bucket = __builtin_ctz(buckets);
        buckets &= (uint8_t)(buckets - 1);
        for (size_t m = 0; m < set->member_count[bucket]; m++) {
            size_t index = set->members[bucket][m];
            uint64_t bit = (uint64_t)1 << (index % 64);
            if (found[index / 64] & bit) continue;
            size_t offset = set->offsets[index];
            if (position < offset) continue;
            uint32_t window = 0;
            for (int j = 0; j < FINGERPRINT && position + (size_t)j < length; j++) {
                window |= (uint32_t)(text[position + j] | 0x20) << (8 * j);
            }
            if ((window & set->window_mask[index]) != set->window[index]) continue;
            size_t start = position - offset;
            size_t needle_length = set->lengths[index];
            if (needle_length > length - start) continue;
            if (equal_folded(text + start, set->bytes[index], needle_length)) found[index / 64] |= bit;
        }
    }
    return found[0] == set->all[0] && found[1] == set->all[1];
}

/// The buckets whose fingerprint fits at `position`, one byte at a time.
static inline uint8_t buckets_at(const extriage_needle_set *set, const uint8_t *text, size_t length, size_t position) {
    uint8_t mask = 0xFF;
    for (int j = 0; j < FINGERPRINT; j++) {
        if (position + (size_t)j >= length) {
            mask &= set->wild[j];
        } else {
            uint8_t c = text[position + j] | 0x20;
            mask &= set->lo[j][c & 15] & set->hi[j][c >> 4];
        }
        if (!mask) break;
    }
    return mask;
}

#if EXTRIAGE_X86
/// The buckets whose fingerprint may start at each of the 16 positions from `p` (which must have
/// 16 + FINGERPRINT - 1 readable bytes): `lanes` gets each position's buckets; the result has a bit per position
/// with any.
__attribute__((target("ssse3"))) static inline unsigned block16(const extriage_needle_set *set, const uint8_t *p,
                                                                uint8_t lanes[16]) {
    const __m128i low_nibbles = _mm_set1_epi8(0x0F);
    const __m128i case_bit = _mm_set1_epi8(0x20);
    __m128i m = _mm_set1_epi8((char)0xFF);
    for (int j = 0; j < FINGERPRINT; j++) {
        const __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + j)), case_bit);
        const __m128i lo = _mm_loadu_si128((const __m128i *)set->lo[j]);
        const __m128i hi = _mm_loadu_si128((const __m128i *)set->hi[j]);
        m = _mm_and_si128(m, _mm_shuffle_epi8(lo, _mm_and_si128(v, low_nibbles)));
        m = _mm_and_si128(m, _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), low_nibbles)));
    }
    unsigned hits = (~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, _mm_setzero_si128()))) & 0xFFFFu;
    if (hits) _mm_storeu_si128((__m128i *)lanes, m);
    return hits;
}

/// Verifies the candidates of one block starting at `position`, up to `limit` positions.
static inline int verify_block(const extriage_needle_set *set, unsigned hits, const uint8_t *lanes, const uint8_t *text,
                               size_t length, size_t position, uint64_t found[2]) {
    while (hits) {
        int lane = __builtin_ctz(hits);
        hits &= hits - 1;
        if (position + (size_t)lane >= length) break;
        if (verify(set, lanes[lane], text, length, position + (size_t)lane, found)) return 1;
    }
    return 0;
}

/// The last positions, fewer than a block plus the window: scanned on a zero-padded copy.
__attribute__((target("ssse3"))) static void tail16(const extriage_needle_set *set, const uint8_t *text, size_t length,
                                                    size_t position, uint64_t found[2]) {
    uint8_t padded[64 + FINGERPRINT] = {0};
    uint8_t lanes[16];
    size_t rest = length - position;
    memcpy(padded, text + position, rest < 64 ? rest : 64);
    for (size_t at = 0; at < rest; at += 16) {
        unsigned hits = block16(set, padded + at, lanes);
        if (hits && verify_block(set, hits, lanes, text, length, position + at, found)) return;
    }
}

__attribute__((target("ssse3"))) static void match_ssse3(const extriage_needle_set *set, const uint8_t *text, size_t length,
                                                         uint64_t found[2]) {
    size_t position = 0;
    uint8_t lanes[16];
    while (position + 16 + FINGERPRINT - 1 <= length) {
        unsigned hits = block16(set, text + position, lanes);
        if (hits && verify_block(set, hits, lanes, text, length, position, found)) return;
        position += 16;
    }
    if (position < length) tail16(set, text, length, position, found);
}

__attribute__((target("avx2"))) static void match_avx2(const extriage_needle_set *set, const uint8_t *text, size_t length,
                                                      uint64_t found[2]) {
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    const __m256i case_bit = _mm256_set1_epi8(0x20);
    __m256i lo[FINGERPRINT], hi[FINGERPRINT];
    for (int j = 0; j < FINGERPRINT; j++) {
        lo[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)set->lo[j]));
        hi[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)set->hi[j]));
    }
    size_t position = 0;
    uint8_t lanes[32];
    while (position + 32 + FINGERPRINT - 1 <= length) {
        __m256i m = _mm256_set1_epi8((char)0xFF);
        for (int j = 0; j < FINGERPRINT; j++) {
            const __m256i v = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(text + position + j)), case_bit);
            m = _mm256_and_si256(m, _mm256_shuffle_epi8(lo[j], _mm256_and_si256(v, low_nibbles)));
            m = _mm256_and_si256(m, _mm256_shuffle_epi8(hi[j], _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles)));
        }
        unsigned hits = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, _mm256_setzero_si256()));
        if (hits) {
            _mm256_storeu_si256((__m256i *)lanes, m);
            if (verify_block(set, hits, lanes, text, length, position, found)) return;
        }
        position += 32;
    }
    if (position < length) tail16(set, text, length, position, found);
}
#endif

void extriage_needle_set_match(const extriage_needle_set *set, const uint8_t *text, size_t length, uint64_t found[2]) {
    if (!set || (set->all[0] == 0 && set->all[1] == 0)) return;
#if EXTRIAGE_X86
    if (set->avx2) {
        match_avx2(set, text, length, found);
        return;
    }
    if (set->ssse3) {
        match_ssse3(set, text, length, found);
        return;
    }
#endif
    for (size_t position = 0; position < length; position++) {
        uint8_t buckets = buckets_at(set, text, length, position);
        if (buckets && verify(set, buckets, text, length, position, found)) return;
    }
}

ptrdiff_t extriage_find_folded(const uint8_t *text, size_t length, const uint8_t *needle, size_t needle_length, size_t start) {
    if (needle_length == 0 || start > length || needle_length > length - start) return -1;
    size_t anchor = 0;
    for (size_t k = 1; k < needle_length; k++) {
        if (commonness(needle[k]) < commonness(needle[anchor])) anchor = k;
    }
    const uint8_t lower = needle[anchor];
    const uint8_t upper = (lower >= 'a' && lower <= 'z') ? (uint8_t)(lower - 32) : lower;
    // Candidate needle starts run from `start` to `last`; the anchor byte sits `anchor` further on.
    const size_t last = length - needle_length;
    size_t position = start;
    if (lower == upper) {
        while (position <= last) {
            const uint8_t *hit = memchr(text + position + anchor, lower, last - position + 1);
            if (!hit) return -1;
            size_t candidate = (size_t)(hit - text) - anchor;
            if (equal_folded(text + candidate, needle, needle_length)) return (ptrdiff_t)candidate;
            position = candidate + 1;
        }
        return -1;
    }
#if EXTRIAGE_X86
    const __m128i a = _mm_set1_epi8((char)lower), b = _mm_set1_epi8((char)upper);
    while (position + 16 <= last + 1) {
        __m128i v = _mm_loadu_si128((const __m128i *)(text + position + anchor));
        unsigned hits = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)));
        while (hits) {
            size_t candidate = position + (size_t)__builtin_ctz(hits);
            hits &= hits - 1;
            if (equal_folded(text + candidate, needle, needle_length)) return (ptrdiff_t)candidate;
        }
        position += 16;
    }
#endif
    for (; position <= last; position++) {
        uint8_t c = text[position + anchor];
        if ((c == lower || c == upper) && equal_folded(text + position, needle, needle_length)) return (ptrdiff_t)position;
    }
    return -1;
}
