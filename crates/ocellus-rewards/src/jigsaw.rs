//! Jigsaw puzzles and the other self-supervised answers (rotation, position, contrastive).
//!
//! Three verifiers: [`Jigsaw`] (`jigsaw`, `jigsaw_adjacency`: Jigsaw-R1's two credits),
//! [`Ssl4rlJigsaw`] (`ssl4rl_jigsaw`: SSL4RL's own, different, jigsaw credit) and
//! [`SslOption`] (`ssl4rl`: SSL4RL's exact-option answers).
//!
//! **Sources** (formulas read at the mirrors' commits named here)
//! - Jigsaw-R1 (Wang et al. 2025, arXiv 2505.23590), zifuwanggg/Jigsaw-R1 at
//!   `781ebd4a7e61e648b095460991afa96bb5304a58`, `utils/reward.py`:
//!   - `extract_answer(output, m, n, "grid", think)`: with `think`, the content of the **first**
//!     `<answer>…</answer>` (`re.search`, case-sensitive), `.strip()`ped; with no such block,
//!     or without `think`, the whole output stripped.
//!   - `process_jigsaw_string(m, n, s)`: replaces `` ` ``, `,`, `;` and `\n` by spaces,
//!     collapses every run of two or more whitespace characters (`\s{2,}`) to one space,
//!     strips, splits on single spaces. Every token must `re.fullmatch("[0-9]+")` (ASCII
//!     digits only, so `+3`, `٣`, `1_000` never reach `int()`) and lie in `1..=m*n`, else the
//!     whole answer is `None`. Neither the length nor duplicates are checked there.
//!   - `score_jigsaw_patches`: 0 for `None` or a length different from the gold's, else the
//!     number of positions holding the gold id divided by the length (one division).
//!   - `score_jigsaw_connections(.., forward=True)`: 0 for `None` or the wrong length, else
//!     the number of horizontal pairs `(i, j), (i, j+1)` whose pieces sit in the same gold row
//!     with gold columns differing by +1, plus the vertical pairs `(i, j), (i+1, j)` whose
//!     pieces sit in the same gold column with gold rows differing by +1, divided by
//!     `2mn - m - n` (0 when that is 0, i.e. for a 1x1 grid).
//!   - `accuracy_reward`: a `grid` row's reward is that score. `m` (rows) and `n` (columns)
//!     come from the dataset row; the `solution` is `patches_forward`, 1-based ids in raster
//!     order (`utils/jigsaw_utils.py` `create_grid_jigsaw_image`, `create_grid_jigsaw_input`);
//!     the prompt asks for the ids "arranged in a m x n grid", rows on lines, ids separated by
//!     spaces (`utils/prompt.py` `generate_jigsaw_string`, `generate_instruction`). Training
//!     grids are mostly `2x1`, `3x1`, `4x1` and their transposes (`grpo.py`, `README.md`).
//! - SSL4RL (arXiv 2510.16416), PKU-ML/SSL4RL at `57c830a7b8a938e5a49d0f2a8fea8da2a1e9ae77`,
//!   both files sharing their extraction: the text after the last `"assistant\n"` (or the whole
//!   text) stripped, then the content of the **first** `<answer>…</answer>` (case-sensitive),
//!   `.strip()`ped; no block scores 0.
//!   - `verl/utils/reward_score/ssl4rl.py` `compute_score` (rotation, position, contrastive
//!     rows): 1 if the answer is **exactly** (case-sensitive, nothing but Python's `strip()`)
//!     one of `[a.strip() for a in ground_truth.split(",")]`, else 0.
//!   - `verl/utils/reward_score/jigsaw.py` `compute_score` (`JigsawQA` rows): splits gold and
//!     answer on **commas only**; for each gold position `i`, adds `1.0 / len(gold)` when the
//!     answer has an `i`-th piece and `int(gold[i]) == int(answer[i])` (a piece `int()`
//!     rejects adds nothing). Extra answer pieces are ignored and missing ones add nothing, so
//!     an answer of the wrong length still earns partial credit. Gold is the 1-based inverse
//!     permutation joined by `,` (`build_benchmarks/makejigsaw_*.py`). This is **not**
//!     Jigsaw-R1's formula: no range check, no all-or-nothing parse, no length check.
//!
//! **Deviations**
//!
//! [`Jigsaw`] (`jigsaw`, `jigsaw_adjacency`) from Jigsaw-R1 `utils/reward.py`:
//! 1. Answer location: [`AnswerSource::Auto`] (the crate's rule, [`crate::extract`]): the
//!    **last** complete `<answer>` block, tags matched ASCII case-insensitively, a `\boxed{}`
//!    inside unwrapped, and no tag is [`Verdict::Malformed`]. Jigsaw-R1's `extract_answer`
//!    takes the first block, case-sensitively, and grades the whole output when there is no
//!    block. Its non-thinking mode (`think=False`: the whole output) is
//!    [`AnswerSource::Whole`], which agrees exactly.
//! 2. Separators: any whitespace character (a single tab, `\r`, U+00A0, U+3000, U+001C–U+001F
//!    included), `,`, `;`, `` ` ``, `[`, `]`, `(`, `)`. Jigsaw-R1 keeps a *single* non-space
//!    whitespace character inside its token (`1\t2` is then not `[0-9]+`) and rejects brackets
//!    (`[1, 2, 3, 4]` scores 0 there). Every answer Jigsaw-R1 accepts gives the same ids here.
//! 3. Ids are ASCII digit strings (leading zeros allowed), as in Jigsaw-R1 (`+3`, `٣`, `1_000`,
//!    `3.0` make the answer malformed, which scores 0 like Jigsaw-R1's `None`).
//! 4. 0-based gold (a permutation of `0..N`) is accepted and then ids `0..N` are valid;
//!    Jigsaw-R1's range is always `1..=m*n` (its data is 1-based), where such a row scores 0.
//! 5. Grid shape: [`Gold`] carries no `m`, `n`; [`Jigsaw::grid`] sets them, otherwise a
//!    square number of ids is read as `s x s` and a prime number as one row (`1 x n` and
//!    `n x 1` give the same adjacency score). Position credit needs no shape; adjacency credit
//!    for other lengths (4x1 read as 2x2!, 2x3, ...) needs `grid`.
//! 6. An exact 1x1 answer is [`Verdict::Correct`] (1) under adjacency credit; Jigsaw-R1's
//!    `score_jigsaw_connections` returns 0 for it (no internal connection to count).
//! 7. Only the forward format (`forward=True`, Jigsaw-R1's default) is implemented.
//! 8. A gold that is not a permutation of `0..N` or `1..=N` is [`Verdict::GoldUnparseable`];
//!    Jigsaw-R1 does not check its gold.
//!
//! [`Ssl4rlJigsaw`] (`ssl4rl_jigsaw`) from SSL4RL `verl/utils/reward_score/jigsaw.py`:
//! 1. Answer location as in deviation 1 above. SSL4RL reads the first block, case-sensitively,
//!    after the last `"assistant\n"` (verl passes the decoded response only, so that marker
//!    is normally absent).
//! 2. All positions right scores exactly 1.0. The reference adds `1/len` once per right
//!    position, which for a full answer rounds to 1 ± a few ulp: 1.0000000000000002 for its
//!    3x3, 5x5 and 6x6 grids (outside [0, 1]), exactly 1 for 2x2 and 4x4. Partial credit is
//!    summed the same way as the reference's and agrees bit for bit (eight of nine right is
//!    0.8888888888888891, not 8/9).
//! 3. A gold piece `int()` rejects is [`Verdict::GoldUnparseable`] (the reference silently
//!    never pays that position). Gold is not required to be a permutation, as in the reference.
//! 4. `int()` is reproduced (surrounding whitespace, one sign, `_` between digits, any Unicode
//!    decimal digit, at most 4300 digits) with the decimal digits of Unicode 14.0 (Python
//!    3.11); Python 3.12+ also knows the few digit blocks added since.
//! 5. An answer none of whose comma-separated pieces is an integer (`3 2 1 4`, `none`) is
//!    [`Verdict::Malformed`]; it scores 0 as in the reference.
//!
//! [`SslOption`] (`ssl4rl`) from SSL4RL `verl/utils/reward_score/ssl4rl.py`:
//! 1. Answer location as in deviation 1 above (the reference: as for its jigsaw).
//! 2. An empty answer is [`Verdict::Malformed`] and empty gold options are dropped; the
//!    reference pays 1 for `<answer></answer>` when the gold has an empty option (`"90,"`).
//! 3. [`SslMatch::Loose`] (not the default) also ignores ASCII case and one trailing `.`.

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::text::gold_text;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};

