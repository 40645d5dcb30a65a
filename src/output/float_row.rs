//! A row of floats as text: every value followed by a separator, written straight into the
//! spare capacity of an output buffer. The AVX-512 writer handles eight values at a time where
//! the CPU has it; every value it does not handle, and every CPU without it, takes the
//! portable writer, which formats one value at a time with [`float`]. Both write the same bytes.

use std::mem::MaybeUninit;

use super::float;

/// The room a row of `len` values needs: no value takes more than [`float::MAX_LEN`] bytes
/// and its separator, and the writers' fixed-size moves may run [`float::SLOT`] bytes past.
pub fn room_for(len: usize) -> usize {
    len * (float::MAX_LEN + 1) + float::SLOT
}

/// Writes every value of `row`, each followed by `sep`, from the start of `room` (at least
/// [`room_for`] the row), as the shortest text that reads back to it or with at most `digits`
/// significant digits, and returns the length written: every byte before it is initialized.
#[inline]
pub fn write(room: &mut [MaybeUninit<u8>], row: &[f32], sep: u8, digits: Option<u8>, json: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    if super::float_avx512::available() {
        // SAFETY: the CPU has every feature the AVX-512 writers are compiled for.
        return unsafe {
            match digits {
                None => super::float_avx512::write_shortest(room, row, sep, json),
                Some(n) => super::float_avx512::write_digits(room, row, sep, n, json),
            }
        };
    }
    write_portable(room, row, sep, digits, json)
}

/// [`write`] one value at a time, on any CPU.
pub fn write_portable(room: &mut [MaybeUninit<u8>], row: &[f32], sep: u8, digits: Option<u8>, json: bool) -> usize {
    match digits {
        None => write_shortest(room, row, sep, json),
        Some(n) => write_digits(room, row, sep, n, json),
    }
}

/// [`write_each`] with the shortest round-trip digits. The two kinds of digits are
/// compiled apart, each loop on its own, so that neither shares registers with the other
/// or with the code around them.
#[inline(never)]
pub(super) fn write_shortest(room: &mut [MaybeUninit<u8>], row: &[f32], sep: u8, json: bool) -> usize {
    write_each(room, row, sep, |dst, x| float::shortest(dst, x, json))
}

/// [`write_each`] with at most `n` significant digits.
#[inline(never)]
pub(super) fn write_digits(room: &mut [MaybeUninit<u8>], row: &[f32], sep: u8, n: u8, json: bool) -> usize {
    write_each(room, row, sep, |dst, x| float::digits(dst, x, n, json))
}

/// Writes every value of `row` with `put`, each followed by `sep`, from the start of `room`
/// (at least [`room_for`] the row), and returns the length written.
///
/// Values are formatted a block at a time into slots of their own, then moved into place.
/// Where a value lands depends on the lengths of all before it; stored there directly, every
/// value would wait for the one before it to be complete.
#[inline(always)]
fn write_each(
    room: &mut [MaybeUninit<u8>],
    row: &[f32],
    sep: u8,
    put: impl Fn(&mut [u8; float::SLOT], f32) -> usize,
) -> usize {
    const BLOCK: usize = 64;
    let mut slots = [[0u8; float::SLOT]; BLOCK];
    let mut lens = [0u8; BLOCK];
    let mut pos = 0;
    for block in row.chunks(BLOCK) {
        for ((&x, slot), len) in block.iter().zip(&mut slots).zip(&mut lens) {
            *len = put(slot, x).min(float::MAX_LEN) as u8;
        }
        for (slot, &len) in slots.iter().zip(&lens).take(block.len()) {
            let Some(dst) = room.get_mut(pos..pos + float::SLOT) else {
                return pos;
            };
            dst.iter_mut().zip(slot).for_each(|(d, &s)| {
                d.write(s);
            });
            let n = usize::from(len);
            dst[n].write(sep);
            pos += n + 1;
        }
    }
    pos
}
