//! Float text output: one 256-d row of embedding-sized values through each formatter, and
//! through zmij alone for comparison. Run with `cargo bench --bench float`.

use divan::{black_box, Bencher};
use zhvec::output::float::{self, SLOT};
use zhvec::output::float_row;
use zhvec::output::{Encoder, Format};

fn main() {
    divan::main();
}

/// 256 values spread like the default table's mean-pooled rows: mostly 0.001 to 0.06 in
/// magnitude, either sign (SplitMix64, so the row is the same every time).
fn row() -> Vec<f32> {
    let mut s = 7u64;
    (0..256)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            ((z >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.12
        })
        .collect()
}

/// A whole jsonl row, as `zhvec embed` writes it.
#[divan::bench(args = [None, Some(6)])]
fn jsonl_row(bencher: Bencher, digits: Option<u8>) {
    let row = row();
    let encoder = Encoder { format: Format::Jsonl, digits, ..Encoder::default() };
    let mut out = Vec::with_capacity(1 << 16);
    bencher.bench_local(|| {
        out.clear();
        encoder.encode(1, "", black_box(&row), &mut out);
        out.len()
    });
}

/// The row writers alone: the one `embed` uses (eight values at a time where the CPU has
/// AVX-512) and the portable one, which formats one value at a time.
#[divan::bench(args = [None, Some(6)])]
fn row_256(bencher: Bencher, digits: Option<u8>) {
    bench_row(bencher, digits, float_row::write);
}

#[divan::bench(args = [None, Some(6)])]
fn row_256_portable(bencher: Bencher, digits: Option<u8>) {
    bench_row(bencher, digits, float_row::write_portable);
}

type RowWriter = fn(&mut [std::mem::MaybeUninit<u8>], &[f32], u8, Option<u8>, bool) -> usize;

fn bench_row(bencher: Bencher, digits: Option<u8>, write: RowWriter) {
    let row = row();
    let mut out = Vec::<u8>::with_capacity(float_row::room_for(row.len()));
    bencher.bench_local(|| write(out.spare_capacity_mut(), black_box(&row), b',', digits, true));
}

/// The formatters alone, each value into a slot of its own.
#[divan::bench]
fn shortest_256(bencher: Bencher) {
    let row = row();
    let mut slots = vec![[0u8; SLOT]; row.len()];
    bencher.bench_local(|| {
        let n: usize = black_box(&row).iter().zip(&mut slots).map(|(&x, s)| float::shortest(s, x, true)).sum();
        black_box(&slots);
        n
    });
}

#[divan::bench]
fn digits6_256(bencher: Bencher) {
    let row = row();
    let mut slots = vec![[0u8; SLOT]; row.len()];
    bencher.bench_local(|| {
        let n: usize = black_box(&row).iter().zip(&mut slots).map(|(&x, s)| float::digits(s, x, 6, true)).sum();
        black_box(&slots);
        n
    });
}

/// zmij, which `shortest` matches byte for byte, on the same values (into its own buffer).
#[divan::bench]
fn zmij_256(bencher: Bencher) {
    let row = row();
    let mut buf = zmij::Buffer::new();
    bencher.bench_local(|| black_box(&row).iter().map(|&x| black_box(buf.format_finite(x)).len()).sum::<usize>());
}
