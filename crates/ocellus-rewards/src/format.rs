//! Format rewards: is the tag structure present and well-formed?
//!
//! **Sources** (bare mirrors of the reference repositories; commits as read)
//! - VLM-R1 (arXiv 2504.07615), `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py`,
//!   `format_reward` (om-ai-lab/VLM-R1 @ 90052f4), and CLS-RL (arXiv 2503.16188),
//!   `src/cls-rl/src/open_r1/grpo.py`, `format_reward` (minglllli/CLS-RL @ 0dc42e0): both use
//!   the same pattern the same way, `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>",
//!   content, re.DOTALL)` on the unstripped completion, reward 1/0.
//!   [`FormatRule::ThinkAnswerRegex`] gives the same bit on every input.
//! - Jigsaw-R1, `utils/reward.py`, `format_reward` (zifuwanggg/Jigsaw-R1 @ 781ebd4), thinking
//!   mode: the same pattern, but applied with `re.search` and kept only if `match.group(0)`
//!   is the whole output. The leftmost match with lazy `.*?` ends at the first `</answer>`
//!   after the answer tag, so this is stricter than `fullmatch`:
//!   `<think>a</think><answer>1</answer><answer>2</answer>` passes `fullmatch` and fails here.
//!   [`FormatRule::ThinkAnswerRegexFirst`] gives that bit on every input. Jigsaw-R1's reward
//!   then also requires the answer to read as the task's type (a grid of `m * n` patch
//!   numbers, one digit, one upper-case letter, four box numbers); that check is the task's
//!   answer verifier here, not a format rule. (With string completions it first prepends
//!   `<think>`, because its prompt ends with that tag; callers do the same.)
//! - GTA1 (arXiv 2507.05791), `src/grpo_grounding.py`, `format_reward` (Yan98/GTA1 @ 81f0c4c):
//!   `re.fullmatch(r"<think>.*?</think>\s*<answer>\(\d+,\s*\d+\)</answer>", content.strip(),
//!   re.DOTALL)`: full match, after stripping surrounding whitespace.
//!   [`FormatRule::Gta1Click`] gives the same bit on every input. (GTA1's README trains with
//!   `--reward_funcs accuracy` only; its system prompt asks for a bare `(x,y)`.)
//!
//! **Python's character classes.** For `str` patterns `\s` is Unicode whitespace as
//! `str.isspace()` defines it (the same set `str.strip()` removes): Rust's
//! [`char::is_whitespace`] plus the four separators U+001C..U+001F, i.e. `\t \n \v \f \r`,
//! U+001C..U+001F, space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
//! U+205F, U+3000 (not U+180E or U+200B). `\d` is any Unicode decimal digit (category Nd:
//! `٣`, `３`, …), and Python's `int()` reads those too; the table here is Unicode 15.0's
//! (CPython 3.12).
//!
//! **Deviations**
//! 1. The default rule, [`FormatRule::ThinkAnswer`], is ours, not a reference's: the regex
//!    forms accept a completion that hedges with several blocks
//!    (`<think>a</think><answer>1</answer><answer>2</answer>` full-matches, because `.*?` can
//!    span tags), so the default demands exactly one `<think>` block, then exactly one
//!    non-empty `<answer>` block, with only whitespace around and between them. Tags are exact
//!    lower-case (a format check is about the exact template), unlike answer extraction.
//! 2. [`FormatRule::AnswerOnly`] is ours too (no-think templates).
//! 3. The three regex rules have no deviation from their references on any input. Python
//!    builds other than 3.12 know other Unicode versions: Python 3.11 (Unicode 14.0) does not
//!    count the Kawi (U+11F50..) and Nag Mundari (U+1E4F0..) digits as `\d`; Python 3.14
//!    counts more.
//!
//! ```
//! use ocellus_rewards::format::{check_format, FormatRule};
//! let good = "<think>\ncount them\n</think>\n<answer>3</answer>";
//! assert!(check_format(good, FormatRule::ThinkAnswer).is_ok());
//! let hedged = "<think>x</think><answer>1</answer><answer>2</answer>";
//! assert!(check_format(hedged, FormatRule::ThinkAnswerRegex).is_ok());
//! assert!(check_format(hedged, FormatRule::ThinkAnswerRegexFirst).is_err());
//! assert!(check_format(hedged, FormatRule::ThinkAnswer).is_err());
//! // GTA1 strips the completion first.
//! let click = " <think>.</think><answer>(3, 4)</answer>\n";
//! assert!(check_format(click, FormatRule::Gta1Click).is_ok());
//! ```

use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde::{Deserialize, Serialize};

