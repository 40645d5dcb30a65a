//! The recipe: tokens → word and character vectors → pooled row. Pure math, no I/O.
//!
//! For each line:
//! 0. normalize the text as the recipe says ([`Recipe::normalize_text`]; by default what the
//!    table asks for), one line at a time, so row `i` is still line `i`;
//! 1. segment with jieba (HMM on), dropping whitespace-only tokens;
//! 2. word channel: a token in the word table contributes its row; otherwise, if any of its
//!    characters are in the character table, the mean of those characters' rows (the
//!    fallback); otherwise nothing. `word_mean` averages the contributions;
//! 3. char channel: `char_mean` averages the character-table rows of every character
//!    occurrence in the line's tokens (characters are grapheme clusters, so an emoji with
//!    modifiers or a letter with combining marks is one character);
//! 4. the row is `[word_mean ; char_mean]`; a channel with nothing to average is zeros.

use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Opt, Result};
use crate::normalize::{NormalizeBuf, Normalizer, TextNormalization};
use crate::segment::{is_plain_char, Segmenter, Tag, TokenCursor};
use crate::vocab::{AddRow, Kind, StartedWords, View, Vocab, WithRows};

/// How token vectors are weighted before averaging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Weighting {
    /// Every contribution counts the same.
    #[default]
    Uniform,
    /// Each vector is weighted by a / (a + p(w)) from the stored frequencies.
    Sif,
}

/// Which parts of the row are L2-normalized.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
    /// Text normalization before segmentation; `None` (the default) applies what the
    /// table's metadata asks for ([`Vocab::normalize_text`]).
    pub normalize_text: Option<TextNormalization>,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            weighting: Weighting::Uniform,
            sif_a: 1e-3,
            normalize: Normalize::None,
            channels: Channels::default(),
            normalize_text: None,
        }
    }
}

impl Recipe {
    /// The text normalization this recipe applies with `vocab`: its own, or the table's.
    pub fn text_normalization(&self, vocab: &Vocab) -> Result<TextNormalization> {
        match self.normalize_text {
            Some(steps) => Ok(steps),
            None => vocab.normalize_text(),
        }
    }

    /// Checks the options: at least one channel, and a positive, finite SIF a.
    pub fn check(&self) -> Result<()> {
        if !self.channels.word && !self.channels.char {
            return Err(Error::option([Opt::Channels.into(), " must name at least one of word, char".into()]));
        }
        if !(self.sif_a.is_finite() && self.sif_a > 0.0) {
            return Err(Error::option([Opt::SifA.into(), " must be a positive, finite number".into()]));
        }
        Ok(())
    }

    /// The width of the rows this recipe makes from `vocab`.
    pub fn dim(&self, vocab: &Vocab) -> usize {
        let c = self.channels;
        (if c.word { vocab.dim(Kind::Word) } else { 0 }) + (if c.char { vocab.dim(Kind::Char) } else { 0 })
    }
}

/// Counts of what happened to the tokens; summed over lines for a summary.
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
    /// Lines that text normalization changed.
    pub normalized_lines: u64,
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
        self.normalized_lines += o.normalized_lines;
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
    /// Byte ranges of the line's tokens, and their word rows when the segmenter knows them.
    tokens: Vec<(usize, usize, Tag)>,
    /// The word lookups of a piece of the line.
    started: StartedWords,
    /// The normalized line, when normalization changes it.
    normalized: NormalizeBuf,
}

/// Segments and embeds lines with one vocab and one recipe. Shared by all worker threads.
pub struct Embedder<'v> {
    vocab: &'v Vocab,
    view: View<'v>,
    segmenter: Segmenter,
    recipe: Recipe,
    normalizer: Normalizer,
    word_dim: usize,
    char_dim: usize,
    fallback: bool,
    single_char_words_absent: bool,
    /// Whether the segmenter's [`Tag`]s give rows of this vocab's word table: they do for
    /// the embedded default table.
    tags_give_rows: bool,
    word_total: f32,
    char_total: f32,
    /// The instructions the line loop is compiled for.
    simd: Simd,
}

