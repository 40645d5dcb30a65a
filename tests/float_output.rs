//! Floats in jsonl and tsv: the default text is byte for byte what serde_json writes (the
//! formatter used before the text path was rewritten), and `--digits N` is correctly rounded.

mod common;

use common::{stderr_of, zhvec};
use proptest::prelude::*;
use zhvec::output::{Encoder, Format};

/// The text of one value as serde_json writes it, with zhvec's rules for zero and non-finite
/// values.
fn reference(x: f32, json: bool) -> String {
    if x == 0.0 {
        if x.is_sign_negative() { "-0" } else { "0" }.to_string()
    } else if x.is_finite() {
        serde_json::to_string(&x).unwrap()
    } else if json {
        "null".to_string()
    } else if x.is_nan() {
        "nan".to_string()
    } else if x > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

fn encode(format: Format, digits: Option<u8>, row: &[f32]) -> String {
    let mut out = Vec::new();
    Encoder { format, digits, ..Encoder::default() }.encode(1, "", row, &mut out);
    String::from_utf8(out).unwrap()
}

/// xorshift64*: a fixed sequence of bits.
struct Bits(u64);

impl Bits {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    }
}

/// Edge cases: zeros, subnormals, the smallest and largest normals, powers of ten and of two,
/// their neighbours, and values that print with many digits.
fn edge_cases() -> Vec<f32> {
    let mut v = vec![0.0, -0.0, f32::MIN_POSITIVE, f32::MAX, f32::MIN, f32::EPSILON, 1e-45, 1.17e-38];
    v.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN]);
    for bits in [1u32, 2, 3, 0x7f_ffff, 0x40_0000, 0x80_0001] {
        v.push(f32::from_bits(bits));
    }
    for e in -45..=38 {
        let p: f32 = format!("1e{e}").parse().unwrap();
        for bits in [p.to_bits().wrapping_sub(1), p.to_bits(), p.to_bits() + 1] {
            v.push(f32::from_bits(bits));
        }
    }
    for e in 0..254u32 {
        v.push(f32::from_bits(e << 23));
        v.push(f32::from_bits(e << 23 | 0x7f_ffff));
    }
    v.extend(v.clone().iter().map(|x| -x));
    v
}

/// Every exponent with random mantissas, then random bit patterns: about 3 million values.
fn sample() -> Vec<f32> {
    let mut rng = Bits(0x9e37_79b9_7f4a_7c15);
    let mut v = edge_cases();
    for e in 0..=255u32 {
        for _ in 0..4096 {
            v.push(f32::from_bits(rng.next() & 0x807f_ffff | e << 23));
        }
    }
    for _ in 0..2_000_000 {
        v.push(f32::from_bits(rng.next()));
    }
    v
}

#[test]
fn shortest_text_is_unchanged_for_millions_of_values() {
    let values = sample();
    assert!(values.len() > 3_000_000);
    for (format, sep, json) in [(Format::Jsonl, ",", true), (Format::Tsv, "\t", false)] {
        for row in values.chunks(256) {
            let text = encode(format, None, row);
            if json {
                // What a reader without a float32 parser does, e.g. float32(float(text)) in Python.
                let back: Vec<Option<f64>> = serde_json::from_str(&text).unwrap();
                for (x, y) in row.iter().zip(back) {
                    if x.is_finite() {
                        assert_eq!(y.map(|y| (y as f32).to_bits()), Some(x.to_bits()), "{x:e} via float64");
                    }
                }
            }
            let want: Vec<String> = row.iter().map(|&x| reference(x, json)).collect();
            let want = if json { format!("[{}]\n", want.join(sep)) } else { format!("{}\n", want.join(sep)) };
            if text != want {
                let got: Vec<&str> = text.trim_matches(['[', ']', '\n']).split(sep).collect();
                for (x, (g, w)) in row.iter().zip(got.iter().zip(want.trim_matches(['[', ']', '\n']).split(sep))) {
                    assert_eq!(*g, w, "{format:?} text of {x:e} (bits {:#010x})", x.to_bits());
                }
                panic!("{format:?} row differs: {text} vs {want}");
            }
        }
    }
}

/// The value of a decimal text, exactly enough to tell apart any two texts of 9 or fewer
/// significant digits.
fn value(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

fn significant_digits(s: &str) -> usize {
    let mantissa = s.split(['e', 'E']).next().unwrap();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0').trim_end_matches('0');
    digits.len().max(1)
}

fn check_digits(x: f32, n: u8) {
    let text = encode(Format::Jsonl, Some(n), &[x]);
    let got = text.trim_end().trim_start_matches('[').trim_end_matches(']');
    if x == 0.0 {
        assert_eq!(got, if x.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    let want = format!("{:.*e}", usize::from(n) - 1, x);
    assert_eq!(value(got), value(&want), "{x:e} to {n} digits: {got} vs {want}");
    assert!(significant_digits(got) <= usize::from(n), "{got} has more than {n} digits");
    let back: Vec<f64> = serde_json::from_str(text.trim_end()).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(back, [value(got)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn digits_are_correctly_rounded(bits in any::<u32>(), n in 1u8..=9) {
        let x = f32::from_bits(bits);
        prop_assume!(x.is_finite());
        check_digits(x, n);
    }

    #[test]
    fn digits_are_correctly_rounded_for_embedding_sized_values(x in -2.0f32..2.0, n in 1u8..=9) {
        check_digits(x, n);
    }
}

#[test]
fn digits_round_exact_halves_to_even() {
    // Values with few mantissa bits hit exact ties at every digit count.
    for i in 1..4096u32 {
        for shift in [-12, -8, -4, -1, 0, 3, 10] {
            let x = i as f32 * 2f32.powi(shift);
            for n in 1..=9 {
                check_digits(x, n);
                check_digits(-x, n);
            }
        }
    }
    for x in edge_cases() {
        if x.is_finite() {
            for n in 1..=9 {
                check_digits(x, n);
            }
        }
    }
}

#[test]
fn digits_in_tsv_and_non_finite_values() {
    let row = [0.123_456_79f32, -1.5e-7, f32::NAN, f32::INFINITY, 12_345_678.0];
    assert_eq!(encode(Format::Tsv, Some(3), &row), "0.123\t-1.5e-7\tnan\tinf\t12300000.0\n");
    assert_eq!(encode(Format::Jsonl, Some(3), &row), "[0.123,-1.5e-7,null,null,12300000.0]\n");
}

#[test]
fn digits_option_on_the_command_line() {
    let out = zhvec().args(["embed", "-q", "--digits", "4"]).write_stdin("今天天气很好\n").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let row: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    let full = zhvec().args(["embed", "-q", "-f", "npy"]).write_stdin("今天天气很好\n").output().unwrap();
    let full = common::f32s(&full.stdout[128..]);
    assert_eq!(row.len(), full.len());
    for (got, x) in row.iter().zip(&full) {
        assert_eq!(*got, value(&format!("{x:.3e}")), "{x}");
    }
    for bad in ["0", "10", "x"] {
        let out = zhvec().args(["embed", "-q", "--digits", bad]).write_stdin("x\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "--digits {bad}");
    }
    let out = zhvec().args(["embed", "-q", "--digits", "4", "-f", "npy"]).write_stdin("x\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--digits applies to --format jsonl and tsv"), "{}", stderr_of(&out));
}
