//! Input normalization before segmentation: compatibility forms (`nfkc`) and traditional to
//! simplified script (`t2s`).
//!
//! Both steps work on one line at a time, `nfkc` first, and return the line itself when they
//! change nothing, so plain simplified text costs a scan and no allocation. Neither step
//! introduces or removes a `\n`: NFKC maps no character to or from one, and the conversion
//! tables hold no line breaks (`build.rs` refuses them), so line `i` of the input stays line
//! `i` of the output.
//!
//! # `nfkc`
//!
//! Unicode NFKC (`unicode-normalization`), so full-width letters, digits and signs (`ＮＢＡ`,
//! `２０１６`, `３．５`, `Ｃ＋＋`), half-width katakana, circled numbers, ligatures and CJK
//! compatibility ideographs take their ordinary forms. The punctuation of Chinese sentences
//! is kept as it is, although NFKC would turn `，！？（）：；～` into ASCII, the ideographic
//! space into a space and `…` into `...`: Chinese text writes those full-width on purpose,
//! jieba cuts them apart either way, and a table trained on Chinese text knows (if any) the
//! full-width forms. The default table has rows for neither form, so this choice does not
//! change its vectors. Kept: the CJK symbols and punctuation block (U+3000–U+303F), the
//! full-width `！（），：；？～`, and `…` `‥`. Everything else NFKC changes is mapped, including
//! the full-width `．＋＃％＆－＿＠`, which jieba keeps inside Latin and number tokens (`3.5`).
//!
//! # `t2s`
//!
//! OpenCC's dictionaries (1.4.2, `vocab/opencc/`) in one combined mode for Taiwan and Hong
//! Kong text, since a line does not say where it comes from. Stage 1 turns regional phrases
//! and variants into OpenCC's standard traditional forms (軟體→軟件, 網路→網絡, 資訊→信息,
//! 綫→線), stage 2 those into simplified (TSPhrases, then TSCharacters). Each stage replaces
//! the longest key at each position, the earlier dictionary winning for the same key; a
//! character with several simplified forms takes the first, as OpenCC does.
//!
//! A line is converted only when it holds a character that only traditional script uses
//! (about 3,200 of them, one bitset over the BMP): the keys of TSCharacters and the
//! single-character regional variants, less the characters simplified text uses (the keys
//! of STCharacters, every simplified form TSCharacters gives, and 著). A traditional line
//! whose only traditional characters are also simplified ones (乾杯, 列印) stays as it is. Simplified text is thus returned as it
//! is: it is never touched by the phrase tables, which would otherwise rewrite simplified
//! words that happen to spell a Taiwan phrase, and it costs one bitset test per character.

mod table;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::{Error, Result};
use table::{Found, Map, Tables};

static T2S_TABLES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/opencc-t2s.bin"));

/// Which normalization steps to apply. Parsed from `none` or a comma list of `nfkc` and
/// `t2s` (in any order; they always run `nfkc` first); displayed in that canonical form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextNormalization {
    pub nfkc: bool,
    pub t2s: bool,
}

impl TextNormalization {
    pub const NONE: TextNormalization = TextNormalization { nfkc: false, t2s: false };
    pub const ALL: TextNormalization = TextNormalization { nfkc: true, t2s: true };

    pub fn is_none(&self) -> bool {
        *self == Self::NONE
    }

    /// Parses a `--normalize-text` value: `auto` (what the table asks for) is `None`.
    pub fn parse_or_auto(s: &str) -> Result<Option<TextNormalization>> {
        if s == "auto" {
            return Ok(None);
        }
        s.parse().map(Some).map_err(|_| {
            Error::bad(format!(
                "`{s}` is not a text normalization: expected `auto`, `none` or a comma list of `nfkc`, `t2s`"
            ))
        })
    }
}

/// The key of a table's metadata that names the normalization it was built for.
pub const META_KEY: &str = "normalize_text";

impl FromStr for TextNormalization {
    type Err = Error;

