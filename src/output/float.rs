//! Floats as text, written straight into a slot of the output buffer: the shortest text that
//! reads back to the same f32, or at most N significant digits, correctly rounded.
//!
//! Both share one layout: plain decimals for exponents -6 to 12 (`0.0123`, `12.5`, `3.0`),
//! scientific notation otherwise (`1.5e-7`, `1e+16`). Zero is `0` or `-0`; NaN and infinities
//! are `null` in JSON (which has neither) and `nan`, `inf`, `-inf` in tsv.

use std::io::Write;

/// The bytes a caller gives each value: no value takes more than [`MAX_LEN`], and the rest is
/// room for fixed-size moves.
pub const SLOT: usize = 32;

/// The longest text of a value, e.g. `-0.00000123456789`.
pub const MAX_LEN: usize = 17;

/// Writes the shortest text that reads back to `x` into `dst` and returns its length. Of
/// several shortest texts, the one nearest to `x` (ties to an even last digit).
#[inline(always)]
pub fn shortest(dst: &mut [u8; SLOT], x: f32, json: bool) -> usize {
    let bits = x.to_bits();
    let field = (bits >> 23) & 0xff;
    let frac = bits & 0x7f_ffff;
    // Zeros, subnormals, powers of two (whose interval is lopsided), infinities and NaN.
    if frac == 0 || field.wrapping_sub(1) >= 254 {
        return shortest_rare(dst, x, json);
    }
    let (head, tail, k) = shortest_digits(field, frac);
    layout(dst, x.is_sign_negative(), head, tail, k)
}

/// How a normal f32 of one exponent field is scaled to 7 or 8 decimal digits before its
/// point: by 10^-(`dec_exp` + 1), whose top 64 bits, rounded down, plus 1 are `g`.
#[derive(Clone, Copy)]
pub(super) struct Scale {
    pub(super) g: u64,
    /// Half the distance to the neighbouring floats, in units of 2^-34 of a digit.
    half_ulp: u64,
    shift: u32,
    dec_exp: i32,
}

/// Bits below the decimal point in the scaled value.
pub(super) const FRACTION_BITS: u32 = 34;

/// The top 64 bits of 10^e (|e| < 60), rounded down, and floor(log2 10^e).
pub(super) const fn pow10_top(e: i32) -> (u64, i32) {
    // Little-endian 64-bit limbs.
    let mut x = [0u64; 4];
    if e >= 0 {
        x[0] = 1;
        let mut i = 0;
        while i < e {
            let mut carry = 0u128;
            let mut j = 0;
            while j < 4 {
                let v = x[j] as u128 * 10 + carry;
                x[j] = v as u64;
                carry = v >> 64;
                j += 1;
            }
            i += 1;
        }
    } else {
        // 2^255 / 10^-e, rounded down step by step, which is the same as at once.
        x[3] = 1 << 63;
        let mut i = 0;
        while i < -e {
            let mut rem = 0u128;
            let mut j = 4;
            while j > 0 {
                j -= 1;
                let v = rem << 64 | x[j] as u128;
                x[j] = (v / 10) as u64;
                rem = v % 10;
            }
            i += 1;
        }
    }
    let mut top = 3;
    while x[top] == 0 {
        top -= 1;
    }
    let lz = x[top].leading_zeros();
    let log2 = 64 * top as i32 + 63 - lz as i32 - if e < 0 { 255 } else { 0 };
    if lz == 0 || top == 0 {
        (x[top] << lz, log2)
    } else {
        (x[top] << lz | x[top - 1] >> (64 - lz), log2)
    }
}

