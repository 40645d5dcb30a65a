//! The formatters' fast paths at their edges: every exponent, the ends of every binade, and
//! the values next to every power of ten, against zmij (shortest) and the standard library's
//! exact formatting (`--digits N`). `examples/float_exhaustive.rs` covers all 2^32 values.

use zhvec::output::float::{self, MAX_LEN, SLOT};

fn shortest(x: f32) -> String {
    let mut b = [0u8; SLOT];
    let n = float::shortest(&mut b, x, true);
    assert!(n <= MAX_LEN, "{x:e}: {n} bytes");
    String::from_utf8(b[..n].to_vec()).unwrap()
}

fn digits(x: f32, n: u8) -> String {
    let mut b = [0u8; SLOT];
    let len = float::digits(&mut b, x, n, true);
    assert!(len <= MAX_LEN, "{x:e}: {len} bytes");
    String::from_utf8(b[..len].to_vec()).unwrap()
}

/// Finite values of every sign and exponent field: the first and last mantissas of the
/// binade and a spread between them.
fn binade_edges() -> impl Iterator<Item = f32> {
    (0..2u32).flat_map(|sign| {
        (0..255u32).flat_map(move |field| {
            let ends = (0..64u32).chain(0x7f_ffc0..0x80_0000);
            let spread = (0..0x80_0000u32).step_by(4099);
            ends.chain(spread).map(move |frac| f32::from_bits(sign << 31 | field << 23 | frac))
        })
    })
}

/// The f32 values within 8 steps of each power of ten an f32 can hold, and their negatives.
fn near_powers_of_ten() -> Vec<f32> {
    let mut v = Vec::new();
    for e in -45..=38 {
        let p: f32 = format!("1e{e}").parse().unwrap();
        for d in -8i32..=8 {
            let x = f32::from_bits(p.to_bits().wrapping_add_signed(d));
            if x.is_finite() && x != 0.0 {
                v.extend([x, -x]);
            }
        }
    }
    v
}

#[test]
fn shortest_matches_zmij_at_every_exponent() {
    let mut checked = 0;
    for x in binade_edges().chain(near_powers_of_ten()) {
        let want = if x == 0.0 {
            if x.is_sign_negative() { "-0" } else { "0" }.to_string()
        } else {
            zmij::Buffer::new().format_finite(x).to_string()
        };
        assert_eq!(shortest(x), want, "{x:e} (bits {:#010x})", x.to_bits());
        checked += 1;
    }
    assert!(checked > 1_000_000, "{checked}");
}

/// `x` to `n` significant digits by the standard library, which is exact: (digits, exponent).
fn exact(x: f32, n: u8) -> (String, i32) {
    let s = format!("{:.*e}", usize::from(n) - 1, x.abs());
    let (mant, exp) = s.split_once('e').unwrap();
    let d: String = mant.chars().filter(char::is_ascii_digit).collect();
    (d.trim_end_matches('0').to_string(), exp.parse().unwrap())
}

/// The digits and exponent of the first digit of one of our texts.
fn parts(s: &str) -> (String, i32) {
    let s = s.trim_start_matches('-');
    let (mant, exp) = s.split_once('e').map_or((s, 0), |(m, e)| (m, e.parse().unwrap()));
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let all = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let d = all.trim_start_matches('0').trim_end_matches('0');
    (d.to_string(), exp + int.len() as i32 - 1 - lead as i32)
}

#[test]
fn digits_round_exactly_next_to_powers_of_ten_and_binade_ends() {
    let values: Vec<f32> =
        near_powers_of_ten().into_iter().chain(binade_edges().step_by(17)).filter(|x| *x != 0.0).collect();
    assert!(values.len() > 60_000, "{}", values.len());
    for x in values {
        for n in 1..=9 {
            let got = digits(x, n);
            assert_eq!(got.starts_with('-'), x.is_sign_negative(), "{x:e} to {n}: {got}");
            assert_eq!(parts(&got), exact(x, n), "{x:e} (bits {:#010x}) to {n} digits: {got}", x.to_bits());
        }
    }
}
