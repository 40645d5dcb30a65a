//! Cosine similarity over stored rows, exact and deterministic: a brute-force scan with a
//! chunked dot product the compiler vectorizes, and top-k with ties broken by the lower id.
//!
//! Every dot product keeps [`LANES`] partial sums and adds them up in a fixed order, and Rust
//! never fuses a multiply and an add, so a result has the same bits whether the loop runs
//! as AVX2, SSE2 or scalar code, and whatever the thread count.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::vocab::quant::Elem;
use crate::vocab::reader::Vectors;
use crate::vocab::{RowSet, View};

/// Partial sums per dot product.
const LANES: usize = 16;

#[inline(always)]
fn sum_lanes(mut v: [f32; LANES]) -> f32 {
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            v[i] += v[i + n];
        }
    }
    v[0]
}

/// `(Σ q·x, Σ x·x)` over `x = scale × row`, the values embed reads (`scale` is 1 but for int8).
#[inline(always)]
fn dot_norm<T: Elem>(q: &[f32], row: &[T], scale: f32) -> (f32, f32) {
    let (mut dot, mut sq) = ([0f32; LANES], [0f32; LANES]);
    let (qc, rc) = (q.chunks_exact(LANES), row.chunks_exact(LANES));
    let (q_rest, r_rest) = (qc.remainder(), rc.remainder());
    for (qa, ra) in qc.zip(rc) {
        for (((d, s), &a), &r) in dot.iter_mut().zip(sq.iter_mut()).zip(qa).zip(ra) {
            let x = scale * r.to_f32();
            *d += a * x;
            *s += x * x;
        }
    }
    for (((d, s), &a), &r) in dot.iter_mut().zip(sq.iter_mut()).zip(q_rest).zip(r_rest) {
        let x = scale * r.to_f32();
        *d += a * x;
        *s += x * x;
    }
    (sum_lanes(dot), sum_lanes(sq))
}

/// `Σ a·b`, with the lanes of [`dot_norm`].
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_rest, b_rest) = (ac.remainder(), bc.remainder());
    for (aa, ba) in ac.zip(bc) {
        for ((d, &x), &y) in acc.iter_mut().zip(aa).zip(ba) {
            *d += x * y;
        }
    }
    for ((d, &x), &y) in acc.iter_mut().zip(a_rest).zip(b_rest) {
        *d += x * y;
    }
    sum_lanes(acc)
}

/// The Euclidean length of `v`.
pub fn norm(v: &[f32]) -> f32 {
    dot(v, v).sqrt()
}

/// Cosine from a dot product, the query's length and the row's squared length; 0 when
/// either vector is all zeros.
#[inline(always)]
fn cosine_of(dot: f32, q_norm: f32, row_sq: f32) -> f32 {
    if q_norm == 0.0 || row_sq == 0.0 {
        0.0
    } else {
        dot / (q_norm * row_sq.sqrt())
    }
}

/// A row and its cosine with the query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub id: u32,
    pub cosine: f32,
}

/// Orders hits worst first: a lower cosine, then on equal cosines the higher id.
#[derive(Clone, Copy, Debug)]
struct Worst(Hit);

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.cosine.total_cmp(&self.0.cosine).then(self.0.id.cmp(&other.0.id))
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

/// The `k` best hits seen: highest cosine first, the lower id first among equal cosines.
#[derive(Clone, Debug)]
pub struct TopK {
    k: usize,
    /// The kept hits, the worst on top.
    heap: BinaryHeap<Worst>,
}

impl TopK {
    pub fn new(k: usize) -> TopK {
        TopK { k, heap: BinaryHeap::with_capacity(k.min(1 << 16) + 1) }
    }

    /// Whether a hit would be kept, were it offered now.
    #[inline(always)]
    pub fn takes(&self, id: u32, cosine: f32) -> bool {
        if self.heap.len() < self.k {
            return true;
        }
        self.heap.peek().is_some_and(|w| Worst(Hit { id, cosine }) < *w)
    }

