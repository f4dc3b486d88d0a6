//! Conformance of the text verifiers with the reference functions they name.
//!
//! References (mirror commits read):
//! - SQuAD v1.1 `evaluate-v1.1.py` `normalize_answer`: `lower()`, drop `string.punctuation`,
//!   `re.sub(r'\b(a|an|the)\b', ' ')` (Unicode `\w`), `' '.join(text.split())`.
//! - CLS-RL `src/cls-rl/src/open_r1/grpo.py` `accuracy_reward` and `grpo_direct.py`
//!   `accuracy_reward` [minglllli/CLS-RL 0dc42e03].
//! - VLM-R1 `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py` `default_accuracy_reward`
//!   (with `numeric_reward`, `clean_text`), `mcq_reward` (with `extract_choice`) and
//!   `yes_no_reward` [om-ai-lab/VLM-R1 90052f47].
//!
//! Every `reference` value below was worked out from the reference's formula (the comment says
//! how); they were also checked by running the reference functions themselves (Python 3.11,
//! math-verify 0.9.0, Levenshtein 0.27.5) in a scratch script. `dev` names the deviation in the
//! `ocellus_rewards::text` module docs that makes our score differ; an empty `dev` means our
//! score must equal the reference's, a non-empty one that it must differ (so a stale tag fails).
//! `ours` is the verdict kind this crate gives.

use ocellus_rewards::number::Tolerance;
use ocellus_rewards::text::{
    normalize_text, MultipleChoice, Numeric, StringMatch, StringRule, YesNo,
};
use ocellus_rewards::{AnswerSource, Gold, VerdictKind, Verifier};
use VerdictKind::{Correct, GoldUnparseable, Incorrect, Malformed};

