//! Conformance of the jigsaw-family verifiers with the reference code they name (issue 17).
//!
//! - `jigsaw`, `jigsaw_adjacency` ([`Jigsaw`]): zifuwanggg/Jigsaw-R1 at
//!   `781ebd4a7e61e648b095460991afa96bb5304a58`, `utils/reward.py`: `extract_answer(..,
//!   "grid", think)`, `process_jigsaw_string`, `score_jigsaw_patches`,
//!   `score_jigsaw_connections(.., forward=True)`.
//! - `ssl4rl_jigsaw` ([`Ssl4rlJigsaw`]) and `ssl4rl` ([`SslOption`]): PKU-ML/SSL4RL at
//!   `57c830a7b8a938e5a49d0f2a8fea8da2a1e9ae77`, `verl/utils/reward_score/jigsaw.py` and
//!   `verl/utils/reward_score/ssl4rl.py`, `compute_score`.
//!
//! Every expected value was worked out from the reference's formula (the comment on a row
//! says how). A row marked `Same` is one where the reference returns exactly our score
//! (`Mal` and `GoldBad` score 0); a row marked `Ref(..)` is a documented deviation (the
//! module header's **Deviations** list of `ocellus_rewards::jigsaw`) and carries the
//! reference's value and the reason. The rows were also run through the reference Python
//! functions themselves (a scratch script outside the repository), which agreed on every
//! `Same` row and returned the `Ref` value on every other row.
//!
//! Notation for adjacency comments: `h` = horizontal pairs of the answer grid, `v` = vertical
//! pairs; a pair is kept when its two pieces sit in the gold grid in the same row with gold
//! columns +1 apart (h), or in the same column with gold rows +1 apart (v); the credit is
//! kept / (2mn - m - n).

use ocellus_rewards::jigsaw::{Jigsaw, JigsawCredit, Ssl4rlJigsaw, SslOption};
use ocellus_rewards::{AnswerSource, Gold, VerdictKind, Verifier};

/// What our verifier must return.
#[derive(Clone, Copy, Debug)]
enum E {
    /// A scored verdict with exactly this score: `Correct` at 1, `Incorrect` at 0, else
    /// `Partial`.
    S(f64),
    /// `Malformed` (score 0).
    Mal,
    /// `GoldUnparseable` (score 0).
    GoldBad,
}
use E::*;

impl E {
    fn score(self) -> f64 {
        match self {
            S(x) => x,
            Mal | GoldBad => 0.0,
        }
    }
}