    #[inline]
    pub fn offer(&mut self, id: u32, cosine: f32) {
        if !self.takes(id, cosine) {
            return;
        }
        if self.heap.len() == self.k {
            self.heap.pop();
        }
        self.heap.push(Worst(Hit { id, cosine }));
    }

    /// The hits, best first.
    pub fn into_sorted(self) -> Vec<Hit> {
        self.heap.into_sorted_vec().into_iter().map(|w| w.0).collect()
    }
}

/// A query and its length.
#[derive(Clone, Copy)]
struct Probe<'a> {
    values: &'a [f32],
    norm: f32,
}

impl<'a> Probe<'a> {
    fn new(values: &'a [f32]) -> Probe<'a> {
        Probe { values, norm: norm(values) }
    }
}

/// Offers every row of `values` (rows of `dim`; `scales` one per row for int8, else empty)
/// to `top`, numbered from `first`; ids for which `skip` holds are left out.
#[inline(always)]
fn scan<T: Elem>(
    values: &[T],
    scales: &[f32],
    dim: usize,
    first: u32,
    probe: Probe<'_>,
    skip: &dyn Fn(u32) -> bool,
    top: &mut TopK,
) {
    if dim == 0 {
        return;
    }
    for (i, row) in values.chunks_exact(dim).enumerate() {
        let scale = if T::SCALED { scales.get(i).copied().unwrap_or(0.0) } else { 1.0 };
        let (d, sq) = dot_norm(probe.values, row, scale);
        let cosine = cosine_of(d, probe.norm, sq);
        let id = first + i as u32;
        if top.takes(id, cosine) && !skip(id) {
            top.offer(id, cosine);
        }
    }
}

/// The `k` rows of `set` most similar to `query` (of [`RowSet::dim`] values) by cosine, best
/// first, the lower id first among equal cosines; ids in `exclude` are left out. Rows are
/// read in place, int8 ones scaled on the fly: nothing is prepared beforehand.
pub fn nearest(view: &View<'_>, set: &RowSet, query: &[f32], k: usize, exclude: &[u32]) -> Vec<Hit> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { nearest_avx2(view, set, query, k, exclude) };
    }
    nearest_portable(view, set, query, k, exclude)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn nearest_avx2(view: &View<'_>, set: &RowSet, query: &[f32], k: usize, exclude: &[u32]) -> Vec<Hit> {
    nearest_portable(view, set, query, k, exclude)
}

#[inline(always)]
fn nearest_portable(view: &View<'_>, set: &RowSet, query: &[f32], k: usize, exclude: &[u32]) -> Vec<Hit> {
    let mut top = TopK::new(k);
    let probe = Probe::new(query);
    for (kind, first, left_out) in set.parts() {
        let t = view.table(kind);
        let skip = |id: u32| exclude.contains(&id) || left_out.binary_search(&(id - first)).is_ok();
        match t.vectors {
            Vectors::F32(v) => scan(v, &[], t.dim, first, probe, &skip, &mut top),
            Vectors::F16(v) => scan(v, &[], t.dim, first, probe, &skip, &mut top),
            Vectors::Int8 { values, scales } => scan(values, scales, t.dim, first, probe, &skip, &mut top),
        }
    }
    top.into_sorted()
}

/// Rows of a matrix, such as an `.npy` of line vectors.
#[derive(Clone, Copy, Debug)]
pub enum Matrix<'a> {
    F32(&'a [f32]),
    /// IEEE 754 binary16 bit patterns.
    F16(&'a [u16]),
}

/// [`nearest`] over the rows of a matrix of `dim` columns, numbered from 0.
pub fn nearest_rows(matrix: Matrix<'_>, dim: usize, query: &[f32], k: usize) -> Vec<Hit> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { nearest_rows_avx2(matrix, dim, query, k) };
    }
    nearest_rows_portable(matrix, dim, query, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn nearest_rows_avx2(matrix: Matrix<'_>, dim: usize, query: &[f32], k: usize) -> Vec<Hit> {
    nearest_rows_portable(matrix, dim, query, k)
}

#[inline(always)]
fn nearest_rows_portable(matrix: Matrix<'_>, dim: usize, query: &[f32], k: usize) -> Vec<Hit> {
    let mut top = TopK::new(k);
    let probe = Probe::new(query);
    let keep = |_: u32| false;
    match matrix {
        Matrix::F32(v) => scan(v, &[], dim, 0, probe, &keep, &mut top),
        Matrix::F16(v) => scan(v, &[], dim, 0, probe, &keep, &mut top),
    }
    top.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_by_cosine_then_id() {
        let mut top = TopK::new(3);
        for (id, c) in [(5, 0.5), (1, 0.9), (7, 0.9), (2, 0.1), (3, 0.9), (9, 0.95)] {
            top.offer(id, c);
        }
        let got: Vec<(u32, f32)> = top.into_sorted().iter().map(|h| (h.id, h.cosine)).collect();
        assert_eq!(got, [(9, 0.95), (1, 0.9), (3, 0.9)]);
    }

    #[test]
    fn top_k_of_zero_keeps_nothing() {
        let mut top = TopK::new(0);
        top.offer(1, 1.0);
        assert!(top.into_sorted().is_empty());
    }

    #[test]
    fn lanes_agree_with_a_plain_sum_on_exact_values() {
        // Small integers: every partial sum is exact, whatever the order.
        let a: Vec<f32> = (0..37).map(|i| (i % 7) as f32 - 3.0).collect();
        let b: Vec<f32> = (0..37).map(|i| (i % 5) as f32).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), plain);
        let q: Vec<i8> = (0..37).map(|i| (i % 9) as i8 - 4).collect();
        let (d, sq) = dot_norm(&a, &q, 2.0);
        assert_eq!(d, a.iter().zip(&q).map(|(x, &y)| x * 2.0 * y as f32).sum::<f32>());
        assert_eq!(sq, q.iter().map(|&y| 4.0 * (y as f32) * (y as f32)).sum::<f32>());
    }

    #[test]
    fn avx2_and_portable_scans_agree_bit_for_bit() {
        let dim = 45;
        let rows: Vec<f32> = (0..dim * 50).map(|i| ((i as f32) * 0.377).sin()).collect();
        let q: Vec<f32> = (0..dim).map(|i| ((i as f32) * 1.31).cos()).collect();
        let a = nearest_rows(Matrix::F32(&rows), dim, &q, 50);
        let b = nearest_rows_portable(Matrix::F32(&rows), dim, &q, 50);
        assert_eq!(a.len(), 50);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!((x.id, x.cosine.to_bits()), (y.id, y.cosine.to_bits()));
        }
    }

