#ifndef EXTRIAGE_CSCAN_H
#define EXTRIAGE_CSCAN_H
#include <stddef.h>
#include <stdint.h>

/// A compiled set of lower-case ASCII needles, found case-insensitively (ASCII letters only), for
/// the log line pre-filter: a Teddy-style SIMD fingerprint scan (ripgrep, Hyperscan) over the
/// rarest four-byte window of each needle, in eight buckets of look-alike needles, then an exact
/// check of the needles of the buckets that hit.
typedef struct extriage_needle_set extriage_needle_set;

/// Compiles `count` needles (`needles[i]` of `lengths[i]` bytes, copied). Returns NULL only when
/// memory runs out. Empty needles never match; a needle holding an upper-case ASCII letter never
/// matches either (needles are lower case).
extriage_needle_set *extriage_needle_set_new(const uint8_t *const *needles, const size_t *lengths, size_t count);
void extriage_needle_set_free(extriage_needle_set *set);

/// Sets bit i of `found` (i < 128; `found[0]` holds 0..63) for each needle i present in `text`.
/// Stops early once every needle below 128 was found.
void extriage_needle_set_match(const extriage_needle_set *set, const uint8_t *text, size_t length, uint64_t found[2]);

/// The first offset at or after `start` where the lower-case `needle` occurs in `text` ignoring
/// ASCII case, or -1. An empty needle is never found.
ptrdiff_t extriage_find_folded(const uint8_t *text, size_t length, const uint8_t *needle, size_t needle_length, size_t start);

#endif
