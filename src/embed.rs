//! The recipe: tokens → word and character vectors → pooled row. Pure math, no I/O.
//!
//! For each line:
//! 1. segment with jieba (HMM on), dropping whitespace-only tokens;
//! 2. word channel: a token in the word table contributes its row; otherwise, if any of its
//!    characters are in the character table, the mean of those characters' rows (the
//!    fallback); otherwise nothing. `word_mean` averages the contributions;
//! 3. char channel: `char_mean` averages the character-table rows of every character
//!    occurrence in the line's tokens (characters are grapheme clusters, so an emoji with
//!    modifiers or a letter with combining marks is one character);
//! 4. the row is `[word_mean ; char_mean]`; a channel with nothing to average is zeros.

use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};
use crate::segment::{is_plain_char, Segmenter};
use crate::vocab::{Kind, Vocab};

/// How token vectors are weighted before averaging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Weighting {
    /// Every contribution counts the same.
    #[default]
    Uniform,
    /// Each vector is weighted by a / (a + p(w)) from the stored frequencies.
    Sif,
}

/// Which parts of the row are L2-normalized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Normalize {
    #[default]
    None,
    /// Each channel separately.
    Channel,
    /// The whole row.
    All,
}

/// Which channels the row holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channels {
    pub word: bool,
    pub char: bool,
}

impl Default for Channels {
    fn default() -> Self {
        Channels { word: true, char: true }
    }
}

impl std::str::FromStr for Channels {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let mut c = Channels { word: false, char: false };
        for part in s.split(',') {
            match part.trim() {
                "word" => c.word = true,
                "char" => c.char = true,
                other => return Err(format!("unknown channel {other:?} (expected word, char or word,char)")),
            }
        }
        Ok(c)
    }
}

/// The options that change the recipe. The default is the plain recipe above.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recipe {
    pub weighting: Weighting,
    pub sif_a: f32,
    pub normalize: Normalize,
    pub channels: Channels,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe { weighting: Weighting::Uniform, sif_a: 1e-3, normalize: Normalize::None, channels: Channels::default() }
    }
}

/// Counts of what happened to the tokens; summed over lines for `--stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub lines: u64,
    pub empty_lines: u64,
    pub tokens: u64,
    pub word_hits: u64,
    pub char_fallbacks: u64,
    pub no_vector: u64,
    pub chars_hit: u64,
    pub chars_missed: u64,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.lines += o.lines;
        self.empty_lines += o.empty_lines;
        self.tokens += o.tokens;
        self.word_hits += o.word_hits;
        self.char_fallbacks += o.char_fallbacks;
        self.no_vector += o.no_vector;
        self.chars_hit += o.chars_hit;
        self.chars_missed += o.chars_missed;
    }
}

/// Where a token's word-channel vector comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    Word(u32),
    /// The token's characters that the character table has.
    Fallback(Vec<&'a str>),
    Nothing,
}

/// Per-thread buffers, reused across lines so the hot path does not allocate.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    word: Vec<f32>,
    chars: Vec<f32>,
    fallback: Vec<f32>,
    /// Character rows of the current token, for its fallback.
    ids: Vec<u32>,
}

/// Segments and embeds lines with one vocab and one recipe. Shared by all worker threads.
pub struct Embedder<'v> {
    vocab: &'v Vocab,
    segmenter: Segmenter,
    recipe: Recipe,
    word_dim: usize,
    char_dim: usize,
    fallback: bool,
    single_char_words_absent: bool,
    word_total: f32,
    char_total: f32,
}

impl<'v> Embedder<'v> {
    pub fn new(vocab: &'v Vocab, segmenter: Segmenter, recipe: Recipe) -> Result<Embedder<'v>> {
        if !recipe.channels.word && !recipe.channels.char {
            return Err(Error::bad("--channels must name at least one of word, char"));
        }
        if !(recipe.sif_a.is_finite() && recipe.sif_a > 0.0) {
            return Err(Error::bad("--sif-a must be a positive number"));
        }
        let (word_dim, char_dim) = (vocab.dim(Kind::Word), vocab.dim(Kind::Char));
        Ok(Embedder {
            vocab,
            segmenter,
            recipe,
            word_dim,
            char_dim,
            // The fallback averages character rows into the word channel, so the dims must agree.
            fallback: word_dim == char_dim,
            single_char_words_absent: vocab.words_are_multichar(),
            word_total: vocab.total(Kind::Word).max(1) as f32,
            char_total: vocab.total(Kind::Char).max(1) as f32,
        })
    }

    pub fn vocab(&self) -> &'v Vocab {
        self.vocab
    }

    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Length of an output row.
    pub fn dim(&self) -> usize {
        let c = self.recipe.channels;
        (if c.word { self.word_dim } else { 0 }) + (if c.char { self.char_dim } else { 0 })
    }

    #[inline]
    fn weight(&self, kind: Kind, id: u32) -> f32 {
        match self.recipe.weighting {
            Weighting::Uniform => 1.0,
            Weighting::Sif => {
                let total = if kind == Kind::Word { self.word_total } else { self.char_total };
                let p = self.vocab.count(kind, id) as f32 / total;
                self.recipe.sif_a / (self.recipe.sif_a + p)
            }
        }
    }