/// [`Scale`] for every exponent field (0 and 255 are not used).
pub(super) static SCALES: [Scale; 256] = {
    let mut t = [Scale { g: 0, half_ulp: 0, shift: 0, dec_exp: 0 }; 256];
    let mut field = 1;
    while field < 255 {
        let bin_exp = field - 150;
        // floor(log10 2^bin_exp)
        let dec_exp = (bin_exp * 315_653) >> 20;
        // floor(log2 10^-(dec_exp + 1))
        let pow10_bin_exp = (-(dec_exp + 1) * 217_707) >> 16;
        let shift = bin_exp + pow10_bin_exp + 1 + FRACTION_BITS as i32;
        assert!(shift >= 31 && shift <= 40, "the significand must fit 64 bits once shifted");
        let top = pow10_top(-dec_exp - 1).0;
        t[field as usize] = Scale { g: top + 1, half_ulp: top >> (65 - shift), shift: shift as u32, dec_exp };
        field += 1;
    }
    t
};

/// The shortest digits of the normal f32 with exponent field `field` and fraction bits
/// `frac` (not 0), as [`layout`]'s `head` and `tail`, and the decimal exponent of the first.
///
/// The value is scaled so that 6 to 8 digits lie before the point and less than one float
/// spacing fits between two integers: if an integer next to the scaled value lies within
/// half a spacing, it is the one shortest text; otherwise one digit more, the nearest, is.
/// Both outcomes are common, so they are chosen without a branch.
#[inline]
fn shortest_digits(field: u32, frac: u32) -> (u64, u64, i32) {
    let s = &SCALES[field as usize];
    let m = u64::from(frac | 1 << 23);
    let p = ((u128::from(s.g) * u128::from(m << s.shift)) >> 64) as u64;
    let fraction = p & ((1 << FRACTION_BITS) - 1);
    // An even significand's interval includes its ends.
    let half = s.half_ulp + u64::from(!frac & 1);
    let up = (fraction + half) >> FRACTION_BITS;
    let down = u64::from(half > fraction);
    let int = (p >> FRACTION_BITS) + up;
    // The next digit, rounded to nearest; a fraction of exactly 0.25 is the only tie.
    let digit = ((fraction * 10 + (1 << (FRACTION_BITS - 1))) >> FRACTION_BITS)
        - u64::from(fraction == 1 << (FRACTION_BITS - 2));
    let last = digit & ((up | down) ^ 1).wrapping_neg();
    // int has n = 6 to 8 digits.
    let n = 6 + u32::from(int >= 1_000_000) + u32::from(int >= 10_000_000);
    let (head, tail) = split_digits(int, n);
    (head, tail | last << (8 * (n - 1)), s.dec_exp + n as i32)
}

/// [`shortest`] for the values it does not handle itself.
#[cold]
fn shortest_rare(dst: &mut [u8; SLOT], x: f32, json: bool) -> usize {
    if x == 0.0 || !x.is_finite() {
        return special(dst, x, json);
    }
    let mut buf = zmij::Buffer::new();
    let s = buf.format_finite(x).as_bytes();
    copy_short(dst, s);
    s.len()
}

/// Writes `x` with at most `n` significant digits (1 to 9; other values are clamped), rounded
/// to nearest with ties to even, trailing zeros dropped, into `dst`, and
/// returns its length. Unlike [`shortest`], this need not read back to the same f32.
#[inline(always)]
pub fn digits(dst: &mut [u8; SLOT], x: f32, n: u8, json: bool) -> usize {
    if x == 0.0 || !x.is_finite() {
        return special(dst, x, json);
    }
    let n = u32::from(n.clamp(1, 9));
    let (q, k) = round_digits_fast(x.abs(), n).unwrap_or_else(|| round_digits(x.abs(), n));
    let (head, tail) = split_digits(q, n);
    layout(dst, x.is_sign_negative(), head, tail, k)
}

