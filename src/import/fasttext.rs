//! The word vectors of a fastText model (`.bin`), as fastText's `get_word_vector` gives
//! them: the mean of the word's own input row and the rows of its character n-grams.
//!
//! The file holds the training arguments, the dictionary (words, then labels), and the input
//! matrix: one row per word, then `bucket` rows shared by hashed n-grams. The word rows are
//! read in order; the n-gram rows are read by position, so the model is never in memory
//! whole and the file must be a plain file.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::input::read_error;
use super::vectors::{Batch, MAX_DIM};
use crate::error::{Error, Result};
use crate::vocab::format::show_value;
use crate::vocab::Dtype;

const VERSION: i32 = 12;
/// The supervised model of fastText's `model_name` enum.
const MODEL_SUPERVISED: i32 = 3;
/// fastText's end-of-sentence token: a dictionary entry, not a word.
const EOS: &str = "</s>";
/// Longest dictionary entry accepted.
const MAX_WORD: usize = 1 << 16;

/// The training arguments that matter for word vectors.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    pub dim: usize,
    bucket: u32,
    minn: usize,
    maxn: usize,
}

/// Reads the magic, version and arguments at the start of a model.
pub fn read_args(reader: &mut dyn Read, path: &Path) -> Result<Args> {
    let shown = path.display().to_string();
    let mut head = [0u8; 8 + 12 * 4 + 8];
    reader.read_exact(&mut head).map_err(|e| eof_error(path, e, "in its header"))?;
    let int = |k: usize| i32::from_le_bytes([head[4 * k], head[4 * k + 1], head[4 * k + 2], head[4 * k + 3]]);
    if int(0) != 793_712_314 {
        return Err(Error::bad(format!("{shown}: not a fastText model (no fastText magic number)")));
    }
    let version = int(1);
    if !(11..=VERSION).contains(&version) {
        return Err(Error::bad(format!(
            "{shown}: fastText model version {version}; versions 11 and 12 (fastText 0.9) are read"
        )));
    }
    // dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate t
    let (dim, model, bucket, minn, mut maxn) = (int(2), int(9), int(10), int(11), int(12));
    if dim < 1 || dim as usize > MAX_DIM {
        return Err(Error::bad(format!("{shown}: the model's dimension {dim} is not within 1 to {MAX_DIM}")));
    }
    if bucket < 0 || minn < 0 || maxn < 0 {
        return Err(Error::bad(format!("{shown}: broken model arguments (bucket {bucket}, minn {minn}, maxn {maxn})")));
    }
    // fastText itself ignores the n-grams of old supervised models.
    if version == 11 && model == MODEL_SUPERVISED {
        maxn = 0;
    }
    Ok(Args { dim: dim as usize, bucket: bucket as u32, minn: minn as usize, maxn: maxn as usize })
}

fn eof_error(path: &Path, e: std::io::Error, place: &str) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::bad(format!("{}: the file ends {place} (truncated?)", path.display()))
    } else {
        read_error(path, e)
    }
}

/// fastText's hash of an n-gram: FNV-1a over its bytes, each taken as a signed char and
/// sign-extended, as fastText's C++ does.
pub fn hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in bytes {
        h ^= b as i8 as i32 as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// The n-gram buckets of `word` (without its own id), in fastText's order: n-grams of `<word>`
/// by start, then by length, from `minn` to `maxn` code points, except the lone `<` and `>`.
pub fn subword_buckets(word: &str, args: &Args, out: &mut Vec<u32>) {
    out.clear();
    if args.bucket == 0 || args.maxn == 0 {
        return;
    }
    let w = format!("<{word}>");
    let b = w.as_bytes();
    let cont = |c: u8| c & 0xc0 == 0x80;
    for i in 0..b.len() {
        if cont(b[i]) {
            continue;
        }
        let (mut j, mut n) = (i, 1);
        while j < b.len() && n <= args.maxn {
            j += 1;
            while j < b.len() && cont(b[j]) {
                j += 1;
            }
            if n >= args.minn && !(n == 1 && (i == 0 || j == b.len())) {
                out.push(hash(&b[i..j]) % args.bucket);
            }
            n += 1;
        }
    }
}

/// The dictionary: the words (labels are left out) and, for pruned models, where each kept
/// n-gram bucket went.
struct Dictionary {
    words: Vec<Vec<u8>>,
    prune: Option<HashMap<u32, u32>>,
}

fn read_i32(r: &mut dyn Read, path: &Path) -> Result<i32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).map_err(|e| eof_error(path, e, "in its dictionary"))?;
    Ok(i32::from_le_bytes(b))
}

