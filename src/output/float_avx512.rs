//! Eight floats at a time as text with AVX-512: the same bytes as [`float`], for the values
//! most rows are made of. A group of eight in which any value falls outside these paths (a
//! zero, a power of two, a value needing scientific notation, text of 16 bytes or more) is
//! left to the portable writer whole.
//!
//! Each value's digits are computed in a 64-bit lane as the portable code does, then laid out
//! in a 16-byte slot by a byte shuffle whose control is computed from the value's sign,
//! decimal exponent and digit count, and each slot is stored where the one before it ends.
//! Only the parts of AVX-512 that x86 servers have had since Skylake-SP are used (F, BW, DQ,
//! VL, CD), so that they all take this path.

use std::arch::x86_64::*;
use std::mem::MaybeUninit;

use super::float::{pow10_top, FRACTION_BITS, POW10, SCALES};
use super::float_row;

/// Whether the CPU has every feature used here (the standard library caches what it detects).
#[inline]
pub fn available() -> bool {
    is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512dq")
        && is_x86_feature_detected!("avx512vl")
        && is_x86_feature_detected!("avx512cd")
}

/// Where the source bytes of a slot come from: the digits are bytes 0 to 8, then these.
const ZERO: i8 = 9;
const DOT: i8 = 13;
const MINUS: i8 = 14;
const SEP: i8 = 15;

/// The first power of ten in [`AT_LEAST`].
const FIRST_POW: i32 = -12;

/// The bits of the smallest f32 at or above 10^j, for j from [`FIRST_POW`] on: a value's
/// decimal exponent is one more than its binade's lowest when its bits reach this.
static AT_LEAST: [u32; 32] = {
    let mut t = [0u32; 32];
    let mut i = 0;
    while i < 32 {
        let j = FIRST_POW + i as i32;
        // 10^j = top·2^(log2-63), and top is exact for 0 <= j <= 27.
        let (top, log2) = pow10_top(j);
        let exact = j >= 0 && j <= 27;
        assert!(exact || top % (1 << 40) != 0, "rounding up must not depend on the bits below top");
        let significand = (top >> 40) + (top % (1 << 40) != 0 || !exact) as u64;
        // A significand of 2^24 carries into the next binade, as it should.
        t[i] = (((log2 + 127) as u32) << 23) + (significand as u32 - (1 << 23));
        i += 1;
    }
    t
};

/// Eight values' digits: each 64-bit lane holds the first digit (`head`), the next eight one
/// per byte with the first in the lowest byte (`tail`), the decimal exponent of the first
/// digit and the sign bit, as [`float`]'s `layout` takes them.
struct Parts {
    head: __m512i,
    tail: __m512i,
    k: __m512i,
    neg: __m512i,
}

/// [`float_row::write`] for `--digits n`.
///
/// # Safety
/// The CPU must have the features [`available`] checks.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
pub unsafe fn write_digits(room: &mut [MaybeUninit<u8>], row: &[f32], sep: u8, n: u8, json: bool) -> usize {
    let n = u32::from(n.clamp(1, 9));
    let c = DigitsConsts::new(n);
    write_groups(
        room,
        row,
        sep,
        |x| digits8(x, &c),
        |room, group| float_row::write_digits(room, group, sep, n as u8, json),
    )
}

/// [`float_row::write`] for the shortest round-trip text.
///
/// # Safety
/// The CPU must have the features [`available`] checks.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
pub unsafe fn write_shortest(room: &mut [MaybeUninit<u8>], row: &[f32], sep: u8, json: bool) -> usize {
    write_groups(room, row, sep, |x| shortest8(x), |room, group| float_row::write_shortest(room, group, sep, json))
}

/// `Scale::g` of every exponent field, for a gather.
static SCALE_G: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = SCALES[i].g;
        i += 1;
    }
    t
};