/// `(completion, gold, reference score, our kind, deviation)`.
type Row = (&'static str, &'static str, f64, VerdictKind, &'static str);

/// Checks one table: our kind, and our score against the reference's (see the file docs).
fn check(v: &dyn Verifier, rows: &[Row], options: &[&str]) {
    for &(c, g, reference, ours, dev) in rows {
        let gold = Gold::new(g).with_options(options.iter().copied());
        let got = v.verify(c, &gold);
        assert_eq!(got.kind(), ours, "{} {c:?} vs {g:?}: {got}", v.name());
        let want = if ours == Correct { 1.0 } else { 0.0 };
        assert_eq!(got.score(), want, "{} {c:?} vs {g:?}", v.name());
        if dev.is_empty() {
            assert_eq!(
                got.score(),
                reference,
                "{} {c:?} vs {g:?} departs",
                v.name()
            );
        } else {
            assert_ne!(
                got.score(),
                reference,
                "{} {c:?}: deviation {dev} is stale",
                v.name()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// normalized: SQuAD v1.1 normalize_answer
// ---------------------------------------------------------------------------------------------

/// `(input, normalize_answer(input))`.
#[rustfmt::skip]
const SQUAD: &[(&str, &str)] = &[
    ("", ""),
    ("The Cat", "cat"),                                   // lower, "the" is a \w run -> " "
    ("  The Red-Car. ", "redcar"),                        // '-' and '.' are string.punctuation
    ("A  big\ndog!", "big dog"),
    ("an apple a day", "apple day"),
    ("Theater", "theater"),                               // "the" inside a word: no \b after it
    ("the-cat", "thecat"),                                // punctuation goes before the articles
    ("the_cat", "thecat"),                                // '_' is punctuation too
    ("the\u{2014}cat", "\u{2014}cat"),                    // em dash: not ASCII punctuation, not \w
    ("the\u{2013}end", "\u{2013}end"),                    // en dash, same
    ("\u{39f}\u{394}\u{39f}\u{3a3}", "\u{3bf}\u{3b4}\u{3bf}\u{3c2}"), // ΟΔΟΣ: word-final Σ -> ς
    ("\u{3a3}\u{391}", "\u{3c3}\u{3b1}"),                 // ΣΑ: initial Σ -> σ
    ("\u{391}\u{3a3}-\u{392}", "\u{3b1}\u{3c2}\u{3b2}"),  // ΑΣ-Β: '-' is not case-ignorable, so Σ is final, then '-' goes
    ("\u{391}\u{3a3}.\u{392}", "\u{3b1}\u{3c3}\u{3b2}"),  // ΑΣ.Β: '.' is case-ignorable, a cased Β follows, so σ
    ("the\u{301}", "\u{301}"),                            // combining acute (Mn) is not \w: "the" is a whole run
    ("the\u{363}", "\u{363}"),                            // combining small a (Mn, Other_Alphabetic): not \w either
    ("a\u{345}", "\u{345}"),                              // ypogegrammeni (Mn, Other_Alphabetic)
    ("a\u{93e}", "\u{93e}"),                              // Devanagari sign AA (Mc): not str.isalnum()
    ("\u{915}\u{93e} the", "\u{915}\u{93e}"),             // का is one non-article run either way
    ("THE\u{24b6}", "\u{24d0}"),                          // Ⓐ lowers to ⓐ (So): not \w, so "the" goes
    ("the\u{732b}", "the\u{732b}"),                       // 猫 is Lo, so \w: "the猫" is one run
    ("\u{732b} the \u{72ac}", "\u{732b} \u{72ac}"),
    ("an\u{b2}", "an\u{b2}"),                             // ² has a digit value: \w
    ("a\u{bd}", "a\u{bd}"),                               // ½ has a numeric value: \w
    ("a\u{663}", "a\u{663}"),                             // Arabic-Indic 3 (Nd): \w
    ("\u{216b} the", "\u{217b}"),                         // Ⅻ lowers to ⅻ (Nl)
    ("a\u{1c}b", "b"),                                    // \x1c: not \w, and str.split() splits on it
    ("x\u{1f}y", "x y"),                                  // \x1f likewise
    ("\u{85}a\u{85}", ""),                                // NEL is whitespace; "a" goes
    ("the\u{a0}cat", "cat"),                              // no-break space: whitespace
    ("\u{2028}the\u{2029}end", "end"),                    // line / paragraph separators: whitespace
    ("the\u{200b}cat", "\u{200b}cat"),                    // zero-width space: neither \w nor whitespace
    ("\u{130}stanbul", "i\u{307}stanbul"),                // İ lowers to i + combining dot (full mapping)
    ("THE \u{130}", "i\u{307}"),
    ("\u{212a}", "k"),                                    // Kelvin sign lowers to ASCII k
    ("The \u{fb01}sh", "\u{fb01}sh"),                     // ﬁ is already lower case: lower() keeps it
    ("STRASSE stra\u{df}e", "strasse stra\u{df}e"),       // lower(), not casefold(): ß stays
    ("\u{bf}Qu\u{e9} es THE thing?", "\u{bf}qu\u{e9} es thing"), // ¿ is not ASCII punctuation
    ("\u{201c}The\u{201d} end", "\u{201c} \u{201d} end"),  // curly quotes stay, the article between them goes
    ("l\u{2019}an", "l\u{2019}"),                         // ’ is not \w: "an" is an article run
    ("l'an", "lan"),                                      // ASCII ' is removed first
    ("a.b.c.", "abc"),
];

#[test]
fn squad_normalize_answer() {
    for &(input, want) in SQUAD {
        assert_eq!(normalize_text(input), want, "{input:?}");
    }
}

/// `normalized` scores `normalize_answer(a) == normalize_answer(g)` (SQuAD's exact match).
#[rustfmt::skip]
const NORMALIZED: &[Row] = &[
    ("<answer>The Eiffel Tower.</answer>", "eiffel tower", 1.0, Correct, ""),
    ("<answer>the\u{2014}cat</answer>", "\u{2014}cat", 1.0, Correct, ""),
    ("<answer>the\u{2014}cat</answer>", "the cat", 0.0, Incorrect, ""), // "—cat" != "cat"
    ("<answer>\u{39f}\u{394}\u{39f}\u{3a3}</answer>", "\u{3bf}\u{3b4}\u{3bf}\u{3c2}", 1.0, Correct, ""),
    ("<answer>\u{39f}\u{394}\u{39f}\u{3a3}</answer>", "\u{3bf}\u{3b4}\u{3bf}\u{3c3}", 0.0, Incorrect, ""), // ς != σ
    ("<answer>a\u{1c}cat</answer>", "cat", 1.0, Correct, ""),
    ("<answer>Golden-Retriever</answer>", "golden retriever", 0.0, Incorrect, ""), // "goldenretriever"
    ("<answer>An Apple</answer>", "apple", 1.0, Correct, ""),
];

#[test]
fn normalized_verifier() {
    check(&StringMatch::normalized(), NORMALIZED, &[]);
}

// ---------------------------------------------------------------------------------------------
// cls_rl: CLS-RL grpo.py accuracy_reward
// ---------------------------------------------------------------------------------------------

/// Reference: 1 if math_verify finds equal math in the whole completion and gold; else the first
/// one-line `<answer>(.*?)</answer>` of each (else the whole text), `strip().lower()`, equal.
#[rustfmt::skip]
const CLS_RL: &[Row] = &[
    ("<think>fur</think><answer>Golden Retriever</answer>", "<answer>golden retriever</answer>", 1.0, Correct, ""),
    ("<think>x</think><answer> golden retriever </answer>", "golden retriever", 1.0, Correct, ""), // strip()
    ("<answer>GOLDEN RETRIEVER</answer>", "<answer>Golden Retriever</answer>", 1.0, Correct, ""),
    ("<answer>golden retriever.</answer>", "golden retriever", 0.0, Incorrect, ""), // '.' kept
    ("<answer>the golden retriever</answer>", "golden retriever", 0.0, Incorrect, ""), // no article removal
    ("<answer>Labrador</answer>", "golden retriever", 0.0, Incorrect, ""),
    ("<answer>cat dog</answer>", "cat  dog", 0.0, Incorrect, ""),            // inner spaces kept
    ("<answer>red-winged blackbird</answer>", "Red Winged Blackbird", 0.0, Incorrect, ""),
    ("<answer>\u{39f}\u{394}\u{39f}\u{3a3}</answer>", "<answer>\u{3bf}\u{3b4}\u{3bf}\u{3c2}</answer>", 1.0, Correct, ""), // lower(): final ς
    ("<answer>\u{39f}\u{394}\u{39f}\u{3a3}</answer>", "<answer>\u{3bf}\u{3b4}\u{3bf}\u{3c3}</answer>", 0.0, Incorrect, ""), // so not σ
    ("<answer>\u{3a3}\u{391}\u{3a3}</answer>", "\u{3c3}\u{3b1}\u{3c2}", 1.0, Correct, ""), // ΣΑΣ -> σας
    ("<answer>\u{130}stanbul</answer>", "i\u{307}stanbul", 1.0, Correct, ""), // İ -> i + U+0307
    ("<answer>\u{130}stanbul</answer>", "istanbul", 0.0, Incorrect, ""),
    ("<answer>STRASSE</answer>", "stra\u{df}e", 0.0, Incorrect, ""),       // lower(), not casefold()
    ("<answer>\u{212a}iwi</answer>", "kiwi", 1.0, Correct, ""),            // Kelvin sign lowers to k
    ("<answer>\u{1c4}</answer>", "\u{1c6}", 1.0, Correct, ""),             // Ǆ -> ǆ
    ("<answer>\u{732b}</answer>", "\u{732b}", 1.0, Correct, ""),
    ("<answer>cat\u{1c}</answer>", "cat", 1.0, Correct, ""),               // strip() removes \x1c
    ("<answer>\u{3000}cat\u{a0}</answer>", "cat", 1.0, Correct, ""),       // and U+3000, U+00A0
    ("<answer>cat\u{200b}</answer>", "cat", 0.0, Incorrect, ""),           // but not U+200B
    ("<answer>Boeing 737-800</answer>", "<answer>boeing 737-800</answer>", 1.0, Correct, ""),
    ("<answer>Boeing 737-800</answer>", "<answer>Boeing 737-900</answer>", 1.0, Incorrect, "6"), // math_verify reads 737 in both
    ("<answer>A320</answer>", "<answer>a320</answer>", 1.0, Correct, ""),
    ("<answer>Cat</answer>", "<answer>cat</answer> ", 1.0, Correct, ""),
    ("<think>I see a cat</think>\n<answer>cat</answer>\n", "cat", 1.0, Correct, ""),
    ("<think>2 dogs?</think><answer>cat</answer>", "<answer>cat</answer>", 1.0, Correct, ""), // math_verify: gold has no math
    ("<answer>12</answer>", "<answer>12</answer>", 1.0, Correct, ""),
    ("<answer>12</answer>", "<answer>12.0</answer>", 0.0, Incorrect, ""),   // math_verify finds no number glued to '>'
    ("<think>count</think><answer> 12 </answer>", "<answer> 12.0 </answer>", 1.0, Incorrect, "6"), // math_verify: 12 = 12.0
    ("<answer></answer>", "cat", 0.0, Malformed, ""),                       // '' != 'cat'
    ("<answer>cat</answer>", "<answer></answer>", 0.0, GoldUnparseable, ""),
    ("<answer></answer>", "<answer></answer>", 1.0, GoldUnparseable, "3"),  // '' == ''
    ("cat", "cat", 1.0, Malformed, "2"),                                    // no tag: whole text
    ("<answer>dog</answer><answer>cat</answer>", "cat", 0.0, Correct, "1"), // first block: dog
    ("<answer>\ncat\n</answer>", "cat", 0.0, Correct, "1"),                 // no re.DOTALL: whole text
    ("<ANSWER>cat</ANSWER>", "cat", 0.0, Correct, "1"),                     // case-sensitive tags: whole text
];

#[test]
fn cls_rl_string_branch() {
    let v = StringMatch::cls_rl();
    assert_eq!(v.name(), "cls_rl");
    check(&v, CLS_RL, &[]);
}

/// CLS-RL grpo_direct.py: `ground_truth == content`, the gold's first one-line `<answer>`
/// contents (else the gold) stripped, the completion as it is.
#[rustfmt::skip]
const CLS_RL_DIRECT: &[Row] = &[
    ("cat", "<answer>cat</answer>", 1.0, Correct, ""),
    ("cat", "cat", 1.0, Correct, ""),
    ("golden retriever", "<answer> golden retriever </answer>", 1.0, Correct, ""),
    ("\u{732b}", "<answer>\u{732b}</answer>", 1.0, Correct, ""),
    ("Cat", "<answer>cat</answer>", 0.0, Incorrect, ""),                    // case-sensitive
    ("cats", "cat", 0.0, Incorrect, ""),
    ("<answer>cat</answer>", "<answer>cat</answer>", 0.0, Incorrect, ""),   // the raw output has tags
    ("", "cat", 0.0, Malformed, ""),
    ("cat\n", "<answer>cat</answer>", 0.0, Correct, "7"),                   // the output is not stripped
    (" cat", "cat", 0.0, Correct, "7"),
];

#[test]
fn cls_rl_direct_rule() {
    let v = StringMatch {
        source: AnswerSource::Whole,
        rule: StringRule::Exact,
    };
    check(&v, CLS_RL_DIRECT, &[]);
}

// ---------------------------------------------------------------------------------------------
// numeric: VLM-R1 default_accuracy_reward with a digit in the gold
// ---------------------------------------------------------------------------------------------

/// `(answer, gold, numeric_reward, reference, ours, dev)`.
type NumRow = (
    &'static str,
    &'static str,
    Option<f64>,
    f64,
    VerdictKind,
    &'static str,
);

/// Answer and gold are both wrapped in `<answer>` unless they already have a tag or `\boxed`.
/// `numeric_reward` is `float(a) == float(b)` after `clean_text` (`None`: `float()` raises).
/// The reference is `default_accuracy_reward`: 1 if math_verify says equal, else
/// `numeric_reward`, else Levenshtein `ratio` = 2 * LCS / (len a + len b) of the `clean_text`
/// strings. math_verify (0.9.0, sympy 1.14) reads numbers, fractions, `%`, thousands
/// separators, `$…$` and `\boxed{}`; when one side is a Float it rounds both to 6 places, but
/// no Integer equals a Float under sympy 1.14 (`12.0` = `12` falls through to `float()`).
#[rustfmt::skip]
const NUMERIC: &[NumRow] = &[
    ("12", "12", Some(1.0), 1.0, Correct, ""),
    ("12.0", "12", Some(1.0), 1.0, Correct, ""),
    ("2.50", "2.5", Some(1.0), 1.0, Correct, ""),
    ("13", "12", Some(0.0), 0.0, Incorrect, ""),
    ("-3", "-3", Some(1.0), 1.0, Correct, ""),
    ("+3", "3", Some(1.0), 1.0, Correct, ""),
    ("0.5", ".5", Some(1.0), 1.0, Correct, ""),
    ("3.5.", "3.5", Some(1.0), 1.0, Correct, ""),              // clean_text: rstrip('.')
    ("1e3", "1000", Some(1.0), 1.0, Correct, ""),              // math_verify reads 1; float() 1000
    ("1e3", "1", Some(0.0), 1.0, Incorrect, "11"),             // math_verify reads 1e3 as 1
    ("0x10", "16", None, 1.0 / 3.0, Malformed, "8"),           // math_verify 0 != 16; ratio("0x10","16") = 2*1/6
    ("0x10", "10", None, 2.0 / 3.0, Malformed, "8"),           // ratio: LCS "10" = 2*2/6
    ("0x10", "0", None, 1.0, Malformed, "11"),                 // math_verify reads 0x10 as 0
    ("3/4", "0.75", None, 1.0, Correct, ""),                   // math_verify: 3/4 = 0.75
    ("\\frac{3}{4}", "0.75", None, 1.0, Correct, ""),
    ("-0.5", "-1/2", None, 1.0, Correct, ""),
    ("75%", "0.75", None, 1.0, Correct, ""),                   // math_verify: 75% = 0.75
    ("45%", "45", None, 1.0, Correct, ""),                     // math_verify: two integers, 45% = 45
    ("45", "45%", None, 1.0, Correct, ""),
    ("46%", "45%", None, 2.0 / 3.0, Incorrect, "8"),           // ratio("46%","45%"): LCS "4%" = 4/6
    ("12.5\\%", "0.125", None, 6.0 / 11.0, Correct, "11"),     // math_verify reads 12.5; ratio LCS "125" = 6/11
    ("1,200", "1200", None, 1.0, Correct, ""),                 // math_verify drops the separator
    ("1,234,567.5", "1234567.5", None, 1.0, Correct, ""),
    ("There are 12 apples.", "12", None, 1.0, Correct, ""),   // math_verify finds the one number
    ("12 or 13", "12", None, 0.4, Malformed, "8"),             // math_verify takes 13; ratio = 2*2/10
    ("12 or 13", "13", None, 1.0, Malformed, "10"),            // math_verify takes the last number
    ("twelve", "12", None, 0.0, Malformed, ""),                // ratio("twelve","12") = 0
    ("0.30000000000000004", "0.3", Some(0.0), 1.0, Correct, ""), // math_verify rounds to 6 places
    ("3", "3.0000000001", Some(0.0), 0.0, Correct, "13"),      // math_verify: an Integer never equals a Float; ours: within 1e-9
    ("0.3333333", "1/3", None, 1.0, Incorrect, "9"),           // math_verify: 0.3333333 rounds to 1/3
    ("1.0000001", "1.0", Some(0.0), 1.0, Incorrect, "9"),      // math_verify: Float vs Float, rounded
    ("1.0000001", "1", Some(0.0), 0.0, Incorrect, ""),         // math_verify: Float vs Integer, never equal
    ("inf", "inf", Some(1.0), 1.0, GoldUnparseable, "12"),     // float('inf') == float('inf')
    ("1_000", "1000", Some(1.0), 1.0, Malformed, "12"),        // float() accepts digit grouping
    ("\u{661}\u{662}", "12", Some(1.0), 1.0, Malformed, "12"), // float('١٢') = 12.0
    ("<answer>5</answer> wait <answer>7</answer>", "7", Some(1.0), 1.0, Correct, ""), // last block, as here
    ("\\boxed{7}", "7", None, 1.0, Correct, ""),               // no tag: math_verify reads the box
    ("$7$", "7", None, 1.0, Correct, ""),
    ("7", "<answer>7</answer>", Some(1.0), 1.0, Malformed, "2"), // bare answer: not unwrapped here
];

#[test]
fn numeric_vlmr1() {
    let v = Numeric::new(Tolerance::default());
    let exact = Numeric::new(Tolerance::EXACT);
    let wrap = |s: &'static str| -> String {
        if s.contains("<answer>") || s.contains("\\boxed") {
            s.to_owned()
        } else {
            format!("<answer>{s}</answer>")
        }
    };
    for &(a, g, float_eq, reference, ours, dev) in NUMERIC {
        // The bare-answer row is the one whose completion is not wrapped.
        let c = if dev == "2" { a.to_owned() } else { wrap(a) };
        let gold = Gold::new(wrap(g));
        let got = v.verify(&c, &gold);
        assert_eq!(got.kind(), ours, "{c:?} vs {g:?}: {got}");
        if dev.is_empty() {
            assert_eq!(got.score(), reference, "{c:?} vs {g:?} departs");
        } else {
            assert_ne!(got.score(), reference, "{c:?}: deviation {dev} is stale");
        }
        // Tolerance::EXACT is numeric_reward's float equality wherever both sides read.
        if let (Some(f), Correct | Incorrect) = (float_eq, ours) {
            assert_eq!(exact.verify(&c, &gold).score(), f, "EXACT {c:?} vs {g:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// multiple_choice: VLM-R1 mcq_reward / extract_choice
// ---------------------------------------------------------------------------------------------

/// Reference: `extract_choice` upper-cases the text and takes the ASCII capitals with no ASCII
/// letter before them and one of `.,?!:;` or the end after them; one candidate is the choice,
/// several are ranked by keywords, position (last 30 %) and a following `.` or `,`. The
/// answer is the first `<answer>` block (else the whole text), the gold's letter the choice
/// in its first block (else the whole solution text).
#[rustfmt::skip]
const MCQ: &[Row] = &[
    ("<answer>B</answer>", "B", 1.0, Correct, ""),
    ("<answer>b</answer>", "B", 1.0, Correct, ""),                    // upper() first
    ("<answer>B.</answer>", "B", 1.0, Correct, ""),
    ("<answer>\nB\n</answer>", "<answer>B</answer>", 1.0, Correct, ""),
    ("<answer>B. dog</answer>", "B", 1.0, Correct, ""),               // only B has '.' after it
    ("<answer>The answer is B</answer>", "B", 1.0, Correct, ""),      // B at the end
    ("<answer>The answer is B.</answer>", "B", 1.0, Correct, ""),
    ("<answer>I think B</answer>", "B", 1.0, Correct, ""),            // "I" has a space after it
    ("<answer>I think the answer is B.</answer>", "B", 1.0, Correct, ""),
    ("<answer>I'm sure it's B</answer>", "B", 1.0, Correct, ""),      // I, M, S have ' or a space after
    ("<answer>It's C.</answer>", "B", 0.0, Incorrect, ""),            // C
    ("<answer>IT'S C.</answer>", "C", 1.0, Correct, ""),              // S has a space after it
    ("<answer>Option B</answer>", "B", 1.0, Correct, ""),
    ("<answer>Answer: B</answer>", "B", 1.0, Correct, ""),            // R has a letter before it
    ("<answer>the answer is b</answer>", "B", 1.0, Correct, ""),
    ("<answer>Because the cat is on the mat, the answer is C.</answer>", "C", 1.0, Correct, ""),
    ("<answer>I</answer>", "I", 1.0, Correct, ""),
    ("<answer>I think I</answer>", "I", 1.0, Correct, ""),            // the last I, at the end
    ("<answer>A</answer>", "B", 0.0, Incorrect, ""),
    ("<answer>C.</answer>", "<answer>B</answer>", 0.0, Incorrect, ""),
    ("<answer>B, C</answer>", "B", 0.0, Malformed, ""),              // scores B 1 (','), C 2 (end): C
    ("<answer>\u{ff22}</answer>", "B", 0.0, Malformed, ""),           // fullwidth Ｂ is not [A-Z]
    ("<answer>B</answer>", "<answer>B. dog</answer>", 1.0, Correct, ""), // gold: B
    ("<answer>(B)</answer>", "B", 0.0, Correct, "14"),                // ')' after B: no letter
    ("<answer>B) dog</answer>", "B", 0.0, Correct, "14"),
    ("<answer>(B) dog</answer>", "B", 0.0, Correct, "14"),
    ("<answer>B is correct</answer>", "B", 0.0, Correct, "14"),       // a space after B
    ("<answer>The answer is (B).</answer>", "B", 0.0, Correct, "14"),
    ("<answer>A or B</answer>", "B", 1.0, Malformed, "15"),           // A has a space after it: B alone
    ("<answer>I or B</answer>", "B", 1.0, Malformed, "15"),
    ("<answer>A dog, so B</answer>", "B", 1.0, Malformed, "15"),
    ("<answer>A, B</answer>", "B", 1.0, Malformed, "15"),             // A 1 (','), B 2 (end): B
    ("<answer>B</answer><answer>C</answer>", "B", 1.0, Incorrect, "1"), // first block: B
    ("B", "B", 1.0, Malformed, "2"),                                  // no tag: the whole text
    ("<answer>B</answer>", "<answer>(B)</answer>", 0.0, Correct, "16"), // gold: no letter, compared as "<answer>(B)</answer>"
];

/// With options: VLM-R1 does not read them.
#[rustfmt::skip]
const MCQ_OPTIONS: &[Row] = &[
    ("<answer>B</answer>", "B", 1.0, Correct, ""),
    ("<answer>E</answer>", "B", 0.0, Malformed, ""),                  // E: a letter, not B (out of range here)
    ("<answer>dog</answer>", "B", 0.0, Correct, "14"),                // "DOG": G has O before it
    ("<answer>Dog.</answer>", "B", 0.0, Correct, "14"),
];

#[test]
fn multiple_choice_vlmr1() {
    check(&MultipleChoice::default(), MCQ, &[]);
    check(
        &MultipleChoice::default(),
        MCQ_OPTIONS,
        &["cat", "dog", "bird"],
    );
}

// ---------------------------------------------------------------------------------------------
// yes_no: VLM-R1 yes_no_reward
// ---------------------------------------------------------------------------------------------

/// Reference: both lower-cased; the first `<answer>` block of each (else the whole text); the
/// first substring `yes|no` of each, `''` if none; 1 if the two are equal.
#[rustfmt::skip]
const YES_NO: &[Row] = &[
    ("<answer>yes</answer>", "yes", 1.0, Correct, ""),
    ("<answer>Yes</answer>", "<answer>Yes</answer>", 1.0, Correct, ""),
    ("<answer>YES.</answer>", "yes", 1.0, Correct, ""),
    ("<answer>No</answer>", "no", 1.0, Correct, ""),
    ("<answer>NO!</answer>", "<answer>No</answer>", 1.0, Correct, ""),
    ("<answer>no</answer>", "yes", 0.0, Incorrect, ""),
    ("<answer>Yes.</answer>", "No", 0.0, Incorrect, ""),
    ("<answer>Yes, it is.</answer>", "yes", 1.0, Correct, ""),
    ("<answer>No, it is not.</answer>", "no", 1.0, Correct, ""),      // first substring: "no"
    ("<answer>Absolutely yes!</answer>", "yes", 1.0, Correct, ""),
    ("<answer>The answer is no.</answer>", "no", 1.0, Correct, ""),
    ("<answer>\nYes\n</answer>", "yes", 1.0, Correct, ""),            // re.DOTALL on the completion
    ("<ANSWER>Yes</ANSWER>", "yes", 1.0, Correct, ""),                // lower() before the tag search
    ("\\boxed{yes}", "yes", 1.0, Correct, ""),                        // no tag: the whole text has "yes"
    ("<answer>yes</answer>", "<answer>Yes, the dog is black.</answer>", 1.0, Correct, ""),
    ("<answer>yes</answer>", "<answer>No, there is no dog.</answer>", 0.0, Incorrect, ""),
    ("<answer>I do not know</answer>", "yes", 0.0, Malformed, ""),    // "no" (in "not") != "yes"
    ("<answer>No, yes</answer>", "yes", 0.0, Malformed, ""),          // first: "no"
    ("<answer>yes and no</answer>", "no", 0.0, Malformed, ""),        // first: "yes"
    ("<answer>maybe</answer>", "yes", 0.0, Malformed, ""),            // '' != 'yes'
    ("<answer>\u{ff39}\u{ff45}\u{ff53}</answer>", "yes", 0.0, Malformed, ""), // fullwidth Ｙｅｓ is not "yes"
    ("<answer>\u{662f}</answer>", "yes", 0.0, Malformed, ""),         // 是
    ("<answer>y</answer>", "yes", 0.0, Malformed, ""),
    ("<answer></answer>", "yes", 0.0, Malformed, ""),
    ("<answer>true</answer>", "true", 1.0, Correct, ""),              // '' == '' (deviation 17's bug, same score)
    ("<answer>maybe</answer>", "unsure", 1.0, GoldUnparseable, "17"), // '' == ''
    ("<answer></answer>", "maybe", 1.0, GoldUnparseable, "17"),
    ("<answer>I do not know</answer>", "no", 1.0, Malformed, "18"),   // "no" in "not"
    ("<answer>nope</answer>", "no", 1.0, Malformed, "18"),
    ("<answer>noon</answer>", "no", 1.0, Malformed, "18"),
    ("<answer>yesterday</answer>", "yes", 1.0, Malformed, "18"),
    ("<answer>Yes, there is no doubt</answer>", "yes", 1.0, Malformed, "19"), // first: "yes"
    ("<answer>true</answer>", "yes", 0.0, Correct, "20"),             // '' != 'yes'
    ("<answer>false</answer>", "no", 0.0, Correct, "20"),
    ("<answer>no</answer> <answer>yes</answer>", "yes", 0.0, Correct, "1"), // first block: "no"
    ("yes", "yes", 1.0, Malformed, "2"),                              // no tag: the whole text
];

#[test]
fn yes_no_vlmr1() {
    check(&YesNo::default(), YES_NO, &[]);
}

#[test]
fn tables_are_large_enough() {
    assert!(SQUAD.len() >= 30 && CLS_RL.len() >= 30 && NUMERIC.len() >= 30);
    assert!(MCQ.len() + MCQ_OPTIONS.len() >= 30 && YES_NO.len() >= 30);
}
