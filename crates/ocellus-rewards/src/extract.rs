//! Answer extraction: `<think>…</think><answer>…</answer>` tags and `\boxed{…}`.
//!
//! Hand-written scanners (no regex), linear in the completion length.
//!
//! **The tag rule.** Tags are matched ASCII case-insensitively (`<Answer>` counts) and may
//! contain anything between them, newlines included (EasyR1's `r1v.py` regex did not span
//! newlines and then graded the whole response, STYLE §7.4). The answer is the content of the
//! **last complete** `<answer>…</answer>` block: the last `</answer>` and the last `<answer>`
//! before it, trimmed. A model that restates its answer is graded on its final statement; a
//! model that hedges with several blocks is caught by the format reward, which demands exactly
//! one. An `<answer>` that is never closed is [`ParseError::UnclosedTag`] (a truncated
//! completion), never "grade the whole text".
//!
//! **The boxed rule.** The last `\boxed{` (or `\fbox{`) with its braces matched by nesting
//! depth, so `\boxed{\frac{1}{2}}` gives `\frac{1}{2}`.
//!
//! ```
//! use ocellus_rewards::extract::{answer_tag, boxed, extract_answer, AnswerSource};
//! let c = "<think>\nTwo cats.\n</think>\n<ANSWER>\n 2 \n</ANSWER>";
//! assert_eq!(answer_tag(c).unwrap(), "2");
//! assert_eq!(boxed(r"so \boxed{\frac{3}{4}}.").unwrap(), r"\frac{3}{4}");
//! // Auto: the answer block, and inside it a \boxed{} if there is one.
//! assert_eq!(extract_answer(r"<answer>\boxed{7}</answer>", AnswerSource::Auto).unwrap(), "7");
//! assert!(extract_answer("<answer>7", AnswerSource::Auto).is_err());
//! ```

use crate::error::ParseError;
use serde::{Deserialize, Serialize};

/// Where a verifier looks for the answer in a completion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    /// The last complete `<answer>` block if the completion has any `<answer>` tag (an unclosed
    /// one is malformed); otherwise the last `\boxed{}`; otherwise [`ParseError::NoAnswer`].
    /// A `\boxed{}` inside the answer block is unwrapped. The default.
    #[default]
    Auto,
    /// The last complete `<answer>` block, required.
    AnswerTag,
    /// The last `\boxed{}`, required.
    Boxed,
    /// The whole completion, trimmed (for no-thinking templates such as CLS-RL's
    /// `grpo_direct.py` or GUI-G1's fast template).
    Whole,
}

/// ASCII case-insensitive search for `needle` (lower-case ASCII) in `hay[from..]`.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let last = hay.len() - needle.len();
    let first = needle[0];
    let mut i = from;
    while i <= last {
        if hay[i].to_ascii_lowercase() == first
            && hay[i..i + needle.len()]
                .iter()
                .zip(needle)
                .all(|(h, n)| h.to_ascii_lowercase() == *n)
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// ASCII case-insensitive search for the last `needle` starting before `end`.
pub(crate) fn rfind_ci(hay: &[u8], needle: &[u8], end: usize) -> Option<usize> {
    let end = end.min(hay.len());
    if needle.is_empty() || end < needle.len() {
        return None;
    }
    let mut i = end - needle.len() + 1;
    while i > 0 {
        i -= 1;
        if hay[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(h, n)| h.to_ascii_lowercase() == *n)
        {
            return Some(i);
        }
    }
    None
}

/// The content of the last complete `<name>…</name>` block, trimmed (see the module docs).
/// `name` must be lower-case ASCII.
fn last_block<'a>(
    text: &'a str,
    open: &'static str,
    close: &'static str,
    tag: &'static str,
) -> Result<&'a str, ParseError> {
    let bytes = text.as_bytes();
    let Some(end) = rfind_ci(bytes, close.as_bytes(), bytes.len()) else {
        return Err(if find_ci(bytes, open.as_bytes(), 0).is_some() {
            ParseError::UnclosedTag { tag }
        } else if tag == "answer" {
            ParseError::NoAnswerTag
        } else {
            ParseError::MissingField { field: tag }
        });
    };
    let Some(start) = rfind_ci(bytes, open.as_bytes(), end) else {
        return Err(ParseError::Invalid {
            what: "tags",
            why: format!("</{tag}> without a preceding <{tag}>"),
        });
    };
    // Tags are ASCII, so these are char boundaries.
    Ok(text[start + open.len()..end].trim())
}

/// The trimmed content of the last complete `<answer>…</answer>` block.
///
/// Errors: [`ParseError::NoAnswerTag`], [`ParseError::UnclosedTag`], or
/// [`ParseError::Invalid`] for a `</answer>` with no `<answer>` before it.
pub fn answer_tag(text: &str) -> Result<&str, ParseError> {
    last_block(text, "<answer>", "</answer>", "answer")
}

/// The trimmed content of the last complete `<think>…</think>` block, if any.
pub fn think_tag(text: &str) -> Option<&str> {
    last_block(text, "<think>", "</think>", "think").ok()
}