/// Which template a completion must follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormatRule {
    /// Exactly one `<think>…</think>` then exactly one non-empty `<answer>…</answer>`, only
    /// whitespace outside and between them. The default.
    #[default]
    ThinkAnswer,
    /// Bit-parity with `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", s,
    /// re.DOTALL)` (VLM-R1 `grpo_jsonl.py`, CLS-RL `grpo.py`).
    ThinkAnswerRegex,
    /// Bit-parity with `m = re.search(<the same pattern>, s, re.DOTALL); m and m.group(0) == s`
    /// (Jigsaw-R1 `utils/reward.py`): the first lazy match must be the whole completion, so
    /// nothing may follow the first `</answer>` after the answer tag.
    ThinkAnswerRegexFirst,
    /// Exactly one non-empty `<answer>…</answer>` block and only whitespace around it (no-think
    /// templates).
    AnswerOnly,
    /// Bit-parity with GTA1's
    /// `re.fullmatch(r"<think>.*?</think>\s*<answer>\(\d+,\s*\d+\)</answer>", s.strip(),
    /// re.DOTALL)`: the answer is exactly `(x, y)` with unsigned integers.
    Gta1Click,
}

/// Python's `\s` for `str` patterns, which is also what `str.isspace()` / `str.strip()` use
/// (checked against CPython for every code point in the unit tests).
pub(crate) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The zero of every run of ten Unicode decimal digits (category Nd), Unicode 15.0 (CPython
/// 3.12's `unicodedata`). Unicode encodes each decimal digit set as ten consecutive code
/// points 0..9, so a digit's value is its distance from the run's zero.
const ND_ZEROS: [u32; 68] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x11f50, 0x16a60, 0x16ac0,
    0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0, 0x1e950,
    0x1fbf0,
];

/// The value of `c` if it is a Python `\d` (a Unicode decimal digit), as `int()` reads it.
pub(crate) fn py_digit(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - 0x30);
    }
    let c = c as u32;
    let k = ND_ZEROS.partition_point(|&z| z <= c);
    let zero = ND_ZEROS[k.checked_sub(1)?];
    (c - zero < 10).then_some(c - zero)
}

const OT: &str = "<think>";
const CT: &str = "</think>";
const OA: &str = "<answer>";
const CA: &str = "</answer>";

/// End of the run of Python whitespace starting at byte `from`.
fn skip_py_space(t: &str, from: usize) -> usize {
    t[from..]
        .char_indices()
        .find(|&(_, c)| !py_space(c))
        .map_or(t.len(), |(i, _)| from + i)
}

/// For a text starting with `<think>`: in order, every `</think>` (at or after the opener)
/// that is followed by `\s*<answer>`, as the byte index just after that `<answer>`. This is
/// the order in which the regex's lazy `<think>.*?</think>\s*<answer>` tries its choices
/// (`\s*` can only stop at the end of the whitespace run, since `<` is not whitespace).
/// Linear overall: each whitespace run is scanned once, and the next `</think>` lies beyond it.
fn think_then_answer(t: &str) -> impl Iterator<Item = usize> + '_ {
    let mut from = if t.starts_with(OT) { OT.len() } else { t.len() };
    std::iter::from_fn(move || loop {
        let k = from + t.get(from..)?.find(CT)?;
        let ws_end = skip_py_space(t, k + CT.len());
        // No "</think>" starts inside this one or inside the whitespace after it.
        from = ws_end;
        if t[ws_end..].starts_with(OA) {
            return Some(ws_end + OA.len());
        }
    })
}

/// `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", t, re.DOTALL)`: the answer
/// `.*?` then spans up to the final `</answer>`, so a match exists iff `t` ends with
/// `</answer>` and some `</think>\s*<answer>` ends at or before it.
fn regex_fullmatch(t: &str) -> bool {
    let Some(last) = t.len().checked_sub(CA.len()).filter(|_| t.ends_with(CA)) else {
        return false;
    };
    think_then_answer(t).any(|p| p <= last)
}

/// `re.search(<pattern>, t, re.DOTALL).group(0) == t`: only a match starting at 0 can be the
/// whole text; its first choice of `</think>\s*<answer>` is kept if any `</answer>` follows it
/// (a later choice has no `</answer>` after it either), and the lazy answer `.*?` stops at the
/// first `</answer>`, which must then be the end of `t`.
fn regex_first_match_is_whole(t: &str) -> bool {
    let Some(p) = think_then_answer(t).next() else {
        return false;
    };
    t[p..].find(CA).map(|i| p + i + CA.len()) == Some(t.len())
}

/// Strips a non-empty run of Python digits from the end of `s`.
fn strip_py_digits_end(s: &str) -> Option<&str> {
    let rest = s.trim_end_matches(|c| py_digit(c).is_some());
    (rest.len() < s.len()).then_some(rest)
}

