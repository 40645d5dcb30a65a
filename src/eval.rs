//! Evaluation math: Spearman rank correlation, cosine, nearest-centroid classification.

/// Cosine similarity; 0 when either vector is all zeros.
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (*x as f64, *y as f64);
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

/// Ranks from 1, with tied values sharing the mean of their ranks.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = rank;
        }
        i = j + 1;
    }
    r
}

/// Why a correlation is undefined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undefined {
    /// Fewer than two pairs.
    TooFewPairs,
    /// Every value of the first series is the same.
    ConstantFirst,
    /// Every value of the second series is the same.
    ConstantSecond,
}

/// Pearson's r; undefined for fewer than two pairs or when a series does not vary.
pub fn pearson(a: &[f64], b: &[f64]) -> Result<f64, Undefined> {
    let n = a.len() as f64;
    if a.len() < 2 {
        return Err(Undefined::TooFewPairs);
    }
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma) * (x - ma);
        vb += (y - mb) * (y - mb);
    }
    if va == 0.0 {
        Err(Undefined::ConstantFirst)
    } else if vb == 0.0 {
        Err(Undefined::ConstantSecond)
    } else {
        Ok(cov / (va.sqrt() * vb.sqrt()))
    }
}

/// Spearman's rho: the Pearson correlation of the (tie-averaged) ranks.
pub fn spearman(a: &[f64], b: &[f64]) -> Result<f64, Undefined> {
    pearson(&ranks(a), &ranks(b))
}

/// Nearest-centroid classifier over L2-normalized rows.
#[derive(Debug, Default)]
pub struct Centroids {
    labels: Vec<String>,
    sums: Vec<Vec<f64>>,
}

impl Centroids {
    pub fn add(&mut self, label: &str, row: &[f32]) {
        let i = match self.labels.iter().position(|l| l == label) {
            Some(i) => i,
            None => {
                self.labels.push(label.to_string());
                self.sums.push(vec![0.0; row.len()]);
                self.labels.len() - 1
            }
        };
        let norm = row.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (s, x) in self.sums[i].iter_mut().zip(row) {
                *s += *x as f64 / norm;
            }
        }
    }

    /// The label whose centroid has the highest cosine with `row` (first label on ties).
    pub fn predict(&self, row: &[f32]) -> Option<&str> {
        let row: Vec<f64> = row.iter().map(|x| *x as f64).collect();
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in self.sums.iter().enumerate() {
            let (mut dot, mut n) = (0.0, 0.0);
            for (a, b) in s.iter().zip(&row) {
                dot += a * b;
                n += a * a;
            }
            let c = if n > 0.0 { dot / n.sqrt() } else { f64::NEG_INFINITY };
            if best.is_none_or(|(_, b)| c > b) {
                best = Some((i, c));
            }
        }
        best.map(|(i, _)| self.labels[i].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
    }

    #[test]
    fn spearman_known_values() {
        let rho = |a: &[f64], b: &[f64]| spearman(a, b).unwrap();
        assert!((rho(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
        assert!((rho(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // d = (0, 0, 1, -1, 0)... rho = 1 - 6*2/(5*24) = 0.9
        assert!((rho(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 2.0, 4.0, 3.0, 5.0]) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn spearman_undefined_without_variation() {
        assert_eq!(spearman(&[0.5], &[3.0]), Err(Undefined::TooFewPairs));
        assert_eq!(spearman(&[0.1, 0.2, 0.3], &[2.0, 2.0, 2.0]), Err(Undefined::ConstantSecond));
        assert_eq!(spearman(&[0.0, 0.0], &[1.0, 2.0]), Err(Undefined::ConstantFirst));
    }

    #[test]
    fn centroids_pick_nearest() {
        let mut c = Centroids::default();
        c.add("x", &[1.0, 0.0]);
        c.add("y", &[0.0, 2.0]);
        assert_eq!(c.predict(&[0.9, 0.1]), Some("x"));
        assert_eq!(c.predict(&[0.1, 0.9]), Some("y"));
    }
}