/// The shortest digits of eight values, as `float::shortest_digits` computes them; `None`
/// unless every value is normal and not a power of two.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
#[inline]
unsafe fn shortest8(x: &[f32; 8]) -> Option<Parts> {
    let bits = _mm256_loadu_si256(x.as_ptr().cast());
    let field = _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff));
    let frac = _mm256_and_si256(bits, _mm256_set1_epi32(0x7f_ffff));
    let usual = _mm256_cmplt_epu32_mask(_mm256_sub_epi32(field, _mm256_set1_epi32(1)), _mm256_set1_epi32(254))
        & _mm256_test_epi32_mask(frac, frac);
    if usual != 0xff {
        return None;
    }
    // The scale of `float::SCALES`, recomputed but for g.
    let bin_exp = _mm256_sub_epi32(field, _mm256_set1_epi32(150));
    let dec_exp = _mm256_srai_epi32(_mm256_mullo_epi32(bin_exp, _mm256_set1_epi32(315_653)), 20);
    let minus_dec_exp_1 = _mm256_sub_epi32(_mm256_set1_epi32(-1), dec_exp);
    let pow10_bin_exp = _mm256_srai_epi32(_mm256_mullo_epi32(minus_dec_exp_1, _mm256_set1_epi32(217_707)), 16);
    let shift = _mm256_add_epi32(_mm256_add_epi32(bin_exp, pow10_bin_exp), _mm256_set1_epi32(1 + FRACTION_BITS as i32));
    let shift = _mm512_cvtepu32_epi64(shift);
    let g = _mm512_i32gather_epi64::<8>(field, SCALE_G.as_ptr().cast());
    let one = _mm512_set1_epi64(1);
    let half_ulp = _mm512_srlv_epi64(_mm512_sub_epi64(g, one), _mm512_sub_epi64(_mm512_set1_epi64(65), shift));
    let frac = _mm512_cvtepu32_epi64(frac);
    let m = _mm512_or_si512(frac, _mm512_set1_epi64(1 << 23));
    // The top 64 bits of g·(m << shift), from g's halves times m (each below 2^56):
    // (high·m·2^32 + low·m) >> (64 - shift), taken as ((high·m << 8) + (low·m >> 24)) >> (40 - shift).
    let high = _mm512_mul_epu32(_mm512_srli_epi64(g, 32), m);
    let low = _mm512_mul_epu32(g, m);
    let p = _mm512_add_epi64(_mm512_slli_epi64(high, 8), _mm512_srli_epi64(low, 24));
    let p = _mm512_srlv_epi64(p, _mm512_sub_epi64(_mm512_set1_epi64(40), shift));
    let fraction = _mm512_and_si512(p, _mm512_set1_epi64((1 << FRACTION_BITS) - 1));
    // An even significand's interval includes its ends.
    let half = _mm512_add_epi64(half_ulp, _mm512_andnot_si512(frac, one));
    let up = _mm512_srli_epi64(_mm512_add_epi64(fraction, half), FRACTION_BITS);
    let down = _mm512_cmpgt_epu64_mask(half, fraction);
    let int = _mm512_add_epi64(_mm512_srli_epi64(p, FRACTION_BITS), up);
    // The next digit, rounded to nearest; a fraction of exactly 0.25 is the only tie.
    let ten_fraction = _mm512_add_epi64(_mm512_slli_epi64(fraction, 3), _mm512_slli_epi64(fraction, 1));
    let digit =
        _mm512_srli_epi64(_mm512_add_epi64(ten_fraction, _mm512_set1_epi64(1 << (FRACTION_BITS - 1))), FRACTION_BITS);
    let tie = _mm512_cmpeq_epu64_mask(fraction, _mm512_set1_epi64(1 << (FRACTION_BITS - 2)));
    let digit = _mm512_mask_sub_epi64(digit, tie, digit, one);
    let kept = !(_mm512_test_epi64_mask(up, up) | down);
    let last = _mm512_maskz_mov_epi64(kept, digit);
    // int has n = 6 to 8 digits.
    let n = _mm512_mask_add_epi64(
        _mm512_set1_epi64(6),
        _mm512_cmpge_epu64_mask(int, _mm512_set1_epi64(1_000_000)),
        _mm512_set1_epi64(6),
        one,
    );
    let n = _mm512_mask_add_epi64(n, _mm512_cmpge_epu64_mask(int, _mm512_set1_epi64(10_000_000)), n, one);
    // The 8-digit form of int starts with 8 - n zeros.
    let all = _mm512_srlv_epi64(eight_digits(int), _mm512_slli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(8), n), 3));
    let head = _mm512_and_si512(all, _mm512_set1_epi64(0xff));
    let tail = _mm512_or_si512(
        _mm512_srli_epi64(all, 8),
        _mm512_sllv_epi64(last, _mm512_slli_epi64(_mm512_sub_epi64(n, one), 3)),
    );
    let k = _mm512_add_epi64(_mm512_cvtepi32_epi64(dec_exp), n);
    let neg = _mm512_srli_epi64(_mm512_cvtepu32_epi64(bits), 31);
    Some(Parts { head, tail, k, neg })
}

