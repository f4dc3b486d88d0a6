//! Text answers: exact, SQuAD-normalised and case-insensitive match, numbers with tolerance,
//! multiple choice, yes/no.
//!
//! **Sources** (mirror commits read in brackets)
//! - `normalized`: SQuAD v1.1 `evaluate-v1.1.py`, `normalize_answer` (Rajpurkar et al. 2016,
//!   arXiv 1606.05250): `lower()`, drop `string.punctuation`, `re.sub(r'\b(a|an|the)\b', ' ')`,
//!   `' '.join(text.split())`. [`normalize_text`] is that function, Unicode rules included.
//! - `cls_rl`: CLS-RL (arXiv 2503.16188) `src/cls-rl/src/open_r1/grpo.py`, `accuracy_reward`
//!   [minglllli/CLS-RL 0dc42e03]: math_verify, else `answer.strip().lower() ==
//!   gold.strip().lower()` on the `<answer>` contents. [`StringRule::CaseInsensitive`] is the
//!   second branch. `grpo_direct.py`, `accuracy_reward`, compares the raw output with the
//!   gold's `<answer>` contents: `StringMatch { source: AnswerSource::Whole, rule:
//!   StringRule::Exact }`.
//! - `numeric`: VLM-R1 (arXiv 2504.07615) `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py`
//!   [om-ai-lab/VLM-R1 90052f47], `default_accuracy_reward` for a gold with a digit: math_verify
//!   `verify(parse(answer), parse(gold))`, else `numeric_reward` (`float(a) == float(b)` after
//!   `clean_text`), else Levenshtein `ratio`. [`crate::number::Tolerance::EXACT`] is
//!   `numeric_reward`'s float equality.
//! - `multiple_choice`: the same file, `mcq_reward` with `extract_choice`.
//! - `yes_no`: the same file, `yes_no_reward`.
//!
//! **Deviations from the reference code**
//!
//! All verifiers here:
//! 1. The answer is the last complete `<answer>` block, tags ASCII case-insensitive and the
//!    content spanning newlines ([`crate::extract`]). VLM-R1's `mcq_reward` and `yes_no_reward`
//!    take the first block (`re.search`); CLS-RL's `grpo.py` takes the first block on one line
//!    (`re.search(r'<answer>(.*?)</answer>')`, no `re.DOTALL`) with case-sensitive tags; VLM-R1's
//!    `default_accuracy_reward` takes the last (`re.findall(...)[-1]`), as here.
//! 2. A completion with no `<answer>` block and no `\boxed{}` is [`crate::Verdict::Malformed`];
//!    all three references grade the whole completion then (so a bare `yes` pays there).
//! 3. Gold answers may be wrapped in `<answer>` tags or `\boxed{}` (VLM-R1 wraps solutions in
//!    `<answer> … </answer>`); they are unwrapped with the same rule as completions. An empty
//!    answer is malformed and an empty gold unreadable, where the references compare `''` with
//!    `''` (CLS-RL pays 1 for `<answer></answer>` against an empty gold).
//!
//! `normalized` (SQuAD `normalize_answer`):
//! 4. None in the normalisation. Python's `\w` and `str.lower()` follow the Unicode version of
//!    the Python build (3.11: Unicode 14.0), ours that of Rust's `std` (17.0 for Rust 1.95):
//!    characters assigned after a build's version can differ there; every assigned character of
//!    Unicode 14 agrees with CPython 3.11 (checked code point by code point).
//! 5. A gold that normalises to `""` (`"the"`) is unreadable; SQuAD would compare `"" == ""`.
//!    Only exact match is scored, not SQuAD's token F1.
//!
//! `cls_rl` (CLS-RL `grpo.py` `accuracy_reward`):
//! 6. The math_verify branch (`verify(parse(completion), parse(gold))` on the *whole* texts) is
//!    not run: this crate has no symbolic-math parser. That branch pays 1 whenever math_verify
//!    finds equal math in both texts: rightly for gold `<answer> 12 </answer>` and answer
//!    `<answer> 12.0 </answer>`, wrongly for class names with numbers, where it reads the first
//!    one (`Boeing 737-800` and `Boeing 737-900` both read 737 and pay 1 there, 0 here: a
//!    reference bug not copied). It finds nothing in a class name without digits or in a number
//!    glued to a tag (`<answer>12</answer>`). Checked with math-verify 0.9.0; use `numeric` for
//!    numeric golds.
//!
//! `exact` as CLS-RL `grpo_direct.py` (`StringMatch { source: Whole, rule: Exact }`):
//! 7. `grpo_direct.py` compares the *untrimmed* output (`ground_truth == content`); ours trims
//!    it, so `"cat\n"` matches gold `cat` here and not there.
//!
//! `numeric` (VLM-R1 `default_accuracy_reward` with a digit in the gold; see also
//! [`crate::number`] for the forms read):
//! 8. Scores are 1 or 0: when math_verify and `float()` both fail VLM-R1 pays the Levenshtein
//!    `ratio` of the lower-cased strings, so `46%` against gold `45%` gets 2/3 there and 0 here,
//!    and `12 or 13` against `12` gets 0.4 there and is malformed here.
//! 9. math_verify rounds to 6 decimals when one side is a float (`0.3333333` = `1/3` and
//!    `1.0000001` = `1.0` pay there, not `1.0000001` = `1`: sympy 1.14 holds no Integer equal
//!    to a Float); here the tolerance decides (default 1e-9: all three 0).
//! 10. Hedging: math_verify takes the last number (`12 or 13` = `13` pays 1 there); here
//!     several different numbers are malformed ([`crate::number::answer_number`]).
//! 11. Forms math_verify misreads are read as written: `0x10` is not a number here (math_verify
//!     reads 0, so it pays against gold `0`), `1e3` is 1000 (math_verify reads 1, so it pays
//!     against gold `1`), `12.5\%` is 12.5 % = 0.125 (math_verify reads 12.5).
//! 12. `float()` also accepts `inf`, `nan`, `1_000` and non-ASCII digits (`١٢`, `１２`); they are
//!     not numbers here (`inf` against gold `inf` pays 1 there).
//! 13. With the default tolerance, `float(a) == float(b)` is relaxed to 1e-9 absolute plus 1e-9
//!     relative: `0.30000000000000004` = `0.3` (math_verify agrees) and `3` = `3.0000000001`
//!     (where neither math_verify nor `float()` does); [`crate::number::Tolerance::EXACT`]
//!     restores the equality.
//!
//! `multiple_choice` (VLM-R1 `mcq_reward` / `extract_choice`):
//! 14. `extract_choice` reads a letter only when no ASCII letter precedes it and one of
//!     `.,?!:;` or the end of the text follows, so `(B)`, `B) dog`, `(B) dog`, `B is correct`,
//!     `the answer is (B).` and an option text such as `dog` give no letter and pay 0 there;
//!     here they read B (the option text through [`Gold::options`], which VLM-R1 does not use).
//! 15. Several letters: `extract_choice` ignores a letter followed by a space, so `A or B`, `I
//!     or B` and `B. Because C is wrong` read one letter there, and it picks among several by
//!     keyword and position scores (`A, B` gives B, `B, C` gives C); here two different letters
//!     are malformed (hedging must not pay), the pronoun `I` and contractions excepted.
//! 16. A gold in which `extract_choice` finds no letter is compared as the whole solution text,
//!     so gold `(B)` never pays there; here the gold is read like an answer.
//!
//! `yes_no` (VLM-R1 `yes_no_reward`):
//! 17. Reference bug, not copied: when neither side contains `yes` or `no` both read `''` and
//!     VLM-R1 pays 1 (gold `maybe`, answer `unsure`); here the gold is unreadable (or, for a
//!     yes/no gold, the answer malformed).
//! 18. VLM-R1 takes the first *substring* `yes|no`, so `I do not know` and `nope` read as no and
//!     `yesterday` as yes; here yes/no must be whole words.
//! 19. An answer with both words is malformed here; VLM-R1 takes the first (`Yes, there is no
//!     doubt` is yes there).
//! 20. `true` / `false` read as yes / no here; VLM-R1 finds neither in them.

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::number::{answer_number, numbers_match, Tolerance};
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};

