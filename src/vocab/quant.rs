//! Storage dtypes: conversion to and from f32, and adding a stored row into an f32 sum.

/// A row of a table as stored in the file, read in place.
#[derive(Clone, Copy, Debug)]
pub enum Row<'a> {
    F32(&'a [f32]),
    /// IEEE 754 binary16 bit patterns.
    F16(&'a [u16]),
    /// Quantized values; the real value is `q as f32 * scale`.
    Int8 {
        values: &'a [i8],
        scale: f32,
    },
}

impl Row<'_> {
    pub fn dim(&self) -> usize {
        match self {
            Row::F32(v) => v.len(),
            Row::F16(v) => v.len(),
            Row::Int8 { values, .. } => values.len(),
        }
    }

    /// `acc[i] += weight * row[i]` for every component.
    ///
    /// On x86-64 with AVX2 the same loop runs compiled for AVX2. Rust never fuses the
    /// multiply and add, and each component is computed by itself, so the result is
    /// bit-identical with and without AVX2.
    #[inline]
    pub fn add_to(&self, acc: &mut [f32], weight: f32) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.add_to_avx2(acc, weight) };
            return;
        }
        self.add_to_portable(acc, weight);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn add_to_avx2(&self, acc: &mut [f32], weight: f32) {
        self.add_to_portable(acc, weight);
    }

    #[inline(always)]
    fn add_to_portable(&self, acc: &mut [f32], weight: f32) {
        match *self {
            Row::F32(v) => add_scaled(acc, v, weight),
            Row::F16(v) => add_scaled(acc, v, weight),
            Row::Int8 { values, scale } => add_scaled(acc, values, weight * scale),
        }
    }

    /// Writes the stored values as f32 into `out` (length [`Row::dim`]): f32 as stored, f16
    /// widened exactly, int8 as `scale × q`, the product embed adds up. Unlike
    /// [`Row::to_vec`], a stored negative zero stays negative.
    pub fn read_into(&self, out: &mut [f32]) {
        match *self {
            Row::F32(v) => out.iter_mut().zip(v).for_each(|(o, &x)| *o = x),
            Row::F16(v) => out.iter_mut().zip(v).for_each(|(o, &h)| *o = f16_to_f32(h)),
            Row::Int8 { values, scale } => out.iter_mut().zip(values).for_each(|(o, &q)| *o = scale * q as f32),
        }
    }

    /// The row as f32 values.
    pub fn to_vec(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.dim()];
        self.add_to(&mut out, 1.0);
        out
    }
}

/// A stored component type.
pub(crate) trait Elem: Copy {
    /// Whether rows carry a scale (int8).
    const SCALED: bool;
    fn to_f32(self) -> f32;
}

impl Elem for f32 {
    const SCALED: bool = false;
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
}

impl Elem for u16 {
    const SCALED: bool = false;
    #[inline(always)]
    fn to_f32(self) -> f32 {
        f16_to_f32(self)
    }
}

impl Elem for i8 {
    const SCALED: bool = true;
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self as f32
    }
}

/// `acc[i] += w * row[i]`: the one loop every row addition goes through, so all paths
/// round the same way (`w` already includes an int8 row's scale).
#[inline(always)]
pub(crate) fn add_scaled<T: Elem>(acc: &mut [f32], row: &[T], w: f32) {
    for (a, &x) in acc.iter_mut().zip(row) {
        *a += w * x.to_f32();
    }
}

/// The rows of one table in one dtype, for loops that know the dtype up front.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rows<'a, T> {
    pub values: &'a [T],
    /// One per row for int8, else empty.
    pub scales: &'a [f32],
    pub dim: usize,
}

impl<'a, T> Rows<'a, T> {
    pub fn new(values: &'a [T], scales: &'a [f32], dim: usize) -> Self {
        Rows { values, scales, dim }
    }
}

/// The rows of one table in a dtype known at compile time (see [`View::with_rows`]).
///
/// [`View::with_rows`]: super::View::with_rows
pub trait AddRow: Copy {
    /// `acc += weight * row(id)`, exactly as [`Row::add_to`]. Panics if `id` is out of range.
    fn add_to(&self, id: u32, acc: &mut [f32], weight: f32);
}

