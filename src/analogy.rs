//! Word analogies `a : b :: c : d` (the CA8 and Google format), answered by 3CosAdd: the row
//! with the highest cosine to `b − a + c` over unit-length rows, the three question words
//! left out of the answers, as gensim's `most_similar` and finalfusion's `compute-accuracy`
//! do.

use crate::error::{Error, Result};
use crate::similarity::dot;
use crate::vocab::{RowSet, View};

/// One question: `a : b :: c : d`, with the section it is in and its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub section: usize,
    pub line: u64,
    pub words: [String; 4],
}

/// The questions of a file and the names of its sections (`: name` lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Questions {
    pub sections: Vec<String>,
    pub questions: Vec<Question>,
}

/// Parses `: section` header lines and `a b c d` question lines (fields split on
/// whitespace); blank lines are skipped. Questions before any header go to a section named
/// "". `name` names the file in errors.
pub fn parse(text: &str, name: &str) -> Result<Questions> {
    let mut qs = Questions::default();
    let mut section = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = if line_no == 1 { line.strip_prefix('\u{feff}').unwrap_or(line) } else { line };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix(':') {
            qs.sections.push(header.trim().to_string());
            section = Some(qs.sections.len() - 1);
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [a, b, c, d] = fields[..] else {
            return Err(Error::at_line(
                name,
                line_no,
                format_args!("expected 4 words (a b c d) or a `: section` line, found {} fields", fields.len()),
            ));
        };
        let section = match section {
            Some(s) => s,
            None => {
                qs.sections.push(String::new());
                *section.insert(qs.sections.len() - 1)
            }
        };
        qs.questions.push(Question { section, line: line_no, words: [a, b, c, d].map(str::to_string) });
    }
    if qs.questions.is_empty() {
        return Err(Error::bad(format!("{name}: no questions")));
    }
    Ok(qs)
}

/// The score of one section, or of all.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Score {
    pub name: String,
    pub questions: u64,
    /// Questions whose four words all have a row.
    pub covered: u64,
    pub correct: u64,
}

impl Score {
    /// Percent correct of the covered questions; `None` when none is covered.
    pub fn of_covered(&self) -> Option<f64> {
        (self.covered > 0).then(|| 100.0 * self.correct as f64 / self.covered as f64)
    }

    /// Percent correct of all questions, a missing word counting as wrong.
    pub fn of_all(&self) -> Option<f64> {
        (self.questions > 0).then(|| 100.0 * self.correct as f64 / self.questions as f64)
    }

    fn add(&mut self, o: &Score) {
        self.questions += o.questions;
        self.covered += o.covered;
        self.correct += o.correct;
    }
}

/// The scores per section, in file order, and the total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub sections: Vec<Score>,
    pub total: Score,
}

/// Questions answered together in one pass over a block of rows.
const QUERY_BATCH: usize = 8;
/// Rows per block: their unit vectors stay in cache while a batch of queries reads them.
const ROW_BLOCK: usize = 512;

/// Answers every question over the rows of `set` on `threads` threads and scores them. The
/// answers do not depend on the thread count.
pub fn evaluate(view: &View<'_>, set: &RowSet, qs: &Questions, threads: usize) -> Report {
    let dim = set.dim();
    let mut sections: Vec<Score> =
        qs.sections.iter().map(|name| Score { name: name.clone(), ..Score::default() }).collect();
    // Questions whose words all have rows, as row ids.
    let mut covered = Vec::new();
    for q in &qs.questions {
        sections[q.section].questions += 1;
        let ids = [0, 1, 2, 3].map(|i| set.id(view, &q.words[i]));
        if let [Some(a), Some(b), Some(c), Some(d)] = ids {
            sections[q.section].covered += 1;
            covered.push((q.section, [a, b, c, d]));
        }
    }
    let units = unit_rows(view, set);
    let live: Vec<bool> = (0..set.id_end()).map(|id| set.contains(id)).collect();
    let queries: Vec<f32> = covered
        .iter()
        .flat_map(|(_, [a, b, c, _])| {
            let row = |id: u32| &units[id as usize * dim..(id as usize + 1) * dim];
            let (a, b, c) = (row(*a), row(*b), row(*c));
            (0..dim).map(move |i| b[i] - a[i] + c[i])
        })
        .collect();
    let excluded: Vec<[u32; 3]> = covered.iter().map(|(_, [a, b, c, _])| [*a, *b, *c]).collect();
    let answers = answer_all(&units, &live, dim, &queries, &excluded, threads);
    for ((section, ids), answer) in covered.iter().zip(&answers) {
        if *answer == Some(ids[3]) {
            sections[*section].correct += 1;
        }
    }
    let mut total = Score { name: "total".into(), ..Score::default() };
    sections.iter().for_each(|s| total.add(s));
    Report { sections, total }
}