/// Zero, NaN and the infinities.
#[cold]
fn special(dst: &mut [u8; SLOT], x: f32, json: bool) -> usize {
    let s: &[u8] = if x == 0.0 {
        // "0" keeps text compact; the sign of a negative zero is kept so text reads back to
        // the same bits as npy.
        if x.is_sign_negative() {
            b"-0"
        } else {
            b"0"
        }
    } else if json {
        // JSON has no NaN or infinity; tables hold finite values, so this marks overflow.
        b"null"
    } else if x.is_nan() {
        b"nan"
    } else if x > 0.0 {
        b"inf"
    } else {
        b"-inf"
    };
    dst[..s.len()].copy_from_slice(s);
    s.len()
}

/// Copies `src` (at most 32 bytes) to the front of `dst` with two fixed-size, possibly
/// overlapping moves rather than a call to `memcpy` for a handful of bytes.
#[inline]
fn copy_short(dst: &mut [u8; SLOT], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        dst[..16].copy_from_slice(&src[..16]);
        dst[n - 16..n].copy_from_slice(&src[n - 16..]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..]);
    } else {
        dst[..n].copy_from_slice(src);
    }
}

/// 10^0 to 10^19.
pub(super) static POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Where the part of a scaled value below its integer lies against one half: 0 (nothing),
/// 1 (below), 2 (exactly one half), 3 (above). Numbers rather than an enum, so that they are
/// computed and combined without branches, which random digits would mispredict.
type Rest = u8;
const HALF: Rest = 2;
const ABOVE: Rest = 3;

/// The [`Rest`] of `r` out of `den` (`r < den`, and `2·r` fits).
#[inline]
fn rest_of<T: PartialOrd + Default + std::ops::Add<Output = T> + Copy>(r: T, den: T) -> Rest {
    let twice = r + r;
    u8::from(r != T::default()) + u8::from(twice >= den) + u8::from(twice > den)
}

/// The [`Rest`] after one more digit `d` moves below the integer: `DROP[4·d + rest]`.
static DROP: [Rest; 40] = {
    let mut t = [0; 40];
    let mut d = 0;
    while d < 10 {
        let mut rest = 0;
        while rest < 4 {
            t[4 * d + rest] = if d < 5 {
                (d != 0 || rest != 0) as u8
            } else if d == 5 {
                2 + (rest != 0) as u8
            } else {
                ABOVE
            };
            rest += 1;
        }
        d += 1;
    }
    t
};

/// For the normal f32 of each exponent field: the decimal exponent of the smallest, and the
/// significand from which on values reach the next power of ten (2^24 when none does).
static DECADES: [(i32, u32); 256] = {
    let mut t = [(0, 1 << 24); 256];
    let mut field = 1;
    while field < 255 {
        let bin_exp = field - 127;
        let k = (bin_exp * 315_653) >> 20;
        let (top, log2) = pow10_top(k + 1);
        let threshold = if log2 == bin_exp {
            // 10^(k+1) = top·2^(log2-63) lies in this binade; the significand scale is
            // 2^(bin_exp-23), so the threshold is top / 2^40 rounded up. Rounding down
            // top first is harmless unless it leaves a multiple of 2^40, so that is ruled out
            // where top is not exact (10^(k+1) of 28 digits or more, or below 1).
            assert!(top % (1 << 40) != 0 || (k >= -1 && k <= 26), "threshold not exact");
            ((top >> 40) + (top % (1 << 40) != 0) as u64) as u32
        } else {
            1 << 24
        };
        t[field as usize] = (k, threshold);
        field += 1;
    }
    t
};

/// [`round_digits`] for normal values whose `n` digits are an integer of the value times
/// 10^0 to 10^11 divided by a power of two: the exponent is looked up rather than corrected
/// after the fact, and the rounding is exact in 64 bits. `None` for other values.
#[inline]
fn round_digits_fast(x: f32, n: u32) -> Option<(u64, i32)> {
    let bits = x.to_bits();
    let field = bits >> 23;
    let (k0, threshold) = DECADES[field as usize & 0xff];
    let m = bits & 0x7f_ffff | 1 << 23;
    let mut k = k0 + i32::from(m >= threshold);
    let s = n as i32 - 1 - k;
    let sh = 150 - field as i32;
    if !(0..=11).contains(&s) || !(1..=63).contains(&sh) {
        return None;
    }
    let num = u64::from(m) * POW10[s as usize];
    let mut q = num >> sh;
    let r = num & ((1 << sh) - 1);
    let half = 1 << (sh - 1);
    // Without a branch: which way a value rounds is as good as random.
    q += u64::from(r > half) | (u64::from(r == half) & q);
    if q == POW10[n as usize] {
        q = POW10[n as usize - 1];
        k += 1;
    }
    Some((q, k))
}