/// The gold text: unwrapped like a completion (`<answer>`, `\boxed{}`), else the whole text.
pub(crate) fn gold_text(gold: &Gold) -> Result<&str, ParseError> {
    match extract_answer(&gold.answer, AnswerSource::Auto) {
        Ok(t) => Ok(t),
        Err(ParseError::NoAnswer) => extract_answer(&gold.answer, AnswerSource::Whole),
        Err(e) => Err(e),
    }
}

/// Code-point ranges (inclusive pairs) that Rust's [`char::is_alphanumeric`] accepts and
/// Python's `str.isalnum()` (so `re`'s `\w`) rejects: the Other_Alphabetic characters whose
/// General_Category is Mn, Mc or So (combining vowel signs such as U+093E, U+0345, the circled
/// letters U+24B6..U+24E9). Generated from Unicode 17.0 data (Python's `unicodedata2` 17.0.1:
/// `isalnum` = category L* or a decimal, digit or numeric value) against Rust 1.95's `std`;
/// no character is `isalnum` in Python and not alphanumeric in Rust.
#[rustfmt::skip]
const NOT_PYTHON_WORD: &[u32] = &[
    0x345, 0x345, 0x363, 0x36F, 0x5B0, 0x5BD, 0x5BF, 0x5BF, 0x5C1, 0x5C2, 0x5C4, 0x5C5,
    0x5C7, 0x5C7, 0x610, 0x61A, 0x64B, 0x657, 0x659, 0x65F, 0x670, 0x670, 0x6D6, 0x6DC,
    0x6E1, 0x6E4, 0x6E7, 0x6E8, 0x6ED, 0x6ED, 0x711, 0x711, 0x730, 0x73F, 0x7A6, 0x7B0,
    0x816, 0x817, 0x81B, 0x823, 0x825, 0x827, 0x829, 0x82C, 0x897, 0x897, 0x8D4, 0x8DF,
    0x8E3, 0x8E9, 0x8F0, 0x903, 0x93A, 0x93B, 0x93E, 0x94C, 0x94E, 0x94F, 0x955, 0x957,
    0x962, 0x963, 0x981, 0x983, 0x9BE, 0x9C4, 0x9C7, 0x9C8, 0x9CB, 0x9CC, 0x9D7, 0x9D7,
    0x9E2, 0x9E3, 0xA01, 0xA03, 0xA3E, 0xA42, 0xA47, 0xA48, 0xA4B, 0xA4C, 0xA51, 0xA51,
    0xA70, 0xA71, 0xA75, 0xA75, 0xA81, 0xA83, 0xABE, 0xAC5, 0xAC7, 0xAC9, 0xACB, 0xACC,
    0xAE2, 0xAE3, 0xAFA, 0xAFC, 0xB01, 0xB03, 0xB3E, 0xB44, 0xB47, 0xB48, 0xB4B, 0xB4C,
    0xB56, 0xB57, 0xB62, 0xB63, 0xB82, 0xB82, 0xBBE, 0xBC2, 0xBC6, 0xBC8, 0xBCA, 0xBCC,
    0xBD7, 0xBD7, 0xC00, 0xC04, 0xC3E, 0xC44, 0xC46, 0xC48, 0xC4A, 0xC4C, 0xC55, 0xC56,
    0xC62, 0xC63, 0xC81, 0xC83, 0xCBE, 0xCC4, 0xCC6, 0xCC8, 0xCCA, 0xCCC, 0xCD5, 0xCD6,
    0xCE2, 0xCE3, 0xCF3, 0xCF3, 0xD00, 0xD03, 0xD3E, 0xD44, 0xD46, 0xD48, 0xD4A, 0xD4C,
    0xD57, 0xD57, 0xD62, 0xD63, 0xD81, 0xD83, 0xDCF, 0xDD4, 0xDD6, 0xDD6, 0xDD8, 0xDDF,
    0xDF2, 0xDF3, 0xE31, 0xE31, 0xE34, 0xE3A, 0xE4D, 0xE4D, 0xEB1, 0xEB1, 0xEB4, 0xEB9,
    0xEBB, 0xEBC, 0xECD, 0xECD, 0xF71, 0xF83, 0xF8D, 0xF97, 0xF99, 0xFBC, 0x102B, 0x1036,
    0x1038, 0x1038, 0x103B, 0x103E, 0x1056, 0x1059, 0x105E, 0x1060, 0x1062, 0x1064, 0x1067, 0x106D,
    0x1071, 0x1074, 0x1082, 0x108D, 0x108F, 0x108F, 0x109A, 0x109D, 0x1712, 0x1713, 0x1732, 0x1733,
    0x1752, 0x1753, 0x1772, 0x1773, 0x17B6, 0x17C8, 0x1885, 0x1886, 0x18A9, 0x18A9, 0x1920, 0x192B,
    0x1930, 0x1938, 0x1A17, 0x1A1B, 0x1A55, 0x1A5E, 0x1A61, 0x1A74, 0x1ABF, 0x1AC0, 0x1ACC, 0x1ACE,
    0x1B00, 0x1B04, 0x1B35, 0x1B43, 0x1B80, 0x1B82, 0x1BA1, 0x1BA9, 0x1BAC, 0x1BAD, 0x1BE7, 0x1BF1,
    0x1C24, 0x1C36, 0x1DD3, 0x1DF4, 0x24B6, 0x24E9, 0x2DE0, 0x2DFF, 0xA674, 0xA67B, 0xA69E, 0xA69F,
    0xA802, 0xA802, 0xA80B, 0xA80B, 0xA823, 0xA827, 0xA880, 0xA881, 0xA8B4, 0xA8C3, 0xA8C5, 0xA8C5,
    0xA8FF, 0xA8FF, 0xA926, 0xA92A, 0xA947, 0xA952, 0xA980, 0xA983, 0xA9B4, 0xA9BF, 0xA9E5, 0xA9E5,
    0xAA29, 0xAA36, 0xAA43, 0xAA43, 0xAA4C, 0xAA4D, 0xAA7B, 0xAA7D, 0xAAB0, 0xAAB0, 0xAAB2, 0xAAB4,
    0xAAB7, 0xAAB8, 0xAABE, 0xAABE, 0xAAEB, 0xAAEF, 0xAAF5, 0xAAF5, 0xABE3, 0xABEA, 0xFB1E, 0xFB1E,
    0x10376, 0x1037A, 0x10A01, 0x10A03, 0x10A05, 0x10A06, 0x10A0C, 0x10A0F, 0x10D24, 0x10D27,
    0x10D69, 0x10D69, 0x10EAB, 0x10EAC, 0x10EFA, 0x10EFC, 0x11000, 0x11002, 0x11038, 0x11045,
    0x11073, 0x11074, 0x11080, 0x11082, 0x110B0, 0x110B8, 0x110C2, 0x110C2, 0x11100, 0x11102,
    0x11127, 0x11132, 0x11145, 0x11146, 0x11180, 0x11182, 0x111B3, 0x111BF, 0x111CE, 0x111CF,
    0x1122C, 0x11234, 0x11237, 0x11237, 0x1123E, 0x1123E, 0x11241, 0x11241, 0x112DF, 0x112E8,
    0x11300, 0x11303, 0x1133E, 0x11344, 0x11347, 0x11348, 0x1134B, 0x1134C, 0x11357, 0x11357,
    0x11362, 0x11363, 0x113B8, 0x113C0, 0x113C2, 0x113C2, 0x113C5, 0x113C5, 0x113C7, 0x113CA,
    0x113CC, 0x113CD, 0x11435, 0x11441, 0x11443, 0x11445, 0x114B0, 0x114C1, 0x115AF, 0x115B5,
    0x115B8, 0x115BE, 0x115DC, 0x115DD, 0x11630, 0x1163E, 0x11640, 0x11640, 0x116AB, 0x116B5,
    0x1171D, 0x1172A, 0x1182C, 0x11838, 0x11930, 0x11935, 0x11937, 0x11938, 0x1193B, 0x1193C,
    0x11940, 0x11940, 0x11942, 0x11942, 0x119D1, 0x119D7, 0x119DA, 0x119DF, 0x119E4, 0x119E4,
    0x11A01, 0x11A0A, 0x11A35, 0x11A39, 0x11A3B, 0x11A3E, 0x11A51, 0x11A5B, 0x11A8A, 0x11A97,
    0x11B60, 0x11B67, 0x11C2F, 0x11C36, 0x11C38, 0x11C3E, 0x11C92, 0x11CA7, 0x11CA9, 0x11CB6,
    0x11D31, 0x11D36, 0x11D3A, 0x11D3A, 0x11D3C, 0x11D3D, 0x11D3F, 0x11D41, 0x11D43, 0x11D43,
    0x11D47, 0x11D47, 0x11D8A, 0x11D8E, 0x11D90, 0x11D91, 0x11D93, 0x11D96, 0x11EF3, 0x11EF6,
    0x11F00, 0x11F01, 0x11F03, 0x11F03, 0x11F34, 0x11F3A, 0x11F3E, 0x11F40, 0x1611E, 0x1612E,
    0x16F4F, 0x16F4F, 0x16F51, 0x16F87, 0x16F8F, 0x16F92, 0x16FF0, 0x16FF1, 0x1BC9E, 0x1BC9E,
    0x1E000, 0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021, 0x1E023, 0x1E024, 0x1E026, 0x1E02A,
    0x1E08F, 0x1E08F, 0x1E6E3, 0x1E6E3, 0x1E6E6, 0x1E6E6, 0x1E6EE, 0x1E6EF, 0x1E6F5, 0x1E6F5,
    0x1E947, 0x1E947, 0x1F130, 0x1F149, 0x1F150, 0x1F169, 0x1F170, 0x1F189,
];

