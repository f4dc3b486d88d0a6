//! Numbers in answers: what is accepted, and how two numbers are compared.
//!
//! **Accepted forms** (after trimming whitespace, a trailing `.`, surrounding `$…$`, `\(…\)`
//! and a `\boxed{…}`):
//!
//! | form | example | value |
//! |---|---|---|
//! | integer, optional sign (`+`, `-`, `−` U+2212) | `-12` | -12 |
//! | decimal, scientific | `3.5`, `.5`, `1e-3` | 3.5, 0.5, 0.001 |
//! | thousands separators: `,` followed by exactly 3 digits | `1,234,567.5` | 1234567.5 |
//! | fraction of two plain numbers | `3/4`, `-1/2` | 0.75, -0.5 |
//! | LaTeX fraction | `\frac{3}{4}`, `\dfrac{3}{4}`, `\tfrac34` is **not** accepted | 0.75 |
//! | percentage (`%` or `\%`) | `45%` | 45, flagged as a percentage |
//!
//! `inf`, `NaN`, `1,5` (decimal comma), `1_000`, non-ASCII digits, zero denominators and
//! non-decimal integer literals (hex `0x1F`, binary `0b101`, octal `0o17`) are rejected. In
//! free text, [`find_numbers`] reads every number token (a `.` only counts when a digit
//! follows, so "is 3." gives 3) and skips such literals whole, so `0x10` reads neither as 0 nor
//! as 10, and `1_000` not as 1.
//!
//! **Comparison** ([`numbers_match`]): `|a - b| <= abs_tol + rel_tol * |b|` (`numpy.isclose`
//! style, `b` the gold value). When exactly one side is a percentage, a match of `a/100` with
//! `b` (or `a` with `b/100`) also counts, so gold `0.45` accepts `45%` and gold `45%` accepts
//! `45` and `0.45` (as math_verify does: `45%` = `0.45` and, both integers, `45%` = `45`).
//!
//! **Sources.** VLM-R1 (arXiv 2504.07615) `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py`
//! [om-ai-lab/VLM-R1 90052f47], `numeric_reward`: `float(clean_text(a)) == float(clean_text(b))`
//! (`clean_text`: last `<answer>` block, newlines to spaces, `strip()`, trailing dots removed,
//! lower-cased), tried after math_verify in `default_accuracy_reward`. [`Tolerance::EXACT`]
//! is that equality; the default [`Tolerance`] allows float noise.
//!
//! **Deviations from `float()`** (the verifier-level ones are in [`crate::text`]):
//! 1. Python's `float()` accepts `inf`, `nan`, underscores between digits (`1_000`) and any
//!    Unicode decimal digits (`١٢`, `１２`); they are rejected here: a policy that writes
//!    `inf` has not stated a count, and the other forms do not occur in English answers.
//! 2. Forms `float()` rejects are read here: thousands separators, fractions, LaTeX fractions,
//!    percentages, `$…$`, `\boxed{}`, and a single number inside text (math_verify reads
//!    most of these too, see [`crate::text`] deviations 8 to 11).
//!
//! ```
//! use ocellus_rewards::number::{parse_number, numbers_match, Tolerance};
//! assert_eq!(parse_number("1,234").unwrap().value, 1234.0);
//! assert_eq!(parse_number(r"\frac{3}{4}").unwrap().value, 0.75);
//! let pct = parse_number("45%").unwrap();
//! assert!(numbers_match(pct, parse_number("0.45").unwrap(), Tolerance::default()));
//! assert!(parse_number("1,5").is_err());
//! ```

use crate::error::{snippet, ParseError};
use serde::{Deserialize, Serialize};

/// A parsed number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    /// The value as written (45 for `45%`).
    pub value: f64,
    /// Whether it was written as a percentage.
    pub percent: bool,
}

/// Absolute and relative tolerance for [`numbers_match`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// Absolute tolerance, in the answer's units.
    pub abs: f64,
    /// Relative tolerance, as a fraction of `|gold|`.
    pub rel: f64,
}

impl Tolerance {
    /// `abs = 0, rel = 0`: the answer must equal the gold as an `f64`, which is VLM-R1's
    /// `numeric_reward` test `float(content) == float(sol)` (both parse correctly rounded).
    pub const EXACT: Tolerance = Tolerance { abs: 0.0, rel: 0.0 };
}

impl Default for Tolerance {
    /// `abs = 1e-9, rel = 1e-9`: exact up to float noise (counting, "how many").
    fn default() -> Self {
        Tolerance {
            abs: 1e-9,
            rel: 1e-9,
        }
    }
}

