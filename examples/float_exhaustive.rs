//! Runs the float formatters over every f32 bit pattern, on all cores.
//!
//! `shortest`: compares [`float::shortest`] with zmij, the formatter it replaced, and fails on
//! the first difference. `digits`: prints a digest of the `--digits N` text of every value for
//! each N, to compare two builds of the crate.
//!
//! `rows`: compares [`float_row::write`] (eight values at a time where the CPU allows) with
//! [`float_row::write_portable`], in rows of 256, for the shortest text of every value and for
//! every N on the values where the two can differ; fails if any row differs.
//!
//! `cargo run --release --example float_exhaustive -- shortest digits rows` (minutes).

use std::process::ExitCode;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use zhvec::output::float::{self, SLOT};
use zhvec::output::float_row;

/// The values are split into blocks taken in turn by the threads; a block's digest depends
/// on the order of its values, the total on the order of the blocks.
const BLOCKS: u32 = 4096;
const PER_BLOCK: u64 = (1u64 << 32) / BLOCKS as u64;

/// What serde_json and the old writer made of `x`.
fn reference(x: f32, out: &mut [u8; SLOT]) -> usize {
    let text: &[u8] = if x == 0.0 {
        if x.is_sign_negative() {
            b"-0"
        } else {
            b"0"
        }
    } else if !x.is_finite() {
        b"null"
    } else {
        let mut buf = zmij::Buffer::new();
        let s = buf.format_finite(x).as_bytes();
        out[..s.len()].copy_from_slice(s);
        return s.len();
    };
    out[..text.len()].copy_from_slice(text);
    text.len()
}

/// Folds `bytes` and their length into `h`.
fn mix(h: u64, bytes: &[u8]) -> u64 {
    let mut h = h ^ bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    h
}

/// Runs `block(first_bits, count)` over all blocks on all threads and returns the results in
/// block order.
fn over_all_bits<T: Send + Default + Clone>(block: impl Fn(u32, u64) -> T + Sync) -> Vec<T> {
    let next = AtomicU32::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results = vec![T::default(); BLOCKS as usize];
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        if b >= BLOCKS {
                            return done;
                        }
                        done.push((b, block((u64::from(b) * PER_BLOCK) as u32, PER_BLOCK)));
                    }
                })
            })
            .collect();
        for h in handles {
            for (b, r) in h.join().expect("worker") {
                results[b as usize] = r;
            }
        }
    });
    results
}

fn check_shortest() -> bool {
    let diffs = AtomicU64::new(0);
    over_all_bits(|first, count| {
        let (mut got, mut want) = ([0u8; SLOT], [0u8; SLOT]);
        for bits in first..=first + (count - 1) as u32 {
            let x = f32::from_bits(bits);
            let n = float::shortest(&mut got, x, true);
            let m = reference(x, &mut want);
            if got[..n] != want[..m] && diffs.fetch_add(1, Ordering::Relaxed) < 10 {
                eprintln!(
                    "{bits:#010x}: {} but zmij {}",
                    String::from_utf8_lossy(&got[..n]),
                    String::from_utf8_lossy(&want[..m])
                );
            }
        }
    });
    let diffs = diffs.into_inner();
    println!("shortest: {diffs} of 2^32 values differ from zmij");
    diffs == 0
}

fn digest_digits() {
    let digests = over_all_bits(|first, count| {
        let mut h = [0u64; 9];
        let mut out = [0u8; SLOT];
        for bits in first..=first + (count - 1) as u32 {
            let x = f32::from_bits(bits);
            for (n, h) in (1..=9).zip(&mut h) {
                let len = float::digits(&mut out, x, n, true);
                *h = mix(*h, &out[..len]);
            }
        }
        h.to_vec()
    });
    for n in 0..9 {
        let total = digests.iter().fold(0u64, |acc, h| mix(acc, &h[n].to_le_bytes()));
        println!("digits {}: {total:016x}", n + 1);
    }
}

fn check_rows() -> bool {
    const ROW: u64 = 256;
    let diffs = AtomicU64::new(0);
    over_all_bits(|first, count| {
        let mut fast = Vec::<u8>::with_capacity(float_row::room_for(ROW as usize));
        let mut portable = Vec::<u8>::with_capacity(float_row::room_for(ROW as usize));
        let mut row = [0f32; ROW as usize];
        for start in (0..count).step_by(ROW as usize) {
            for (i, x) in row.iter_mut().enumerate() {
                // Neighbouring values in different lanes from one row to the next.
                *x = f32::from_bits(first.wrapping_add((start + (i as u64 * 7 + start / ROW) % ROW) as u32));
            }
            // Outside exponent fields 80 to 156 both writers take the portable path for
            // `--digits`, so only the shortest text is compared there.
            let field = (first as u64 + start) >> 23 & 0xff;
            let all_digits = (80..=156).contains(&field);
            for digits in std::iter::once(None).chain((1..=9).map(Some).filter(|_| all_digits)) {
                let a = float_row::write(fast.spare_capacity_mut(), &row, b',', digits, true);
                let b = float_row::write_portable(portable.spare_capacity_mut(), &row, b',', digits, true);
                // SAFETY: each writer initialized the bytes it counts.
                unsafe {
                    fast.set_len(a);
                    portable.set_len(b);
                }
                if fast != portable && diffs.fetch_add(1, Ordering::Relaxed) < 10 {
                    eprintln!("row from {first:#010x}+{start}, digits {digits:?} differs");
                }
                fast.clear();
                portable.clear();
            }
        }
    });
    let diffs = diffs.into_inner();
    println!("rows: {diffs} rows of 256 differ between the two writers");
    diffs == 0
}

fn main() -> ExitCode {
    let mut ok = true;
    for arg in std::env::args().skip(1) {
        let start = Instant::now();
        match arg.as_str() {
            "shortest" => ok &= check_shortest(),
            "digits" => digest_digits(),
            "rows" => ok &= check_rows(),
            other => {
                eprintln!("unknown check {other:?}: use shortest, digits or rows");
                return ExitCode::from(2);
            }
        }
        println!("{arg}: {:.1} s", start.elapsed().as_secs_f64());
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
