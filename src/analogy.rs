//! Word analogies `a : b :: c : d` (the CA8 and Google format), answered by 3CosAdd: the row
//! with the highest cosine to `b − a + c` over unit-length rows, the three question words
//! left out of the answers, as gensim's `most_similar` and finalfusion's `compute-accuracy`
//! do.

use crate::error::{Error, Result};
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

/// A run of 8 values: rows and queries are stored as whole runs, zero-padded, so the dot
/// product loop has no tail. Padding adds zeros, which change no sum.
type Run = [f32; 8];
/// Queries and rows in one step of the kernel: 4 × 2 independent sums, enough to keep the
/// multipliers busy instead of waiting on one chain of additions.
const QS: usize = 4;
const RS: usize = 2;
/// Rows per block: a block's unit vectors stay in cache while every query reads them.
const ROW_BLOCK: usize = 512;

/// Answers every question over the rows of `set` on `threads` threads and scores them. The
/// answers do not depend on the thread count.
pub fn evaluate(view: &View<'_>, set: &RowSet, qs: &Questions, threads: usize) -> Report {
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
    let units = Units::new(view, set);
    let runs = units.runs;
    // b − a + c, padded with zero queries to whole steps of the kernel.
    let mut queries = vec![[0f32; 8]; covered.len().next_multiple_of(QS) * runs];
    for ((_, [a, b, c, _]), q) in covered.iter().zip(queries.chunks_exact_mut(runs)) {
        let (a, b, c) = (units.row(*a), units.row(*b), units.row(*c));
        for (k, run) in q.iter_mut().enumerate() {
            for (l, x) in run.iter_mut().enumerate() {
                *x = b[k][l] - a[k][l] + c[k][l];
            }
        }
    }
    let excluded: Vec<[u32; 3]> = covered.iter().map(|(_, [a, b, c, _])| [*a, *b, *c]).collect();
    let answers = answer_all(&units, &queries, &excluded, threads);
    for ((section, ids), answer) in covered.iter().zip(&answers) {
        if *answer == Some(ids[3]) {
            sections[*section].correct += 1;
        }
    }
    let mut total = Score { name: "total".into(), ..Score::default() };
    sections.iter().for_each(|s| total.add(s));
    Report { sections, total }
}

/// Every row of the set scaled to unit length, as runs: all zeros for a zero row, for an id
/// left out and for the padding row that makes the count even.
struct Units {
    values: Vec<Run>,
    /// Runs per row.
    runs: usize,
    /// Whether each row (padding included) may be an answer.
    live: Vec<bool>,
}

impl Units {
    fn new(view: &View<'_>, set: &RowSet) -> Units {
        let (dim, rows) = (set.dim(), set.id_end() as usize);
        let runs = dim.div_ceil(8);
        let padded = rows.next_multiple_of(RS);
        let mut values = vec![[0f32; 8]; padded * runs];
        let mut live = vec![false; padded];
        let mut row = vec![0f32; dim];
        for id in 0..rows {
            if !set.contains(id as u32) {
                continue;
            }
            live[id] = true;
            set.row(view, id as u32).read_into(&mut row);
            let n = row.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
            if n == 0.0 {
                continue;
            }
            let out = &mut values[id * runs..(id + 1) * runs];
            for (i, &x) in row.iter().enumerate() {
                out[i / 8][i % 8] = (x as f64 / n) as f32;
            }
        }
        Units { values, runs, live }
    }

    fn row(&self, id: u32) -> &[Run] {
        &self.values[id as usize * self.runs..(id as usize + 1) * self.runs]
    }
}