impl<'v> Embedder<'v> {
    /// The segmenter must be one for normalized text: built with `only_for`, from the text
    /// after [`Normalizer::normalize_lines`] with [`Recipe::text_normalization`].
    pub fn new(vocab: &'v Vocab, segmenter: Segmenter, recipe: Recipe) -> Result<Embedder<'v>> {
        recipe.check()?;
        let (word_dim, char_dim) = (vocab.dim(Kind::Word), vocab.dim(Kind::Char));
        let normalizer = Normalizer::new(recipe.text_normalization(vocab)?);
        let tags_give_rows = segmenter.has_tags() && crate::default_vocab::is_embedded(vocab);
        Ok(Embedder {
            vocab,
            view: vocab.view(),
            segmenter,
            recipe,
            normalizer,
            word_dim,
            char_dim,
            // The fallback averages character rows into the word channel, so the dims must agree.
            fallback: word_dim == char_dim,
            single_char_words_absent: vocab.words_are_multichar(),
            tags_give_rows,
            word_total: vocab.total(Kind::Word).max(1) as f32,
            char_total: vocab.total(Kind::Char).max(1) as f32,
            simd: Simd::detect(),
        })
    }

    pub fn vocab(&self) -> &'v Vocab {
        self.vocab
    }

    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The text normalization applied to each line before segmentation.
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Length of an output row.
    pub fn dim(&self) -> usize {
        self.recipe.dim(self.vocab)
    }

    #[inline(always)]
    fn weight(&self, kind: Kind, id: u32) -> f32 {
        match self.recipe.weighting {
            Weighting::Uniform => 1.0,
            Weighting::Sif => {
                let total = if kind == Kind::Word { self.word_total } else { self.char_total };
                let p = self.view.count(kind, id) as f32 / total;
                self.recipe.sif_a / (self.recipe.sif_a + p)
            }
        }
    }

    /// Embeds one line into `out` (length [`Embedder::dim`]), adding to `stats`. The line
    /// is normalized first.
    pub fn embed_line(&self, line: &str, out: &mut [f32], scratch: &mut Scratch, stats: &mut Stats) {
        // Moved out for the line and back: the buffer keeps its space, and the rest of the
        // scratch stays free for the embedding.
        let mut buf = std::mem::take(&mut scratch.normalized);
        let text = self.normalizer.normalize(line, &mut buf);
        if !std::ptr::eq(text, line) {
            stats.normalized_lines += 1;
        }
        self.embed_normalized(text, out, scratch, stats);
        scratch.normalized = buf;
    }

    fn embed_normalized(&self, line: &str, out: &mut [f32], scratch: &mut Scratch, stats: &mut Stats) {
        debug_assert_eq!(out.len(), self.dim());
        match self.simd {
            // SAFETY: `Simd::detect` picks these only when the CPU supports them.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { self.embed_line_avx512(line, out, scratch, stats) },
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { self.embed_line_avx2(line, out, scratch, stats) },
            _ => self.embed_line_any(line, out, scratch, stats),
        }
    }