/// Whether `c` lies in one of the inclusive ranges of `table` (sorted pairs `lo, hi`).
fn in_ranges(table: &[u32], c: char) -> bool {
    let c = c as u32;
    let (mut lo, mut hi) = (0, table.len() / 2);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (a, b) = (table[2 * mid], table[2 * mid + 1]);
        if c < a {
            hi = mid;
        } else if c > b {
            lo = mid + 1;
        } else {
            return true;
        }
    }
    false
}

/// Python's `\w` for `str` patterns: `_` or `str.isalnum()` (category L*, or a character with
/// a decimal, digit or numeric value).
fn is_python_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric() && !in_ranges(NOT_PYTHON_WORD, c)
}

/// Python's `str.isspace()`, which `str.split()` and `str.strip()` use: Rust's White_Space
/// plus the information separators U+001C..U+001F (bidirectional class B or S in Python's
/// definition; checked code point by code point, no other difference).
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// SQuAD v1.1's `normalize_answer`: lower-case, drop ASCII punctuation, replace the articles
/// `a`, `an`, `the` by a space, then collapse whitespace to single spaces.
///
/// Each step is Python's: [`str::to_lowercase`] is `str.lower()` (full case mapping, so `İ`
/// gives `i̇`, and the final-sigma rule, so `ΑΣ` gives `ας`); the punctuation is
/// `string.punctuation` (the 32 ASCII marks, `_` included); an article is removed only as a
/// whole `\w` run under Python's Unicode `\w`, so `the—cat` gives `—cat` while `theⓐ` (a circled
/// letter is not `\w`) gives `ⓐ` and `thé` stays; `str.split()` also splits on U+001C..U+001F.
///
/// ```
/// use ocellus_rewards::text::normalize_text;
/// assert_eq!(normalize_text("  The Red-Car. "), "redcar");
/// assert_eq!(normalize_text("A  big\ndog!"), "big dog");
/// assert_eq!(normalize_text("the—cat"), "—cat");
/// assert_eq!(normalize_text("ΟΔΟΣ"), "οδος");
/// ```
pub fn normalize_text(s: &str) -> String {
    // lower() first: the final-sigma rule sees the punctuation that is removed next.
    let lowered = s.to_lowercase();
    let unpunct: String = lowered
        .chars()
        .filter(|c| !c.is_ascii_punctuation())
        .collect();
    // `\b(a|an|the)\b` matches exactly the maximal `\w` runs equal to an article (every letter
    // of an article is `\w`, so a shorter or longer match would not sit between two `\b`).
    let mut out = String::with_capacity(unpunct.len());
    let mut word_start: Option<usize> = None;
    let flush = |out: &mut String, word: &str| {
        if matches!(word, "a" | "an" | "the") {
            out.push(' ');
        } else {
            out.push_str(word);
        }
    };
    for (i, c) in unpunct.char_indices() {
        if is_python_word(c) {
            word_start.get_or_insert(i);
        } else {
            if let Some(w) = word_start.take() {
                flush(&mut out, &unpunct[w..i]);
            }
            out.push(c);
        }
    }
    if let Some(w) = word_start {
        flush(&mut out, &unpunct[w..]);
    }
    let words: Vec<&str> = out
        .split(is_python_space)
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// How [`StringMatch`] compares the answer with the gold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringRule {
    /// Equal after trimming (registry `exact`). The default.
    #[default]
    Exact,
    /// Equal after [`normalize_text`], SQuAD's `normalize_answer` (registry `normalized`).
    Squad,
    /// Equal after Python's `strip()` and `lower()`: the string branch of CLS-RL's `grpo.py`
    /// `accuracy_reward` (`student_answer.lower() == ground_truth.lower()`; registry `cls_rl`).
    CaseInsensitive,
}