/// Writes `row` eight values at a time, with `parts` for their digits and [`layout`], or
/// `portable` for a group either leaves out and for the last values.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
#[inline]
unsafe fn write_groups(
    room: &mut [MaybeUninit<u8>],
    row: &[f32],
    sep: u8,
    parts: impl Fn(&[f32; 8]) -> Option<Parts>,
    portable: impl Fn(&mut [MaybeUninit<u8>], &[f32]) -> usize,
) -> usize {
    let lay = LayoutConsts::new(sep);
    let mut pos = 0;
    let (groups, rest) = row.as_chunks::<8>();
    for group in groups {
        let dst = &mut room[pos..];
        // Eight 16-byte stores, each slot whole: the last ends at most 128 bytes from here.
        let done = if dst.len() >= 128 { parts(group).and_then(|p| layout(&p, &lay, dst)) } else { None };
        pos += match done {
            Some(len) => len,
            None => portable(dst, group),
        };
    }
    pos + portable(&mut room[pos..], rest)
}

/// The constants of `--digits n`, kept in registers across a row.
struct DigitsConsts {
    at_least_lo: __m512i,
    at_least_hi: __m512i,
    powers_lo: __m512i,
    powers_hi: __m512i,
    n_minus_1: __m256i,
    /// Exponents s of 10^s up to this (exclusive) are in reach: s <= 11 keeps m·10^s in 64
    /// bits, and the exponent of the first digit n - 1 - s >= -6 keeps the text plain.
    s_end: __m256i,
    ten_n: __m512i,
    ten_n_minus_1: __m512i,
    to_nine: __m512i,
}

impl DigitsConsts {
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
    #[inline]
    unsafe fn new(n: u32) -> DigitsConsts {
        let load = |p: *const u32| _mm512_loadu_si512(p.cast());
        let load64 = |p: *const u64| _mm512_loadu_si512(p.cast());
        DigitsConsts {
            at_least_lo: load(AT_LEAST.as_ptr()),
            at_least_hi: load(AT_LEAST[16..].as_ptr()),
            powers_lo: load64(POW10.as_ptr()),
            powers_hi: load64(POW10[8..].as_ptr()),
            n_minus_1: _mm256_set1_epi32(n as i32 - 1),
            s_end: _mm256_set1_epi32((n as i32 + 6).min(12)),
            ten_n: _mm512_set1_epi64(POW10[n as usize] as i64),
            ten_n_minus_1: _mm512_set1_epi64(POW10[n as usize - 1] as i64),
            to_nine: _mm512_set1_epi64(POW10[9 - n as usize] as i64),
        }
    }
}

