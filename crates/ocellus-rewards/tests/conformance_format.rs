//! Conformance of the regex format rewards with the reference code they name.
//!
//! Expected bits come from reading the patterns (the comment on each non-trivial row says
//! which part of the pattern decides), and were cross-checked by running the reference Python
//! functions on the same rows (a scratch script, not in the repo):
//! - `format_regex`: VLM-R1 `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py::format_reward`
//!   (om-ai-lab/VLM-R1 @ 90052f4) and CLS-RL `src/cls-rl/src/open_r1/grpo.py::format_reward`
//!   (minglllli/CLS-RL @ 0dc42e0), both
//!   `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", content, re.DOTALL)`;
//! - `format_regex_first`: Jigsaw-R1 `utils/reward.py::format_reward` (zifuwanggg/Jigsaw-R1
//!   @ 781ebd4), thinking mode, `answer_type = "math"` (no answer-content check):
//!   `m = re.search(<same pattern>, output, re.DOTALL)`, pass iff `m.group(0) == output`;
//! - `format_gta1`: GTA1 `src/grpo_grounding.py::format_reward` (Yan98/GTA1 @ 81f0c4c),
//!   `re.fullmatch(r"<think>.*?</think>\s*<answer>\(\d+,\s*\d+\)</answer>", content.strip(),
//!   re.DOTALL)`.
//!
//! Python's `\s` (and `str.strip()`) is Unicode whitespace plus U+001C..U+001F; `\d` is any
//! Unicode decimal digit.

use ocellus_rewards::format::{FormatReward, FormatRule};
use ocellus_rewards::{Gold, Verifier};

fn score(rule: FormatRule, completion: &str) -> f64 {
    FormatReward { rule }
        .verify(completion, &Gold::default())
        .score()
}

/// (completion, VLM-R1 / CLS-RL fullmatch, Jigsaw-R1 first match is the whole output)
#[rustfmt::skip]
const REGEX_ROWS: &[(&str, bool, bool)] = &[
    ("<think>a</think><answer>b</answer>", true, true),
    // Both .*? may be empty.
    ("<think></think><answer></answer>", true, true),
    // DOTALL: . spans newlines.
    ("<think>\nx\n</think>\n\n<answer>\ny\n</answer>", true, true),
    ("<think>\u{e9}t\u{e9}</think><answer>\u{fc}ber</answer>", true, true),
    // No strip: leading or trailing whitespace breaks the full match.
    (" <think>a</think><answer>b</answer>", false, false),
    ("<think>a</think><answer>b</answer>\n", false, false),
    ("<think>a</think><answer>x</answer>\u{3000}", false, false),
    // Only \s between </think> and <answer>.
    ("<think>a</think>x<answer>b</answer>", false, false),
    ("x<think>a</think><answer>b</answer>", false, false),
    // Hedging with two answers: fullmatch lets the answer .*? span "</answer><answer>";
    // the leftmost lazy match stops at the first </answer>, short of the end.
    ("<think>a</think><answer>1</answer><answer>2</answer>", true, false),
    ("<think>a</think><answer>1</answer> trailing </answer>", true, false),
    ("<think>a</think><answer></answer></answer>", true, false),
    ("<think>a</think>\n<answer>b</answer>\n<think>c</think>\n<answer>d</answer>", true, false),
    ("<think>a</think><answer>b</answer></think><answer>c</answer>", true, false),
    // The think .*? may contain tags; the first </think> followed by \s*<answer> is used.
    ("<think>a</think></think><answer>b</answer>", true, true),
    ("<think>a</think> b </think>\n<answer>c</answer>", true, true),
    ("<think>a</think><think>b</think><answer>c</answer>", true, true),
    ("<think></answer></think><answer>x</answer>", true, true),
    ("<think>a</think><answer><answer>b</answer>", true, true),
    ("<think>a</think> <answer> </answer>", true, true),
    // Missing or misspelt tags; the pattern is case-sensitive.
    ("<think><answer>b</answer>", false, false),
    ("<answer>b</answer>", false, false),
    ("", false, false),
    ("<think>a</think><answer>b", false, false),
    ("<think>a</think><answer>b</answer><answer>", false, false),
    ("<Think>a</Think><answer>b</answer>", false, false),
    ("<think>a</think><answer>b</answer >", false, false),
    ("<think>a</think<answer>b</answer>", false, false),
    // \s is Python's: U+001C..U+001F, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
    // U+2029, U+202F, U+205F, U+3000 and ASCII \t \n \v \f \r and space.
    ("<think>a</think>\u{3000}<answer>b</answer>", true, true),
    ("<think>a</think>\u{1c}\u{1d}\u{1e}\u{1f}<answer>b</answer>", true, true),
    ("<think>a</think>\u{85}\u{a0}\u{2028}\u{2029}<answer>b</answer>", true, true),
    ("<think>a</think>\u{1680}\u{2000}\u{200a}\u{202f}\u{205f}<answer>b</answer>", true, true),
    ("<think>a</think>\u{b}\u{c}\r\n\t <answer>b</answer>", true, true),
    // Not \s: zero-width space, Mongolian vowel separator, BOM, U+001B.
    ("<think>a</think>\u{200b}<answer>b</answer>", false, false),
    ("<think>a</think>\u{180e}<answer>b</answer>", false, false),
    ("<think>a</think>\u{feff}<answer>b</answer>", false, false),
    ("<think>a</think>\u{1b}<answer>b</answer>", false, false),
];