/// `|a - b| <= abs + rel * |b|`, with the percentage rule of the module docs.
pub fn numbers_match(answer: Number, gold: Number, tol: Tolerance) -> bool {
    let close = |a: f64, b: f64| (a - b).abs() <= tol.abs + tol.rel * b.abs();
    if close(answer.value, gold.value) {
        return true;
    }
    match (answer.percent, gold.percent) {
        (true, false) => close(answer.value / 100.0, gold.value),
        (false, true) => close(answer.value, gold.value / 100.0),
        _ => false,
    }
}

fn strip_wrappers(mut s: &str) -> &str {
    loop {
        let before = s;
        s = s.trim();
        s = s.strip_suffix('.').unwrap_or(s).trim_end();
        if let Some(inner) = s.strip_prefix('$').and_then(|x| x.strip_suffix('$')) {
            s = inner;
        }
        if let Some(inner) = s.strip_prefix("\\(").and_then(|x| x.strip_suffix("\\)")) {
            s = inner;
        }
        if let Some(inner) = s.strip_prefix("\\boxed{").and_then(|x| x.strip_suffix('}')) {
            s = inner;
        }
        if s == before {
            return s;
        }
    }
}

/// Parses a plain decimal (sign, thousands separators, fraction digits, exponent).
fn parse_plain(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, body) = if let Some(r) = s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
        (true, r)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    };
    let b = body.as_bytes();
    if b.is_empty() || !(b[0].is_ascii_digit() || b[0] == b'.') {
        return None;
    }
    let mut clean = String::with_capacity(b.len());
    let mut i = 0;
    let mut int_digits = 0;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',') {
        if b[i] == b',' {
            // A thousands separator: exactly three digits, then no digit.
            let ok = int_digits > 0
                && i + 3 < b.len() + 1
                && b.get(i + 1..i + 4)
                    .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
                && !b.get(i + 4).is_some_and(u8::is_ascii_digit);
            if !ok {
                return None;
            }
        } else {
            clean.push(b[i] as char);
            int_digits += 1;
        }
        i += 1;
    }
    let rest = &body[i..];
    // Fraction and exponent: only digits, one '.', one exponent with optional sign.
    let rb = rest.as_bytes();
    let mut j = 0;
    if j < rb.len() && rb[j] == b'.' {
        clean.push('.');
        j += 1;
        while j < rb.len() && rb[j].is_ascii_digit() {
            clean.push(rb[j] as char);
            j += 1;
        }
    }
    if j < rb.len() && (rb[j] == b'e' || rb[j] == b'E') {
        clean.push('e');
        j += 1;
        if j < rb.len() && (rb[j] == b'-' || rb[j] == b'+') {
            clean.push(rb[j] as char);
            j += 1;
        }
        let start = j;
        while j < rb.len() && rb[j].is_ascii_digit() {
            clean.push(rb[j] as char);
            j += 1;
        }
        if j == start {
            return None;
        }
    }
    if j != rb.len() || clean == "." || clean.is_empty() {
        return None;
    }
    let v: f64 = clean.parse().ok()?;
    let v = if neg { -v } else { v };
    v.is_finite().then_some(v)
}

/// Parses `s` as one number in any accepted form (see the module docs).
pub fn parse_number(s: &str) -> Result<Number, ParseError> {
    let t = strip_wrappers(s);
    let err = || ParseError::NoNumber { text: snippet(s) };
    let (t, percent) = if let Some(r) = t.strip_suffix("\\%") {
        (r.trim_end(), true)
    } else if let Some(r) = t.strip_suffix('%') {
        (r.trim_end(), true)
    } else {
        (t, false)
    };
    // LaTeX fraction, with an optional leading sign.
    let (neg, u) = match t.strip_prefix('-') {
        Some(r) => (true, r.trim_start()),
        None => (false, t),
    };
    for cmd in ["\\frac{", "\\dfrac{", "\\tfrac{"] {
        if let Some(r) = u.strip_prefix(cmd) {
            let (num, rest) = r.split_once('}').ok_or_else(err)?;
            let den = rest
                .strip_prefix('{')
                .and_then(|d| d.strip_suffix('}'))
                .ok_or_else(err)?;
            let (n, d) = (
                parse_plain(num).ok_or_else(err)?,
                parse_plain(den).ok_or_else(err)?,
            );
            if d == 0.0 {
                return Err(err());
            }
            let v = if neg { -n / d } else { n / d };
            return Ok(Number { value: v, percent });
        }
    }
    if let Some((num, den)) = t.split_once('/') {
        let (n, d) = (
            parse_plain(num).ok_or_else(err)?,
            parse_plain(den).ok_or_else(err)?,
        );
        if d == 0.0 || den.trim_start().starts_with(['-', '+']) {
            return Err(err());
        }
        let v = n / d;
        return if v.is_finite() {
            Ok(Number { value: v, percent })
        } else {
            Err(err())
        };
    }
    let value = parse_plain(t).ok_or_else(err)?;
    Ok(Number { value, percent })
}

