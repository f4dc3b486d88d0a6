//! Jigsaw puzzles and the other self-supervised answers (rotation, position, contrastive).
//!
//! **Sources**
//! - Jigsaw-R1 (Wang et al. 2025, arXiv 2505.23590), zifuwanggg/Jigsaw-R1 `utils/reward.py`:
//!   the answer is the sequence of the `m x n` patch ids in raster order; an answer with a
//!   non-integer token, an id outside `1..=m n` or the wrong length scores 0;
//!   `score_jigsaw_patches` = fraction of positions holding the right id (default reward);
//!   `score_jigsaw_connections` = fraction of the `2mn - m - n` internal horizontal and vertical
//!   adjacencies of the answer grid whose two pieces are also adjacent, in the same direction, in
//!   the gold grid (forward format).
//! - SSL4RL (arXiv 2510.16416), PKU-ML/SSL4RL `verl/utils/reward_score/ssl4rl.py`: 1 if the
//!   `<answer>` text equals any comma-separated gold option, else 0 (rotation angle, crop
//!   position, "positive"/"negative"); `jigsaw.py`: per-position credit, `Σ 1/len(gt)` — the same
//!   formula as Jigsaw-R1's position credit, so [`Jigsaw`] serves both.
//!
//! **Deviations**
//! 1. Jigsaw-R1 splits the answer on spaces after replacing `` ` ``, `,`, `;` and newlines, so
//!    `[1, 2, 3, 4]` is invalid there; we also drop `[`, `]`, `(`, `)`.
//! 2. Ids may be 0-based or 1-based: the gold sequence (a permutation of `0..N` or `1..=N`)
//!    decides. Duplicated ids in an answer are allowed, as in Jigsaw-R1 (each position is still
//!    checked on its own).
//! 3. SSL4RL's exact normalisation is UNVERIFIED; we trim, ignore ASCII case and a trailing `.`,
//!    and accept an answer that is only the number of a numeric option (`90` for `90 degrees`
//!    is **not** accepted: options are compared whole).

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::text::gold_text;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};

/// Parses a sequence of patch ids (see deviation 1): tokens separated by whitespace, `,`, `;`,
/// `` ` ``, brackets; every token must be a non-negative integer.
pub fn parse_ids(text: &str) -> Result<Vec<usize>, ParseError> {
    let mut out = Vec::new();
    for tok in text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '`' | '[' | ']' | '(' | ')'))
        .filter(|t| !t.is_empty())
    {
        if !tok.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::Invalid {
                what: "patch id",
                why: format!("{:?} is not a non-negative integer", snippet(tok)),
            });
        }
        let id: usize = tok.parse().map_err(|_| ParseError::Invalid {
            what: "patch id",
            why: format!("{:?} is too large", snippet(tok)),
        })?;
        out.push(id);
        if out.len() > 10_000 {
            return Err(ParseError::Invalid {
                what: "patch ids",
                why: "more than 10000".into(),
            });
        }
    }
    if out.is_empty() {
        return Err(ParseError::EmptyAnswer);
    }
    Ok(out)
}

/// Which partial credit [`Jigsaw`] pays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JigsawCredit {
    /// Fraction of positions right (Jigsaw-R1 default, SSL4RL jigsaw). The default.
    #[default]
    Position,
    /// Fraction of internal adjacencies preserved (Jigsaw-R1 `score_jigsaw_connections`).
    Adjacency,
}

/// Fraction of positions where `pred[i] == gold[i]`.
pub fn position_credit(pred: &[usize], gold: &[usize]) -> f64 {
    if gold.is_empty() || pred.len() != gold.len() {
        return 0.0;
    }
    pred.iter().zip(gold).filter(|(p, g)| p == g).count() as f64 / gold.len() as f64
}