/// The digits of eight values rounded to `n` significant digits, as `float::round_digits_fast`
/// computes them; `None` unless every value is normal, between about 10^-6 and 10^8, and
/// within its reach.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
#[inline]
unsafe fn digits8(x: &[f32; 8], c: &DigitsConsts) -> Option<Parts> {
    let bits = _mm256_loadu_si256(x.as_ptr().cast());
    let abs = _mm256_and_si256(bits, _mm256_set1_epi32(0x7fff_ffff));
    let field = _mm256_srli_epi32(abs, 23);
    // floor(log10 2^(field - 127)), and one more from the binade's power of ten on.
    let k0 = _mm256_srai_epi32(
        _mm256_mullo_epi32(_mm256_sub_epi32(field, _mm256_set1_epi32(127)), _mm256_set1_epi32(315_653)),
        20,
    );
    let index = _mm256_add_epi32(k0, _mm256_set1_epi32(1 - FIRST_POW));
    let at_least =
        _mm512_castsi512_si256(_mm512_permutex2var_epi32(c.at_least_lo, _mm512_castsi256_si512(index), c.at_least_hi));
    let k = _mm256_mask_add_epi32(k0, _mm256_cmpge_epu32_mask(abs, at_least), k0, _mm256_set1_epi32(1));
    let s = _mm256_sub_epi32(c.n_minus_1, k);
    // Exponent fields 87 to 149: the significand is divided by 2^1 to 2^63.
    let in_range = _mm256_cmplt_epu32_mask(_mm256_sub_epi32(field, _mm256_set1_epi32(87)), _mm256_set1_epi32(63))
        & _mm256_cmplt_epu32_mask(s, c.s_end);
    if in_range != 0xff {
        return None;
    }
    let sig = _mm256_or_si256(_mm256_and_si256(abs, _mm256_set1_epi32(0x7f_ffff)), _mm256_set1_epi32(1 << 23));
    let sig = _mm512_cvtepu32_epi64(sig);
    let shift = _mm512_cvtepu32_epi64(_mm256_sub_epi32(_mm256_set1_epi32(150), field));
    let pow = _mm512_permutex2var_epi64(c.powers_lo, _mm512_cvtepu32_epi64(s), c.powers_hi);
    let num = _mm512_mullo_epi64(sig, pow);
    let one = _mm512_set1_epi64(1);
    let mut q = _mm512_srlv_epi64(num, shift);
    let half = _mm512_sllv_epi64(one, _mm512_sub_epi64(shift, one));
    let rest = _mm512_and_si512(num, _mm512_sub_epi64(_mm512_add_epi64(half, half), one));
    // Ties to even.
    let up =
        _mm512_cmpgt_epu64_mask(rest, half) | (_mm512_cmpeq_epu64_mask(rest, half) & _mm512_test_epi64_mask(q, one));
    q = _mm512_mask_add_epi64(q, up, q, one);
    let carry = _mm512_cmpeq_epu64_mask(q, c.ten_n);
    q = _mm512_mask_mov_epi64(q, carry, c.ten_n_minus_1);
    let k = _mm512_cvtepi32_epi64(k);
    let k = _mm512_mask_add_epi64(k, carry, k, one);
    // Nine digits with the first at the top, < 2^30.
    let q = _mm512_mul_epu32(q, c.to_nine);
    // q / 10^8 = q·ceil(2^57 / 10^8) / 2^57 for q < 10^9.
    let head = _mm512_srli_epi64(_mm512_mul_epu32(q, _mm512_set1_epi64(1_441_151_881)), 57);
    let low = _mm512_sub_epi64(q, _mm512_mul_epu32(head, _mm512_set1_epi64(100_000_000)));
    let neg = _mm512_srli_epi64(_mm512_cvtepu32_epi64(bits), 31);
    Some(Parts { head, tail: eight_digits(low), k, neg })
}

/// `float::eight_digits` in every lane: the 8 decimal digits of a number below 10^8, one per
/// byte, the first in the lowest byte. Each step's products fit the narrower lanes it uses.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
#[inline]
unsafe fn eight_digits(x: __m512i) -> __m512i {
    // x / 10^4 = x·ceil(2^40 / 10^4) / 2^40 for x < 10^8.
    let high = _mm512_srli_epi64(_mm512_mul_epu32(x, _mm512_set1_epi64(109_951_163)), 40);
    let low = _mm512_sub_epi64(x, _mm512_mul_epu32(high, _mm512_set1_epi64(10_000)));
    let x = _mm512_or_si512(high, _mm512_slli_epi64(low, 32));
    let hundreds = _mm512_srli_epi32(_mm512_mullo_epi32(x, _mm512_set1_epi32(10_486)), 20);
    let x = _mm512_or_si512(
        hundreds,
        _mm512_slli_epi32(_mm512_sub_epi32(x, _mm512_mullo_epi32(hundreds, _mm512_set1_epi32(100))), 16),
    );
    let tens = _mm512_srli_epi16(_mm512_mullo_epi16(x, _mm512_set1_epi16(103)), 10);
    _mm512_or_si512(tens, _mm512_slli_epi16(_mm512_sub_epi16(x, _mm512_mullo_epi16(tens, _mm512_set1_epi16(10))), 8))
}