/// String match of the answer with the gold under a [`StringRule`]. Scores 1 or 0.
///
/// ```
/// use ocellus_rewards::{text::StringMatch, Gold, Verifier};
/// let v = StringMatch::normalized();
/// assert!(v.verify("<answer>The Eiffel Tower.</answer>", &Gold::new("eiffel tower")).is_correct());
/// assert_eq!(v.verify("no tags", &Gold::new("x")).score(), 0.0);
/// let c = StringMatch::cls_rl();
/// assert!(c.verify("<answer>Golden Retriever</answer>", &Gold::new("golden retriever")).is_correct());
/// assert!(!c.verify("<answer>golden retriever.</answer>", &Gold::new("golden retriever")).is_correct());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StringMatch {
    /// Where the answer is read.
    pub source: AnswerSource,
    /// How the two strings are compared.
    pub rule: StringRule,
}

impl StringMatch {
    /// Exact match after trimming ([`StringRule::Exact`]).
    pub fn exact() -> StringMatch {
        StringMatch {
            source: AnswerSource::Auto,
            rule: StringRule::Exact,
        }
    }
    /// Match after [`normalize_text`] ([`StringRule::Squad`]).
    pub fn normalized() -> StringMatch {
        StringMatch {
            source: AnswerSource::Auto,
            rule: StringRule::Squad,
        }
    }
    /// CLS-RL's string branch ([`StringRule::CaseInsensitive`]).
    pub fn cls_rl() -> StringMatch {
        StringMatch {
            source: AnswerSource::Auto,
            rule: StringRule::CaseInsensitive,
        }
    }
}