    fn from_str(s: &str) -> Result<TextNormalization> {
        let mut out = TextNormalization::NONE;
        if s == "none" {
            return Ok(out);
        }
        for step in s.split(',') {
            let flag = match step {
                "nfkc" => &mut out.nfkc,
                "t2s" => &mut out.t2s,
                _ => {
                    return Err(Error::bad(format!(
                        "unknown normalization `{step}` in `{s}`: expected `none` or a comma list of `nfkc`, `t2s`"
                    )))
                }
            };
            if std::mem::replace(flag, true) {
                return Err(Error::bad(format!("normalization `{step}` is given twice in `{s}`")));
            }
        }
        Ok(out)
    }
}

impl fmt::Display for TextNormalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.nfkc, self.t2s) {
            (false, false) => "none",
            (true, false) => "nfkc",
            (false, true) => "t2s",
            (true, true) => "nfkc,t2s",
        })
    }
}

/// Reusable output space for [`Normalizer::normalize`]: one per thread, kept across lines.
#[derive(Clone, Default, Debug)]
pub struct NormalizeBuf {
    a: String,
    b: String,
}

/// Applies a [`TextNormalization`] to lines. Cheap to make (the tables are read in place)
/// and shared freely between threads.
#[derive(Clone, Copy)]
pub struct Normalizer {
    steps: TextNormalization,
    tables: Option<Tables<'static>>,
}

impl Normalizer {
    pub fn new(steps: TextNormalization) -> Normalizer {
        let tables = steps.t2s.then(|| Tables::new(T2S_TABLES).expect("build.rs packs the t2s tables"));
        Normalizer { steps, tables }
    }

    pub fn steps(&self) -> TextNormalization {
        self.steps
    }

    /// The normalized line: `line` itself when no step changes it, else a view of `buf`.
    /// Never adds or removes a `\n`.
    pub fn normalize<'a>(&self, line: &'a str, buf: &'a mut NormalizeBuf) -> &'a str {
        if self.surely_unchanged(line) {
            return line;
        }
        // The current text is `line` until a step changes it, then `src`; a step writes into
        // `dst`, and the two swap.
        let (mut src, mut dst) = (&mut buf.a, &mut buf.b);
        let mut in_src = false;
        if self.steps.nfkc {
            step(line, &mut in_src, &mut src, &mut dst, nfkc);
        }
        if let Some(t) = self.tables {
            if has_traditional(&t, if in_src { src } else { line }) {
                for map in t.stages {
                    step(line, &mut in_src, &mut src, &mut dst, |s, out| convert(map, s, out));
                }
            }
        }
        if in_src {
            let out: &'a String = src;
            out
        } else {
            line
        }
    }
}

impl Normalizer {
    /// One scan that proves neither step changes `line` (most lines of simplified text):
    /// the first tests of `nfkc` and of the conversion, taken together.
    #[inline]
    fn surely_unchanged(&self, line: &str) -> bool {
        let nfkc = self.steps.nfkc;
        line.chars().all(|c| {
            (!nfkc || surely_stable(c) || keeps(c))
                && !self.tables.is_some_and(|t| c as u32 >= 0x300 && t.is_traditional(c))
        })
    }

    /// Normalizes each line of `text` by itself, exactly as the lines are normalized when
    /// embedded (a line's conversion does not depend on its neighbours). Borrows when
    /// nothing changes.
    pub fn normalize_lines<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.steps.is_none() {
            return Cow::Borrowed(text);
        }
        let mut buf = NormalizeBuf::default();
        let mut out: Option<String> = None;
        let mut done = 0;
        for (start, line) in split_lines(text) {
            let n = self.normalize(line, &mut buf);
            if !std::ptr::eq(n, line) {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
                o.push_str(&text[done..start]);
                o.push_str(n);
                done = start + line.len();
            }
        }
        match out {
            Some(mut o) => {
                o.push_str(&text[done..]);
                Cow::Owned(o)
            }
            None => Cow::Borrowed(text),
        }
    }
}