/// What the reference returns on the row, for one-score verifiers.
#[derive(Clone, Copy, Debug)]
enum R {
    /// Exactly our score.
    Same,
    /// A documented deviation: the reference's score and why ours differs.
    Ref(f64, &'static str),
}

/// What Jigsaw-R1 returns on a jigsaw row: (position credit, adjacency credit).
#[derive(Clone, Copy, Debug)]
enum R2 {
    /// Exactly our two scores.
    Same2,
    /// A documented deviation: the reference's two scores and why ours differ.
    Ref2(f64, f64, &'static str),
}
use R::*;
use R2::*;

fn check(v: &dyn Verifier, completion: &str, gold: &str, want: E, ctx: &str) {
    let r = v.verify(completion, &Gold::new(gold));
    let kind = match want {
        S(x) => {
            if x == 1.0 {
                VerdictKind::Correct
            } else if x == 0.0 {
                VerdictKind::Incorrect
            } else {
                VerdictKind::Partial
            }
        }
        Mal => VerdictKind::Malformed,
        GoldBad => VerdictKind::GoldUnparseable,
    };
    assert_eq!(
        (r.kind(), r.score()),
        (kind, want.score()),
        "{ctx} {}: {completion:?} vs gold {gold:?}: {r}",
        v.name()
    );
    let (lo, hi) = v.score_range();
    assert!(r.score().is_finite() && (lo..=hi).contains(&r.score()));
}

/// How our [`Jigsaw`] is built for a row.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// Defaults: `AnswerSource::Auto`, grid inferred from the gold.
    Infer,
    /// `grid: Some((m, n))`.
    Grid,
    /// `source: AnswerSource::Whole` (Jigsaw-R1's `think=False`), grid inferred.
    Whole,
}

struct JRow {
    completion: &'static str,
    gold: &'static str,
    /// Jigsaw-R1's `m` (rows) and `n` (columns) for this row.
    m: usize,
    n: usize,
    setup: Setup,
    pos: E,
    adj: E,
    reference: R2,
}

/// A row with our defaults (the reference runs with `think=True`).
#[allow(clippy::too_many_arguments)]
fn j(c: &'static str, g: &'static str, m: usize, n: usize, pos: E, adj: E, r: R2) -> JRow {
    jrow(c, g, m, n, Setup::Infer, pos, adj, r)
}
/// A row with `grid: Some((m, n))` (the reference runs with `think=True`).
fn jg(c: &'static str, g: &'static str, m: usize, n: usize, pos: E, adj: E, r: R2) -> JRow {
    jrow(c, g, m, n, Setup::Grid, pos, adj, r)
}
/// A row with `source: Whole` (the reference runs with `think=False`).
fn jw(c: &'static str, g: &'static str, m: usize, n: usize, pos: E, adj: E, r: R2) -> JRow {
    jrow(c, g, m, n, Setup::Whole, pos, adj, r)
}
#[allow(clippy::too_many_arguments)]
fn jrow(
    completion: &'static str,
    gold: &'static str,
    m: usize,
    n: usize,
    setup: Setup,
    pos: E,
    adj: E,
    reference: R2,
) -> JRow {
    JRow {
        completion,
        gold,
        m,
        n,
        setup,
        pos,
        adj,
        reference,
    }
}

// One row per line: the table reads better than rustfmt's layout.
#[rustfmt::skip]
fn jigsaw_r1_rows() -> Vec<JRow> {
    vec![
        // BEGIN JIGSAW ROWS
        // 2x2, gold [1 2 / 3 4]. Exact: every position and all 2*4-2-2 = 4 pairs.
        j("<think>ok</think>\n<answer>1 2 3 4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // Rows on lines, as Jigsaw-R1's prompt lays them out; gold [3 1 / 4 2], exact.
        j("<answer>3 1\n4 2</answer>", "[3, 1, 4, 2]", 2, 2, S(1.0), S(1.0), Same2),
        // Columns swapped: no position right; h (2,1) (4,3) reversed; v (2,4) (1,3) kept: 2/4.
        j("<answer>2 1 4 3</answer>", "1 2 3 4", 2, 2, S(0.0), S(0.5), Same2),
        // Positions 0, 1 right: 2/4. h (1,2) kept, (4,3) not; v (1,4), (2,3) not: 1/4.
        j("<answer>1 2 4 3</answer>", "1 2 3 4", 2, 2, S(0.5), S(0.25), Same2),
        // Duplicates are not checked: position 0 right (1/4); every pair has equal pieces or
        // pieces in the wrong relation: 0.
        j("<answer>1 1 1 1</answer>", "1 2 3 4", 2, 2, S(0.25), S(0.0), Same2),
        // Rotated by 180 degrees: no position, every pair reversed.
        j("<answer>4 3 2 1</answer>", "1 2 3 4", 2, 2, S(0.0), S(0.0), Same2),
        // Three ids for four: score_jigsaw_* return 0 on a length mismatch.
        j("<answer>1 2 3</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // Five ids: length mismatch, 0.
        j("<answer>1 2 3 4 4</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // 5 > m*n: process_jigsaw_string returns None, 0.
        j("<answer>1 2 3 5</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // 0 < 1: None, 0 (ids are 1-based in Jigsaw-R1).
        j("<answer>0 1 2 3</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // ',' is replaced by a space, the double space collapsed: [1, 2, 3, 4], exact.
        j("<answer>1, 2, 3, 4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // ';' is replaced too.
        j("<answer>1;2;3;4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // '`' is replaced too.
        j("<answer>`1` `2` `3` `4`</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // Runs of whitespace (\s{2,}) collapse to one space.
        j("<answer>1  2\n\n3   4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // Two tabs are a run of two whitespace characters: collapsed, a separator.
        j("<answer>1\t\t2 3 4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // Brackets: Jigsaw-R1's token "[1" is not [0-9]+, so None and 0.
        j("<answer>[1, 2, 3, 4]</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 2: brackets are separators here")),
        // Parentheses: token "(1" fails the same way.
        j("<answer>(1 2) (3 4)</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 2: parentheses are separators here")),
        // Single tabs are not replaced nor collapsed: one token "1\t2\t3\t4", None.
        j("<answer>1\t2\t3\t4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 2: a single tab separates here")),
        // A single U+00A0 stays inside the token "2\u00a03": None.
        j("<answer>1 2\u{a0}3 4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 2: a single NBSP separates here")),
        // Arabic-Indic three is not [0-9] (int() would take it, but fullmatch comes first).
        j("<answer>1 2 \u{663} 4</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // Full-width digits are not [0-9] either.
        j("<answer>\u{ff11} \u{ff12} \u{ff13} \u{ff14}</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // "+1" is not [0-9]+.
        j("<answer>+1 2 3 4</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // "4." is not [0-9]+.
        j("<answer>1 2 3 4.</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // Leading zeros pass [0-9]+ and int("01") == 1: exact.
        j("<answer>01 02 03 04</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // The block is stripped before parsing.
        j("<answer>\n 1 2\n3 4 \n</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // Numbers in the thinking are not read.
        j("<think>maybe 4 3 2 1</think>\n<answer>1 2 3 4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // Empty block: "" splits to [""], not [0-9]+: None.
        j("<answer></answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // Unclosed tag: no match, the whole output "<answer>1 2 3 4" is parsed; "<answer>1"
        // fails: 0.
        j("<answer>1 2 3 4", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // Two blocks, ours reads the last ([2 1 / 4 3]: 0 and 1/2), Jigsaw-R1 the first (exact).
        j("<answer>1 2 3 4</answer> wait <answer>2 1 4 3</answer>", "1 2 3 4", 2, 2, S(0.0), S(0.5), Ref2(1.0, 1.0, "deviation 1: last block, not first")),
        // The other order.
        j("<answer>2 1 4 3</answer> no: <answer>1 2 3 4</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.5, "deviation 1: last block, not first")),
        // No tag: Jigsaw-R1 grades the whole output, exact.
        j("1 2 3 4", "1 2 3 4", 2, 2, Mal, Mal, Ref2(1.0, 1.0, "deviation 1: no tag is malformed")),
        // Upper-case tags: no case-sensitive match, whole output, "<ANSWER>1" fails.
        j("<ANSWER>1 2 3 4</ANSWER>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 1: tags are case-insensitive")),
        // \boxed{} inside the block: token "\boxed{1" fails.
        j("<answer>\\boxed{1 2 3 4}</answer>", "1 2 3 4", 2, 2, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 1: \\boxed{} is unwrapped")),
        // think=False: the whole output, stripped, exact.
        jw("1 2 3 4", "1 2 3 4", 2, 2, S(1.0), S(1.0), Same2),
        // think=False, columns swapped: as row 3.
        jw("  2 1\n4 3 ", "1 2 3 4", 2, 2, S(0.0), S(0.5), Same2),
        // think=False with tags: the whole text is parsed, "<answer>1" fails.
        jw("<answer>1 2 3 4</answer>", "1 2 3 4", 2, 2, Mal, Mal, Same2),
        // 3x3 identity, exact.
        j("<answer>1 2 3\n4 5 6\n7 8 9</answer>", "1 2 3 4 5 6 7 8 9", 3, 3, S(1.0), S(1.0), Same2),
        // Swap 1 and 2: 7/9 positions. Pairs (12): h row 0 (2,1) (1,3) broken, rows 1-2 all
        // 4 kept; v (2,4) (1,5) broken, (3,6) and the 3 pairs rows 1->2 kept: 8/12.
        j("<answer>2 1 3 4 5 6 7 8 9</answer>", "1 2 3 4 5 6 7 8 9", 3, 3, S(7.0 / 9.0), S(8.0 / 12.0), Same2),
        // Rows rotated up: no position right; all 6 h kept; v rows 0->1 kept (3), rows 1->2
        // pair 7 over 1 (gold rows 2, 0): broken: 9/12.
        j("<answer>4 5 6 7 8 9 1 2 3</answer>", "1 2 3 4 5 6 7 8 9", 3, 3, S(0.0), S(0.75), Same2),
        // Transposed: the diagonal 1, 5, 9 right (3/9); every h pair is a gold v pair and vice
        // versa: 0.
        j("<answer>1 4 7 2 5 8 3 6 9</answer>", "1 2 3 4 5 6 7 8 9", 3, 3, S(3.0 / 9.0), S(0.0), Same2),
        // A duplicated 1 over the 2: 8/9 positions; h rows 1-2 (4); v (1,4) (4,7) (5,8) (3,6)
        // (6,9) (5); (1,1), (1,3), (1,5) broken: 9/12.
        j("<answer>1 1 3 4 5 6 7 8 9</answer>", "1 2 3 4 5 6 7 8 9", 3, 3, S(8.0 / 9.0), S(0.75), Same2),
        // 0-based gold: we accept ids 0..9; Jigsaw-R1's range 1..=9 rejects the 0: None.
        j("<answer>0 1 2 3 4 5 6 7 8</answer>", "0 1 2 3 4 5 6 7 8", 3, 3, S(1.0), S(1.0), Ref2(0.0, 0.0, "deviation 4: 0-based ids")),
        // 0-based 2x2 [0 1 / 2 3], answer [1 0 / 2 3]: 2/4; h (2,3) kept only: 1/4.
        j("<answer>1 0 2 3</answer>", "0 1 2 3", 2, 2, S(0.5), S(0.25), Ref2(0.0, 0.0, "deviation 4: 0-based ids")),
        // 1-based gold, a 0 in the answer: out of range in both.
        j("<answer>0 1 2 3 4 5 6 7 8</answer>", "1 2 3 4 5 6 7 8 9", 3, 3, Mal, Mal, Same2),
        // 2x1 (Jigsaw-R1's main grid), swapped: no position; the single v pair (2 over 1) has
        // gold rows 1, 0: broken. Ours reads 2 ids as 1x2: the h pair fails the same way.
        j("<answer>2\n1</answer>", "1 2", 2, 1, S(0.0), S(0.0), Same2),
        // 2x1, gold [2 / 1], exact.
        j("<answer>2\n1</answer>", "2 1", 2, 1, S(1.0), S(1.0), Same2),
        // 3x1, gold [3 / 1 / 2], answer [1 / 2 / 3]: no position; pair (1,2) at gold rows
        // 1, 2 kept, (2,3) at rows 2, 0 not: 1/2 (1x3 gives the same).
        j("<answer>1\n2\n3</answer>", "3 1 2", 3, 1, S(0.0), S(0.5), Same2),
        // 3x1, answer [3 / 2 / 1]: position 0 right (1/3); (3,2) rows 0, 2 and (2,1) rows 2, 1:
        // both broken.
        j("<answer>3 2 1</answer>", "3 1 2", 3, 1, S(1.0 / 3.0), S(0.0), Same2),
        // 4x1 configured, gold [2/3/4/1], answer [1/2/3/4]: no position; pairs (1,2) rows 3, 0
        // broken, (2,3) rows 0, 1 and (3,4) rows 1, 2 kept: 2/(8-4-1) = 2/3.
        jg("<answer>1\n2\n3\n4</answer>", "2 3 4 1", 4, 1, S(0.0), S(2.0 / 3.0), Same2),
        // The same 4x1 row left to inference: 4 ids are read as 2x2 ([2 3 / 4 1]); answer
        // [1 2 / 3 4]: only v (2,4) kept: 1/4, where Jigsaw-R1 (m=4, n=1) says 2/3.
        j("<answer>1\n2\n3\n4</answer>", "2 3 4 1", 4, 1, S(0.0), S(0.25), Ref2(0.0, 2.0 / 3.0, "deviation 5: 4 ids are read as 2x2; set grid")),
        // 2x3 configured, gold [1 2 3 / 4 5 6], answer [1 2 3 / 4 6 5]: 4/6 positions; h (1,2)
        // (2,3) kept, (4,6) (6,5) not; v (1,4) kept, (2,6) (3,5) not: 3/(12-2-3) = 3/7.
        jg("<answer>1 2 3\n4 6 5</answer>", "1 2 3 4 5 6", 2, 3, S(4.0 / 6.0), S(3.0 / 7.0), Same2),
        // 3x2 configured, gold [1 2 / 3 4 / 5 6], answer [1 2 / 3 4 / 6 5]: 4/6; h (1,2) (3,4)
        // kept, (6,5) not; v (1,3) (2,4) kept, (3,6) (4,5) not: 4/7.
        jg("<answer>1 2\n3 4\n6 5</answer>", "1 2 3 4 5 6", 3, 2, S(4.0 / 6.0), S(4.0 / 7.0), Same2),
        // 2x3 not configured: position credit needs no shape (4/6); adjacency does.
        j("<answer>1 2 3\n4 6 5</answer>", "1 2 3 4 5 6", 2, 3, S(4.0 / 6.0), GoldBad, Ref2(4.0 / 6.0, 3.0 / 7.0, "deviation 5: 6 ids need grid for adjacency")),
        // 1x1: exact; no internal pair, so score_jigsaw_connections returns 0 (total 0).
        j("<answer>1</answer>", "1", 1, 1, S(1.0), S(1.0), Ref2(1.0, 0.0, "deviation 6: an exact 1x1 is correct")),
        // END JIGSAW ROWS
    ]
}

#[test]
fn jigsaw_r1_conformance() {
    let rows = jigsaw_r1_rows();
    assert!(rows.len() >= 30, "{} rows", rows.len());
    for (i, row) in rows.iter().enumerate() {
        let base = match row.setup {
            Setup::Infer => Jigsaw::default(),
            Setup::Grid => Jigsaw {
                grid: Some((row.m, row.n)),
                ..Jigsaw::default()
            },
            Setup::Whole => Jigsaw {
                source: AnswerSource::Whole,
                ..Jigsaw::default()
            },
        };
        let adj = Jigsaw {
            credit: JigsawCredit::Adjacency,
            ..base
        };
        let ctx = format!("row {i}");
        check(&base, row.completion, row.gold, row.pos, &ctx);
        check(&adj, row.completion, row.gold, row.adj, &ctx);
        // A row flagged as a deviation must really differ from the reference.
        if let Ref2(p, a, why) = row.reference {
            assert!(
                p != row.pos.score() || a != row.adj.score(),
                "{ctx}: flagged ({why}) but equal to the reference"
            );
        }
    }
}

struct SRow {
    completion: &'static str,
    gold: &'static str,
    want: E,
    reference: R,
}

fn s(completion: &'static str, gold: &'static str, want: E, reference: R) -> SRow {
    SRow {
        completion,
        gold,
        want,
        reference,
    }
}

// One row per line: the table reads better than rustfmt's layout.
#[rustfmt::skip]
fn ssl4rl_jigsaw_rows() -> Vec<SRow> {
    vec![
        // BEGIN SSL4RL JIGSAW ROWS
        // 2x2, gold "3,2,1,4": four right, 4 x 0.25 = 1 exactly.
        s("<think>ok</think> <answer>3,2,1,4</answer>", "3,2,1,4", S(1.0), Same),
        // int(" 2") == 2: spaces after the commas are fine.
        s("<answer>3, 2, 1, 4</answer>", "3,2,1,4", S(1.0), Same),
        // Spaces in the gold too: int(" 2").
        s("<answer>3,2,1,4</answer>", "3, 2, 1, 4", S(1.0), Same),
        // The block is stripped; each piece is stripped by int().
        s("<answer> 3 , 2 , 1 , 4 </answer>", "3,2,1,4", S(1.0), Same),
        // Last two swapped: 0.25 + 0.25.
        s("<answer>3,2,4,1</answer>", "3,2,1,4", S(0.5), Same),
        // Too short: positions 0, 1 compared and right, 2, 3 missing: 0.5 (partial credit for
        // the wrong length, SSL4RL's formula).
        s("<answer>3,2</answer>", "3,2,1,4", S(0.5), Same),
        // Too long: the extra pieces are never looked at: 1.
        s("<answer>3,2,1,4,5,6</answer>", "3,2,1,4", S(1.0), Same),
        // Shifted by one: nothing right.
        s("<answer>4,1,2,3</answer>", "3,2,1,4", S(0.0), Same),
        // Duplicates are not checked: position 0 only.
        s("<answer>3,3,3,3</answer>", "3,2,1,4", S(0.25), Same),
        // A piece int() rejects adds nothing, the rest still count: positions 1, 2.
        s("<answer>x,2,1,9,9</answer>", "3,2,1,4", S(0.5), Same),
        // Spaces are not separators: one piece "3 2 1 4", int() raises: 0.
        s("<answer>3 2 1 4</answer>", "3,2,1,4", Mal, Same),
        // Nor are semicolons.
        s("<answer>3;2;1;4</answer>", "3,2,1,4", Mal, Same),
        // Brackets stay on the first and last piece: "[3", "4]" fail, 2 and 1 pay: 0.5.
        s("<answer>[3,2,1,4]</answer>", "3,2,1,4", S(0.5), Same),
        // int("+3") == 3.
        s("<answer>+3,2,1,4</answer>", "3,2,1,4", S(1.0), Same),
        // int("-3") == -3 != 3: 0.75.
        s("<answer>-3,2,1,4</answer>", "3,2,1,4", S(0.75), Same),
        // int("03") == 3.
        s("<answer>03,2,1,4</answer>", "3,2,1,4", S(1.0), Same),
        // int("0_4") == 4: underscores between digits.
        s("<answer>3,2,1,0_4</answer>", "3,2,1,4", S(1.0), Same),
        // int("4_") raises.
        s("<answer>3,2,1,4_</answer>", "3,2,1,4", S(0.75), Same),
        // int("4.0") raises.
        s("<answer>3,2,1,4.0</answer>", "3,2,1,4", S(0.75), Same),
        // An empty piece: int("") raises.
        s("<answer>3,,1,4</answer>", "3,2,1,4", S(0.75), Same),
        // Arabic-Indic digits: int() reads any Unicode decimal digit.
        s("<answer>\u{663},\u{662},\u{661},\u{664}</answer>", "3,2,1,4", S(1.0), Same),
        // Full-width digits likewise.
        s("<answer>\u{ff13},\u{ff12},\u{ff11},\u{ff14}</answer>", "3,2,1,4", S(1.0), Same),
        // U+001C/U+001F at the ends of the block: str.strip() removes them.
        s("<answer>\u{1c}3,2,1,4\u{1f}</answer>", "3,2,1,4", S(1.0), Same),
        // U+001C inside: int() does not strip it, so "\x1c4" raises.
        s("<answer>3,2,1,\u{1c}4</answer>", "3,2,1,4", S(0.75), Same),
        // A 41-digit integer: valid, but not 4.
        s("<answer>3,2,1,99999999999999999999999999999999999999999</answer>", "3,2,1,4", S(0.75), Same),
        // Empty block: "" splits to [""], int("") raises: 0.
        s("<answer></answer>", "3,2,1,4", Mal, Same),
        // No block: extract_answer returns None: 0.
        s("3,2,1,4", "3,2,1,4", Mal, Same),
        // Unclosed block: no match: 0.
        s("<answer>3,2,1,4", "3,2,1,4", Mal, Same),
        // Two blocks: ours reads the last (exact), SSL4RL the first (nothing right).
        s("<answer>4,1,2,3</answer><answer>3,2,1,4</answer>", "3,2,1,4", S(1.0), Ref(0.0, "deviation 1: last block, not first")),
        // The other order.
        s("<answer>3,2,1,4</answer> or <answer>4,1,2,3</answer>", "3,2,1,4", S(0.0), Ref(1.0, "deviation 1: last block, not first")),
        // Upper-case tags: no case-sensitive match, None.
        s("<Answer>3,2,1,4</Answer>", "3,2,1,4", S(1.0), Ref(0.0, "deviation 1: tags are case-insensitive")),
        // \boxed{} inside: "\boxed{3" and "4}" fail, 2 and 1 pay.
        s("<answer>\\boxed{3,2,1,4}</answer>", "3,2,1,4", S(1.0), Ref(0.5, "deviation 1: \\boxed{} is unwrapped")),
        // Text after the last "assistant\n" holds no block: None.
        s("<answer>3,2,1,4</answer>assistant\nhmm", "3,2,1,4", S(1.0), Ref(0.0, "deviation 1: the assistant marker is ignored")),
        // After the marker the first block is the right one; ours reads the last: same.
        s("<answer>4,1,2,3</answer>assistant\n<answer>3,2,1,4</answer>", "3,2,1,4", S(1.0), Same),
        // 3x3, gold ORDER_EXAMPLE[3]; exact: nine additions of 1/9 give 1.0000000000000002.
        s("<answer>8,9,3,2,1,4,7,5,6</answer>", "8,9,3,2,1,4,7,5,6", S(1.0), Ref(1.0000000000000002, "deviation 2: full marks are exactly 1")),
        // 3x3, first three right: 1/9 + 1/9 + 1/9 = 0.3333333333333333 (= 3/9 here).
        s("<answer>8,9,3,1,2,5,4,6,7</answer>", "8,9,3,2,1,4,7,5,6", S(0.3333333333333333), Same),
        // 3x3, eight of nine (the last missing): eight additions of 1/9 = 0.8888888888888891,
        // three ulp above 8/9.
        s("<answer>8,9,3,2,1,4,7,5</answer>", "8,9,3,2,1,4,7,5,6", S(0.8888888888888891), Same),
        // 3x3, seven of nine (5 and 6 swapped): 0.7777777777777779.
        s("<answer>8,9,3,2,1,4,7,6,5</answer>", "8,9,3,2,1,4,7,5,6", S(0.7777777777777779), Same),
        // 4x4, gold ORDER_EXAMPLE[4]; exact: sixteen additions of 1/16 are exact.
        s("<answer>7,9,16,13,11,8,12,15,14,6,4,5,3,2,10,1</answer>", "7,9,16,13,11,8,12,15,14,6,4,5,3,2,10,1", S(1.0), Same),
        // 4x4, first three right: 3/16 = 0.1875, exact in binary.
        s("<answer>7,9,16</answer>", "7,9,16,13,11,8,12,15,14,6,4,5,3,2,10,1", S(0.1875), Same),
        // 6x6, 35 of 36 (the last missing): 0.9722222222222225.
        s("<answer>1,16,17,4,5,12,24,26,13,10,14,18,31,19,20,2,3,21,35,22,23,29,8,6,7,9,11,30,32,27,28,33,15,34,25</answer>", "1,16,17,4,5,12,24,26,13,10,14,18,31,19,20,2,3,21,35,22,23,29,8,6,7,9,11,30,32,27,28,33,15,34,25,36", S(0.9722222222222225), Same),
        // A gold piece int() rejects: ours refuses the row; SSL4RL never pays positions 0, 3.
        s("<answer>3,2,1,4</answer>", "[3,2,1,4]", GoldBad, Ref(0.5, "deviation 3: gold must be integers")),
        // END SSL4RL JIGSAW ROWS
    ]
}

#[test]
fn ssl4rl_jigsaw_conformance() {
    let rows = ssl4rl_jigsaw_rows();
    assert!(rows.len() >= 30, "{} rows", rows.len());
    let v = Ssl4rlJigsaw::default();
    for (i, row) in rows.iter().enumerate() {
        check(&v, row.completion, row.gold, row.want, &format!("row {i}"));
        if let Ref(x, why) = row.reference {
            assert!(x != row.want.score(), "row {i}: flagged ({why}) but equal");
        }
    }
}

// One row per line: the table reads better than rustfmt's layout.
#[rustfmt::skip]
fn ssl4rl_option_rows() -> Vec<SRow> {
    vec![
        // BEGIN SSL4RL OPTION ROWS
        // Rotation, exact string.
        s("<think>turned left</think> <answer>90</answer>", "90", S(1.0), Same),
        // The block is stripped.
        s("<answer> 90 </answer>", "90", S(1.0), Same),
        s("<answer>\n90\n</answer>", "90", S(1.0), Same),
        // Another angle.
        s("<answer>180</answer>", "90", S(0.0), Same),
        // Strings are compared, not numbers: "090", "90.0", "90." differ from "90".
        s("<answer>090</answer>", "90", S(0.0), Same),
        s("<answer>90.0</answer>", "90", S(0.0), Same),
        s("<answer>90.</answer>", "90", S(0.0), Same),
        // Units are not removed.
        s("<answer>90 degrees</answer>", "90", S(0.0), Same),
        // No int() here: Arabic-Indic "90" is another string.
        s("<answer>\u{669}\u{660}</answer>", "90", S(0.0), Same),
        // Contrastive rows.
        s("<answer>positive</answer>", "positive", S(1.0), Same),
        s("<answer>negative</answer>", "positive", S(0.0), Same),
        // Case-sensitive comparison.
        s("<answer>Positive</answer>", "positive", S(0.0), Same),
        s("<answer>POSITIVE</answer>", "positive", S(0.0), Same),
        // Position rows.
        s("<answer>top-left</answer>", "top-left", S(1.0), Same),
        s("<answer>top left</answer>", "top-left", S(0.0), Same),
        s("<answer>top-left.</answer>", "top-left", S(0.0), Same),
        // U+2011 (non-breaking hyphen) is another character.
        s("<answer>top\u{2011}left</answer>", "top-left", S(0.0), Same),
        // str.strip() removes U+001C..U+001F and Unicode spaces.
        s("<answer>\u{1c}top-left\u{1f}</answer>", "top-left", S(1.0), Same),
        s("<answer>\u{a0}top-left\u{3000}</answer>", "top-left", S(1.0), Same),
        // The gold is split on commas and each option stripped.
        s("<answer>upper left</answer>", "top-left, upper left", S(1.0), Same),
        s("<answer>bottom-right</answer>", " bottom-right ", S(1.0), Same),
        s("<answer>ninety</answer>", "90, ninety", S(1.0), Same),
        s("<answer>90</answer>", "90, ninety", S(1.0), Same),
        // The answer is compared whole: it is neither option.
        s("<answer>top-left, upper left</answer>", "top-left, upper left", S(0.0), Same),
        s("<answer>top-left,upper left</answer>", "top-left, upper left", S(0.0), Same),
        // Empty block: "" equals no option of "90".
        s("<answer></answer>", "90", Mal, Same),
        // No block or an unclosed one: None, 0.
        s("90", "90", Mal, Same),
        s("<answer>90", "90", Mal, Same),
        // An empty option (trailing comma): SSL4RL's "" == "" pays the empty answer.
        s("<answer></answer>", "90,", Mal, Ref(1.0, "deviation 2: an empty answer never matches")),
        // Two blocks: ours reads the last, SSL4RL the first.
        s("<answer>90</answer><answer>180</answer>", "90", S(0.0), Ref(1.0, "deviation 1: last block, not first")),
        s("<answer>180</answer><answer>90</answer>", "90", S(1.0), Ref(0.0, "deviation 1: last block, not first")),
        // Upper-case tags: no case-sensitive match.
        s("<ANSWER>90</ANSWER>", "90", S(1.0), Ref(0.0, "deviation 1: tags are case-insensitive")),
        // \boxed{} inside the block: "\boxed{90}" is not "90".
        s("<answer>\\boxed{90}</answer>", "90", S(1.0), Ref(0.0, "deviation 1: \\boxed{} is unwrapped")),
        // Nothing after the last "assistant\n" holds a block.
        s("<answer>90</answer>assistant\nI think", "90", S(1.0), Ref(0.0, "deviation 1: the assistant marker is ignored")),
        // END SSL4RL OPTION ROWS
    ]
}

#[test]
fn ssl4rl_option_conformance() {
    let rows = ssl4rl_option_rows();
    assert!(rows.len() >= 30, "{} rows", rows.len());
    let v = SslOption::default();
    for (i, row) in rows.iter().enumerate() {
        check(&v, row.completion, row.gold, row.want, &format!("row {i}"));
        if let Ref(x, why) = row.reference {
            assert!(x != row.want.score(), "row {i}: flagged ({why}) but equal");
        }
    }
}