/// The constants of [`layout`], which works on a 16-byte slot per value: bytes 0 to 7 of its
/// 128-bit lane are the value's digits after the first, bytes 8 to 15 its first digit and the
/// bytes of `info`, and the shuffles stay within lanes.
struct LayoutConsts {
    /// For the first and the second four values: which 64-bit lanes make each slot.
    pair: [__m512i; 2],
    /// The source bytes of a slot: the digits in order from its lane, then the other bytes.
    digits: __m512i,
    fixed: __m512i,
    /// Byte j of every slot: j.
    position: __m512i,
    /// Every byte of a slot: where the slot's copy of one byte of `info` is.
    spread: [__m512i; 5],
}

/// The bytes of a slot's source that are [`LayoutConsts::fixed`], not digits: 9 to 15.
const FIXED: u64 = 0xfe00_fe00_fe00_fe00;

impl LayoutConsts {
    #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
    #[inline]
    unsafe fn new(sep: u8) -> LayoutConsts {
        let (mut digits, mut fixed, mut position) = ([0u8; 64], [0u8; 64], [0u8; 64]);
        for slot in 0..4 {
            for j in 0..16 {
                let at = 16 * slot + j;
                digits[at] = match j {
                    0 => 8,
                    1..=8 => j as u8 - 1,
                    _ => 0,
                };
                fixed[at] = match j as i8 {
                    DOT => b'.',
                    MINUS => b'-',
                    SEP => sep,
                    _ => b'0',
                };
                position[at] = j as u8;
            }
        }
        let load = |b: &[u8; 64]| _mm512_loadu_si512(b.as_ptr().cast());
        let pair = |h: i64| {
            _mm512_set_epi64(
                8 + 4 * h + 3,
                4 * h + 3,
                8 + 4 * h + 2,
                4 * h + 2,
                8 + 4 * h + 1,
                4 * h + 1,
                8 + 4 * h,
                4 * h,
            )
        };
        LayoutConsts {
            pair: [pair(0), pair(1)],
            digits: load(&digits),
            fixed: load(&fixed),
            position: load(&position),
            spread: std::array::from_fn(|byte| _mm512_set1_epi8(9 + byte as i8)),
        }
    }
}