    /// The same code compiled for AVX2. Rust never fuses a multiply and an add, and each
    /// component is computed by itself, so the result is bit-identical to the plain build.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn embed_line_avx2(&self, line: &str, out: &mut [f32], scratch: &mut Scratch, stats: &mut Stats) {
        self.embed_line_any(line, out, scratch, stats);
    }

    /// The same code compiled for AVX-512: twice the values per instruction in the row sums
    /// (see [`Embedder::embed_line_avx2`] on why the bits are the same).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn embed_line_avx512(&self, line: &str, out: &mut [f32], scratch: &mut Scratch, stats: &mut Stats) {
        self.embed_line_any(line, out, scratch, stats);
    }

    /// Picks the loop for the table's dtype, once per line rather than once per row.
    #[inline(always)]
    fn embed_line_any(&self, line: &str, out: &mut [f32], scratch: &mut Scratch, stats: &mut Stats) {
        self.view.with_rows(LineJob { embedder: self, line, out, scratch, stats })
    }

    /// Embeds one line, with the rows of both tables in one dtype: a piece of the line's
    /// tokens at a time, each token's rows added to the sums, then the means.
    #[inline(always)]
    fn embed_rows<R: AddRow>(
        &self,
        rows: (R, R),
        line: &str,
        out: &mut [f32],
        scratch: &mut Scratch,
        stats: &mut Stats,
    ) {
        let Scratch { word, chars, fallback, ids, tokens, started, .. } = scratch;
        let (word, chars) = self.channel_sums(out, word, chars);
        let mut sums = Sums { word, chars, n_word: 0, n_char: 0, ids, fallback };
        stats.lines += 1;
        // Tokens are collected first so that the loop below, with the row sums, is compiled
        // as part of this function (and so for AVX2 when `embed_line_avx2` runs it).
        // A piece of the line at a time, so a long line needs no token list of its length.
        let (mut at, mut any, mut more) = (TokenCursor::default(), false, true);
        while more {
            more = self.next_tokens(line, &mut at, tokens);
            any |= !tokens.is_empty();
            // All word lookups of the piece start before the first is used; a row the
            // segmenter knows needs no lookup, only loading. The rows of the characters
            // start loading too.
            let names = tokens.iter().map(|&(start, end, tag)| {
                let token = &line[start..end];
                for c in token.chars() {
                    if let Some(id) = self.view.char_id(c) {
                        self.view.chars.prefetch_row(id);
                    }
                }
                match tag {
                    Tag::DefaultRow(row) => {
                        self.view.words.prefetch_row(row);
                        None
                    }
                    Tag::NotInDefault => None,
                    Tag::Unknown => self.word_lookup(token),
                }
            });
            self.view.start_words(names, started);
            for (i, &(start, end, tag)) in tokens.iter().enumerate() {
                let token = &line[start..end];
                let word_id = match tag {
                    Tag::DefaultRow(row) => Some(row),
                    Tag::NotInDefault => None,
                    Tag::Unknown => self.view.find_started_word(started, i, token),
                };
                self.add_token(rows, token, word_id, &mut sums, stats);
            }
        }
        if !any {
            stats.empty_lines += 1;
        }
        let Sums { word, chars, n_word, n_char, .. } = sums;
        mean(word, n_word);
        mean(chars, n_char);
        if self.recipe.normalize == Normalize::Channel {
            l2_normalize(word);
            l2_normalize(chars);
        }
        if self.recipe.normalize == Normalize::All {
            l2_normalize(out);
        }
    }

    /// The word and character sums of a line, zeroed: parts of `out` where the channel is
    /// in the row, else the scratch buffer `word` or `chars`.
    #[inline(always)]
    fn channel_sums<'s>(
        &self,
        out: &'s mut [f32],
        word: &'s mut Vec<f32>,
        chars: &'s mut Vec<f32>,
    ) -> (&'s mut [f32], &'s mut [f32]) {
        let (word, chars): (&mut [f32], &mut [f32]) = match (self.recipe.channels.word, self.recipe.channels.char) {
            (true, true) => out.split_at_mut(self.word_dim),
            (true, false) => {
                reset(chars, self.char_dim);
                (out, chars)
            }
            (false, _) => {
                reset(word, self.word_dim);
                (word, out)
            }
        };
        word.fill(0.0);
        chars.fill(0.0);
        (word, chars)
    }

    /// The next piece of the line's tokens, as byte ranges; false after the last piece.
    #[inline(always)]
    fn next_tokens(&self, line: &str, at: &mut TokenCursor, tokens: &mut Vec<(usize, usize, Tag)>) -> bool {
        let base = line.as_ptr() as usize;
        tokens.clear();
        let tags_give_rows = self.tags_give_rows;
        self.segmenter.next_tagged_tokens(line, at, |t, tag| {
            let start = t.as_ptr() as usize - base;
            tokens.push((start, start + t.len(), if tags_give_rows { tag } else { Tag::Unknown }));
        })
    }

    /// Adds one token to the sums: each of its characters to the char channel, and its word
    /// row (`word_id`), or else the mean of its characters, to the word channel.
    #[inline(always)]
    fn add_token<R: AddRow>(
        &self,
        (word_rows, char_rows): (R, R),
        token: &str,
        word_id: Option<u32>,
        sums: &mut Sums<'_>,
        stats: &mut Stats,
    ) {
        stats.tokens += 1;
        sums.ids.clear();
        for (g, c) in CharsOf::new(token) {
            match self.char_id(g, c) {
                Some(id) => {
                    stats.chars_hit += 1;
                    char_rows.add_to(id, sums.chars, self.weight(Kind::Char, id));
                    sums.n_char += 1;
                    if word_id.is_none() && self.fallback {
                        sums.ids.push(id);
                    }
                }
                None => stats.chars_missed += 1,
            }
        }
        if let Some(id) = word_id {
            stats.word_hits += 1;
            word_rows.add_to(id, sums.word, self.weight(Kind::Word, id));
            sums.n_word += 1;
        } else if !sums.ids.is_empty() {
            // An out-of-vocabulary word has p(w) = 0, so its SIF weight is 1.
            stats.char_fallbacks += 1;
            sums.n_word += 1;
            add_fallback(sums.ids, sums.word, sums.fallback, |id, acc| char_rows.add_to(id, acc, 1.0));
        } else {
            stats.no_vector += 1;
        }
    }

    /// The character-table row of `g`; `c` is its code point when it is a single one.
    #[inline(always)]
    fn char_id(&self, g: &str, c: Option<char>) -> Option<u32> {
        match c {
            Some(c) => self.view.char_id(c),
            None => self.view.grapheme_id(g),
        }
    }

    /// The word-table row of a token. One-code-point tokens skip the lookup when the table
    /// says it has no such words (tables built by `zhvec vocab build` put them in the
    /// character table).
    #[inline(always)]
    fn word_id(&self, token: &str) -> Option<u32> {
        self.view.id(Kind::Word, self.word_lookup(token)?)
    }

    /// The name to look up in the word table for `token`: itself, or `None` when the table
    /// cannot have it (see [`Embedder::word_id`]).
    #[inline(always)]
    fn word_lookup<'t>(&self, token: &'t str) -> Option<&'t str> {
        if self.single_char_words_absent && token.len() <= 4 {
            let mut it = token.chars();
            if it.next().is_some() && it.next().is_none() {
                return None;
            }
        }
        Some(token)
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
            for_each_char(token, |(g, c)| {
                if self.char_id(g, c).is_some() {
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
            return Some(self.view.row(Kind::Word, id).to_vec());
        }
        let mut ids = Vec::new();
        if self.fallback {
            for_each_char(word, |(g, c)| ids.extend(self.char_id(g, c)));
        }
        if ids.is_empty() {
            return None;
        }
        let mut acc = vec![0.0; self.char_dim];
        add_fallback(&ids, &mut acc, &mut Vec::new(), |id, acc| self.view.row(Kind::Char, id).add_to(acc, 1.0));
        Some(acc)
    }
}