/// GTA1's `re.fullmatch(r"<think>.*?</think>\s*<answer>\(\d+,\s*\d+\)</answer>", t.strip(),
/// re.DOTALL)`. Everything after `.*?` is anchored at the end, so it is read backwards; each
/// run (`\d+`, `\s*`) must be taken whole because the character before it cannot belong to
/// the run (`,` / `(` before digits, `,` / `>` before whitespace).
fn gta1_fullmatch(t: &str) -> Result<(), String> {
    let s = t.trim_matches(py_space);
    let fail = |why: &str| Err(format!("does not full-match GTA1's template: {why}"));
    if !s.starts_with(OT) {
        return fail("does not start with <think>");
    }
    let Some(r) = s.strip_suffix(")</answer>") else {
        return fail("does not end with )</answer>");
    };
    let Some(r) = strip_py_digits_end(r) else {
        return fail("no digits for y");
    };
    let Some(r) = r.trim_end_matches(py_space).strip_suffix(',') else {
        return fail("no comma before y");
    };
    let Some(r) = strip_py_digits_end(r) else {
        return fail("no digits for x");
    };
    let Some(r) = r.strip_suffix("<answer>(") else {
        return fail("the answer is not exactly (x, y) with unsigned integers");
    };
    let Some(r) = r.trim_end_matches(py_space).strip_suffix(CT) else {
        return fail("no </think> before <answer>");
    };
    // r is "<think>" plus the think body, which may be empty and may contain tags.
    if r.len() >= OT.len() {
        Ok(())
    } else {
        fail("no think block")
    }
}

/// Checks `completion` against `rule`; `Err` says what is wrong.
pub fn check_format(completion: &str, rule: FormatRule) -> Result<(), String> {
    match rule {
        FormatRule::ThinkAnswerRegex => regex_fullmatch(completion)
            .then_some(())
            .ok_or_else(|| "does not full-match <think>.*?</think>\\s*<answer>.*?</answer>".into()),
        FormatRule::ThinkAnswerRegexFirst => regex_first_match_is_whole(completion)
            .then_some(())
            .ok_or_else(|| {
                "the first match of <think>.*?</think>\\s*<answer>.*?</answer> is not the whole \
                 completion"
                    .into()
            }),
        FormatRule::Gta1Click => gta1_fullmatch(completion),
        FormatRule::ThinkAnswer | FormatRule::AnswerOnly => {
            let t = completion.trim();
            let count = |n: &str| t.matches(n).count();
            let think = rule == FormatRule::ThinkAnswer;
            let (nt, nct, na, nca) = (count(OT), count(CT), count(OA), count(CA));
            if think && (nt, nct) != (1, 1) {
                return Err(format!(
                    "expected one <think> and one </think>, found {nt} and {nct}"
                ));
            }
            if !think && (nt, nct) != (0, 0) {
                return Err("think tags in an answer-only template".into());
            }
            if (na, nca) != (1, 1) {
                return Err(format!(
                    "expected one <answer> and one </answer>, found {na} and {nca}"
                ));
            }
            let rest = if think {
                let r = t.strip_prefix(OT).ok_or("does not start with <think>")?;
                let k = r.find(CT).ok_or("</think> missing")?;
                r[k + CT.len()..].trim_start()
            } else {
                t
            };
            let body = rest
                .strip_prefix(OA)
                .ok_or("text between </think> and <answer>")?
                .strip_suffix(CA)
                .ok_or("text after </answer>")?;
            if body.trim().is_empty() {
                return Err("empty <answer> block".into());
            }
            Ok(())
        }
    }
}

/// Format reward: 1 when [`check_format`] passes, else 0 with the reason.
///
/// ```
/// use ocellus_rewards::{format::{FormatReward, FormatRule}, Gold, Verifier};
/// let v = FormatReward { rule: FormatRule::ThinkAnswer };
/// assert_eq!(v.verify("<think>a</think><answer>b</answer>", &Gold::default()).score(), 1.0);
/// assert_eq!(v.verify("<answer>b</answer>", &Gold::default()).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct FormatReward {
    /// The template.
    pub rule: FormatRule,
}

