//! Text answers: exact and normalised match, numbers with tolerance, multiple choice, yes/no.
//!
//! Sources: CLS-RL (arXiv 2503.16188, `grpo.py`: case-insensitive equality of `<answer>`
//! contents), VLM-R1 (arXiv 2504.07615, `grpo_jsonl.py`: `mcq`, `yes_no`, numeric rewards),
//! SQuAD v1.1's `normalize_answer` (Rajpurkar et al. 2016, arXiv 1606.05250) for normalisation.
//!
//! **Deviations from the reference code**
//! 1. VLM-R1's `yes_no_reward` takes the first *substring* `yes|no`, so "I do not know" reads as
//!    "no"; here yes/no must be whole words and an answer with both is malformed.
//! 2. VLM-R1's default accuracy falls back to fuzzy string similarity when a float parse fails
//!    (STYLE §7.4); here a number that cannot be read is [`crate::Verdict::Malformed`].
//! 3. Gold answers may be wrapped in `<answer>` tags or `\boxed{}` (VLM-R1 wraps solutions in
//!    `<answer> … </answer>`); they are unwrapped with the same rule as completions.

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

/// SQuAD-style normalisation: lower-case, ASCII punctuation removed, the articles `a`, `an`,
/// `the` removed, whitespace collapsed to single spaces.
///
/// ```
/// use ocellus_rewards::text::normalize_text;
/// assert_eq!(normalize_text("  The Red-Car. "), "redcar");
/// assert_eq!(normalize_text("A  big\ndog!"), "big dog");
/// ```
pub fn normalize_text(s: &str) -> String {
    let lowered: String = s
        .chars()
        .filter(|c| !c.is_ascii_punctuation())
        .flat_map(char::to_lowercase)
        .collect();
    let words: Vec<&str> = lowered
        .split_whitespace()
        .filter(|w| !matches!(*w, "a" | "an" | "the"))
        .collect();
    words.join(" ")
}

/// String match: exact after trimming (`normalize = false`, registry name `exact`) or after
/// [`normalize_text`] (`normalize = true`, registry name `normalized`). Scores 1 or 0.
///
/// ```
/// use ocellus_rewards::{text::StringMatch, Gold, Verifier};
/// let v = StringMatch::normalized();
/// assert!(v.verify("<answer>The Eiffel Tower.</answer>", &Gold::new("eiffel tower")).is_correct());
/// assert_eq!(v.verify("no tags", &Gold::new("x")).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StringMatch {
    /// Where the answer is read.
    pub source: AnswerSource,
    /// Whether both sides are normalised before comparing.
    pub normalize: bool,
}

impl StringMatch {
    /// Exact match after trimming.
    pub fn exact() -> StringMatch {
        StringMatch {
            source: AnswerSource::Auto,
            normalize: false,
        }
    }
    /// Match after [`normalize_text`].
    pub fn normalized() -> StringMatch {
        StringMatch {
            source: AnswerSource::Auto,
            normalize: true,
        }
    }
}

impl Verifier for StringMatch {
    fn name(&self) -> &'static str {
        if self.normalize {
            "normalized"
        } else {
            "exact"
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
        let (same, shown_a, shown_g) = if self.normalize {
            let (na, ng) = (normalize_text(a), normalize_text(g));
            if ng.is_empty() {
                return Verdict::GoldUnparseable(ParseError::Invalid {
                    what: "gold text",
                    why: "empty after normalisation".into(),
                });
            }
            (na == ng, na, ng)
        } else {
            (a == g, a.to_owned(), g.to_owned())
        };
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
/// (4) the upper-case single-letter words within range, if they are all the same letter.
/// Several different letters are [`ParseError::AmbiguousChoice`].
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
    // (4) standalone capital letters
    let mut found: Option<char> = None;
    for w in t.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut wc = w.chars();
        if let (Some(c), None) = (wc.next(), wc.next()) {
            if in_range(c) {
                match found {
                    None => found = Some(c),
                    Some(f) if f != c => {
                        return Err(ParseError::AmbiguousChoice {
                            text: snippet(text),
                        })
                    }
                    _ => {}
                }
            }
        }
    }
    found.ok_or_else(|| ParseError::NoChoice {
        text: snippet(text),
    })
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
        let table: [(&str, Result<char, ()>); 12] = [
            ("B", Ok('B')),
            ("b", Ok('B')),
            ("(C)", Ok('C')),
            ("A.", Ok('A')),
            ("B) dog", Ok('B')),
            ("(A) cat", Ok('A')),
            ("Dog", Ok('B')),
            ("bird", Ok('C')),
            ("The answer is C", Ok('C')),
            ("A or B", Err(())),
            ("D", Err(())),
            ("elephant", Err(())),
        ];
        for (t, want) in table {
            assert_eq!(choice_letter(t, &opts).map_err(|_| ()), want, "{t:?}");
        }
        assert_eq!(choice_letter("Z", &[]), Ok('Z'));
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