/// Whether `c` separates patch ids (deviation 2 of [`Jigsaw`]): every character Python's `\s`
/// matches (Rust's whitespace plus U+001C–U+001F), Jigsaw-R1's `` ` ``, `,`, `;`, and brackets.
fn is_id_separator(c: char) -> bool {
    c.is_whitespace()
        || ('\u{1c}'..='\u{1f}').contains(&c)
        || matches!(c, ',' | ';' | '`' | '[' | ']' | '(' | ')')
}

/// Parses a sequence of patch ids (see [`Jigsaw`] deviations 2 and 3): tokens separated by
/// whitespace, `,`, `;`, `` ` ``, brackets; every token must be ASCII digits (Jigsaw-R1's
/// `[0-9]+`). At most 10000 ids.
pub fn parse_ids(text: &str) -> Result<Vec<usize>, ParseError> {
    let mut out = Vec::new();
    for tok in text.split(is_id_separator).filter(|t| !t.is_empty()) {
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
    /// Fraction of positions right (Jigsaw-R1 `score_jigsaw_patches`). The default.
    #[default]
    Position,
    /// Fraction of internal adjacencies preserved (Jigsaw-R1 `score_jigsaw_connections`,
    /// forward format).
    Adjacency,
}

/// Fraction of positions where `pred[i] == gold[i]` (Jigsaw-R1 `score_jigsaw_patches`: 0 when
/// the lengths differ).
pub fn position_credit(pred: &[usize], gold: &[usize]) -> f64 {
    if gold.is_empty() || pred.len() != gold.len() {
        return 0.0;
    }
    pred.iter().zip(gold).filter(|(p, g)| p == g).count() as f64 / gold.len() as f64
}

/// Fraction of the `2 m n - m - n` internal adjacencies of the predicted `rows x cols` grid
/// whose pieces are adjacent in the same direction in the gold grid (Jigsaw-R1
/// `score_jigsaw_connections`, forward format). 0 when the grid has no internal adjacency or
/// the lengths differ; ids missing from `gold` never count.
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

fn is_prime(n: usize) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

/// The grid of `n` gold ids (deviation 5 of [`Jigsaw`]): the configured one, else `s x s` for
/// a square `n`, `1 x n` for a prime `n`, else unknown (`None`).
fn grid_shape(
    n: usize,
    grid: Option<(usize, usize)>,
) -> Result<Option<(usize, usize)>, ParseError> {
    match grid {
        Some((r, c)) if r.saturating_mul(c) == n => Ok(Some((r, c))),
        Some((r, c)) => Err(ParseError::WrongCount {
            what: "gold patches for the configured grid",
            expected: r.saturating_mul(c),
            found: n,
        }),
        None => {
            let s = (n as f64).sqrt().round() as usize;
            Ok(if s * s == n {
                Some((s, s))
            } else if is_prime(n) {
                Some((1, n))
            } else {
                None
            })
        }
    }
}

/// Jigsaw permutations with Jigsaw-R1's credits (`utils/reward.py`; see the module docs for
/// its formulas and our deviations). Gold: the patch ids in raster order (`"2 1 4 3"`,
/// `"[2, 1, 4, 3]"`), a permutation of `1..=N` (Jigsaw-R1) or `0..N`. An answer that is not
/// exactly `N` ids of that range is [`Verdict::Malformed`] (Jigsaw-R1: 0); duplicates are
/// allowed, as in Jigsaw-R1. Scores in [0, 1]; the exact permutation is [`Verdict::Correct`].
/// For SSL4RL's jigsaw reward use [`Ssl4rlJigsaw`].
///
/// ```
/// use ocellus_rewards::{jigsaw::{Jigsaw, JigsawCredit}, Gold, Verifier};
/// let v = Jigsaw::default(); // position credit
/// let gold = Gold::new("[3, 1, 4, 2]");
/// assert!(v.verify("<answer>3 1 4 2</answer>", &gold).is_correct());
/// assert_eq!(v.verify("<answer>3 1\n2 4</answer>", &gold).score(), 0.5);
/// assert_eq!(v.verify("<answer>3 1 4</answer>", &gold).kind().as_str(), "malformed");
/// assert_eq!(v.verify("<answer>3 1 4 5</answer>", &gold).kind().as_str(), "malformed");
/// // A 2x3 grid: position credit needs no shape, adjacency credit does.
/// let gold = Gold::new("1 2 3 4 5 6");
/// assert_eq!(v.verify("<answer>1 2 3 4 6 5</answer>", &gold).score(), 4.0 / 6.0);
/// let adj = Jigsaw { credit: JigsawCredit::Adjacency, grid: Some((2, 3)), ..Jigsaw::default() };
/// // Gold [1 2 3 / 4 5 6], answer [1 2 3 / 4 6 5]: of the 2*6-2-3 = 7 adjacencies, (1,2),
/// // (2,3) and (1 above 4) are kept; (4,6), (6,5), (2 above 6), (3 above 5) are not.
/// assert_eq!(adj.verify("<answer>1 2 3 4 6 5</answer>", &gold).score(), 3.0 / 7.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Jigsaw {
    /// Which partial credit.
    pub credit: JigsawCredit,
    /// Grid `(rows, cols)` = Jigsaw-R1's `(m, n)`. When `None`: `s x s` for a square number of
    /// ids, one row for a prime number, otherwise unknown (fine for position credit; adjacency
    /// credit then reports the gold as unparseable). 4 ids are read as 2x2: set
    /// `Some((4, 1))` for Jigsaw-R1's 4x1 puzzles.
    pub grid: Option<(usize, usize)>,
    /// Where the answer is read ([`AnswerSource::Whole`] for Jigsaw-R1's `think=False`).
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
        let shape = match grid_shape(n, self.grid) {
            Ok(s) => s,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let shape = match (self.credit, shape) {
            (JigsawCredit::Adjacency, None) => {
                return Verdict::GoldUnparseable(ParseError::Invalid {
                    what: "grid",
                    why: format!(
                        "{n} patches is neither a square nor a single row; configure rows x cols"
                    ),
                })
            }
            (_, s) => s,
        };
        let p = match extract_answer(completion, self.source).and_then(parse_ids) {
            Ok(p) => p,
            Err(e) => return Verdict::Malformed(e),
        };
        // Jigsaw-R1: score_jigsaw_* return 0 for a length other than the gold's.
        if p.len() != n {
            return Verdict::Malformed(ParseError::WrongCount {
                what: "patch ids",
                expected: n,
                found: p.len(),
            });
        }
        // Jigsaw-R1: process_jigsaw_string returns None for an id outside 1..=m*n.
        if let Some(bad) = p.iter().find(|&&id| id < base || id >= base + n) {
            return Verdict::Malformed(ParseError::Invalid {
                what: "patch id",
                why: format!("{bad} outside {base}..{}", base + n),
            });
        }
        if p == g {
            return Verdict::Correct {
                score: 1.0,
                reason: format!("exact permutation of {n} patches"),
            };
        }
        let (score, what) = match (self.credit, shape) {
            (JigsawCredit::Adjacency, Some((rows, cols))) => (
                adjacency_credit(&p, &g, rows, cols),
                format!("{rows}x{cols} adjacencies kept"),
            ),
            _ => (position_credit(&p, &g), format!("{n} positions right")),
        };
        Verdict::graded(score, 0.0, 1.0, format!("{score:.4} of {what}"))
    }
}