fn read_i64(r: &mut dyn Read, path: &Path) -> Result<i64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b).map_err(|e| eof_error(path, e, "in its dictionary"))?;
    Ok(i64::from_le_bytes(b))
}

fn read_dictionary(r: &mut dyn BufRead, path: &Path) -> Result<Dictionary> {
    let shown = path.display().to_string();
    let (size, nwords, _labels) = (read_i32(r, path)?, read_i32(r, path)?, read_i32(r, path)?);
    let (_tokens, prune_size) = (read_i64(r, path)?, read_i64(r, path)?);
    if size < 0 || nwords < 0 || nwords > size {
        return Err(Error::bad(format!("{shown}: a broken dictionary ({nwords} words of {size} entries)")));
    }
    let mut words = Vec::with_capacity(nwords as usize);
    let mut entry = Vec::new();
    for i in 0..size {
        entry.clear();
        r.take(MAX_WORD as u64).read_until(0, &mut entry).map_err(|e| read_error(path, e))?;
        if entry.pop() != Some(0) {
            return Err(Error::bad(format!("{shown}: dictionary entry {} is cut short or too long", i + 1)));
        }
        let mut rest = [0u8; 9]; // count i64, type i8
        r.read_exact(&mut rest).map_err(|e| eof_error(path, e, "in its dictionary"))?;
        if i < nwords {
            words.push(entry.clone());
        }
    }
    let prune = match prune_size {
        ..0 => None,
        n => {
            let mut map = HashMap::with_capacity(n.min(1 << 24) as usize);
            for _ in 0..n {
                let (from, to) = (read_i32(r, path)?, read_i32(r, path)?);
                map.insert(from as u32, to as u32);
            }
            Some(map)
        }
    };
    Ok(Dictionary { words, prune })
}

