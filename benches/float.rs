//! Float text output: one 256-d row of embedding-sized values through each formatter, and
//! through zmij alone for comparison. Run with `cargo bench --bench float`.

use divan::{black_box, Bencher};
use zhvec::output::float::{self, SLOT};
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