/// The lines of `text` (without their `\n`), each with its byte offset.
fn split_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split('\n').map(move |line| {
        let start = at;
        at += line.len() + 1;
        (start, line)
    })
}

fn step<'a>(
    line: &'a str,
    in_src: &mut bool,
    src: &mut &'a mut String,
    dst: &mut &'a mut String,
    f: impl FnOnce(&str, &mut String) -> bool,
) {
    let input = if *in_src { src.as_str() } else { line };
    if f(input, dst) {
        std::mem::swap(src, dst);
        *in_src = true;
    }
}

fn has_traditional(t: &Tables<'_>, s: &str) -> bool {
    // Traditional characters are all beyond U+02FF: skip ASCII and Latin bytes quickly.
    s.chars().any(|c| c as u32 >= 0x300 && t.is_traditional(c))
}

/// NFKC leaves these as they are (see the module documentation).
#[inline]
fn keeps(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '！' | '（' | '）' | '，' | '：' | '；' | '？' | '～' | '…' | '‥')
}

/// Characters NFKC maps to themselves and that compose with nothing but combining marks,
/// which the scan that asks this stops at: ASCII, CJK ideographs, and the quotes, dashes
/// and middle dots of Chinese text.
#[inline]
fn surely_stable(c: char) -> bool {
    c.is_ascii()
        || ('\u{4e00}'..='\u{9fff}').contains(&c)
        || matches!(c, '\u{2010}' | '\u{2012}'..='\u{2016}' | '\u{2018}'..='\u{2023}' | '\u{2027}' | '\u{b7}')
}

/// NFKC of `s` with the kept punctuation left alone, into `out`; false (and `out` unused)
/// when that is `s` itself.
fn nfkc(s: &str, out: &mut String) -> bool {
    if s.chars().all(|c| surely_stable(c) || keeps(c)) {
        return false;
    }
    // Quotes, dashes, middle dots and the like: NFKC's own quick check, still no copying.
    // The kept characters are starters, so leaving them out can only turn a yes into a no.
    if is_nfkc_quick(s.chars().filter(|&c| !keeps(c))) == IsNormalized::Yes {
        return false;
    }
    out.clear();
    let mut run = 0;
    for (i, c) in s.char_indices() {
        if keeps(c) {
            out.extend(s[run..i].nfkc());
            out.push(c);
            run = i + c.len_utf8();
        }
    }
    out.extend(s[run..].nfkc());
    out.as_str() != s
}

