/* agora — seeded pseudorandom numbers, the same on every platform.
 *
 * xoshiro256** 1.0 (D. Blackman, S. Vigna, "Scrambled linear pseudorandom
 * number generators", ACM TOMS 47, 2021), its 256-bit state filled by four
 * outputs of splitmix64 (Steele, Lea & Flood, OOPSLA 2014) from the caller's
 * seed, as the xoshiro authors recommend: a seed of 0 is fine and nearby
 * seeds give unrelated streams. Bounded integers by Lemire's unbiased
 * multiply-and-reject (D. Lemire, "Fast random integer generation in an
 * interval", ACM TOMACS 29, 2019). Written from the published recurrences;
 * inline because permutation and simulation loops call them once per draw.
 * Used by the incident permutations and the crowd populations: the same
 * seed gives the same draws.
 * SPDX-License-Identifier: EUPL-1.2 */
#ifndef AGORA_RNG_H
#define AGORA_RNG_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ag_rng {
    uint64_t s[4];
};

static inline uint64_t ag__rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t ag__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static inline void ag_rng_seed(struct ag_rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = ag__splitmix64(&sm);
}

static inline uint64_t ag_rng_next(struct ag_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = ag__rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ag__rotl64(s[3], 45);
    return result;
}

/* Uniform integer in [0, bound), bound >= 1, without modulo bias: Lemire's
 * "nearly divisionless" method on the upper 32 bits of a draw. */
static inline uint32_t ag_rng_below(struct ag_rng *r, uint32_t bound)
{
    uint64_t m = (ag_rng_next(r) >> 32) * (uint64_t)bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)(-bound) % bound;
        while (low < threshold) {
            m = (ag_rng_next(r) >> 32) * (uint64_t)bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Uniform in [0, 1): the upper 53 bits of a draw. */
static inline double ag_rng_uniform(struct ag_rng *r)
{
    return (double)(ag_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal by Box-Muller, one value per call (two draws), which
 * keeps the stream position simple. */
static inline double ag_rng_normal(struct ag_rng *r)
{
    double u = 1.0 - ag_rng_uniform(r), v = ag_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586476925286766559 * v);
}

#ifdef __cplusplus
}
#endif
#endif