    /// Embeds one line into `out` (length [`Embedder::dim`]), adding to `stats`.
    pub fn embed_line(&self, line: &str, out: &mut [f32], scratch: &mut Scratch, stats: &mut Stats) {
        debug_assert_eq!(out.len(), self.dim());
        let Scratch { word, chars, fallback, ids } = scratch;
        reset(word, self.word_dim);
        reset(chars, self.char_dim);
        let (mut n_word, mut n_char) = (0u32, 0u32);
        stats.lines += 1;
        let mut any = false;
        self.segmenter.for_each_token(line, |token| {
            any = true;
            stats.tokens += 1;
            let word_id = self.word_id(token);
            ids.clear();
            for_each_char(token, |g| match self.vocab.grapheme_id(g) {
                Some(id) => {
                    stats.chars_hit += 1;
                    self.vocab.row(Kind::Char, id).add_to(chars, self.weight(Kind::Char, id));
                    n_char += 1;
                    if word_id.is_none() && self.fallback {
                        ids.push(id);
                    }
                }
                None => stats.chars_missed += 1,
            });
            if let Some(id) = word_id {
                stats.word_hits += 1;
                self.vocab.row(Kind::Word, id).add_to(word, self.weight(Kind::Word, id));
                n_word += 1;
            } else if !ids.is_empty() {
                // An out-of-vocabulary word has p(w) = 0, so its SIF weight is 1.
                stats.char_fallbacks += 1;
                n_word += 1;
                self.add_fallback(ids, word, fallback);
            } else {
                stats.no_vector += 1;
            }
        });
        if !any {
            stats.empty_lines += 1;
        }
        self.finish(out, word, n_word, chars, n_char);
    }

    fn finish(&self, out: &mut [f32], word: &mut [f32], n_word: u32, chars: &mut [f32], n_char: u32) {
        mean(word, n_word);
        mean(chars, n_char);
        let c = self.recipe.channels;
        if self.recipe.normalize == Normalize::Channel {
            l2_normalize(word);
            l2_normalize(chars);
        }
        let mut at = 0;
        if c.word {
            out[..self.word_dim].copy_from_slice(word);
            at = self.word_dim;
        }
        if c.char {
            out[at..at + self.char_dim].copy_from_slice(chars);
        }
        if self.recipe.normalize == Normalize::All {
            l2_normalize(out);
        }
    }

    /// Adds the fallback of an out-of-vocabulary token, the mean of its characters' rows
    /// `ids`, to `acc`; `buf` is scratch space.
    #[inline]
    fn add_fallback(&self, ids: &[u32], acc: &mut [f32], buf: &mut Vec<f32>) {
        if let [id] = ids[..] {
            // The mean of one row is the row: skip the buffer (most of these are one-character
            // tokens).
            self.vocab.row(Kind::Char, id).add_to(acc, 1.0);
            return;
        }
        reset(buf, self.char_dim);
        for &id in ids {
            self.vocab.row(Kind::Char, id).add_to(buf, 1.0);
        }
        let n = ids.len() as f32;
        for (a, f) in acc.iter_mut().zip(buf.iter()) {
            *a += f / n;
        }
    }

    /// The word-table row of a token. One-code-point tokens skip the lookup when the table
    /// says it has no such words (tables built by `zhvec vocab build` put them in the
    /// character table).
    #[inline]
    fn word_id(&self, token: &str) -> Option<u32> {
        let mut it = token.chars();
        if self.single_char_words_absent && it.next().is_some() && it.next().is_none() {
            return None;
        }
        self.vocab.id(Kind::Word, token)
    }

    /// Embeds one line into a new vector. Convenient for library users; the pipeline uses
    /// [`Embedder::embed_line`] with reused buffers.
    pub fn embed(&self, line: &str) -> Vec<f32> {
        let mut out = vec![0.0; self.dim()];
        self.embed_line(line, &mut out, &mut Scratch::default(), &mut Stats::default());
        out
    }

    /// Where the word channel of `token` comes from (for `zhvec segment --explain`).
    pub fn source<'t>(&self, token: &'t str) -> Source<'t> {
        if let Some(id) = self.word_id(token) {
            return Source::Word(id);
        }
        let mut found = Vec::new();
        if self.fallback {
            for_each_char(token, |g| {
                if self.vocab.grapheme_id(g).is_some() {
                    found.push(g)
                }
            });
        }
        if found.is_empty() {
            Source::Nothing
        } else {
            Source::Fallback(found)
        }
    }

    /// The row of a single word through the word channel (a table row, or the fallback),
    /// computed exactly as [`Embedder::embed_line`] computes a token's contribution.
    pub fn word_vector(&self, word: &str) -> Option<Vec<f32>> {
        if let Some(id) = self.word_id(word) {
            return Some(self.vocab.row(Kind::Word, id).to_vec());
        }
        let mut ids = Vec::new();
        if self.fallback {
            for_each_char(word, |g| ids.extend(self.vocab.grapheme_id(g)));
        }
        if ids.is_empty() {
            return None;
        }
        let mut acc = vec![0.0; self.char_dim];
        self.add_fallback(&ids, &mut acc, &mut Vec::new());
        Some(acc)
    }
}

/// Calls `f` on each user-perceived character of a token. Tokens of plain CJK or ASCII,
/// almost all of them, take a fast path without the grapheme rules.
#[inline]
fn for_each_char<'a>(token: &'a str, mut f: impl FnMut(&'a str)) {
    if token.chars().all(is_plain_char) {
        let mut rest = token;
        while let Some(c) = rest.chars().next() {
            let (g, r) = rest.split_at(c.len_utf8());
            f(g);
            rest = r;
        }
    } else {
        token.graphemes(true).for_each(f);
    }
}

fn reset(v: &mut Vec<f32>, dim: usize) {
    v.clear();
    v.resize(dim, 0.0);
}

fn mean(v: &mut [f32], n: u32) {
    if n > 1 {
        let n = n as f32;
        v.iter_mut().for_each(|x| *x /= n);
    }
}

fn l2_normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