/// The Unicode 14.0 decimal digits (`Nd`, the digits Python 3.11's `int()` accepts): the code
/// point of each script's zero; the nine digits after it follow in order (a Unicode stability
/// guarantee). Generated with `unicodedata` of Python 3.11.
const DECIMAL_ZEROS: [u32; 66] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The value of a Unicode decimal digit (Python's `unicodedata.decimal`).
fn decimal_value(c: char) -> Option<u32> {
    let cp = c as u32;
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= cp);
    let zero = *DECIMAL_ZEROS.get(i.checked_sub(1)?)?;
    (cp - zero < 10).then_some(cp - zero)
}

/// What Python's `int(text)` (base 10) makes of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PyInt {
    /// The value.
    Value(i128),
    /// A valid integer too large for `i128` (equal to no gold id).
    TooLarge,
    /// `int()` raises `ValueError`.
    NotInt,
}

/// The most digits `int()` converts (`sys.get_int_max_str_digits()` default, Python 3.11+ and
/// the 3.10.7 / 3.9.14 backports); longer strings raise `ValueError`.
const PY_INT_MAX_STR_DIGITS: usize = 4300;

/// Python's `int(text)` for a `str`: surrounding whitespace (exactly Rust's
/// `char::is_whitespace` set; U+001C–U+001F are *not* stripped by `int()`), one optional `+`
/// or `-`, then Unicode decimal digits with single `_` between digits, at most 4300 digits.
/// Linear in the length.
fn py_int(text: &str) -> PyInt {
    let s = text.trim_matches(char::is_whitespace);
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let mut value: Option<i128> = Some(0);
    let mut digits = 0usize;
    let mut after_digit = false;
    for c in body.chars() {
        if c == '_' {
            if !after_digit {
                return PyInt::NotInt;
            }
            after_digit = false;
            continue;
        }
        let Some(d) = decimal_value(c) else {
            return PyInt::NotInt;
        };
        digits += 1;
        after_digit = true;
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(i128::from(d)));
    }
    if digits == 0 || !after_digit || digits > PY_INT_MAX_STR_DIGITS {
        return PyInt::NotInt;
    }
    match value {
        Some(v) if neg => PyInt::Value(-v),
        Some(v) => PyInt::Value(v),
        None => PyInt::TooLarge,
    }
}