#[test]
fn format_regex_matches_vlm_r1_cls_rl_and_jigsaw_r1() {
    assert!(REGEX_ROWS.len() >= 30);
    for &(c, full, first) in REGEX_ROWS {
        let want = |b: bool| if b { 1.0 } else { 0.0 };
        assert_eq!(
            score(FormatRule::ThinkAnswerRegex, c),
            want(full),
            "fullmatch {c:?}"
        );
        assert_eq!(
            score(FormatRule::ThinkAnswerRegexFirst, c),
            want(first),
            "first match {c:?}"
        );
    }
}

/// (completion, GTA1 format reward)
#[rustfmt::skip]
const GTA1_ROWS: &[(&str, bool)] = &[
    ("<think>a</think><answer>(12, 34)</answer>", true),
    ("<think>a</think><answer>(12,34)</answer>", true),
    ("<think></think><answer>(0,0)</answer>", true),
    ("<think>a</think><answer>(0001, 0002)</answer>", true),
    ("<think>\nmulti\nline\n</think><answer>(1, 2)</answer>", true),
    ("<think>a</think>\n\n<answer>(1, 2)</answer>", true),
    ("<think>(9,9)</think><answer>(1, 2)</answer>", true),
    // content.strip() first: Python whitespace, U+001C and U+0085 included.
    ("  <think>a</think><answer>(1,2)</answer>\n", true),
    ("\u{3000}<think>a</think><answer>(1,2)</answer>\u{1c}", true),
    ("<think>a</think><answer>(1,2)</answer>\u{85}", true),
    ("\u{200b}<think>a</think><answer>(1,2)</answer>", false),
    // \s* only after the comma.
    ("<think>a</think><answer>(1,\n\t 3)</answer>", true),
    ("<think>a</think><answer>(1,\u{3000}3)</answer>", true),
    ("<think>a</think><answer>(1,\u{1f}3)</answer>", true),
    ("<think>a</think><answer>( 1, 3)</answer>", false),
    ("<think>a</think><answer>(1 , 3)</answer>", false),
    ("<think>a</think><answer>(1, 3 )</answer>", false),
    // \d+: unsigned, integer, any Unicode decimal digit (not superscripts).
    ("<think>a</think><answer>(\u{661}\u{662}, \u{663}\u{664})</answer>", true),
    ("<think>a</think><answer>(\u{ff11}\u{ff12}, \u{ff13}\u{ff14})</answer>", true),
    ("<think>a</think><answer>(\u{b2}, 3)</answer>", false),
    ("<think>a</think><answer>(1.5, 3)</answer>", false),
    ("<think>a</think><answer>(-1, 3)</answer>", false),
    ("<think>a</think><answer>(,2)</answer>", false),
    ("<think>a</think><answer>(1,)</answer>", false),
    ("<think>a</think><answer>(1, 2, 3)</answer>", false),
    ("<think>a</think><answer>[1, 2]</answer>", false),
    // The answer is exactly (x, y) up to the end; only the think .*? may span tags.
    ("<think>a</think><answer>(1, 2)</answer><answer>(3, 4)</answer>", false),
    ("<think>a</think><answer>(1,2)</answer></think><answer>(3,4)</answer>", true),
    ("<think>a</think><answer>(1, 2)</answer>trailing", false),
    ("<think>a</think><answer>(1, 2)</answer >", false),
    ("<think>a</think>x<answer>(1, 2)</answer>", false),
    ("<think>a<answer>(1, 2)</answer>", false),
    ("<Think>a</Think><answer>(1, 2)</answer>", false),
    ("<answer>(1, 2)</answer>", false),
    ("(1, 2)", false),
    ("", false),
];

#[test]
fn format_gta1_matches_grpo_grounding_format_reward() {
    assert!(GTA1_ROWS.len() >= 30);
    for &(c, want) in GTA1_ROWS {
        let want = if want { 1.0 } else { 0.0 };
        assert_eq!(score(FormatRule::Gta1Click, c), want, "{c:?}");
    }
}