/// Lays out eight values' [`Parts`] as `float::layout` does, each followed by the separator,
/// at the start of `dst` (at least 128 bytes), and returns the length, or `None`, writing
/// nothing, when a value needs scientific notation or more than 15 bytes.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]
#[inline]
unsafe fn layout(p: &Parts, c: &LayoutConsts, dst: &mut [MaybeUninit<u8>]) -> Option<usize> {
    let one = _mm512_set1_epi64(1);
    // Trailing zero digits are zero bytes at the top of the tail.
    let nd = _mm512_sub_epi64(_mm512_set1_epi64(9), _mm512_srli_epi64(_mm512_lzcnt_epi64(p.tail), 3));
    let k = p.k;
    let below_one = _mm512_cmplt_epi64_mask(k, _mm512_setzero_si512());
    let k1 = _mm512_add_epi64(k, one);
    // 1234e7 -> 12340000000.0: no digit after the point but the one zero.
    let whole = !below_one & _mm512_cmple_epi64_mask(nd, k1);
    // 1234e-3 -> 0.001234 (1 - k + nd); 1234e1 -> 12.34 (nd + 1); 12340000000.0 (k + 3).
    let len =
        _mm512_mask_mov_epi64(_mm512_add_epi64(nd, one), below_one, _mm512_sub_epi64(_mm512_add_epi64(nd, one), k));
    let len = _mm512_mask_add_epi64(len, whole, k, _mm512_set1_epi64(3));
    let len = _mm512_add_epi64(len, p.neg);
    let plain = _mm512_cmpge_epi64_mask(k, _mm512_set1_epi64(-6)) & _mm512_cmple_epi64_mask(k, _mm512_set1_epi64(12));
    if plain & _mm512_cmple_epi64_mask(len, _mm512_set1_epi64(15)) != 0xff {
        return None;
    }
    // Byte positions in the slot: the point, and the offsets that map a position before and
    // after it to a source digit (a negative result stands for a zero).
    let point = _mm512_add_epi64(p.neg, _mm512_mask_mov_epi64(k1, below_one, one));
    let before = _mm512_mask_sub_epi64(p.neg, below_one, p.neg, _mm512_set1_epi64(ZERO as i64));
    let after = _mm512_sub_epi64(point, k);
    let after = _mm512_mask_sub_epi64(after, whole, point, _mm512_set1_epi64(i64::from(ZERO) - 1));
    let info = _mm512_or_si512(
        _mm512_or_si512(p.neg, _mm512_slli_epi64(_mm512_and_si512(before, _mm512_set1_epi64(0xff)), 8)),
        _mm512_or_si512(
            _mm512_or_si512(
                _mm512_slli_epi64(point, 16),
                _mm512_slli_epi64(_mm512_and_si512(after, _mm512_set1_epi64(0xff)), 24),
            ),
            _mm512_slli_epi64(len, 32),
        ),
    );
    let head = _mm512_add_epi64(p.head, _mm512_set1_epi64(i64::from(b'0')));
    let own = _mm512_or_si512(head, _mm512_slli_epi64(info, 8));
    let tail = _mm512_or_si512(p.tail, _mm512_set1_epi8(b'0' as i8));
    // Each value's length with its separator, a byte each.
    let ends = _mm_cvtsi128_si64(_mm512_cvtepi64_epi8(_mm512_add_epi64(len, one))) as u64;
    let j = c.position;
    let ptr = dst.as_mut_ptr().cast::<u8>();
    let mut pos = 0;
    for half in 0..2 {
        let lanes = _mm512_permutex2var_epi64(tail, c.pair[half], own);
        let source = _mm512_mask_mov_epi8(_mm512_shuffle_epi8(lanes, c.digits), FIXED, c.fixed);
        let spread = |byte: usize| _mm512_shuffle_epi8(lanes, c.spread[byte]);
        let (neg, before, point, after, len) = (spread(0), spread(1), spread(2), spread(3), spread(4));
        let mut ctl = _mm512_sub_epi8(j, after);
        ctl = _mm512_mask_mov_epi8(ctl, _mm512_cmplt_epi8_mask(ctl, _mm512_setzero_si512()), _mm512_set1_epi8(ZERO));
        ctl = _mm512_mask_sub_epi8(ctl, _mm512_cmplt_epi8_mask(j, point), j, before);
        ctl = _mm512_mask_mov_epi8(ctl, _mm512_cmpeq_epi8_mask(j, point), _mm512_set1_epi8(DOT));
        ctl = _mm512_mask_mov_epi8(ctl, _mm512_cmplt_epi8_mask(j, neg), _mm512_set1_epi8(MINUS));
        ctl = _mm512_mask_mov_epi8(ctl, _mm512_cmpeq_epi8_mask(j, len), _mm512_set1_epi8(SEP));
        let text = _mm512_shuffle_epi8(source, ctl);
        // Each slot is stored whole where its text starts; the next one overwrites what lies past
        // its separator. SAFETY: `dst` has 128 bytes, and eight values take at most 128.
        let ends = ends >> (32 * half);
        _mm_storeu_si128(ptr.add(pos).cast(), _mm512_castsi512_si128(text));
        pos += (ends & 0xff) as usize;
        _mm_storeu_si128(ptr.add(pos).cast(), _mm512_extracti32x4_epi32::<1>(text));
        pos += (ends >> 8 & 0xff) as usize;
        _mm_storeu_si128(ptr.add(pos).cast(), _mm512_extracti32x4_epi32::<2>(text));
        pos += (ends >> 16 & 0xff) as usize;
        _mm_storeu_si128(ptr.add(pos).cast(), _mm512_extracti32x4_epi32::<3>(text));
        pos += (ends >> 24 & 0xff) as usize;
    }
    Some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both writers' text of `row`, with every value followed by `sep`.
    fn both(row: &[f32], sep: u8, digits: Option<u8>) -> (String, String) {
        let text = |fast: bool| {
            let mut out = Vec::<u8>::with_capacity(float_row::room_for(row.len()));
            let room = out.spare_capacity_mut();
            let n = if fast {
                float_row::write(room, row, sep, digits, true)
            } else {
                float_row::write_portable(room, row, sep, digits, true)
            };
            // SAFETY: the writer initialized the first `n` bytes.
            unsafe { out.set_len(n) };
            String::from_utf8(out).unwrap()
        };
        (text(true), text(false))
    }

    fn check(row: &[f32]) {
        for digits in [None, Some(1), Some(2), Some(3), Some(4), Some(5), Some(6), Some(7), Some(8), Some(9)] {
            for sep in [b',', b'\t'] {
                let (fast, portable) = both(row, sep, digits);
                if fast != portable {
                    // Name the first value that differs.
                    for &x in row {
                        let (f, p) = both(&[x; 8], sep, digits);
                        assert_eq!(f, p, "{x:e} (bits {:#010x}), digits {digits:?}", x.to_bits());
                    }
                    panic!("rows differ, values alone do not, digits {digits:?}: {fast} / {portable}");
                }
            }
        }
    }

    /// xorshift32.
    fn next(state: &mut u32) -> u32 {
        *state ^= *state << 13;
        *state ^= *state >> 17;
        *state ^= *state << 5;
        *state
    }

    #[test]
    fn the_cpu_has_the_features_or_the_test_says_so() {
        // On a CPU without them both writers are the portable one, and the tests below compare
        // it with itself.
        if !available() {
            eprintln!("no AVX-512 here: the comparisons below cannot fail");
        }
    }

    #[test]
    fn values_of_every_size_and_sign_give_the_portable_text() {
        let mut state = 0x2545_f491;
        for field in 80..160u32 {
            for _ in 0..40 {
                let row: Vec<f32> = (0..64)
                    .map(|_| {
                        let r = next(&mut state);
                        // Mostly this binade and its neighbours, so groups take the fast path.
                        let f = field + r % 3;
                        f32::from_bits((r & 0x8000_0000) | f << 23 | (next(&mut state) & 0x7f_ffff))
                    })
                    .collect();
                check(&row);
            }
        }
    }

    #[test]
    fn values_next_to_powers_of_ten_and_halves_give_the_portable_text() {
        let mut row = Vec::new();
        for e in -13..=20 {
            let x = 10f64.powi(e) as f32;
            for d in -4i32..=4 {
                let y = f32::from_bits(x.to_bits().wrapping_add_signed(d));
                row.extend([y, -y]);
            }
        }
        // Ties at every number of digits: a few digits then a 5, exactly representable.
        for q in [1u32, 12, 125, 1235, 12345, 123_455, 1_234_565, 12_345_675, 123_456_785] {
            for scale in [1.0f32, 0.5, 0.25, 0.125, 1.0 / 1024.0, 8.0, 1024.0] {
                let x = q as f32 * scale / 10f32.powi((q as f32).log10() as i32 + 1);
                row.extend([x, -x, x * 10.0, x / 16.0]);
            }
        }
        // Powers of two, zeros, the ends of the range and what is not a number.
        row.extend([
            1.0,
            0.5,
            2.0,
            0.0,
            -0.0,
            f32::MAX,
            f32::MIN_POSITIVE,
            1e-45,
            f32::INFINITY,
            f32::NAN,
            9.999_999e-7,
        ]);
        for start in 0..8 {
            check(&row[start..]);
        }
    }

    #[test]
    fn rows_of_any_length_end_with_the_last_value() {
        let values: Vec<f32> = (1..40).map(|i| i as f32 * 0.013_7 - 0.2).collect();
        for len in 0..values.len() {
            check(&values[..len]);
        }
    }
}