/// The instructions [`Embedder`] compiles its line loop for. Every choice gives the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Simd {
    Portable,
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx2,
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx512,
}

impl Simd {
    /// The widest this CPU runs.
    fn detect() -> Simd {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Simd::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Simd::Avx2;
            }
        }
        Simd::Portable
    }

    /// Every choice this CPU can run.
    #[cfg(test)]
    fn all_supported() -> Vec<Simd> {
        let widest = Simd::detect();
        [Simd::Portable, Simd::Avx2, Simd::Avx512].into_iter().filter(|&s| s as u8 <= widest as u8).collect()
    }
}

/// The running sums of one line, and space for its tokens' fallbacks.
struct Sums<'s> {
    word: &'s mut [f32],
    chars: &'s mut [f32],
    n_word: u32,
    n_char: u32,
    /// Character rows of the current token, for its fallback.
    ids: &'s mut Vec<u32>,
    fallback: &'s mut Vec<f32>,
}

/// [`Embedder::embed_rows`] for one line, waiting for the table's dtype.
struct LineJob<'e, 'v, 'a> {
    embedder: &'e Embedder<'v>,
    line: &'a str,
    out: &'a mut [f32],
    scratch: &'a mut Scratch,
    stats: &'a mut Stats,
}

impl WithRows for LineJob<'_, '_, '_> {
    type Output = ();

    #[inline(always)]
    fn call<R: AddRow>(self, words: R, chars: R) {
        let LineJob { embedder, line, out, scratch, stats } = self;
        embedder.embed_rows((words, chars), line, out, scratch, stats)
    }
}

