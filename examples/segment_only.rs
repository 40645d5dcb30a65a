//! Segmentation alone, as a floor for `zhvec embed`: reads stdin, cuts every line with
//! zhvec's segmenter (jieba's standard dictionary, HMM on), or with jieba-rs for comparison,
//! and prints the number of lines and tokens.
//!
//! Usage: segment_only [THREADS] [zhvec|jieba-rs] < corpus.txt
//! With THREADS > 1 the lines are split into that many contiguous parts, one per thread.
//! jieba-rs pays its dictionary build first (about 0.1 s).

use std::io::Read;

use jieba_rs::Jieba;
use zhvec::segment::Segmenter;

enum Cutter {
    Zhvec(Segmenter),
    JiebaRs(Jieba),
}

fn count_tokens(cutter: &Cutter, text: &str) -> (usize, usize) {
    let mut lines = 0;
    let mut tokens = 0;
    for line in text.lines() {
        lines += 1;
        match cutter {
            Cutter::Zhvec(seg) => seg.for_each_jieba_token(line, |_| tokens += 1),
            Cutter::JiebaRs(jieba) => {
                tokens += jieba.cut(line, true).iter().filter(|t| !t.word.trim().is_empty()).count()
            }
        }
    }
    (lines, tokens)
}

fn main() {
    let threads: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().expect("THREADS must be a positive integer"),
        None => 1,
    }
    .max(1);

    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).expect("reading stdin");
    let text = String::from_utf8_lossy(&input);
    let cutter = match std::env::args().nth(2).as_deref() {
        None | Some("zhvec") => Cutter::Zhvec(Segmenter::standard()),
        Some("jieba-rs") => {
            let mut dict = std::io::Cursor::new(include_str!("../vocab/jieba-dict.txt"));
            Cutter::JiebaRs(Jieba::with_dict(&mut dict).expect("jieba's dictionary"))
        }
        Some(other) => panic!("unknown segmenter {other}: zhvec or jieba-rs"),
    };

    // Split at line boundaries into `threads` parts of roughly equal size.
    let mut parts = Vec::with_capacity(threads);
    let mut rest: &str = &text;
    for i in (1..=threads).rev() {
        let target = rest.len() / i;
        let cut = match rest.as_bytes()[target..].iter().position(|&b| b == b'\n') {
            Some(pos) if i > 1 => target + pos + 1,
            _ => rest.len(),
        };
        let (head, tail) = rest.split_at(cut);
        parts.push(head);
        rest = tail;
    }

    let (lines, tokens) = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let cutter = &cutter;
                scope.spawn(move || count_tokens(cutter, part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .fold((0, 0), |acc, x| (acc.0 + x.0, acc.1 + x.1))
    });
    println!("{lines} lines, {tokens} tokens");
}