/// Fraction of the `2 m n - m - n` internal adjacencies of the predicted `rows x cols` grid
/// whose pieces are adjacent in the same direction in the gold grid. 0 when the grid has no
/// internal adjacency or the lengths differ; ids missing from `gold` never count.
///
/// ```
/// use ocellus_rewards::jigsaw::adjacency_credit;
/// // 2x2 gold [1 2 / 3 4]; the answer swaps the two columns: [2 1 / 4 3].
/// // Horizontal pairs (2,1), (4,3): reversed, not preserved. Vertical pairs (2,4), (1,3): kept.
/// assert_eq!(adjacency_credit(&[2, 1, 4, 3], &[1, 2, 3, 4], 2, 2), 0.5);
/// ```
pub fn adjacency_credit(pred: &[usize], gold: &[usize], rows: usize, cols: usize) -> f64 {
    let n = rows.saturating_mul(cols);
    if pred.len() != n || gold.len() != n || n == 0 {
        return 0.0;
    }
    let total = 2 * n - rows - cols;
    if total == 0 {
        return 0.0;
    }
    let inverse: std::collections::HashMap<usize, usize> = gold
        .iter()
        .enumerate()
        .map(|(pos, &id)| (id, pos))
        .collect();
    let pos_in_gold = |id: usize| inverse.get(&id).copied();
    let mut ok = 0usize;
    for r in 0..rows {
        for c in 0..cols {
            let here = pos_in_gold(pred[r * cols + c]);
            if c + 1 < cols {
                if let (Some(a), Some(b)) = (here, pos_in_gold(pred[r * cols + c + 1])) {
                    if a / cols == b / cols && b % cols == a % cols + 1 {
                        ok += 1;
                    }
                }
            }
            if r + 1 < rows {
                if let (Some(a), Some(b)) = (here, pos_in_gold(pred[(r + 1) * cols + c])) {
                    if a % cols == b % cols && b / cols == a / cols + 1 {
                        ok += 1;
                    }
                }
            }
        }
    }
    ok as f64 / total as f64
}

/// Jigsaw permutations (Jigsaw-R1, SSL4RL). Gold: the patch ids in raster order (`"2 1 4 3"`,
/// `"[2, 1, 4, 3]"`), a permutation of `0..N` or `1..=N`. Scores in [0, 1]; the exact
/// permutation is [`Verdict::Correct`].
///
/// ```
/// use ocellus_rewards::{jigsaw::Jigsaw, Gold, Verifier};
/// let v = Jigsaw::default(); // position credit, grid inferred (4 -> 2x2, 9 -> 3x3)
/// let gold = Gold::new("[3, 1, 4, 2]");
/// assert!(v.verify("<answer>3 1 4 2</answer>", &gold).is_correct());
/// assert_eq!(v.verify("<answer>3, 1, 2, 4</answer>", &gold).score(), 0.5);
/// assert_eq!(v.verify("<answer>3 1 4</answer>", &gold).kind().as_str(), "malformed");
/// assert_eq!(v.verify("<answer>3 1 4 5</answer>", &gold).kind().as_str(), "malformed");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Jigsaw {
    /// Which partial credit.
    pub credit: JigsawCredit,
    /// Grid `(rows, cols)`; inferred for square grids when `None`.
    pub grid: Option<(usize, usize)>,
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for Jigsaw {
    fn name(&self) -> &'static str {
        match self.credit {
            JigsawCredit::Position => "jigsaw",
            JigsawCredit::Adjacency => "jigsaw_adjacency",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match gold_text(gold).and_then(parse_ids) {
            Ok(g) => g,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let n = g.len();
        let base = g.iter().copied().min().unwrap_or(0);
        let mut sorted = g.clone();
        sorted.sort_unstable();
        if base > 1 || sorted.iter().enumerate().any(|(i, &id)| id != i + base) {
            return Verdict::GoldUnparseable(ParseError::Invalid {
                what: "gold permutation",
                why: format!("not a permutation of {base}..{}", base + n),
            });
        }
        let (rows, cols) = match self.grid {
            Some((r, c)) if r.saturating_mul(c) == n => (r, c),
            Some((r, c)) => {
                return Verdict::GoldUnparseable(ParseError::WrongCount {
                    what: "gold patches for the configured grid",
                    expected: r.saturating_mul(c),
                    found: n,
                })
            }
            None => {
                let s = (n as f64).sqrt().round() as usize;
                if s * s != n {
                    return Verdict::GoldUnparseable(ParseError::Invalid {
                        what: "grid",
                        why: format!("{n} patches is not a square grid; configure rows x cols"),
                    });
                }
                (s, s)
            }
        };
        let p = match extract_answer(completion, self.source).and_then(parse_ids) {
            Ok(p) => p,
            Err(e) => return Verdict::Malformed(e),
        };
        if p.len() != n {
            return Verdict::Malformed(ParseError::WrongCount {
                what: "patch ids",
                expected: n,
                found: p.len(),
            });
        }
        if let Some(bad) = p.iter().find(|&&id| id < base || id >= base + n) {
            return Verdict::Malformed(ParseError::Invalid {
                what: "patch id",
                why: format!("{bad} outside {base}..{}", base + n),
            });
        }
        if p == g {
            return Verdict::Correct {
                score: 1.0,
                reason: format!("exact {rows}x{cols} permutation"),
            };
        }
        let (score, what) = match self.credit {
            JigsawCredit::Position => (position_credit(&p, &g), "positions right"),
            JigsawCredit::Adjacency => (adjacency_credit(&p, &g, rows, cols), "adjacencies kept"),
        };
        Verdict::graded(
            score,
            0.0,
            1.0,
            format!("{score:.4} of {rows}x{cols} {what}"),
        )
    }
}

/// SSL4RL's exact-option answers (rotation angle, crop position, positive/negative). Gold:
/// comma-separated accepted answers (`"top-left, upper left"`). Scores 1 or 0.
///
/// ```
/// use ocellus_rewards::{jigsaw::SslOption, Gold, Verifier};
/// let v = SslOption::default();
/// assert!(v.verify("<answer>Top-Left.</answer>", &Gold::new("top-left, upper left")).is_correct());
/// assert!(!v.verify("<answer>bottom-left</answer>", &Gold::new("top-left")).is_correct());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SslOption {
    /// Where the answer is read.
    pub source: AnswerSource,
}