/// Python's `str.strip()`: Rust's whitespace plus U+001C–U+001F (`str.isspace()`).
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// SSL4RL's jigsaw reward (`verl/utils/reward_score/jigsaw.py` `compute_score`; see the module
/// docs for the formula and our deviations). Gold: the ids joined by commas (`"3,2,1,4"`),
/// each an integer as Python's `int()` reads it. The answer is split on **commas only**;
/// position `i` earns `1/len(gold)` when the answer's `i`-th piece is the same integer, so
/// wrong lengths, duplicates and stray pieces still earn credit for the positions that match.
/// Scores in [0, 1]; all positions right is [`Verdict::Correct`].
///
/// ```
/// use ocellus_rewards::{jigsaw::Ssl4rlJigsaw, Gold, Verifier};
/// let v = Ssl4rlJigsaw::default();
/// let gold = Gold::new("3,2,1,4");
/// assert!(v.verify("<answer>3, 2, 1, 4</answer>", &gold).is_correct());
/// // Too short, and one piece that int() rejects: positions 1 and 2 still pay.
/// assert_eq!(v.verify("<answer>3,2</answer>", &gold).score(), 0.5);
/// assert_eq!(v.verify("<answer>x,2,1,9,9</answer>", &gold).score(), 0.5);
/// // Spaces do not separate: one piece, "3 2 1 4", which is not an integer.
/// assert_eq!(v.verify("<answer>3 2 1 4</answer>", &gold).kind().as_str(), "malformed");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Ssl4rlJigsaw {
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for Ssl4rlJigsaw {
    fn name(&self) -> &'static str {
        "ssl4rl_jigsaw"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let gold_str = match gold_text(gold) {
            Ok(g) => g,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let mut g = Vec::new();
        for piece in gold_str.split(',') {
            match py_int(piece) {
                PyInt::Value(v) => g.push(v),
                _ => {
                    return Verdict::GoldUnparseable(ParseError::Invalid {
                        what: "gold position",
                        why: format!("{:?} is not an integer", snippet(piece)),
                    })
                }
            }
        }
        let answer = match extract_answer(completion, self.source) {
            Ok(a) => py_strip(a),
            Err(e) => return Verdict::Malformed(e),
        };
        if answer.is_empty() {
            return Verdict::Malformed(ParseError::EmptyAnswer);
        }
        // jigsaw.py: `score += 1. / gt_length` per right position, summed in order, so the
        // partial scores carry the same rounding as the reference's.
        let step = 1.0 / g.len() as f64;
        let (mut score, mut right, mut ints, mut pieces) = (0.0f64, 0usize, 0usize, 0usize);
        for piece in answer.split(',') {
            let i = pieces;
            pieces += 1;
            match py_int(piece) {
                PyInt::Value(v) => {
                    ints += 1;
                    if g.get(i) == Some(&v) {
                        score += step;
                        right += 1;
                    }
                }
                PyInt::TooLarge => ints += 1,
                PyInt::NotInt => {}
            }
        }
        if ints == 0 {
            return Verdict::Malformed(ParseError::Invalid {
                what: "jigsaw order",
                why: format!(
                    "no comma-separated integer in {:?} (SSL4RL splits on commas only)",
                    snippet(answer)
                ),
            });
        }
        let reason = format!(
            "{right} of {} positions right (answer has {pieces} comma-separated pieces)",
            g.len()
        );
        if right == g.len() {
            // Deviation 2: exactly 1, not the reference's 1 ± a few ulp.
            return Verdict::Correct { score: 1.0, reason };
        }
        Verdict::graded(score, 0.0, 1.0, reason)
    }
}