/// Reads the word vectors of the model at `path` in batches of about
/// [`super::input::CHUNK`] bytes. Errors name the word by its position in the dictionary.
pub fn read_fasttext(
    path: &Path,
    dtype: Dtype,
    skip_bad: bool,
    bar: &indicatif::ProgressBar,
    mut sink: impl FnMut(Batch) -> Result<()>,
) -> Result<u64> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io_path("cannot open input", path, e))?;
    let file_len = file.metadata().map_err(|e| Error::io_path("cannot read", path, e))?.len();
    let mut counted = crate::input::Counted::new(BufReader::with_capacity(1 << 16, &file));
    let args = read_args(&mut counted, path)?;
    let dict = read_dictionary(&mut counted, path)?;
    let mut flag = [0u8; 1];
    counted.read_exact(&mut flag).map_err(|e| eof_error(path, e, "after its dictionary"))?;
    if flag[0] != 0 {
        return Err(Error::bad(format!(
            "{shown}: a quantized fastText model (.ftz): its rows are compressed codes, which zhvec does not \
             read; use the full .bin model, or `fasttext print-word-vectors` into a word2vec text file"
        )));
    }
    let (rows, cols) = (read_i64(&mut counted, path)?, read_i64(&mut counted, path)?);
    let nwords = dict.words.len() as u64;
    let buckets = match &dict.prune {
        Some(map) => map.len() as u64,
        None => args.bucket as u64,
    };
    if cols != args.dim as i64 || rows < 0 || (rows as u64) < nwords + buckets {
        return Err(Error::bad(format!(
            "{shown}: the input matrix is {rows} × {cols}, but the model has {nwords} words and dimension {}",
            args.dim
        )));
    }
    let start = counted.count();
    let row_bytes = args.dim as u64 * 4;
    if file_len < start + rows as u64 * row_bytes {
        return Err(Error::bad(format!("{shown}: the file ends inside the input matrix of {rows} rows (truncated?)")));
    }
    drop(counted);
    let read_rows = |first: u64, buf: &mut [u8]| {
        file.read_exact_at(buf, start + first * row_bytes).map_err(|e| read_error(path, e))
    };
    let dim = args.dim;
    let per_batch = (super::input::CHUNK / (dim * 4 + 8)).max(1);
    let mut own = vec![0u8; per_batch * dim * 4];
    let mut ngram = vec![0u8; dim * 4];
    let (mut ids, mut vec) = (Vec::new(), vec![0f32; dim]);
    let mut first = 0usize;
    while first < dict.words.len() {
        let n = per_batch.min(dict.words.len() - first);
        read_rows(first as u64, &mut own[..n * dim * 4])?;
        bar.inc(n as u64 * row_bytes);
        let mut batch = Batch::new(dim, n * (dim * 4 + 8));
        for (k, raw_row) in own[..n * dim * 4].chunks_exact(dim * 4).enumerate() {
            let index = first + k;
            batch.lines += 1;
            batch.records += 1;
            let Ok(word) = std::str::from_utf8(&dict.words[index]) else {
                if !skip_bad {
                    return Err(Error::bad(format!(
                        "{shown}: word {} of the dictionary is not valid UTF-8",
                        index + 1
                    )));
                }
                batch.skipped += 1;
                continue;
            };
            if word == EOS {
                continue;
            }
            // As fastText: a zeroed sum, the rows added in order, then one multiplication.
            vec.fill(0.0);
            add_row(&mut vec, raw_row);
            let mut count = 1usize;
            subword_buckets(word, &args, &mut ids);
            for &id in &ids {
                let row = match &dict.prune {
                    None => nwords + id as u64,
                    Some(map) => match map.get(&id) {
                        Some(&to) => nwords + to as u64,
                        None => continue,
                    },
                };
                read_rows(row, &mut ngram)?;
                add_row(&mut vec, &ngram);
                count += 1;
            }
            let scale = (1.0 / count as f64) as f32;
            vec.iter_mut().for_each(|x| *x *= scale);
            if let Some((k, v, p)) =
                vec.iter().enumerate().find_map(|(k, &v)| dtype.value_problem(v).map(|p| (k, v, p)))
            {
                if !skip_bad {
                    return Err(Error::bad(format!(
                        "{shown}: the vector of {word:?} (word {} of the dictionary) has a value {p}: {} \
                         (value {})",
                        index + 1,
                        show_value(v),
                        k + 1
                    )));
                }
                batch.skipped += 1;
                continue;
            }
            batch.vectors.extend_from_slice(&vec);
            batch.push_name(word);
        }
        sink(batch)?;
        first += n;
    }
    Ok(start + rows as u64 * row_bytes)
}

fn add_row(sum: &mut [f32], raw: &[u8]) {
    for (s, b) in sum.iter_mut().zip(raw.chunks_exact(4)) {
        *s += f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_sign_extends_bytes_as_fasttext_does() {
        // FNV-1a of ASCII is the textbook value; bytes >= 0x80 differ by the sign extension.
        assert_eq!(hash(b""), 2_166_136_261);
        assert_eq!(hash(b"a"), 0xe40c292c);
        let plain = |s: &[u8]| s.iter().fold(2_166_136_261u32, |h, &b| (h ^ b as u32).wrapping_mul(16_777_619));
        assert_eq!(hash(b"<ab"), plain(b"<ab"));
        assert_ne!(hash("中".as_bytes()), plain("中".as_bytes()));
    }

    #[test]
    fn subwords_follow_code_points_and_skip_lone_brackets() {
        let args = Args { dim: 1, bucket: u32::MAX, minn: 1, maxn: 2 };
        let mut ids = Vec::new();
        subword_buckets("中国", &args, &mut ids);
        let want: Vec<u32> = ["<中", "中", "中国", "国", "国>"].iter().map(|g| hash(g.as_bytes()) % u32::MAX).collect();
        assert_eq!(ids, want);
        subword_buckets("中国", &Args { maxn: 0, ..args }, &mut ids);
        assert!(ids.is_empty());
    }
}