impl<T: Elem> AddRow for Rows<'_, T> {
    #[inline(always)]
    fn add_to(&self, id: u32, acc: &mut [f32], weight: f32) {
        let (i, d) = (id as usize, self.dim);
        let w = if T::SCALED { weight * self.scales[i] } else { weight };
        add_scaled(acc, &self.values[i * d..(i + 1) * d], w);
    }
}

/// Converts binary16 bits to f32 exactly (every f16 is representable as an f32).
///
/// Branch-free, so that row loops vectorize: the f16 exponent and mantissa, moved into f32
/// position, read as an f32 that is 2^-112 times the value (a subnormal f16 becomes a
/// subnormal f32), and scaling by a power of two is exact. Inlined into the AVX2 row sum
/// this beats the `half` crate's F16C slice conversion, which is a call per slice behind a
/// feature check (`embed_headline_dtype` in benches/core.rs), and it keeps signaling NaNs
/// signaling where F16C and `half` set the quiet bit.
#[inline]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let abs = (h & 0x7fff) as u32;
    const TWO_POW_112: u32 = (127 + 112) << 23;
    let finite = (f32::from_bits(abs << 13) * f32::from_bits(TWO_POW_112)).to_bits();
    let bits = if abs >= 0x7c00 { 0x7f80_0000 | (abs << 13) } else { finite };
    f32::from_bits(sign | bits)
}

/// The reference conversion, field by field.
#[cfg(test)]
fn f16_to_f32_by_fields(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match exp {
        0 if man == 0 => sign,
        0 => {
            // Subnormal: value = man * 2^-24; renormalize into an f32.
            let shift = man.leading_zeros() - 21; // places to move the top bit to bit 10
            let man = (man << shift) & 0x3ff;
            let exp = 127 - 15 + 1 - shift;
            sign | (exp << 23) | (man << 13)
        }
        0x1f => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// Converts an f32 to binary16 bits, rounding to nearest even; out-of-range values
/// become ±infinity, tiny values become subnormals or zero.
pub fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        // Subnormal half: shift the mantissa (with its implicit bit) into place and round.
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rest = m & ((1 << shift) - 1);
        let mut out = m >> shift;
        if rest > half || (rest == half && out & 1 == 1) {
            out += 1;
        }
        return sign | out as u16;
    }
    let mut out = ((e as u32) << 10) | (man >> 13);
    let rest = man & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && out & 1 == 1) {
        out += 1; // may carry into the exponent, which is the correct rounding
    }
    sign | out as u16
}