/// The best row for each query, split into contiguous runs of queries, one per thread.
fn answer_all(units: &Units, queries: &[Run], excluded: &[[u32; 3]], threads: usize) -> Vec<Option<u32>> {
    let n = excluded.len();
    if n == 0 || units.runs == 0 {
        return vec![None; n];
    }
    let per = n.div_ceil(threads.max(1)).next_multiple_of(QS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let end = (start + per).min(n);
                let qs = &queries[start * units.runs..end.next_multiple_of(QS) * units.runs];
                let ex = &excluded[start..end];
                s.spawn(move || answer_run(units, qs, ex))
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

fn answer_run(units: &Units, queries: &[Run], excluded: &[[u32; 3]]) -> Vec<Option<u32>> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { answer_run_avx2(units, queries, excluded) };
    }
    answer_run_portable(units, queries, excluded)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn answer_run_avx2(units: &Units, queries: &[Run], excluded: &[[u32; 3]]) -> Vec<Option<u32>> {
    answer_run_portable(units, queries, excluded)
}

/// For each query (`queries` holds whole steps of [`QS`]; those past `excluded` are
/// padding), the live row of highest dot product that is not one of its excluded ids; the
/// lowest id among equal ones.
#[inline(always)]
fn answer_run_portable(units: &Units, queries: &[Run], excluded: &[[u32; 3]]) -> Vec<Option<u32>> {
    let runs = units.runs;
    let mut best: Vec<(f32, Option<u32>)> = vec![(f32::NEG_INFINITY, None); queries.len() / runs];
    for (k, block) in units.values.chunks(ROW_BLOCK * runs).enumerate() {
        let first_row = k * ROW_BLOCK;
        for (g, group) in queries.chunks_exact(QS * runs).enumerate() {
            let q: [&[Run]; QS] = std::array::from_fn(|i| &group[i * runs..(i + 1) * runs]);
            for (p, pair) in block.chunks_exact(RS * runs).enumerate() {
                let r: [&[Run]; RS] = std::array::from_fn(|i| &pair[i * runs..(i + 1) * runs]);
                let dots = kernel(q, r);
                for (i, row_dots) in dots.iter().enumerate() {
                    let Some(ex) = excluded.get(g * QS + i) else { continue };
                    let best = &mut best[g * QS + i];
                    for (j, &s) in row_dots.iter().enumerate() {
                        // Rows come in increasing id, so a strict improvement keeps the lowest id.
                        if s > best.0 {
                            let id = first_row + p * RS + j;
                            if units.live[id] && !ex.contains(&(id as u32)) {
                                *best = (s, Some(id as u32));
                            }
                        }
                    }
                }
            }
        }
    }
    best.truncate(excluded.len());
    best.into_iter().map(|(_, id)| id).collect()
}

/// The dot products of [`QS`] queries with [`RS`] rows, each summed in 8 lanes and then in a
/// fixed order, the same on every CPU.
#[inline(always)]
fn kernel(q: [&[Run]; QS], r: [&[Run]; RS]) -> [[f32; RS]; QS] {
    let mut acc = [[[0f32; 8]; RS]; QS];
    let n = r[0].len();
    let (q, r) = (q.map(|x| &x[..n]), r.map(|x| &x[..n]));
    for c in 0..n {
        for (j, rows) in r.iter().enumerate() {
            let rv = rows[c];
            for (i, qs) in q.iter().enumerate() {
                let qv = qs[c];
                for l in 0..8 {
                    acc[i][j][l] += qv[l] * rv[l];
                }
            }
        }
    }
    acc.map(|row| {
        row.map(|a| {
            let s4 = [a[0] + a[4], a[1] + a[5], a[2] + a[6], a[3] + a[7]];
            (s4[0] + s4[2]) + (s4[1] + s4[3])
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit rows of pseudo-random values, 13 dims (two runs, the second padded).
    fn units(rows: usize) -> Units {
        let mut seed = 12345u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1 << 24) as f32 - 0.5
        };
        let mut values = vec![[0f32; 8]; rows.next_multiple_of(RS) * 2];
        for r in 0..rows {
            for i in 0..13 {
                values[r * 2 + i / 8][i % 8] = next();
            }
        }
        let mut live = vec![true; rows.next_multiple_of(RS)];
        live[rows..].iter_mut().for_each(|l| *l = false);
        live[7] = false;
        Units { values, runs: 2, live }
    }

    #[test]
    fn blocked_answers_match_a_plain_scan_for_any_thread_count() {
        let u = units(1201);
        let n: usize = 37;
        let queries: Vec<Run> = u.values[..n.next_multiple_of(QS) * 2].to_vec();
        let excluded: Vec<[u32; 3]> = (0..n as u32).map(|i| [i, i + 1, 1000]).collect();
        let plain: Vec<Option<u32>> = (0..n)
            .map(|i| {
                let q = &queries[i * 2..i * 2 + 2];
                let mut best = (f32::NEG_INFINITY, None);
                for id in 0..1201u32 {
                    let r = u.row(id);
                    let s: f32 = (0..16).map(|k| q[k / 8][k % 8] * r[k / 8][k % 8]).sum();
                    if s > best.0 && u.live[id as usize] && !excluded[i].contains(&id) {
                        best = (s, Some(id));
                    }
                }
                best.1
            })
            .collect();
        let one = answer_all(&u, &queries, &excluded, 1);
        assert_eq!(one, plain);
        assert!(one.iter().all(|a| a.is_some_and(|id| id != 7)));
        for threads in [2, 3, 8] {
            assert_eq!(answer_all(&u, &queries, &excluded, threads), one, "{threads} threads");
        }
    }

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