/// The content of the last `\boxed{…}` (or `\fbox{…}`), braces matched by depth, trimmed.
///
/// Errors: [`ParseError::NoBoxed`], [`ParseError::UnbalancedBoxed`].
pub fn boxed(text: &str) -> Result<&str, ParseError> {
    let bytes = text.as_bytes();
    let a = rfind_ci(bytes, b"\\boxed{", bytes.len()).map(|i| i + 7);
    let b = rfind_ci(bytes, b"\\fbox{", bytes.len()).map(|i| i + 6);
    let start = match (a, b) {
        (Some(a), Some(b)) => a.max(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return Err(ParseError::NoBoxed),
    };
    let mut depth = 1usize;
    for (k, &c) in bytes[start..].iter().enumerate() {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(text[start..start + k].trim());
                }
            }
            _ => {}
        }
    }
    Err(ParseError::UnbalancedBoxed)
}

/// The answer text of `completion` according to `source` (see [`AnswerSource`]).
///
/// Never returns an empty string: an empty answer is [`ParseError::EmptyAnswer`].
pub fn extract_answer(completion: &str, source: AnswerSource) -> Result<&str, ParseError> {
    let text = match source {
        AnswerSource::Whole => completion.trim(),
        AnswerSource::AnswerTag => answer_tag(completion)?,
        AnswerSource::Boxed => boxed(completion)?,
        AnswerSource::Auto => {
            let bytes = completion.as_bytes();
            if find_ci(bytes, b"<answer>", 0).is_some() || find_ci(bytes, b"</answer>", 0).is_some()
            {
                let inner = answer_tag(completion)?;
                match boxed(inner) {
                    Ok(b) => b,
                    Err(ParseError::NoBoxed) => inner,
                    Err(e) => return Err(e),
                }
            } else {
                match boxed(completion) {
                    Ok(b) => b,
                    Err(ParseError::NoBoxed) => return Err(ParseError::NoAnswer),
                    Err(e) => return Err(e),
                }
            }
        }
    };
    if text.is_empty() {
        Err(ParseError::EmptyAnswer)
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_tag_table() {
        let table: [(&str, Result<&str, ParseError>); 10] = [
            ("<answer>A</answer>", Ok("A")),
            (
                "<think>x</think>\n<answer>\n  line 1\n  line 2\n</answer>\n",
                Ok("line 1\n  line 2"),
            ),
            // last complete block wins
            ("<answer>1</answer> wait <answer>2</answer>", Ok("2")),
            ("<answer>1</answer> <answer>2", Ok("1")),
            // nested opener: the last <answer> before the last </answer>
            ("<answer>a <answer>b</answer>", Ok("b")),
            ("<Answer>B</ANSWER>", Ok("B")),
            ("", Err(ParseError::NoAnswerTag)),
            ("the answer is 4", Err(ParseError::NoAnswerTag)),
            ("<answer>4", Err(ParseError::UnclosedTag { tag: "answer" })),
            ("<answer></answer>", Ok("")),
        ];
        for (text, want) in table {
            assert_eq!(answer_tag(text), want, "{text:?}");
        }
        assert!(matches!(
            answer_tag("4</answer>"),
            Err(ParseError::Invalid { .. })
        ));
        assert_eq!(
            think_tag("<think> hm </think><answer>1</answer>"),
            Some("hm")
        );
        assert_eq!(think_tag("<answer>1</answer>"), None);
    }

    #[test]
    fn boxed_table() {
        let table: [(&str, Result<&str, ParseError>); 7] = [
            (r"\boxed{42}", Ok("42")),
            (r"\boxed{\frac{1}{2}}", Ok(r"\frac{1}{2}")),
            (r"\boxed{1} then \boxed{ 2 }", Ok("2")),
            (r"\fbox{x}", Ok("x")),
            (r"\boxed{\{a\}}", Ok(r"\{a\}")),
            (r"\boxed{unclosed {", Err(ParseError::UnbalancedBoxed)),
            ("no box", Err(ParseError::NoBoxed)),
        ];
        for (text, want) in table {
            assert_eq!(boxed(text), want, "{text:?}");
        }
    }

    #[test]
    fn extract_answer_sources() {
        use AnswerSource::*;
        assert_eq!(extract_answer("<answer> B </answer>", Auto), Ok("B"));
        assert_eq!(extract_answer(r"thus \boxed{3}", Auto), Ok("3"));
        assert_eq!(extract_answer("just 3", Auto), Err(ParseError::NoAnswer));
        assert_eq!(extract_answer("just 3", Whole), Ok("just 3"));
        assert_eq!(extract_answer("   ", Whole), Err(ParseError::EmptyAnswer));
        assert_eq!(
            extract_answer("<answer> </answer>", Auto),
            Err(ParseError::EmptyAnswer)
        );
        assert_eq!(
            extract_answer(r"\boxed{3}", AnswerTag),
            Err(ParseError::NoAnswerTag)
        );
        assert_eq!(
            extract_answer("<answer>3</answer>", Boxed),
            Err(ParseError::NoBoxed)
        );
        // Unclosed answer is malformed even if a \boxed{} exists elsewhere.
        assert!(extract_answer(r"\boxed{3} <answer>3", Auto).is_err());
        // Multi-byte text around tags.
        assert_eq!(extract_answer("思考<answer>猫</answer>", Auto), Ok("猫"));
    }

    #[test]
    fn scanners_handle_short_and_unicode_input() {
        assert_eq!(find_ci(b"", b"<a>", 0), None);
        assert_eq!(rfind_ci(b"ab", b"abc", 2), None);
        assert_eq!(rfind_ci(b"xxabxab", b"ab", 7), Some(5));
        assert_eq!(rfind_ci(b"xxabxab", b"ab", 6), Some(2));
    }
}