/// How [`SslOption`] compares the answer with each gold option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SslMatch {
    /// Equal after Python's `strip()` on both sides, case-sensitive (SSL4RL `ssl4rl.py`).
    /// The default.
    #[default]
    Exact,
    /// Also ignores ASCII case and one trailing `.` (`Top-Left.` matches `top-left`).
    Loose,
}

/// SSL4RL's exact-option answers (`verl/utils/reward_score/ssl4rl.py` `compute_score`:
/// rotation angle, crop position, positive/negative). Gold: comma-separated accepted answers
/// (`"top-left, upper left"`). Scores 1 or 0.
///
/// ```
/// use ocellus_rewards::{jigsaw::{SslMatch, SslOption}, Gold, Verifier};
/// let v = SslOption::default();
/// let gold = Gold::new("top-left, upper left");
/// assert!(v.verify("<answer> upper left </answer>", &gold).is_correct());
/// assert!(!v.verify("<answer>Top-Left.</answer>", &gold).is_correct());
/// let loose = SslOption { matching: SslMatch::Loose, ..SslOption::default() };
/// assert!(loose.verify("<answer>Top-Left.</answer>", &gold).is_correct());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SslOption {
    /// Where the answer is read.
    pub source: AnswerSource,
    /// How the answer is compared with each option.
    pub matching: SslMatch,
}