/// The end of the non-decimal integer literal (`0x1F`, `0b101`, `0o17`, any case) starting at
/// `d`, if there is one: the whole run of ASCII letters, digits and `_`.
fn radix_literal_end(b: &[u8], d: usize) -> Option<usize> {
    let digit_ok: fn(&u8) -> bool = match (b.get(d), b.get(d + 1)) {
        (Some(b'0'), Some(b'x' | b'X')) => u8::is_ascii_hexdigit,
        (Some(b'0'), Some(b'b' | b'B')) => |c| matches!(c, b'0' | b'1'),
        (Some(b'0'), Some(b'o' | b'O')) => |c| matches!(c, b'0'..=b'7'),
        _ => return None,
    };
    if !b.get(d + 2).is_some_and(digit_ok) {
        return None;
    }
    Some(identifier_end(b, d + 2))
}

/// The end of the run of ASCII letters, digits and `_` starting at `i`.
fn identifier_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    i
}

/// Every number token in free text, in order (fractions `a/b` and percentages included).
///
/// Non-decimal literals (`0x10`) and digits joined by `_` (`1_000`) are skipped whole.
///
/// ```
/// use ocellus_rewards::number::find_numbers;
/// assert!(find_numbers("it is 0x10").is_empty());
/// assert_eq!(find_numbers("0x10 is 16")[0].value, 16.0);
/// ```
pub fn find_numbers(text: &str) -> Vec<Number> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts_digit =
            b[i].is_ascii_digit() || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let signed = b[i] == b'-'
            && b.get(i + 1)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        let glued = i > 0 && (b[i - 1].is_ascii_alphabetic() || b[i - 1] == b'_');
        if !(starts_digit || signed) || glued {
            i += 1;
            continue;
        }
        if let Some(end) = radix_literal_end(b, if signed { i + 1 } else { i }) {
            i = end;
            continue;
        }
        let start = i;
        i += 1;
        while i < b.len() {
            let c = b[i];
            let next_digit = b.get(i + 1).is_some_and(u8::is_ascii_digit);
            let take = c.is_ascii_digit()
                || (c == b'.' && next_digit)
                || (c == b','
                    && b.get(i + 1..i + 4)
                        .is_some_and(|g| g.iter().all(u8::is_ascii_digit))
                    && !b.get(i + 4).is_some_and(u8::is_ascii_digit))
                || (c == b'/' && next_digit)
                || ((c == b'e' || c == b'E')
                    && (next_digit
                        || (matches!(b.get(i + 1), Some(b'-' | b'+'))
                            && b.get(i + 2).is_some_and(u8::is_ascii_digit))))
                || ((c == b'-' || c == b'+') && matches!(b[i - 1], b'e' | b'E'));
            if !take {
                break;
            }
            i += 1;
        }
        if b.get(i) == Some(&b'_') {
            // `1_000`, `3_b`: an identifier or Python's digit grouping, not the number 1.
            i = identifier_end(b, i);
            continue;
        }
        if i < b.len() && b[i] == b'%' {
            i += 1;
        }
        // Number tokens are ASCII, so these are char boundaries.
        if let Ok(n) = parse_number(&text[start..i]) {
            out.push(n);
        }
    }
    out
}