/// Python's `s.strip().lower()`.
fn strip_lower(s: &str) -> String {
    s.trim_matches(is_python_space).to_lowercase()
}

impl Verifier for StringMatch {
    fn name(&self) -> &'static str {
        match self.rule {
            StringRule::Exact => "exact",
            StringRule::Squad => "normalized",
            StringRule::CaseInsensitive => "cls_rl",
        }
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match gold_text(gold) {
            Ok(g) => g,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let a = match extract_answer(completion, self.source) {
            Ok(a) => a,
            Err(e) => return Verdict::Malformed(e),
        };
        let (shown_a, shown_g) = match self.rule {
            StringRule::Exact => (a.to_owned(), g.to_owned()),
            StringRule::Squad => (normalize_text(a), normalize_text(g)),
            StringRule::CaseInsensitive => (strip_lower(a), strip_lower(g)),
        };
        if shown_g.is_empty() {
            return Verdict::GoldUnparseable(ParseError::Invalid {
                what: "gold text",
                why: "empty after normalisation".into(),
            });
        }
        let same = shown_a == shown_g;
        let reason = format!(
            "answer {:?} {} gold {:?}",
            snippet(&shown_a),
            if same { "==" } else { "!=" },
            snippet(&shown_g)
        );
        Verdict::graded(if same { 1.0 } else { 0.0 }, 0.0, 1.0, reason)
    }
}

/// Numeric answer within tolerance (see [`crate::number`] for accepted forms). Scores 1 or 0.
///
/// VLM-R1's `numeric_reward` test `float(a) == float(b)` is `Numeric::new(Tolerance::EXACT)`;
/// the registry's `numeric` uses [`Tolerance::default`] (1e-9 absolute and relative), and its
/// departures from VLM-R1's whole numeric path are deviations 8 to 13 of the module docs.
///
/// ```
/// use ocellus_rewards::{text::Numeric, number::Tolerance, Gold, Verifier};
/// let v = Numeric::new(Tolerance { abs: 0.0, rel: 0.05 });
/// assert!(v.verify("<answer>about 1,020 people</answer>", &Gold::new("1000")).is_correct());
/// assert!(!v.verify("<answer>1100</answer>", &Gold::new("1000")).is_correct());
/// // Hedging is not a number.
/// assert_eq!(v.verify("<answer>1000 or 1100</answer>", &Gold::new("1000")).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Numeric {
    /// Where the answer is read.
    pub source: AnswerSource,
    /// Absolute and relative tolerance.
    pub tolerance: Tolerance,
}

impl Numeric {
    /// A numeric verifier with `tolerance`, reading the answer with [`AnswerSource::Auto`].
    pub fn new(tolerance: Tolerance) -> Numeric {
        Numeric {
            source: AnswerSource::Auto,
            tolerance,
        }
    }
}

impl Verifier for Numeric {
    fn name(&self) -> &'static str {
        "numeric"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match gold_text(gold).and_then(answer_number) {
            Ok(g) => g,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let a = match extract_answer(completion, self.source).and_then(answer_number) {
            Ok(a) => a,
            Err(e) => return Verdict::Malformed(e),
        };
        let ok = numbers_match(a, g, self.tolerance);
        let pct = |p: bool| if p { "%" } else { "" };
        let reason = format!(
            "answer {}{} {} gold {}{} (abs {}, rel {})",
            a.value,
            pct(a.percent),
            if ok { "matches" } else { "differs from" },
            g.value,
            pct(g.percent),
            self.tolerance.abs,
            self.tolerance.rel
        );
        Verdict::graded(if ok { 1.0 } else { 0.0 }, 0.0, 1.0, reason)
    }
}