impl SslOption {
    fn norm(self, s: &str) -> String {
        match self.matching {
            SslMatch::Exact => py_strip(s).to_string(),
            SslMatch::Loose => {
                let s = py_strip(s);
                py_strip(s.strip_suffix('.').unwrap_or(s)).to_ascii_lowercase()
            }
        }
    }
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
                .map(|o| self.norm(o))
                .filter(|s| !s.is_empty())
                .collect(),
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        if opts.is_empty() {
            return Verdict::GoldUnparseable(ParseError::EmptyAnswer);
        }
        let a = match extract_answer(completion, self.source) {
            Ok(a) => self.norm(a),
            Err(e) => return Verdict::Malformed(e),
        };
        if a.is_empty() {
            return Verdict::Malformed(ParseError::EmptyAnswer);
        }
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
        assert_eq!(parse_ids("1\t2\u{1c}3\u{3000}04"), Ok(vec![1, 2, 3, 4]));
        assert!(parse_ids("1 2 x 4").is_err());
        assert!(parse_ids("1 -2").is_err());
        assert!(parse_ids("1 +2").is_err());
        assert!(parse_ids("1.0 2").is_err());
        assert!(parse_ids("1 \u{663}").is_err());
        assert!(parse_ids("1_000").is_err());
        assert!(parse_ids("99999999999999999999999").is_err());
        assert_eq!(parse_ids(" , "), Err(ParseError::EmptyAnswer));
    }

    #[test]
    fn py_int_matches_python() {
        // Each value checked against CPython 3.11.7's int().
        use PyInt::*;
        let table: [(&str, PyInt); 24] = [
            ("3", Value(3)),
            ("+3", Value(3)),
            ("-3", Value(-3)),
            ("-0", Value(0)),
            (" 3\n", Value(3)),
            ("\u{a0}3\u{2028}", Value(3)),
            ("\u{85}3", Value(3)),
            ("03", Value(3)),
            ("1_000", Value(1000)),
            ("\u{663}", Value(3)),
            ("\u{661}\u{660}", Value(10)),
            ("\u{967}_\u{968}", Value(12)),
            ("\u{ff13}", Value(3)),
            ("\u{1d7d1}", Value(3)),
            ("1__0", NotInt),
            ("_1", NotInt),
            ("1_", NotInt),
            ("+ 3", NotInt),
            ("++3", NotInt),
            ("\u{1c}3", NotInt),
            ("\u{200b}3", NotInt),
            ("3.0", NotInt),
            ("\u{b2}", NotInt),
            ("", NotInt),
        ];
        for (s, want) in table {
            assert_eq!(py_int(s), want, "{s:?}");
        }
        assert_eq!(py_int("  "), NotInt);
        assert_eq!(py_int("+"), NotInt);
        assert_eq!(py_int("0x3"), NotInt);
        assert_eq!(py_int(&"9".repeat(60)), TooLarge);
        let long = format!("{}3", "0".repeat(4299));
        assert_eq!(py_int(&long), Value(3));
        let too_long = format!("{}3", "0".repeat(4300));
        assert_eq!(py_int(&too_long), NotInt);
        assert_eq!(py_int(&format!("{}3", "1_".repeat(2200))), TooLarge);
    }

    #[test]
    fn decimal_value_edges() {
        assert_eq!(decimal_value('0'), Some(0));
        assert_eq!(decimal_value('9'), Some(9));
        assert_eq!(decimal_value('/'), None);
        assert_eq!(decimal_value(':'), None);
        assert_eq!(decimal_value('\u{669}'), Some(9));
        assert_eq!(decimal_value('\u{66a}'), None);
        assert_eq!(decimal_value('\u{1d7ff}'), Some(9));
        assert_eq!(decimal_value('\u{1fbf9}'), Some(9));
        assert_eq!(decimal_value('\u{1fbfa}'), None);
        assert_eq!(decimal_value('\u{10ffff}'), None);
    }

    #[test]
    fn py_strip_includes_information_separators() {
        assert_eq!(py_strip("\u{1c} a b\u{1f}\u{3000}"), "a b");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
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
        assert_eq!(adjacency_credit(&[3, 1, 2], &[1, 2, 3], 3, 1), 0.5);
        assert_eq!(adjacency_credit(&[1], &[1], 1, 1), 0.0);
        assert_eq!(adjacency_credit(&[1, 2], &[1, 2, 3], 1, 3), 0.0);
    }

    #[test]
    fn grid_shape_inference() {
        assert_eq!(grid_shape(4, None), Ok(Some((2, 2))));
        assert_eq!(grid_shape(9, None), Ok(Some((3, 3))));
        assert_eq!(grid_shape(1, None), Ok(Some((1, 1))));
        assert_eq!(grid_shape(2, None), Ok(Some((1, 2))));
        assert_eq!(grid_shape(7, None), Ok(Some((1, 7))));
        assert_eq!(grid_shape(6, None), Ok(None));
        assert_eq!(grid_shape(4, Some((4, 1))), Ok(Some((4, 1))));
        assert!(grid_shape(4, Some((2, 3))).is_err());
        assert!(grid_shape(4, Some((usize::MAX, 2))).is_err());
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
        // Gold problems. ("1 2 3" is a valid 1x3 gold since position credit needs no square.)
        for bad in ["1 3 4", "1 2 2 4", "2 3 4 5", "", "a b"] {
            assert_eq!(
                v.verify("<answer>1</answer>", &Gold::new(bad)).kind(),
                GoldUnparseable,
                "{bad:?}"
            );
        }
        // Six ids: fine for positions, adjacency needs the shape.
        let six = Gold::new("1 2 3 4 5 6");
        assert!(v.verify("<answer>1 2 3 4 5 6</answer>", &six).is_correct());
        assert_eq!(
            adj.verify("<answer>1 2 3 4 5 6</answer>", &six).kind(),
            GoldUnparseable
        );
        let rect = Jigsaw {
            grid: Some((2, 3)),
            ..Jigsaw::default()
        };
        assert!(rect
            .verify("<answer>1 2 3 4 5 6</answer>", &six)
            .is_correct());
        assert_eq!(
            rect.verify("<answer>1</answer>", &Gold::new("1 2 3 4"))
                .kind(),
            GoldUnparseable
        );
    }

    #[test]
    fn ssl4rl_jigsaw_table() {
        let v = Ssl4rlJigsaw::default();
        let g = Gold::new("3,2,1,4");
        let table: [(&str, VerdictKind, f64); 7] = [
            ("<answer>3,2,1,4</answer>", Correct, 1.0),
            ("<answer>3,2,1,4,5</answer>", Correct, 1.0),
            ("<answer>3,2,4,1</answer>", Partial, 0.5),
            ("<answer>1,2,3</answer>", Partial, 0.25),
            ("<answer>4,1,2,3</answer>", Incorrect, 0.0),
            ("<answer>3 2 1 4</answer>", Malformed, 0.0),
            ("3,2,1,4", Malformed, 0.0),
        ];
        for (c, k, s) in table {
            let r = v.verify(c, &g);
            assert_eq!((r.kind(), r.score()), (k, s), "{c:?}: {r}");
        }
        for bad in ["3,2,,4", "[3,2,1,4]", "3 2 1 4", ""] {
            assert_eq!(
                v.verify("<answer>1</answer>", &Gold::new(bad)).kind(),
                GoldUnparseable,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ssl_option_table() {
        let v = SslOption::default();
        let loose = SslOption {
            matching: SslMatch::Loose,
            ..SslOption::default()
        };
        // (completion, gold, exact kind, loose kind)
        let table: [(&str, &str, VerdictKind, VerdictKind); 9] = [
            ("<answer>90</answer>", "90", Correct, Correct),
            ("<answer> positive </answer>", "positive", Correct, Correct),
            // ssl4rl.py compares case-sensitively: the old default (case-folding) is Loose.
            (
                "<answer> Positive </answer>",
                "positive",
                Incorrect,
                Correct,
            ),
            ("<answer>top-left.</answer>", "top-left", Incorrect, Correct),
            (
                "<answer>upper left</answer>",
                "top-left, upper left",
                Correct,
                Correct,
            ),
            ("<answer>180</answer>", "90", Incorrect, Incorrect),
            ("<answer>90 degrees</answer>", "90", Incorrect, Incorrect),
            ("<answer>\u{1c}90</answer>", "90", Correct, Correct),
            ("90", "90", Malformed, Malformed),
        ];
        for (c, g, k, kl) in table {
            assert_eq!(v.verify(c, &Gold::new(g)).kind(), k, "{c:?} vs {g:?}");
            assert_eq!(loose.verify(c, &Gold::new(g)).kind(), kl, "{c:?} vs {g:?}");
        }
        assert_eq!(
            v.verify("<answer>90</answer>", &Gold::new(" , ")).kind(),
            GoldUnparseable
        );
        assert_eq!(
            v.verify("<answer>\u{1c}</answer>", &Gold::new("90,"))
                .kind(),
            Malformed
        );
    }
}