/// The `n` significant digits of `x` (finite, positive) as an integer `q` in
/// [10^(n-1), 10^n), and the decimal exponent `k` of the first digit: x ≈ q·10^(k-n+1).
#[inline]
fn round_digits(x: f32, n: u32) -> (u64, i32) {
    let bits = x.to_bits();
    let field = ((bits >> 23) & 0xff) as i32;
    let frac = bits & 0x7f_ffff;
    let (m, e2) = if field == 0 { (frac, -149) } else { (frac | 1 << 23, field - 150) };
    // floor(log10 2^floor(log2 x)): the exponent k, or one less.
    let log2 = 31 - m.leading_zeros() as i32 + e2;
    let mut k = (log2 * 78_913) >> 18;
    let s = n as i32 - 1 - k;
    let sh = -e2;
    let (mut q, mut rest) = if (0..=11).contains(&s) && (1..64).contains(&sh) {
        // Most values: m·10^s < 2^24·10^11 fits in a u64, and 2^sh divides it by a shift.
        let num = u64::from(m) * POW10[s as usize];
        let r = num & ((1 << sh) - 1);
        (num >> sh, rest_of(r, 1 << sh))
    } else {
        match scale(m, e2, s) {
            Some(v) => v,
            None => return round_digits_slow(x, n),
        }
    };
    // When k was one too small, one digit more moves below the integer.
    let over = q >= POW10[n as usize];
    let (q10, d) = (q / 10, q % 10);
    let dropped = DROP[4 * d as usize + usize::from(rest)];
    q = if over { q10 } else { q };
    rest = if over { dropped } else { rest };
    k += i32::from(over);
    // Without a branch: which way a value rounds is as good as random.
    q += u64::from(rest > HALF) | (u64::from(rest == HALF) & q);
    if q == POW10[n as usize] {
        q = POW10[n as usize - 1];
        k += 1;
    }
    (q, k)
}

/// floor(m·2^e2·10^s) and its rest, exactly, when 10^s fits in a u64 (values above about
/// 10^-11, which is all but the tiniest); `None` otherwise.
#[inline(never)]
fn scale(m: u32, e2: i32, s: i32) -> Option<(u64, Rest)> {
    let m = u128::from(m);
    if s >= 0 {
        let num = m * u128::from(*POW10.get(s as usize)?);
        if e2 >= 0 {
            // x >= 2^23 and s >= 0 only when n - 1 >= 6: num is small.
            return Some(((num << e2) as u64, 0));
        }
        let sh = (-e2) as u32;
        if sh >= 127 {
            return None;
        }
        let q = (num >> sh) as u64;
        let r = num & ((1u128 << sh) - 1);
        return Some((q, rest_of(r, 1u128 << sh)));
    }
    // x >= 10^n: rare for vectors, so a division is fine.
    let ten = 10u128.checked_pow((-s) as u32)?;
    let (num, den) = if e2 >= 0 { (m << e2, ten) } else { (m, ten << (-e2) as u32) };
    Some(((num / den) as u64, rest_of(num % den, den)))
}