/// Reads an option letter from `text`; `n_options` bounds the letters (26 when unknown).
///
/// Rules, in order: (1) the whole answer is one letter, possibly wrapped `(B)`, `[B]`, `B.`,
/// `B)`, `B:` (case-insensitive); (2) it starts with an upper-case letter followed by `.`, `)`
/// or `:` or is wrapped `(B) text`; (3) it equals an option's text after [`normalize_text`];
/// (4) the upper-case one-letter words within range, if they are all the same letter; (5) else
/// the lower-case ones (`the answer is b`, which VLM-R1's `extract_choice` reads after
/// upper-casing). In (4) and (5) the pronoun `I` (`I think B`, `I'm`) and the tail of a
/// contraction (`it's`) are not letters; the article `A` is (`A dog, so B` is ambiguous). Several different letters are [`ParseError::AmbiguousChoice`].
pub fn choice_letter(text: &str, options: &[String]) -> Result<char, ParseError> {
    let n = if options.is_empty() {
        26
    } else {
        options.len().min(26)
    };
    let in_range = |c: char| c.is_ascii_uppercase() && ((c as u8 - b'A') as usize) < n;
    let t = text.trim();
    // (1) a lone letter
    let core = t
        .trim_start_matches(['(', '['])
        .trim_end_matches(['.', ')', ']', ':']);
    let mut cs = core.chars();
    if let (Some(c), None) = (cs.next(), cs.next()) {
        let c = c.to_ascii_uppercase();
        if in_range(c) {
            return Ok(c);
        }
    }
    // (2) "B. text", "B) text", "(B) text"
    let b = t.as_bytes();
    if b.len() >= 2 && in_range(b[0] as char) && matches!(b[1], b'.' | b')' | b':') {
        return Ok(b[0] as char);
    }
    if b.len() >= 3 && b[0] == b'(' && in_range(b[1] as char) && b[2] == b')' {
        return Ok(b[1] as char);
    }
    // (3) option text
    let nt = normalize_text(t);
    if !nt.is_empty() {
        for (k, opt) in options.iter().enumerate().take(26) {
            let o = opt.trim();
            // Options may carry their own label: "B. cat".
            let o = match o.as_bytes() {
                [l, sep, ..] if l.is_ascii_uppercase() && matches!(sep, b'.' | b')' | b':') => {
                    &o[2..]
                }
                _ => o,
            };
            if normalize_text(o) == nt {
                return Ok((b'A' + k as u8) as char);
            }
        }
    }
    // (4) standalone capital letters, then (5) lower-case ones.
    for upper in [true, false] {
        match letter_words(b, upper, &in_range) {
            Ok(Some(c)) => return Ok(c),
            Ok(None) => {}
            Err(()) => {
                return Err(ParseError::AmbiguousChoice {
                    text: snippet(text),
                })
            }
        }
    }
    Err(ParseError::NoChoice {
        text: snippet(text),
    })
}

/// The one letter named by the one-letter ASCII words of `b` of the given case (upper-cased),
/// `Err(())` for two different letters. Skips the tail of a contraction (`it's`) and the
/// pronoun `I` (followed by an apostrophe, or by whitespace and a lower-case word other than
/// `or`, `and`, `nor`, `vs`, so that `I or B` stays ambiguous). Linear in `b`: each whitespace
/// run is scanned once, after the word it follows.
fn letter_words(
    b: &[u8],
    upper: bool,
    in_range: &dyn Fn(char) -> bool,
) -> Result<Option<char>, ()> {
    let mut found: Option<char> = None;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let c = b[start];
        if i - start != 1 || !c.is_ascii_alphabetic() || c.is_ascii_uppercase() != upper {
            continue;
        }
        // The tail of a contraction: "it's", "don't", "IT'S".
        if b[..start].ends_with(b"'") || b[..start].ends_with("\u{2019}".as_bytes()) {
            continue;
        }
        let c = c.to_ascii_uppercase() as char;
        if !in_range(c) {
            continue;
        }
        if c == 'I' && pronoun_follows(b, i) {
            continue;
        }
        match found {
            None => found = Some(c),
            Some(f) if f != c => return Err(()),
            _ => {}
        }
    }
    Ok(found)
}

/// Whether the `I` ending at byte `i` is the pronoun: `I'm`, `I’d`, or `I` then whitespace and a
/// lower-case word (`I think B`) that is not a conjunction (`I or B` names two options).
fn pronoun_follows(b: &[u8], i: usize) -> bool {
    let rest = &b[i..];
    if rest.starts_with(b"'") || rest.starts_with("\u{2019}".as_bytes()) {
        return true;
    }
    let mut j = 0;
    while j < rest.len() && rest[j].is_ascii_whitespace() {
        j += 1;
    }
    if j == 0 || !rest.get(j).is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    let mut k = j;
    while k < rest.len() && rest[k].is_ascii_alphanumeric() {
        k += 1;
    }
    !matches!(&rest[j..k], b"or" | b"and" | b"nor" | b"vs")
}

/// Multiple choice: the option letter (or option text, when [`Gold::options`] lists them)
/// equals the gold letter. Gold is a letter (`B`, `(B)`, `B. cat`) or an option text.
///
/// ```
/// use ocellus_rewards::{text::MultipleChoice, Gold, Verifier};
/// let v = MultipleChoice::default();
/// let gold = Gold::new("B").with_options(["cat", "dog", "bird"]);
/// assert!(v.verify("<answer>(B) dog</answer>", &gold).is_correct());
/// assert!(v.verify("<answer>Dog.</answer>", &gold).is_correct());
/// assert!(!v.verify("<answer>A</answer>", &gold).is_correct());
/// assert_eq!(v.verify("<answer>A or B</answer>", &gold).kind().as_str(), "malformed");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct MultipleChoice {
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for MultipleChoice {
    fn name(&self) -> &'static str {
        "multiple_choice"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match gold_text(gold).and_then(|g| choice_letter(g, &gold.options)) {
            Ok(g) => g,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let a = match extract_answer(completion, self.source)
            .and_then(|a| choice_letter(a, &gold.options))
        {
            Ok(a) => a,
            Err(e) => return Verdict::Malformed(e),
        };
        let ok = a == g;
        Verdict::graded(
            if ok { 1.0 } else { 0.0 },
            0.0,
            1.0,
            format!("chose {a}, gold {g}"),
        )
    }
}