/// Every row of the set scaled to unit length (all zeros for a zero row or an id left out),
/// row `id` at `id × dim`.
fn unit_rows(view: &View<'_>, set: &RowSet) -> Vec<f32> {
    let dim = set.dim();
    let mut units = vec![0f32; set.id_end() as usize * dim];
    if dim == 0 {
        return units;
    }
    for (id, out) in units.chunks_exact_mut(dim).enumerate() {
        let id = id as u32;
        if !set.contains(id) {
            continue;
        }
        set.row(view, id).read_into(out);
        let n = out.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
        if n > 0.0 {
            out.iter_mut().for_each(|x| *x = (*x as f64 / n) as f32);
        }
    }
    units
}

/// The best row for each query, split into contiguous runs of queries, one per thread.
fn answer_all(
    units: &[f32],
    live: &[bool],
    dim: usize,
    queries: &[f32],
    excluded: &[[u32; 3]],
    threads: usize,
) -> Vec<Option<u32>> {
    let n = excluded.len();
    if n == 0 || dim == 0 {
        return vec![None; n];
    }
    let per = n.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let end = (start + per).min(n);
                let (qs, ex) = (&queries[start * dim..end * dim], &excluded[start..end]);
                s.spawn(move || answer_run(units, live, dim, qs, ex))
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

fn answer_run(units: &[f32], live: &[bool], dim: usize, queries: &[f32], excluded: &[[u32; 3]]) -> Vec<Option<u32>> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { answer_run_avx2(units, live, dim, queries, excluded) };
    }
    answer_run_portable(units, live, dim, queries, excluded)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn answer_run_avx2(
    units: &[f32],
    live: &[bool],
    dim: usize,
    queries: &[f32],
    excluded: &[[u32; 3]],
) -> Vec<Option<u32>> {
    answer_run_portable(units, live, dim, queries, excluded)
}

/// For each query, the live row of highest dot product, not one of its excluded ids; the
/// lowest id among equal ones. Rows are read in blocks, each shared by a batch of queries.
#[inline(always)]
fn answer_run_portable(
    units: &[f32],
    live: &[bool],
    dim: usize,
    queries: &[f32],
    excluded: &[[u32; 3]],
) -> Vec<Option<u32>> {
    let mut best: Vec<(f32, Option<u32>)> = vec![(f32::NEG_INFINITY, None); excluded.len()];
    for (b, batch) in queries.chunks(QUERY_BATCH * dim).enumerate() {
        let first = b * QUERY_BATCH;
        for (k, block) in units.chunks(ROW_BLOCK * dim).enumerate() {
            let first_row = k * ROW_BLOCK;
            for (j, q) in batch.chunks_exact(dim).enumerate() {
                let (best, ex) = (&mut best[first + j], &excluded[first + j]);
                for (r, row) in block.chunks_exact(dim).enumerate() {
                    let s = dot(q, row);
                    // Rows come in increasing id, so a strict improvement keeps the lowest id.
                    if s > best.0 {
                        let id = (first_row + r) as u32;
                        if !ex.contains(&id) && live[id as usize] {
                            *best = (s, Some(id));
                        }
                    }
                }
            }
        }
    }
    best.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_and_questions() {
        let qs = parse("\u{feff}: capital\n北京 中国 东京 日本\n\n: other\na b  c\td\n", "f").unwrap();
        assert_eq!(qs.sections, ["capital", "other"]);
        assert_eq!(qs.questions.len(), 2);
        assert_eq!(qs.questions[1].section, 1);
        assert_eq!(qs.questions[1].line, 5);
        assert_eq!(qs.questions[1].words, ["a", "b", "c", "d"].map(String::from));
    }

    #[test]
    fn questions_before_a_header_get_an_unnamed_section() {
        let qs = parse("a b c d\n", "f").unwrap();
        assert_eq!(qs.sections, [""]);
    }

    #[test]
    fn refuses_a_line_of_three_words_with_its_line() {
        let e = parse(": s\na b c d\na b c\n", "q.txt").unwrap_err().to_string();
        assert!(e.starts_with("q.txt:3:"), "{e}");
        assert!(parse(": s\n", "q.txt").unwrap_err().to_string().contains("no questions"));
    }
}