fn ssl_norm(s: &str) -> String {
    s.trim().trim_end_matches('.').trim().to_ascii_lowercase()
}

impl Verifier for SslOption {
    fn name(&self) -> &'static str {
        "ssl4rl"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let opts: Vec<String> = match gold_text(gold) {
            Ok(g) => g
                .split(',')
                .map(ssl_norm)
                .filter(|s| !s.is_empty())
                .collect(),
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        if opts.is_empty() {
            return Verdict::GoldUnparseable(ParseError::EmptyAnswer);
        }
        let a = match extract_answer(completion, self.source) {
            Ok(a) => ssl_norm(a),
            Err(e) => return Verdict::Malformed(e),
        };
        let hit = opts.contains(&a);
        Verdict::graded(
            if hit { 1.0 } else { 0.0 },
            0.0,
            1.0,
            format!(
                "answer {:?} {} gold options {:?}",
                snippet(&a),
                if hit { "in" } else { "not in" },
                opts
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::{self, *};

    #[test]
    fn parse_ids_table() {
        assert_eq!(parse_ids("1 2 3 4"), Ok(vec![1, 2, 3, 4]));
        assert_eq!(parse_ids("[1, 2; 3,\n4]"), Ok(vec![1, 2, 3, 4]));
        assert_eq!(parse_ids("`0`,`1`"), Ok(vec![0, 1]));
        assert!(parse_ids("1 2 x 4").is_err());
        assert!(parse_ids("1 -2").is_err());
        assert!(parse_ids("1.0 2").is_err());
        assert!(parse_ids("99999999999999999999999").is_err());
        assert_eq!(parse_ids(" , "), Err(ParseError::EmptyAnswer));
    }

    #[test]
    fn position_and_adjacency_hand_computed() {
        let g3: Vec<usize> = (1..=9).collect();
        // 3x3: swap pieces 1 and 2 -> 7 of 9 positions.
        let p = [2, 1, 3, 4, 5, 6, 7, 8, 9];
        assert!((position_credit(&p, &g3) - 7.0 / 9.0).abs() < 1e-12);
        // Adjacencies: 12 internal. Horizontal: row 0 (2,1), (1,3) broken; rows 1-2 all 4 kept.
        // Vertical: (2,4), (1,5) broken; (3,6) and the 3 pairs of rows 1->2 kept. Total 8.
        assert!((adjacency_credit(&p, &g3, 3, 3) - 8.0 / 12.0).abs() < 1e-12);
        // A shifted but intact block keeps adjacencies while every position is wrong:
        // 1x3 gold [1 2 3], answer [3 1 2] -> positions 0, adjacency (1,2) kept: 1/2.
        assert_eq!(position_credit(&[3, 1, 2], &[1, 2, 3]), 0.0);
        assert_eq!(adjacency_credit(&[3, 1, 2], &[1, 2, 3], 1, 3), 0.5);
        assert_eq!(adjacency_credit(&[1], &[1], 1, 1), 0.0);
        assert_eq!(adjacency_credit(&[1, 2], &[1, 2, 3], 1, 3), 0.0);
    }

    #[test]
    fn jigsaw_verifier_table() {
        let v = Jigsaw::default();
        let adj = Jigsaw {
            credit: JigsawCredit::Adjacency,
            ..Jigsaw::default()
        };
        let g = Gold::new("<answer>1 2 3 4</answer>");
        let table: [(&str, VerdictKind, f64, f64); 8] = [
            ("<answer>1 2 3 4</answer>", Correct, 1.0, 1.0),
            ("<answer>2 1 4 3</answer>", Incorrect, 0.0, 0.5),
            ("<answer>1 2 4 3</answer>", Partial, 0.5, 0.25),
            ("<answer>1 1 1 1</answer>", Partial, 0.25, 0.0),
            ("<answer>1 2 3</answer>", Malformed, 0.0, 0.0),
            ("<answer>1 2 3 5</answer>", Malformed, 0.0, 0.0),
            ("<answer>one two</answer>", Malformed, 0.0, 0.0),
            ("1 2 3 4", Malformed, 0.0, 0.0),
        ];
        for (c, k, pos, adj_s) in table {
            let r = v.verify(c, &g);
            assert_eq!((r.kind(), r.score()), (k, pos), "{c:?}: {r}");
            assert!(
                (adj.verify(c, &g).score() - adj_s).abs() < 1e-12,
                "adj {c:?}"
            );
        }
        // 0-based gold.
        assert!(v
            .verify("<answer>0 1 2 3</answer>", &Gold::new("0 1 2 3"))
            .is_correct());
        // Gold problems.
        for bad in ["1 2 3", "1 2 2 4", "2 3 4 5", "", "a b"] {
            assert_eq!(
                v.verify("<answer>1</answer>", &Gold::new(bad)).kind(),
                GoldUnparseable,
                "{bad:?}"
            );
        }
        let rect = Jigsaw {
            grid: Some((2, 3)),
            ..Jigsaw::default()
        };
        assert!(rect
            .verify("<answer>1 2 3 4 5 6</answer>", &Gold::new("1 2 3 4 5 6"))
            .is_correct());
        assert_eq!(
            rect.verify("<answer>1</answer>", &Gold::new("1 2 3 4"))
                .kind(),
            GoldUnparseable
        );
    }

    #[test]
    fn ssl_option_table() {
        let v = SslOption::default();
        let table: [(&str, &str, VerdictKind); 6] = [
            ("<answer>90</answer>", "90", Correct),
            ("<answer> Positive </answer>", "positive", Correct),
            (
                "<answer>upper left</answer>",
                "top-left, upper left",
                Correct,
            ),
            ("<answer>180</answer>", "90", Incorrect),
            ("<answer>90 degrees</answer>", "90", Incorrect),
            ("90", "90", Malformed),
        ];
        for (c, g, k) in table {
            assert_eq!(v.verify(c, &Gold::new(g)).kind(), k, "{c:?} vs {g:?}");
        }
        assert_eq!(
            v.verify("<answer>90</answer>", &Gold::new(" , ")).kind(),
            GoldUnparseable
        );
    }
}