/// The single number an answer states: the whole answer if it parses as one, else the only
/// distinct number in it. Several distinct numbers are [`ParseError::AmbiguousNumber`]: a
/// verifier does not guess which one the policy meant (hedging "3 or 4" must not pay).
pub fn answer_number(text: &str) -> Result<Number, ParseError> {
    if let Ok(n) = parse_number(text) {
        return Ok(n);
    }
    let all = find_numbers(text);
    let Some(first) = all.first().copied() else {
        return Err(ParseError::NoNumber {
            text: snippet(text),
        });
    };
    if all
        .iter()
        .all(|n| n.value == first.value && n.percent == first.percent)
    {
        Ok(first)
    } else {
        Err(ParseError::AmbiguousNumber {
            text: snippet(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let table: [(&str, f64, bool); 18] = [
            ("42", 42.0, false),
            (" -7 ", -7.0, false),
            ("+3", 3.0, false),
            ("−2", -2.0, false),
            ("3.25", 3.25, false),
            (".5", 0.5, false),
            ("1e-3", 0.001, false),
            ("2.5E2", 250.0, false),
            ("1,234", 1234.0, false),
            ("1,234,567.5", 1234567.5, false),
            ("3/4", 0.75, false),
            ("-1/2", -0.5, false),
            (r"\frac{3}{4}", 0.75, false),
            (r"-\dfrac{1}{4}", -0.25, false),
            ("45%", 45.0, true),
            (r"12.5\%", 12.5, true),
            ("$5$.", 5.0, false),
            (r"\boxed{8}", 8.0, false),
        ];
        for (s, v, pct) in table {
            let n = parse_number(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert!(
                (n.value - v).abs() < 1e-12 && n.percent == pct,
                "{s:?} -> {n:?}"
            );
        }
    }

    #[test]
    fn rejected_forms() {
        for s in [
            "",
            "abc",
            "inf",
            "NaN",
            "1,5",
            "1,23",
            "12,3456",
            ",123",
            "1/0",
            "0x10",
            "1e",
            "1..2",
            "--1",
            "3 apples",
            "1/-2",
            r"\frac{1}{0}",
            r"\frac{1}",
            "1e999",
        ] {
            assert!(parse_number(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn numbers_in_text() {
        let vals = |s: &str| find_numbers(s).iter().map(|n| n.value).collect::<Vec<_>>();
        assert_eq!(vals("There are 3 cats and 1,200 dogs."), vec![3.0, 1200.0]);
        assert_eq!(vals("ratio 3/4, then -2 and 1e3"), vec![0.75, -2.0, 1000.0]);
        assert_eq!(vals("list 1,2,3"), vec![1.0, 2.0, 3.0]);
        assert_eq!(vals("x2 and H2O"), Vec::<f64>::new());
        assert_eq!(vals("Answer: 50%."), vec![50.0]);
        // Non-decimal literals and digit grouping with '_' are skipped whole, never read as 0
        // or 1 (formerly `0x10` gave 0).
        assert_eq!(vals("0x10"), Vec::<f64>::new());
        assert_eq!(vals("it is -0X1f, 0b101 or 0o17"), Vec::<f64>::new());
        assert_eq!(vals("0x10 is 16"), vec![16.0]);
        assert_eq!(vals("1_000 items"), Vec::<f64>::new());
        assert_eq!(vals("0x and 0xg"), vec![0.0, 0.0]);
        assert!(matches!(
            answer_number("0x10"),
            Err(ParseError::NoNumber { .. })
        ));
        assert!(answer_number("$0x10$").is_err());
        assert_eq!(answer_number("It is 4 (four), so 4.").unwrap().value, 4.0);
        assert!(matches!(
            answer_number("3 or 4"),
            Err(ParseError::AmbiguousNumber { .. })
        ));
        assert!(matches!(
            answer_number("none"),
            Err(ParseError::NoNumber { .. })
        ));
    }

    #[test]
    fn tolerance_and_percentages() {
        let n = |v: f64, p: bool| Number {
            value: v,
            percent: p,
        };
        let t = Tolerance {
            abs: 0.0,
            rel: 0.01,
        };
        assert!(numbers_match(n(100.9, false), n(100.0, false), t));
        assert!(!numbers_match(n(101.1, false), n(100.0, false), t));
        let a = Tolerance { abs: 0.5, rel: 0.0 };
        assert!(numbers_match(n(2.5, false), n(3.0, false), a));
        assert!(!numbers_match(n(2.4, false), n(3.0, false), a));
        let e = Tolerance::EXACT;
        assert!(numbers_match(n(12.0, false), n(12.0, false), e));
        assert!(!numbers_match(n(0.1 + 0.2, false), n(0.3, false), e));
        let d = Tolerance::default();
        assert!(numbers_match(n(0.1 + 0.2, false), n(0.3, false), d));
        assert!(numbers_match(n(45.0, true), n(0.45, false), d));
        assert!(numbers_match(n(0.45, false), n(45.0, true), d));
        assert!(numbers_match(n(45.0, false), n(45.0, true), d));
        assert!(!numbers_match(n(45.0, true), n(4.5, false), d));
    }
}