/// One stage of the conversion: the longest key at each position is replaced. Writes into
/// `out` only from the first replacement on; false when nothing was replaced.
fn convert(map: Map<'_>, s: &str, out: &mut String) -> bool {
    let (mut i, mut copied, mut changed) = (0, 0, false);
    while let Some(c) = s[i..].chars().next() {
        if map.starts(c) {
            let (mut best, mut end) = (None, i);
            for d in s[i..].chars() {
                end += d.len_utf8();
                match map.get(&s[i..end]) {
                    Found::Key(v) => best = Some((end, v)),
                    Found::Prefix => {}
                    Found::Absent => break,
                }
            }
            if let Some((end, v)) = best {
                // Keys that stay as they are (乾隆) change nothing: keep the line borrowed.
                if v == &s[i..end] {
                    i = end;
                    continue;
                }
                if !changed {
                    out.clear();
                    changed = true;
                }
                out.push_str(&s[copied..i]);
                out.push_str(v);
                (i, copied) = (end, end);
                continue;
            }
        }
        i += c.len_utf8();
    }
    if changed {
        out.push_str(&s[copied..]);
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(steps: &str, s: &str) -> String {
        let n = Normalizer::new(steps.parse().unwrap());
        n.normalize(s, &mut NormalizeBuf::default()).to_string()
    }

    #[test]
    fn steps_parse_and_display_canonically() {
        for (text, canon) in
            [("none", "none"), ("nfkc", "nfkc"), ("t2s", "t2s"), ("nfkc,t2s", "nfkc,t2s"), ("t2s,nfkc", "nfkc,t2s")]
        {
            let steps: TextNormalization = text.parse().unwrap();
            assert_eq!(steps.to_string(), canon);
            assert_eq!(canon.parse::<TextNormalization>().unwrap(), steps);
        }
        for bad in ["", "auto", "nfkc,", "NFKC", "nfkc,nfkc", "none,t2s", "nfc"] {
            let err = bad.parse::<TextNormalization>().unwrap_err();
            assert!(matches!(err, Error::BadInput(_)), "{bad}: {err:?}");
        }
    }

    #[test]
    fn the_embedded_tables_open() {
        let t = Tables::new(T2S_TABLES).unwrap();
        assert!(t.is_traditional('臺') && t.is_traditional('體') && t.is_traditional('衞'));
        // Characters simplified text uses too: none may trigger a conversion.
        for c in "著么干台后里面的瞭乾於薹".chars() {
            assert!(!t.is_traditional(c), "{c}");
        }
    }

    #[test]
    fn unchanged_lines_are_the_input_itself() {
        let n = Normalizer::new(TextNormalization::ALL);
        let mut buf = NormalizeBuf::default();
        for line in ["国务院常务会议部署进一步扩大内需", "乾隆皇帝，你好！（测试）", "NBA 2016", ""]
        {
            let out = n.normalize(line, &mut buf);
            assert!(std::ptr::eq(out, line), "{line} -> {out}");
        }
        assert_eq!(buf.a.capacity() + buf.b.capacity(), 0, "nothing was allocated");
    }

    #[test]
    fn each_step_alone() {
        assert_eq!(norm("nfkc", "ＮＢＡ２０１６臺灣"), "NBA2016臺灣");
        assert_eq!(norm("t2s", "ＮＢＡ２０１６臺灣"), "ＮＢＡ２０１６台湾");
        assert_eq!(norm("nfkc,t2s", "ＮＢＡ２０１６臺灣"), "NBA2016台湾");
        assert_eq!(norm("none", "ＮＢＡ臺灣"), "ＮＢＡ臺灣");
    }

    #[test]
    fn kept_punctuation_and_mapped_forms() {
        assert_eq!(norm("nfkc", "你好，世界！（一）：“是”…　ｱ①ﬁ"), "你好，世界！（一）：“是”…　ア1fi");
        assert_eq!(norm("nfkc", "ｅ\u{301}，ｅ\u{301}"), "é，é");
    }

    #[test]
    fn the_fast_scan_passes_only_what_nfkc_keeps() {
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32).filter(|&c| surely_stable(c)) {
            let s = c.to_string();
            assert_eq!(s.nfkc().collect::<String>(), s, "U+{:04X}", c as u32);
            assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn lines_are_normalized_one_by_one() {
        let n = Normalizer::new(TextNormalization::ALL);
        // Converted as one text, the traditional first line would let the phrase tables
        // rewrite the simplified second one.
        let text = "臺灣\n列印\nＡ\n";
        let want = ["台湾", "列印", "A", ""].join("\n");
        assert_ne!(norm("nfkc,t2s", text), want);
        assert_eq!(n.normalize_lines(text), want);
        assert!(matches!(n.normalize_lines("国务院\n你好\n"), Cow::Borrowed(_)));
        assert_eq!(TextNormalization::parse_or_auto("auto").unwrap(), None);
        assert_eq!(
            TextNormalization::parse_or_auto("t2s").unwrap(),
            Some(TextNormalization { nfkc: false, t2s: true })
        );
        assert!(TextNormalization::parse_or_auto("foo").is_err());
    }

    #[test]
    fn newlines_stay() {
        let s = "軟體\n\nＡ\r\n臺灣\n";
        assert_eq!(norm("nfkc,t2s", s), "软件\n\nA\r\n台湾\n");
    }
}