/// Quantizes a row to int8 with one scale: `scale = max|x| / 127`, `q = round(x / scale)`.
/// `None` if a value is not finite: such a row has no scale.
pub fn quantize_i8(row: &[f32], out: &mut Vec<i8>) -> Option<f32> {
    if !row.iter().all(|x| x.is_finite()) {
        return None;
    }
    let max = row.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let mut scale = if max > 0.0 { max / 127.0 } else { 0.0 };
    if !(scale * 127.0).is_finite() {
        // max / 127 rounded up: reading ±127 back would give infinity. One step down fixes it.
        scale = f32::from_bits(scale.to_bits() - 1);
    }
    let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
    if inv.is_finite() {
        out.extend(row.iter().map(|x| (x * inv).round().clamp(-127.0, 127.0) as i8));
    } else {
        // A row so small that 1/scale overflows: every nonzero value would become ±127.
        out.extend(row.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8));
    }
    Some(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_exact_values_round_trip() {
        for x in [0.0f32, -0.0, 1.0, -2.5, 65504.0, 6.103_515_6e-5, 5.960_464_5e-8, 0.333_251_95] {
            assert_eq!(f16_to_f32(f32_to_f16(x)), x, "{x}");
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert!(f16_to_f32(f32_to_f16(1e6)).is_infinite());
        assert!(f16_to_f32(f32_to_f16(f32::NAN)).is_nan());
    }

    #[test]
    fn f16_conversion_matches_the_field_by_field_one() {
        for h in 0..=u16::MAX {
            assert_eq!(f16_to_f32(h).to_bits(), f16_to_f32_by_fields(h).to_bits(), "{h:#06x}");
        }
    }

    #[test]
    fn f16_all_bit_patterns_survive() {
        for h in 0..=u16::MAX {
            let x = f16_to_f32(h);
            if x.is_nan() {
                continue;
            }
            assert_eq!(f32_to_f16(x), h, "{h:#06x} -> {x}");
        }
    }

    #[test]
    fn f16_relative_error_is_bounded() {
        let mut x = 1e-4f32;
        while x < 6e4 {
            let y = f16_to_f32(f32_to_f16(x));
            assert!(((y - x) / x).abs() <= 1.0 / 2048.0, "{x} -> {y}");
            x *= 1.013;
        }
    }

    #[test]
    fn int8_error_is_at_most_half_a_step() {
        let row: Vec<f32> = (0..200).map(|i| ((i as f32) * 0.37).sin() * 3.0).collect();
        let mut q = Vec::new();
        let scale = quantize_i8(&row, &mut q).unwrap();
        let back = Row::Int8 { values: &q, scale }.to_vec();
        for (a, b) in row.iter().zip(&back) {
            assert!((a - b).abs() <= scale * 0.5 + 1e-6, "{a} vs {b}");
        }
        let zeros = vec![0.0f32; 4];
        q.clear();
        assert_eq!(quantize_i8(&zeros, &mut q), Some(0.0));
        assert_eq!(q, vec![0; 4]);
    }

    #[test]
    fn int8_refuses_non_finite_rows() {
        let mut q = Vec::new();
        for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            q.clear();
            assert_eq!(quantize_i8(&[1.0, bad], &mut q), None, "{bad}");
        }
    }

    #[test]
    fn int8_keeps_tiny_rows_whose_inverse_scale_overflows() {
        // 1/scale is infinite here; multiplying by it turned every nonzero value into ±127.
        let row = [1e-39f32, 5e-40, -2.5e-40, 0.0];
        let mut q = Vec::new();
        let scale = quantize_i8(&row, &mut q).unwrap();
        assert!(scale > 0.0 && (1.0 / scale).is_infinite());
        assert_eq!(q, [127, 64, -32, 0]);
        let back = Row::Int8 { values: &q, scale }.to_vec();
        for (back, want) in back.iter().zip(row) {
            assert!((back - want).abs() <= scale / 2.0 + 1e-45, "{back} vs {want}");
        }
    }

    #[test]
    fn int8_rows_near_the_f32_limit_read_back_finite() {
        for max in [f32::MAX, -f32::MAX, f32::from_bits(f32::MAX.to_bits() - 1), 3e38] {
            let row = [max, 1.0, -max / 2.0];
            let mut q = Vec::new();
            let scale = quantize_i8(&row, &mut q).unwrap();
            let back = Row::Int8 { values: &q, scale }.to_vec();
            assert!(back.iter().all(|x| x.is_finite()), "{max}: {back:?}");
            assert!(((back[0] - max) / max).abs() < 1e-6, "{max}: {back:?}");
        }
    }

    #[test]
    fn f16_overflow_starts_at_the_documented_bound() {
        use crate::vocab::format::{F16_MAX, F16_OVERFLOW};
        assert_eq!(f16_to_f32(f32_to_f16(f32::from_bits(F16_OVERFLOW.to_bits() - 1))), F16_MAX);
        assert!(f16_to_f32(f32_to_f16(F16_OVERFLOW)).is_infinite());
        assert!(f16_to_f32(f32_to_f16(-F16_OVERFLOW)).is_infinite());
    }

    #[test]
    fn avx2_and_portable_paths_agree_bit_for_bit() {
        let v: Vec<f32> = (0..203).map(|i| ((i as f32) * 0.731).sin() * 1e-3 + 0.1).collect();
        let q: Vec<i8> = (0..203).map(|i| (i * 37 % 255) as i8).collect();
        let h: Vec<u16> = v.iter().map(|&x| f32_to_f16(x)).collect();
        for row in [Row::F32(&v), Row::Int8 { values: &q, scale: 0.013 }, Row::F16(&h)] {
            let mut a: Vec<f32> = (0..203).map(|i| i as f32 * 0.3).collect();
            let mut b = a.clone();
            row.add_to(&mut a, 0.37);
            row.add_to_portable(&mut b, 0.37);
            assert_eq!(
                a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn add_to_applies_weight() {
        let mut acc = vec![1.0f32, 1.0];
        Row::F32(&[2.0, -4.0]).add_to(&mut acc, 0.5);
        assert_eq!(acc, vec![2.0, -1.0]);
    }
}