/// Adds the fallback of an out-of-vocabulary token, the mean of its characters' rows
/// `ids`, to `acc`; `add(id, v)` adds row `id` to `v`, and `buf` is scratch space.
#[inline(always)]
fn add_fallback(ids: &[u32], acc: &mut [f32], buf: &mut Vec<f32>, add: impl Fn(u32, &mut [f32])) {
    if let [id] = ids[..] {
        // The mean of one row is the row: skip the buffer (most of these are one-character
        // tokens).
        add(id, acc);
        return;
    }
    reset(buf, acc.len());
    for &id in ids {
        add(id, buf);
    }
    let n = ids.len() as f32;
    for (a, f) in acc.iter_mut().zip(buf.iter()) {
        *a += f / n;
    }
}

/// The user-perceived characters `g` of a token, each with its code point `c` when it is
/// a single one: `(g, c)`.
///
/// Characters of [`is_plain_char`], almost all of them, are single-code-point graphemes
/// with a boundary on either side, so they are passed one by one. From the last simple
/// character before any other on, the grapheme rules split the rest of the token (a
/// combining mark can attach to that character; the boundary in front of it does not depend
/// on anything before it).
struct CharsOf<'a> {
    rest: &'a str,
    /// The first character of `rest` is known to be simple (it was the lookahead).
    simple: bool,
    graphemes: Option<unicode_segmentation::Graphemes<'a>>,
}

impl<'a> CharsOf<'a> {
    #[inline(always)]
    fn new(token: &'a str) -> Self {
        CharsOf { rest: token, simple: false, graphemes: None }
    }
}

impl<'a> Iterator for CharsOf<'a> {
    type Item = (&'a str, Option<char>);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(g) = &mut self.graphemes {
            return g.next().map(|g| (g, None));
        }
        let mut it = self.rest.chars();
        let c = it.next()?;
        if (self.simple || is_plain_char(c)) && it.next().is_none_or(is_plain_char) {
            let (g, rest) = self.rest.split_at(c.len_utf8());
            (self.rest, self.simple) = (rest, true);
            return Some((g, Some(c)));
        }
        self.graphemes.insert(self.rest.graphemes(true)).next().map(|g| (g, None))
    }
}

fn for_each_char<'a>(token: &'a str, f: impl FnMut((&'a str, Option<char>))) {
    CharsOf::new(token).for_each(f)
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

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        let vocab = crate::default_vocab::open().unwrap();
        let text = [
            include_str!("../testdata/headlines.txt"),
            include_str!("../testdata/normalize_text/mixed.txt"),
            include_str!("../testdata/embed/mixed.txt"),
        ]
        .concat();
        let recipes = [
            Recipe::default(),
            Recipe { weighting: Weighting::Sif, ..Recipe::default() },
            Recipe { normalize: Normalize::All, ..Recipe::default() },
            Recipe { channels: Channels { word: true, char: false }, ..Recipe::default() },
        ];
        for recipe in recipes {
            let mut embedder = Embedder::new(&vocab, Segmenter::standard(), recipe).unwrap();
            let mut rows = Vec::new();
            for simd in Simd::all_supported() {
                embedder.simd = simd;
                let bits: Vec<u32> = text.lines().flat_map(|l| embedder.embed(l)).map(f32::to_bits).collect();
                assert!(bits.iter().any(|&b| b != 0));
                rows.push((simd, bits));
            }
            for (simd, bits) in &rows[1..] {
                assert!(bits == &rows[0].1, "{simd:?} differs from {:?} with {recipe:?}", rows[0].0);
            }
        }
    }

    /// Tokens mixing plain characters with every kind of grapheme cluster the fast path
    /// must leave to the grapheme rules.
    fn token() -> impl Strategy<Value = String> {
        let alphabet: Vec<char> =
            "a中，。“”·é\u{301}\u{200d}👍\u{1f3fd}🇨\u{1f1f3}\u{915}\u{94d}\u{937}한\u{1100}\u{1161}\r\n\u{ff9e}ｶ"
                .chars()
                .collect();
        proptest::collection::vec(proptest::sample::select(alphabet), 0..16).prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]
        #[test]
        fn for_each_char_matches_the_grapheme_rules(token in token()) {
            let mut got = Vec::new();
            for_each_char(&token, |(g, c)| {
                if let Some(c) = c {
                    assert_eq!(g, c.to_string());
                }
                got.push(g)
            });
            let want: Vec<&str> = token.graphemes(true).collect();
            prop_assert_eq!(got, want, "{:?}", token);
        }
    }
}