    #[test]
    fn float16_rows_give_the_cosines_of_their_float32_values() {
        use crate::vocab::quant::{f16_to_f32, f32_to_f16};
        let dim = 19;
        let half: Vec<u16> = (0..dim * 30).map(|i| f32_to_f16(((i as f32) * 0.61).sin())).collect();
        let full: Vec<f32> = half.iter().map(|&h| f16_to_f32(h)).collect();
        let q: Vec<f32> = (0..dim).map(|i| i as f32 - 9.0).collect();
        assert_eq!(nearest_rows(Matrix::F16(&half), dim, &q, 30), nearest_rows(Matrix::F32(&full), dim, &q, 30));
    }

    #[test]
    fn cosine_of_a_zero_vector_is_zero() {
        let rows = [0.0f32, 0.0, 1.0, 1.0];
        let hits = nearest_rows(Matrix::F32(&rows), 2, &[1.0, 1.0], 2);
        assert_eq!(hits[0].id, 1);
        assert!((hits[0].cosine - 1.0).abs() < 1e-6);
        assert_eq!(hits[1], Hit { id: 0, cosine: 0.0 });
        assert!(nearest_rows(Matrix::F32(&rows), 2, &[0.0, 0.0], 2).iter().all(|h| h.cosine == 0.0));
    }
}