impl Verifier for FormatReward {
    fn name(&self) -> &'static str {
        match self.rule {
            FormatRule::ThinkAnswer => "format",
            FormatRule::ThinkAnswerRegex => "format_regex",
            FormatRule::ThinkAnswerRegexFirst => "format_regex_first",
            FormatRule::AnswerOnly => "format_answer_only",
            FormatRule::Gta1Click => "format_gta1",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    /// The gold answer is not read.
    fn verify(&self, completion: &str, _gold: &Gold) -> Verdict {
        match check_format(completion, self.rule) {
            Ok(()) => Verdict::Correct {
                score: 1.0,
                reason: format!("{:?} template followed", self.rule),
            },
            Err(why) => Verdict::Incorrect {
                score: 0.0,
                reason: why,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FormatRule::*;

    #[test]
    fn format_table() {
        // (completion, ThinkAnswer, ThinkAnswerRegex, AnswerOnly, Gta1Click)
        let table: [(&str, bool, bool, bool, bool); 15] = [
            (
                "<think>a</think><answer>b</answer>",
                true,
                true,
                false,
                false,
            ),
            (
                "<think>\nmulti\nline\n</think>\n\n<answer>\nb\n</answer>",
                true,
                true,
                false,
                false,
            ),
            (
                "  <think>a</think> <answer>b</answer>  ",
                true,
                false,
                false,
                false,
            ),
            (
                "<think>a</think>x<answer>b</answer>",
                false,
                false,
                false,
                false,
            ),
            (
                "<think>a</think><answer>b</answer>trailing",
                false,
                false,
                false,
                false,
            ),
            (
                "<think>a</think><answer></answer>",
                false,
                true,
                false,
                false,
            ),
            (
                "<think>a</think><answer>1</answer><answer>2</answer>",
                false,
                true,
                false,
                false,
            ),
            (
                "<think>a</think></think><answer>b</answer>",
                false,
                true,
                false,
                false,
            ),
            ("<answer>b</answer>", false, false, true, false),
            ("<think>a<answer>b</answer>", false, false, false, false),
            ("", false, false, false, false),
            (
                "<think>a</think><answer>(12, 34)</answer>",
                true,
                true,
                false,
                true,
            ),
            (
                "<think>a</think><answer>(12,34)</answer>",
                true,
                true,
                false,
                true,
            ),
            (
                "<think>a</think><answer>(1.5, 3)</answer>",
                true,
                true,
                false,
                false,
            ),
            // GTA1 strips the completion before its full match; VLM-R1 does not.
            (
                "\n<think>a</think><answer>(1,2)</answer> ",
                true,
                false,
                false,
                true,
            ),
        ];
        for (c, ta, re, ao, gta) in table {
            assert_eq!(
                check_format(c, ThinkAnswer).is_ok(),
                ta,
                "ThinkAnswer {c:?}"
            );
            assert_eq!(check_format(c, ThinkAnswerRegex).is_ok(), re, "Regex {c:?}");
            assert_eq!(check_format(c, AnswerOnly).is_ok(), ao, "AnswerOnly {c:?}");
            assert_eq!(check_format(c, Gta1Click).is_ok(), gta, "Gta1 {c:?}");
        }
    }

    #[test]
    fn regex_form_tries_later_think_closers() {
        // The first "</think>" is not followed by <answer>; the second is.
        let c = "<think>a</think> b </think>\n<answer>c</answer>";
        assert!(check_format(c, ThinkAnswerRegex).is_ok());
        assert!(check_format(c, ThinkAnswerRegexFirst).is_ok());
        assert!(check_format(c, ThinkAnswer).is_err());
        // "<think></think><answer></answer>" is the shortest full match.
        assert!(check_format("<think></think><answer></answer>", ThinkAnswerRegex).is_ok());
        assert!(check_format("<think></answer>", ThinkAnswerRegex).is_err());
        // GTA1: the think .*? may have to reach the last </think> for the click to follow.
        let g = "<think>a</think><answer>(1,2)</answer></think><answer>(3,4)</answer>";
        assert!(check_format(g, Gta1Click).is_ok());
    }

    /// CPython 3.11-3.14: `[hex(c) for c in range(0x110000) if re.match(r"\s", chr(c))]`.
    #[test]
    fn py_space_is_pythons_backslash_s_for_every_code_point() {
        let want: Vec<u32> = [
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
        ]
        .into_iter()
        .chain(0x2000..=0x200a)
        .chain([0x2028, 0x2029, 0x202f, 0x205f, 0x3000])
        .collect();
        let got: Vec<u32> = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| py_space(c))
            .map(|c| c as u32)
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn py_digit_reads_unicode_decimal_digits() {
        // CPython: int("٣") == 3, int("９") == 9, int("𝟘") == 0; "²" and "Ⅻ" are not \d.
        let table = [
            ('0', Some(0)),
            ('9', Some(9)),
            ('\u{663}', Some(3)),
            ('\u{ff19}', Some(9)),
            ('\u{1d7d8}', Some(0)),
            ('\u{1d7ff}', Some(9)),
            ('\u{11f59}', Some(9)),
            ('\u{1fbf9}', Some(9)),
            ('\u{b2}', None),
            ('\u{216b}', None),
            ('/', None),
            (':', None),
            ('\u{65f}', None),
            ('\u{66a}', None),
            ('\u{1fbfa}', None),
        ];
        for (c, want) in table {
            assert_eq!(py_digit(c), want, "{c:?}");
        }
        // Every run is ten code points of increasing value.
        assert!(ND_ZEROS.windows(2).all(|w| w[1] >= w[0] + 10));
    }
}