/// [`round_digits`] through the standard library's exact formatting, for the tiniest values.
#[cold]
fn round_digits_slow(x: f32, n: u32) -> (u64, i32) {
    let mut buf = [0u8; 40];
    let mut w = &mut buf[..];
    let _ = write!(w, "{:.*e}", n as usize - 1, x);
    let len = 40 - w.len();
    let text = &buf[..len];
    let e = text.iter().position(|&b| b == b'e').unwrap_or(len);
    let q = text[..e].iter().filter(|b| b.is_ascii_digit()).fold(0u64, |q, &b| q * 10 + u64::from(b - b'0'));
    let k = std::str::from_utf8(&text[e.saturating_add(1).min(len)..]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    (q, k)
}

/// The 8 decimal digits of `x < 10^8`, one per byte, the first in the lowest byte: each step
/// splits every number in the word into two halves at once.
#[inline]
fn eight_digits(x: u64) -> u64 {
    let x = (x / 10_000) | ((x % 10_000) << 32);
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let x = hundreds | ((x - hundreds * 100) << 16);
    let tens = ((x * 103) >> 10) & 0x000f_000f_000f_000f;
    tens | ((x - tens * 10) << 8)
}

/// Two ASCII digits for each number below 100.
static PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Writes the digits `head` (1 to 9) and `tail` (8 more, one per byte, the first in the lowest
/// byte; trailing zeros are not written), the first of them at decimal exponent `k`, as the
/// shortest formatter lays them out, and returns the length. Each part is stored straight into
/// `dst` from registers, overlapping where the next one takes over, so no byte is read back;
/// what lands past the returned length does not count.
#[inline(always)]
fn layout(dst: &mut [u8; SLOT], neg: bool, head: u64, tail: u64, k: i32) -> usize {
    // Trailing zero digits are zero bytes at the top of `tail`.
    let nd = 9 - (tail.leading_zeros() / 8) as usize;
    let first = b'0' + head as u8;
    let ascii = (tail | 0x3030_3030_3030_3030).to_le_bytes();
    dst[0] = b'-';
    let p = usize::from(neg);
    match k {
        -6..=-1 => {
            // 1234e-3 -> 0.001234
            let z = (-k - 1) as usize;
            dst[p..p + 8].copy_from_slice(b"0.000000");
            dst[p + 2 + z] = first;
            dst[p + 3 + z..p + 11 + z].copy_from_slice(&ascii);
            p + 2 + z + nd
        }
        0..=12 => {
            let k = k as usize;
            dst[p] = first;
            dst[p + 1..p + 9].copy_from_slice(&ascii);
            if nd <= k + 1 {
                // 1234e7 -> 12340000000.0
                dst[p + 9..p + 17].copy_from_slice(b"00000000");
                dst[p + k + 1..p + k + 3].copy_from_slice(b".0");
                p + k + 3
            } else {
                // 1234e1 -> 12.34: k < 8 here.
                dst[p + k + 1] = b'.';
                let fraction = (tail >> (8 * k) | 0x3030_3030_3030_3030).to_le_bytes();
                dst[p + k + 2..p + k + 10].copy_from_slice(&fraction);
                p + nd + 1
            }
        }
        _ => {
            // 1234e-9 -> 1.234e-9
            dst[p] = first;
            dst[p + 1] = b'.';
            dst[p + 2..p + 10].copy_from_slice(&ascii);
            let mut pos = p + 1 + if nd > 1 { nd } else { 0 };
            dst[pos..pos + 2].copy_from_slice(if k < 0 { b"e-" } else { b"e+" });
            pos += 2;
            let e = k.unsigned_abs() as usize;
            if e >= 10 {
                dst[pos..pos + 2].copy_from_slice(&PAIRS[2 * e..2 * e + 2]);
                pos + 2
            } else {
                dst[pos] = b'0' + e as u8;
                pos + 1
            }
        }
    }
}

/// `q` (`n` digits, 1 to 9) as [`layout`]'s `head` and `tail`.
#[inline]
fn split_digits(q: u64, n: u32) -> (u64, u64) {
    if n == 9 {
        return (q / 100_000_000, eight_digits(q % 100_000_000));
    }
    // The 8-digit form of q starts with 8 - n zeros.
    let all = eight_digits(q) >> (8 * (8 - n));
    (all & 0xff, all >> 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(x: f32) -> String {
        let mut b = [0u8; SLOT];
        let n = shortest(&mut b, x, true);
        String::from_utf8(b[..n].to_vec()).unwrap()
    }

    fn dig(x: f32, n: u8) -> String {
        let mut b = [0u8; SLOT];
        let len = digits(&mut b, x, n, true);
        String::from_utf8(b[..len].to_vec()).unwrap()
    }

    /// The digits and exponent of a shortest text, e.g. `-0.00125` -> (125, 3, -3).
    fn parts(s: &str) -> (bool, u64, u32, i32) {
        let neg = s.starts_with('-');
        let s = s.trim_start_matches('-');
        let (mant, exp) = match s.split_once('e') {
            Some((m, e)) => (m, e.parse::<i32>().unwrap()),
            None => (s, 0),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let all: String = format!("{int}{frac}");
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_start_matches('0').trim_end_matches('0');
        let k = exp + int.len() as i32 - 1 - lead as i32;
        (neg, digits.parse().unwrap(), digits.len() as u32, k)
    }

    #[test]
    fn layout_matches_the_shortest_formatter() {
        let mut state = 0x9e37_79b9u32;
        let check = |x: f32| {
            let s = zmij::Buffer::new().format_finite(x).to_string();
            assert_eq!(short(x), s, "{x:e}");
            let (neg, q, nd, k) = parts(&s);
            let mut b = [0u8; SLOT];
            let (head, tail) = split_digits(q, nd);
            let n = layout(&mut b, neg, head, tail, k);
            assert_eq!(std::str::from_utf8(&b[..n]).unwrap(), s, "{x:e}");
        };
        for e in 1..255u32 {
            for _ in 0..200 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                check(f32::from_bits(e << 23 | (state & 0x807f_ffff)));
            }
            check(f32::from_bits(e << 23));
        }
        for x in [1.0, 10.0, 1e12, 1e13, 1e-6, 1e-7, 1.5e-6, 123_456.0, f32::MAX, f32::MIN_POSITIVE, 1e-45] {
            check(x);
            check(-x);
        }
    }

    #[test]
    fn digits_round_half_to_even_and_carry() {
        assert_eq!(dig(2.5, 1), "2.0");
        assert_eq!(dig(3.5, 1), "4.0");
        assert_eq!(dig(0.125, 2), "0.12");
        assert_eq!(dig(0.375, 2), "0.38");
        assert_eq!(dig(9.999_999, 6), "10.0");
        assert_eq!(dig(-0.000_012_345_678, 3), "-0.0000123");
        assert_eq!(dig(1.5e-7, 6), "1.5e-7");
        assert_eq!(dig(f32::MAX, 9), "3.40282347e+38");
        assert_eq!(dig(1e-45, 9), "1.40129846e-45");
        assert_eq!(dig(0.1, 9), "0.100000001");
        assert_eq!(dig(0.1, 6), "0.1");
        assert_eq!(dig(-0.0, 6), "-0");
    }

    #[test]
    fn eight_digits_in_order() {
        for x in (0..100_000_000u64).step_by(7919).chain([0, 9, 10, 99_999_999, 10_000_000, 12_345_678]) {
            assert_eq!(&(eight_digits(x) | 0x3030_3030_3030_3030).to_le_bytes(), format!("{x:08}").as_bytes());
        }
    }

    #[test]
    fn short_copies_any_length() {
        for n in 0..SLOT {
            let src: Vec<u8> = (0..n as u8).map(|i| b'a' + i).collect();
            let mut dst = [b'_'; SLOT];
            copy_short(&mut dst, &src);
            assert_eq!(&dst[..n], &src[..]);
            assert_eq!(dst[n], b'_');
        }
    }
}