/// Reads yes or no: the whole words `yes` / `no` (case-insensitive; `true`/`false` too).
pub fn yes_no(text: &str) -> Result<bool, ParseError> {
    let (mut yes, mut no) = (false, false);
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.eq_ignore_ascii_case("yes") || w.eq_ignore_ascii_case("true") {
            yes = true;
        } else if w.eq_ignore_ascii_case("no") || w.eq_ignore_ascii_case("false") {
            no = true;
        }
    }
    match (yes, no) {
        (true, false) => Ok(true),
        (false, true) => Ok(false),
        (true, true) => Err(ParseError::AmbiguousYesNo {
            text: snippet(text),
        }),
        (false, false) => Err(ParseError::NotYesNo {
            text: snippet(text),
        }),
    }
}

/// Yes/no questions: scores 1 when the answer's yes/no equals the gold's.
///
/// ```
/// use ocellus_rewards::{text::YesNo, Gold, Verifier};
/// let v = YesNo::default();
/// assert!(v.verify("<answer>Yes, it is.</answer>", &Gold::new("yes")).is_correct());
/// // "not" and "know" do not contain the word "no".
/// assert_eq!(v.verify("<answer>I do not know</answer>", &Gold::new("no")).kind().as_str(), "malformed");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct YesNo {
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for YesNo {
    fn name(&self) -> &'static str {
        "yes_no"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match gold_text(gold).and_then(yes_no) {
            Ok(g) => g,
            Err(e) => return Verdict::GoldUnparseable(e),
        };
        let a = match extract_answer(completion, self.source).and_then(yes_no) {
            Ok(a) => a,
            Err(e) => return Verdict::Malformed(e),
        };
        let word = |b: bool| if b { "yes" } else { "no" };
        Verdict::graded(
            if a == g { 1.0 } else { 0.0 },
            0.0,
            1.0,
            format!("answered {}, gold {}", word(a), word(g)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::{self, *};

    fn kind(v: &dyn Verifier, c: &str, g: &Gold) -> VerdictKind {
        v.verify(c, g).kind()
    }

    #[test]
    fn string_match_table() {
        let ex = StringMatch::exact();
        let no = StringMatch::normalized();
        let g = Gold::new("<answer> Golden Retriever </answer>");
        let table: [(&str, VerdictKind, VerdictKind); 7] = [
            ("<answer>Golden Retriever</answer>", Correct, Correct),
            (
                "<answer>\n the golden retriever.\n</answer>",
                Incorrect,
                Correct,
            ),
            ("<answer>GOLDEN RETRIEVER</answer>", Incorrect, Correct),
            ("<answer>Labrador</answer>", Incorrect, Incorrect),
            ("Golden Retriever", Malformed, Malformed),
            ("<answer>Golden Retriever", Malformed, Malformed),
            ("", Malformed, Malformed),
        ];
        for (c, e, n) in table {
            assert_eq!(kind(&ex, c, &g), e, "exact {c:?}");
            assert_eq!(kind(&no, c, &g), n, "normalized {c:?}");
        }
        assert_eq!(
            kind(&no, "<answer>a</answer>", &Gold::new("the")),
            GoldUnparseable
        );
        assert_eq!(
            kind(&ex, "<answer>a</answer>", &Gold::new("  ")),
            GoldUnparseable
        );
    }

    #[test]
    fn python_word_and_space_tables() {
        // Sorted, non-overlapping inclusive pairs, each alphanumeric to Rust (else useless).
        assert_eq!(NOT_PYTHON_WORD.len() % 2, 0);
        for p in NOT_PYTHON_WORD.chunks(2) {
            assert!(p[0] <= p[1], "{p:x?}");
            let c = char::from_u32(p[0]).unwrap();
            assert!(c.is_alphanumeric(), "{c:?}");
        }
        for w in NOT_PYTHON_WORD.windows(2).skip(1).step_by(2) {
            assert!(w[0] + 1 < w[1], "{w:x?} not sorted or not merged");
        }
        // Marks and circled letters are not Python \w; letters, digits and CJK are.
        for c in [
            '\u{345}',
            '\u{363}',
            '\u{93e}',
            '\u{24b6}',
            '\u{24e9}',
            '\u{1f189}',
        ] {
            assert!(!is_python_word(c), "{c:?}");
        }
        for c in [
            'a', '_', '7', 'é', 'σ', '\u{915}', '\u{732b}', '\u{b2}', '\u{216b}',
        ] {
            assert!(is_python_word(c), "{c:?}");
        }
        assert!(!is_python_word('\u{301}') && !is_python_word('-') && !is_python_word(' '));
        for c in ['\u{1c}', '\u{1f}', ' ', '\u{85}', '\u{3000}'] {
            assert!(is_python_space(c), "{c:?}");
        }
        assert!(!is_python_space('\u{200b}') && !is_python_space('\u{1b}'));
    }

    #[test]
    fn normalize_text_is_squad() {
        // Formerly the articles were matched as whitespace-separated words and the text was
        // lower-cased character by character; these are the cases where that differed.
        assert_eq!(normalize_text("the\u{2014}cat"), "\u{2014}cat");
        assert_eq!(
            normalize_text("\u{391}\u{3a3}-\u{392}"),
            "\u{3b1}\u{3c2}\u{3b2}"
        );
        assert_eq!(normalize_text("a\u{1c}b"), "b");
        assert_eq!(normalize_text("the\u{24b6}"), "\u{24d0}");
        assert_eq!(normalize_text("an apple, the end"), "apple end");
    }

    #[test]
    fn cls_rl_rule() {
        let v = StringMatch::cls_rl();
        let g = Gold::new("<answer>Golden Retriever</answer>");
        let table: [(&str, VerdictKind); 6] = [
            ("<answer>golden retriever</answer>", Correct),
            ("<answer> GOLDEN RETRIEVER\u{1c}</answer>", Correct),
            ("<answer>the golden retriever</answer>", Incorrect),
            ("<answer>golden retriever.</answer>", Incorrect),
            ("golden retriever", Malformed),
            ("<answer></answer>", Malformed),
        ];
        for (c, k) in table {
            assert_eq!(kind(&v, c, &g), k, "{c:?}");
        }
        assert_eq!(
            kind(&v, "<answer>a</answer>", &Gold::new("\u{1c}")),
            GoldUnparseable
        );
        assert_eq!(v.name(), "cls_rl");
    }

    #[test]
    fn numeric_table() {
        let v = Numeric::new(Tolerance::default());
        let table: [(&str, &str, VerdictKind); 11] = [
            ("<answer>12</answer>", "12", Correct),
            ("<answer>There are 12 apples.</answer>", "12", Correct),
            ("<answer>12.0</answer>", "<answer>12</answer>", Correct),
            (r"\boxed{1,200}", "1200", Correct),
            ("<answer>3/4</answer>", "0.75", Correct),
            ("<answer>75%</answer>", "0.75", Correct),
            ("<answer>13</answer>", "12", Incorrect),
            ("<answer>12 or 13</answer>", "12", Malformed),
            ("<answer>twelve</answer>", "12", Malformed),
            ("<answer>12</answer>", "twelve", GoldUnparseable),
            ("<answer>12</answer>", "", GoldUnparseable),
        ];
        for (c, g, k) in table {
            assert_eq!(kind(&v, c, &Gold::new(g)), k, "{c:?} vs {g:?}");
        }
        let r = v.verify("<answer>13</answer>", &Gold::new("12"));
        assert!(r.reason().contains("13") && r.reason().contains("12"));
    }

    #[test]
    fn choice_letters() {
        let opts: Vec<String> = ["cat", "dog", "C. bird"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let table: [(&str, Result<char, ()>); 19] = [
            ("B", Ok('B')),
            ("b", Ok('B')),
            ("(C)", Ok('C')),
            ("A.", Ok('A')),
            ("B) dog", Ok('B')),
            ("(A) cat", Ok('A')),
            ("Dog", Ok('B')),
            ("bird", Ok('C')),
            ("The answer is C", Ok('C')),
            ("I think C", Ok('C')),
            ("I'm sure it's B", Ok('B')),
            ("the answer is b", Ok('B')),
            ("i think a.", Ok('A')),
            ("I or B", Ok('B')), // I is not one of the 3 options
            ("a or b", Err(())),
            ("A dog, so B", Err(())),
            ("A or B", Err(())),
            ("D", Err(())),
            ("elephant", Err(())),
        ];
        for (t, want) in table {
            assert_eq!(choice_letter(t, &opts).map_err(|_| ()), want, "{t:?}");
        }
        assert_eq!(choice_letter("Z", &[]), Ok('Z'));
        // No options: any letter is in range, and the pronoun I is still not one.
        assert_eq!(choice_letter("I think B", &[]), Ok('B'));
        assert_eq!(choice_letter("I", &[]), Ok('I'));
        assert_eq!(choice_letter("I think I", &[]), Ok('I'));
        assert!(choice_letter("I don't know", &[]).is_err());
        assert!(choice_letter("I or B", &[]).is_err());
    }

    #[test]
    fn yes_no_table() {
        let v = YesNo::default();
        let table: [(&str, &str, VerdictKind); 8] = [
            ("<answer>yes</answer>", "Yes", Correct),
            ("<answer>No.</answer>", "no", Correct),
            ("<answer>TRUE</answer>", "yes", Correct),
            ("<answer>no</answer>", "yes", Incorrect),
            ("<answer>yes and no</answer>", "yes", Malformed),
            ("<answer>nothing known</answer>", "no", Malformed),
            ("yes", "yes", Malformed),
            ("<answer>yes</answer>", "maybe", GoldUnparseable),
        ];
        for (c, g, k) in table {
            assert_eq!(kind(&v, c, &Gold::new(g)), k, "{c:?} vs {g:?}");
        }
    }

    #[test]
    fn multiple_choice_table() {
        let v = MultipleChoice::default();
        let g = Gold::new("C").with_options(["red", "green", "blue"]);
        let table: [(&str, VerdictKind); 6] = [
            ("<answer>C</answer>", Correct),
            ("<answer>blue</answer>", Correct),
            ("<answer>(C) blue</answer>", Correct),
            ("<answer>A</answer>", Incorrect),
            ("<answer>A and C</answer>", Malformed),
            ("<answer>purple</answer>", Malformed),
        ];
        for (c, k) in table {
            assert_eq!(kind(&v, c, &g), k, "{c:?}");
        }
        assert_eq!(
            kind(&v, "<answer>A</answer>", &Gold::new("??")),
            GoldUnparseable
        );
    }
}
