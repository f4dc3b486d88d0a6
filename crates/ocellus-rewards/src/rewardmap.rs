//! RewardMap's difficulty-weighted reward for transit-map questions.
//!
//! **Source.** RewardMap (arXiv 2510.02240), fscdc/RewardMap at commit `15428ac3`,
//! `verl/utils/reward_score/reason_map.py`: `reason_map_compute_score` (l.326-396) with
//! `get_acc_torf_counting` (l.53), `get_acc_planning` (l.75), `get_difficulty_weight` (l.156),
//! `get_detailed_reward_planning` (l.228) and `clean_string` (l.44); the answer of true/false
//! and counting questions is read by `find_math_answer` of `reasonmap_utils.py` (l.405), and the
//! metro data is cleaned by `verl/workers/reward/custom.py` (l.82-86) before scoring.
//!
//! ```text
//! R = w * (10 * 1[acc] + 0.5 * R_detail)            R_detail only when type == "planning"
//! w = {easy: 1.0, middle: 1.2, hard: 1.5}[city] (+ 0.5 for planning with transfers); 1 in
//!     baseline mode
//! ```
//!
//! **Question types** (the gold's `type`, as in ReasonMap's data): a type containing `TorF` is a
//! yes/no question (gold `1` means yes, any other number no); `Counting1` is a four-way choice
//! whose gold is the index 0-3 of the letter A-D; `Counting2` and `Counting3` have an integer
//! gold; a type containing `planning` is a route question. Our own spellings `torf` and
//! `counting` (any case) are accepted too and mean `TorF` and `Counting2`.
//!
//! **True/false and counting answers** (the reference's rule, [`MapAnswer::Reference`]): with no
//! `oxed{` in the completion, the text after each of the phrases "the final answer is", "the
//! answer is", "the correct answer is", "the answer should be" (and their capitalised forms)
//! is kept, up to its first line break and first `". "`; with several `\boxed{`, only the last
//! is kept. Then `find_math_answer`: lower-case, the span from the first `oxed{` to the last
//! `}`, cut at a `}` that comes before any `{`, the part after the last `=` and the last
//! `\approx`, spaces and LaTeX decorations (`\text`, `\left`, `$`, `^\circ`, `units`, `km`, …)
//! removed; then trailing dots, leading colons and whitespace are stripped. The result must be
//! `yes`/`no`, an integer as Python's `int()` reads it, or a letter `a`-`d`.
//!
//! **Route answers** are read from the whole completion: sections separated by `--`, each
//! with `Route Name: <line>`, `Departure Stop: <stop>` and `Arrival Stop: <stop>`. The line
//! name is the rest of its line (it must end with a line break), compared exactly with the
//! gold's line names (a name containing 八通 counts as `Line 1`, one containing 大兴 as
//! `Line 4`: Beijing lines that run through); the departure is the rest of its line; the
//! arrival is everything after the section's last `Arrival Stop:`. Stop names are compared
//! after `clean_string` ([`clean_station`]).
//! - `acc` (sections found with the keys spelt exactly): the first departure is station 1, the
//!   last arrival is station 2, and every section names a known line, both its stops are on
//!   that line, and its arrival is the next section's departure.
//! - `R_detail` (sections found with the keys in any case), capped at 10: 0 unless the first
//!   departure and the last arrival are right; then +2, and for section `i` (1-based): −5 if
//!   `i > transfer_count`; for a known line, +4 if there are no transfers and the line serves
//!   both end stations, or +3 if there are transfers; +1 when its stops are on its line, it is
//!   not the last section, its arrival is the next departure and `i <= transfer_count`.
//!
//! **Deviations from the reference code**
//! 1. `R_detail` is also floored at −10: the reference has no floor (each superfluous section
//!    costs up to 5 more), so its reward is unbounded below in the completion length; ours lies
//!    in [−10, 30]. The floor is reached only with about ten superfluous sections.
//! 2. A section whose `Route Name: ` or `Departure Stop: ` line does not end with a line break
//!    gets the placeholder `"Wrong"` in the reference, which would match a station or line that
//!    is literally called "Wrong"; ours matches nothing.
//! 3. Where the reference raises (an unknown type such as `Counting4`, an unknown city
//!    difficulty in difficulty-aware mode, a negative transfer count) the gold is
//!    [`Verdict::GoldUnparseable`]. The gold may also use our field names (see [`MapQuestion`])
//!    and a `yes`/`no` string or an A-D letter as the answer; difficulty is read trimmed and in
//!    any case.
//! 4. Answers that are not of the expected form (not `yes`/`no`, not an integer, not a-d) and
//!    route answers with no section are [`Verdict::Malformed`]; they score 0, as in the
//!    reference (acc false, no detail). Python's `int()` also reads non-ASCII decimal digits
//!    (`７`) and rejects more than 4300 digits; ours reads ASCII digits (with `_` between
//!    digits and a sign, as `int()` does) only. The reference's `_fix_sqrt`, `_fix_fracs`,
//!    `_fix_a_slash_b` and `0.5 → \frac{1}{2}` rewrites are skipped: they apply only to texts
//!    that contain `sqrt`, `/` or `0.5`, which can be neither a yes/no, an integer nor a
//!    letter before or after the rewrite, so acc is unchanged.
//! 5. [`MapAnswer::Tagged`] (an option) reads true/false and counting answers by an
//!    [`AnswerSource`] (e.g. the last `<answer>` block) and then applies `find_math_answer`;
//!    the reference's rule grades `<answer>yes</answer>` as wrong (the tags stay in the text).

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, find_ci, AnswerSource};
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The structured gold answer of a RewardMap question (JSON in [`Gold::answer`]). Each field
/// also accepts the name ReasonMap's rows and `reason_map_compute_score` use (in brackets).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapQuestion {
    /// The question type (`type`, `type_reasonmap`): `TorF1`, `TorF2`, `Counting1`-`3`,
    /// `planning` (see the module docs).
    #[serde(rename = "type", alias = "type_reasonmap")]
    pub kind: String,
    /// City difficulty (`difficulty_city`): `"easy"`, `"middle"` or `"hard"`.
    #[serde(alias = "difficulty_city")]
    pub difficulty: String,
    /// Ground truth (`ground_truth`): for TorF a number (1 = yes) or `"yes"`/`"no"`; for
    /// Counting1 the option index 0-3 or a letter A-D; for Counting2/3 an integer.
    #[serde(default, alias = "ground_truth")]
    pub answer: Option<Value>,
    /// Origin station (`station_1`), for planning.
    #[serde(default, alias = "station_1")]
    pub station1: Option<String>,
    /// Destination station (`station_2`), for planning.
    #[serde(default, alias = "station_2")]
    pub station2: Option<String>,
    /// Number of transfers the question allows (`question_transfer_count`), for planning.
    #[serde(default, alias = "question_transfer_count")]
    pub transfer_count: usize,
    /// Line name → its stations in order (`metro_data`), for planning.
    #[serde(default, alias = "metro_data")]
    pub lines: BTreeMap<String, Vec<String>>,
}

/// Python's `str.isspace()` (what `str.strip()` and `re`'s `\s` use): Rust's White_Space plus
/// the information separators U+001C-U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// Drops every `(…)` or `（…）` group: an opening bracket of either width up to the first closing
/// bracket of either width (the reference's `re.sub(r'[\(\（][^\)\）]*[\)\）]', '', s)`).
fn drop_bracketed(s: &str) -> String {
    let is_close = |c: char| c == ')' || c == '）';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find(['(', '（']) {
        let after_open = open + rest[open..].chars().next().map_or(1, char::len_utf8);
        match rest[after_open..].find(is_close) {
            Some(k) => {
                out.push_str(&rest[..open]);
                let close = after_open + k;
                let close_len = rest[close..].chars().next().map_or(1, char::len_utf8);
                rest = &rest[close + close_len..];
            }
            // No closing bracket after this one, hence none after any later one either.
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// RewardMap's `clean_string` (`reason_map.py` l.44): station-name normalisation, step for
/// step. The replacements run in the reference's order on the text as it is then, so `Univ.`
/// becomes `Universityersity` (the second replacement hits the first one's output), as there.
///
/// ```
/// use ocellus_rewards::rewardmap::clean_station;
/// assert_eq!(clean_station("Xizhimen Station (Transfer)"), "xizhimen");
/// assert_eq!(clean_station("Yonghegong Lama Temple"), "yonghegonglamatemple");
/// assert_eq!(clean_station("Qinghua Road"), "qinghualu");
/// assert_eq!(clean_station("西直门站"), "西直门");
/// ```
pub fn clean_station(s: &str) -> String {
    let mut s = s.to_string();
    for (from, to) in [
        ("Metro", ""),
        ("metro", ""),
        (",", ""),
        ("*", ""),
        ("\n", ""),
        ("'", ""),
        ("Univ.", "University"),
        ("Univ", "University"),
        ("Tech.", "Technology"),
        ("Tech", "Technology"),
        ("road", "lu"),
        ("Road", "lu"),
        ("Station", ""),
        ("station", ""),
        ("Asian Games Village", "yayuncun"),
    ] {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    if let Some(t) = s.strip_suffix('站') {
        s.truncate(t.len());
    }
    let s = drop_bracketed(&s);
    let s: String = s.chars().filter(|&c| !py_space(c) && c != '-').collect();
    s.to_lowercase()
}

/// The metro-data clean-up of `custom.py` (l.82-86), applied to the gold's station lists (not
/// to station 1 and 2) before `clean_string`.
fn strip_station_notes(s: &str) -> String {
    s.replace(" (Transfer Station)", "")
        .replace(" (Branch-starting Station)", "")
        .replace("（换乘站）", "")
        .replace("（支线起始站）", "")
}

/// One section of a route answer, as the reference reads it.
#[derive(Clone, Debug, PartialEq)]
struct Section {
    /// `Route Name: ` up to the line break, stripped; `None` where the reference has "Wrong".
    line: Option<String>,
    /// `Departure Stop: ` up to the line break, cleaned once.
    from: Option<String>,
    /// After the last `Arrival Stop:`, stripped and cleaned once.
    to: String,
}

/// The text after the first `key` up to the next line break (`re.search(key + "(.*?)\n")`):
/// `None` when no line break follows (then no later occurrence has one either).
fn line_after<'a>(section: &'a str, key: &str) -> Option<&'a str> {
    let start = section.find(key)? + key.len();
    let len = section[start..].find('\n')?;
    Some(&section[start..start + len])
}

/// The sections of `text`; `any_case` says whether the three keys may be in any case (the
/// detail reward's test) or must be spelt exactly (the accuracy test). The fields themselves
/// are always read with the exact spellings, as in the reference.
fn parse_sections(text: &str, any_case: bool) -> Vec<Section> {
    const KEYS: [&str; 3] = ["Route Name:", "Departure Stop:", "Arrival Stop:"];
    text.split("--")
        .filter(|sec| !py_strip(sec).is_empty())
        .filter(|sec| {
            KEYS.iter().all(|k| {
                if any_case {
                    find_ci(sec.as_bytes(), k.to_ascii_lowercase().as_bytes(), 0).is_some()
                } else {
                    sec.contains(k)
                }
            })
        })
        .map(|sec| Section {
            line: line_after(sec, "Route Name: ").map(|v| py_strip(v).to_string()),
            from: line_after(sec, "Departure Stop: ").map(clean_station),
            to: clean_station(py_strip(
                sec.rsplit("Arrival Stop:").next().unwrap_or_default(),
            )),
        })
        .collect()
}

/// The gold's lines with their stations cleaned as the reference compares them.
struct Lines {
    stations: HashMap<String, HashSet<String>>,
}

impl Lines {
    fn new(lines: &BTreeMap<String, Vec<String>>) -> Lines {
        Lines {
            stations: lines
                .iter()
                .map(|(k, v)| {
                    let set = v
                        .iter()
                        .map(|s| clean_station(&strip_station_notes(s)))
                        .collect();
                    (k.clone(), set)
                })
                .collect(),
        }
    }

    /// The stations of a section's line, after the reference's two renamings.
    fn get(&self, line: Option<&str>) -> Option<&HashSet<String>> {
        let mut name = line?;
        if name.contains("八通") {
            name = "Line 1";
        }
        if name.contains("大兴") {
            name = "Line 4";
        }
        self.stations.get(name)
    }
}

/// A stop as the reference compares it: cleaned a second time (a no-op on most names).
fn stop(s: Option<&String>) -> Option<String> {
    s.map(|s| clean_station(s))
}

/// Whether the route's ends are the question's (both sides as the reference cleans them).
fn ends_match(route: &[Section], s1: &str, s2: &str) -> bool {
    match (route.first(), route.last()) {
        (Some(first), Some(last)) => {
            stop(first.from.as_ref()).as_deref() == Some(s1) && clean_station(&last.to) == s2
        }
        _ => false,
    }
}

/// `get_acc_planning`.
fn route_correct(route: &[Section], lines: &Lines, s1: &str, s2: &str) -> bool {
    if !ends_match(route, s1, s2) {
        return false;
    }
    route.iter().enumerate().all(|(i, sec)| {
        let Some(stations) = lines.get(sec.line.as_deref()) else {
            return false;
        };
        let (from, to) = (stop(sec.from.as_ref()), clean_station(&sec.to));
        if !(from.is_some_and(|f| stations.contains(&f)) && stations.contains(&to)) {
            return false;
        }
        route
            .get(i + 1)
            .is_none_or(|next| stop(next.from.as_ref()).as_deref() == Some(to.as_str()))
    })
}

/// `get_detailed_reward_planning`, before our floor (deviation 1).
fn route_detail(
    route: &[Section],
    lines: &Lines,
    s1: &str,
    s2: &str,
    transfer_count: usize,
) -> f64 {
    if !ends_match(route, s1, s2) {
        return 0.0;
    }
    let mut score: f64 = 2.0;
    for (i, sec) in route.iter().enumerate() {
        let k = i + 1;
        if k > transfer_count {
            score -= 5.0;
        }
        let Some(stations) = lines.get(sec.line.as_deref()) else {
            continue;
        };
        if transfer_count == 0 {
            if stations.contains(s1) && stations.contains(s2) {
                score += 4.0;
            }
        } else {
            score += 3.0;
        }
        let (from, to) = (stop(sec.from.as_ref()), clean_station(&sec.to));
        if from.is_some_and(|f| stations.contains(&f)) && stations.contains(&to) {
            if let Some(next) = route.get(i + 1) {
                if stop(next.from.as_ref()).as_deref() == Some(to.as_str()) && k <= transfer_count {
                    score += 1.0;
                }
            }
        }
    }
    score.min(10.0)
}

/// City difficulty weight (`get_difficulty_weight`): `None` for an unknown difficulty.
pub fn difficulty_weight(difficulty: &str, planning_with_transfer: bool) -> Option<f64> {
    let w = match difficulty.trim().to_ascii_lowercase().as_str() {
        "easy" => 1.0,
        "middle" => 1.2,
        "hard" => 1.5,
        _ => return None,
    };
    Some(if planning_with_transfer { w + 0.5 } else { w })
}

/// Python's `s.split(sep)[-1]`.
fn after_last<'a>(s: &'a str, sep: &str) -> &'a str {
    s.rsplit(sep).next().unwrap_or(s)
}

/// Python's `s.split(sep)[0]`.
fn before_first<'a>(s: &'a str, sep: &str) -> &'a str {
    s.split(sep).next().unwrap_or(s)
}

/// Sequential `str.replace` calls, each on the previous result.
fn replace_all(mut s: String, pairs: &[(&str, &str)]) -> String {
    for (from, to) in pairs {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

/// `find_math_answer` of `reasonmap_utils.py` (l.405) with `_strip_string` (l.336), except the
/// rewrites of deviation 4.
pub fn find_math_answer(s: &str) -> String {
    let s = s.to_lowercase().replace("{}", "");
    // re.findall('oxed{(.*)}', re.S)[-1]: greedy, so from the first `oxed{` to the last `}`
    // after it; the whole text when there is no such `}`.
    let mut ans: &str = &s;
    if let Some(i) = s.find("oxed{") {
        let start = i + "oxed{".len();
        if let Some(end) = s[start..].rfind('}') {
            ans = &s[start..start + end];
        }
    }
    if let Some(close) = ans.find('}') {
        if ans.find('{').is_none_or(|open| close < open) {
            ans = &ans[..close];
        }
    }
    let ans = after_last(after_last(ans, "="), "\\approx");
    let ans = replace_all(
        ans.to_string(),
        &[
            (" ", ""),
            ("\\,", ""),
            ("∞", "\\infty"),
            ("+\\infty", "\\infty"),
            ("\\\\", "\\"),
            ("\n", ""),
            ("\\text", ""),
            ("\\mbox", ""),
            ("bmatrix", "pmatrix"),
            ("\\left", ""),
            ("\\right", ""),
            ("^{\\circ}", ""),
            ("^\\circ", ""),
            ("{m}^3", ""),
            ("m^3", ""),
            ("{units}", ""),
            ("units", ""),
            ("{km}", ""),
            ("km", ""),
        ],
    );
    // _strip_string
    let s = replace_all(
        ans,
        &[
            ("\n", ""),
            ("\\!", ""),
            ("\\\\", "\\"),
            ("tfrac", "frac"),
            ("dfrac", "frac"),
            ("\\left", ""),
            ("\\right", ""),
            ("^{\\circ}", ""),
            ("^\\circ", ""),
            ("\\$", ""),
            ("$", ""),
        ],
    );
    let s = before_first(&s, "\\text{ ").to_string();
    let mut s = replace_all(s, &[("\\%", ""), (" .", " 0."), ("{.", "{0.")]);
    if s.is_empty() {
        return s;
    }
    if s.starts_with('.') {
        s.insert(0, '0');
    }
    if s.matches('=').count() == 1 {
        s = after_last(&s, "=").to_string();
    }
    if s.matches("\\approx").count() == 1 {
        s = after_last(&s, "\\approx").to_string();
    }
    s.replace(' ', "")
}

/// The reference's answer text for true/false and counting questions (l.334-350).
fn reference_answer_text(response: &str) -> String {
    const FLAGS: [(&str, &str); 4] = [
        ("the final answer is", "The final answer is"),
        ("the answer is", "The answer is"),
        ("the correct answer is", "The correct answer is"),
        ("the answer should be", "The answer should be"),
    ];
    let mut m = response.to_string();
    if !m.contains("oxed{") {
        for (lower, capital) in FLAGS {
            for flag in [lower, capital] {
                let had = m.contains(flag);
                let mut t = py_strip(after_last(&m, flag));
                if had {
                    t = before_first(before_first(t, "\n"), ". ");
                }
                m = t.to_string();
            }
        }
    } else if m.matches("oxed{").count() > 1 {
        m = format!("\\boxed{{{}", after_last(&m, "oxed{"));
    }
    final_strip(&find_math_answer(&m))
}

/// `.rstrip('.').lstrip(':').strip()`.
fn final_strip(s: &str) -> String {
    py_strip(s.trim_end_matches('.').trim_start_matches(':')).to_string()
}

/// Python's `int(s)` for ASCII digits: optional surrounding whitespace and sign, `_` allowed
/// singly between digits. `None` when `int()` would raise (or for non-ASCII digits, deviation 4).
fn py_int(s: &str) -> Option<i128> {
    let t = py_strip(s);
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let b = digits.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    let mut value: Option<i128> = Some(0);
    let mut prev_underscore = false;
    for &c in b {
        match c {
            b'_' if !prev_underscore => prev_underscore = true,
            b'0'..=b'9' => {
                prev_underscore = false;
                // Beyond i128 the number cannot equal any gold; remember it as None.
                value = value
                    .and_then(|v| v.checked_mul(10))
                    .and_then(|v| v.checked_add(i128::from(c - b'0')));
            }
            _ => return None,
        }
    }
    // An integer too large for i128 still parses in Python; it just equals no gold.
    Some(match value {
        Some(v) if neg => -v,
        Some(v) => v,
        None => i128::MAX,
    })
}

/// How true/false and counting answers are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MapAnswer {
    /// The reference's rule (module docs): "the answer is …" phrases, the last `\boxed{}`, or
    /// the whole completion, then `find_math_answer`. The default.
    #[default]
    Reference,
    /// The answer text by an [`AnswerSource`], then `find_math_answer` (deviation 5).
    Tagged(AnswerSource),
}

/// A question with a one-word answer, from the gold's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Short {
    TorF,
    /// `Counting1`: letters a-d for options 0-3.
    CountingChoice,
    /// `Counting2`, `Counting3`: an integer.
    CountingNumber,
}

/// The kind of question, from the gold's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QType {
    Short(Short),
    /// A type containing `planning`; the detail reward only for exactly `planning`.
    Planning {
        detail: bool,
    },
}

fn question_type(kind: &str) -> Option<QType> {
    // The reference tests `"TorF" in type or "Counting" in type` before `"planning" in type`.
    if kind.contains("TorF") || kind.eq_ignore_ascii_case("torf") {
        Some(QType::Short(Short::TorF))
    } else if kind == "Counting1" {
        Some(QType::Short(Short::CountingChoice))
    } else if kind == "Counting2" || kind == "Counting3" || kind.eq_ignore_ascii_case("counting") {
        Some(QType::Short(Short::CountingNumber))
    } else if kind.contains("Counting") {
        // `get_acc_torf_counting` sets no acc for other Counting types (an UnboundLocalError).
        None
    } else if kind.contains("planning") {
        Some(QType::Planning {
            detail: kind == "planning",
        })
    } else {
        None
    }
}

fn gold_invalid(what: &'static str, why: String) -> Verdict {
    Verdict::GoldUnparseable(ParseError::Invalid { what, why })
}

/// The gold integer of a counting question (`int(answer) == ground_truth` in Python compares
/// by value, so `7.0` is 7).
fn gold_integer(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n.as_i64().map(i128::from).or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 1e18).then_some(f as i128)
        }),
        // i128::MAX stands for "too large to equal anything" (py_int); never a gold.
        Value::String(s) => py_int(s).filter(|&v| v != i128::MAX),
        _ => None,
    }
}

/// RewardMap's reward (see the module docs); scores in [−10, 30].
///
/// ```
/// use ocellus_rewards::{rewardmap::RewardMap, Gold, Verifier};
/// let gold = Gold::new(r#"{"type": "planning", "difficulty": "hard", "station1": "A",
///     "station2": "D", "transfer_count": 1,
///     "lines": {"Line 1": ["A", "B", "C"], "Line 2": ["C", "D"]}}"#);
/// let route = "Route Name: Line 1\nDeparture Stop: A\nArrival Stop: C\n--\n\
///              Route Name: Line 2\nDeparture Stop: C\nArrival Stop: D";
/// // acc: 10; detail: +2 ends, +3 +3 lines, +1 transfer, -5 for section 2 > 1 transfer = 4.
/// // w = 1.5 + 0.5 = 2: R = 2 * (10 + 0.5 * 4) = 24.
/// assert_eq!(RewardMap::default().verify(route, &gold).score(), 24.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RewardMap {
    /// Apply the difficulty weight (`mode == "difficulty_aware"`, the reference's training
    /// setting); else weight 1 (`baseline`).
    pub difficulty_aware: bool,
    /// How true/false and counting answers are read.
    pub answer: MapAnswer,
}

impl Default for RewardMap {
    fn default() -> Self {
        RewardMap {
            difficulty_aware: true,
            answer: MapAnswer::Reference,
        }
    }
}

impl RewardMap {
    /// `acc` of a true/false or counting answer, or the verdict that ends grading.
    fn grade_short(&self, completion: &str, qtype: Short, gold: &Value) -> Result<bool, Verdict> {
        let text = match self.answer {
            MapAnswer::Reference => reference_answer_text(completion),
            MapAnswer::Tagged(source) => match extract_answer(completion, source) {
                Ok(a) => final_strip(&find_math_answer(a)),
                Err(e) => return Err(Verdict::Malformed(e)),
            },
        };
        let malformed = |why: &str| {
            Verdict::Malformed(ParseError::Invalid {
                what: "answer",
                why: format!("{:?} is not {why}", snippet(&text)),
            })
        };
        match qtype {
            Short::TorF => {
                let g = match gold {
                    // `"yes" if ground_truth == 1 else "no"`; Python's True == 1.
                    Value::Number(n) => n.as_f64() == Some(1.0),
                    Value::Bool(b) => *b,
                    Value::String(s) if s.trim().eq_ignore_ascii_case("yes") => true,
                    Value::String(s) if s.trim().eq_ignore_ascii_case("no") => false,
                    _ => return Err(gold_invalid("answer", "not 1/0 or yes/no".into())),
                };
                match text.to_lowercase().as_str() {
                    "yes" => Ok(g),
                    "no" => Ok(!g),
                    _ => Err(malformed("yes or no")),
                }
            }
            Short::CountingChoice => {
                let g = match gold {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                        "a" => Some(0.0),
                        "b" => Some(1.0),
                        "c" => Some(2.0),
                        "d" => Some(3.0),
                        _ => None,
                    },
                    _ => None,
                };
                let Some(g) = g else {
                    return Err(gold_invalid("answer", "not an option index or A-D".into()));
                };
                match text.to_lowercase().as_str() {
                    "a" => Ok(g == 0.0),
                    "b" => Ok(g == 1.0),
                    "c" => Ok(g == 2.0),
                    "d" => Ok(g == 3.0),
                    _ => Err(malformed("a letter a-d")),
                }
            }
            Short::CountingNumber => {
                let Some(g) = gold_integer(gold) else {
                    return Err(gold_invalid("answer", "not an integer".into()));
                };
                match py_int(&text) {
                    Some(a) => Ok(a == g),
                    None => Err(malformed("an integer")),
                }
            }
        }
    }
}

impl Verifier for RewardMap {
    fn name(&self) -> &'static str {
        "rewardmap"
    }
    fn score_range(&self) -> (f64, f64) {
        (-10.0, 30.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let q: MapQuestion = match serde_json::from_str(gold.answer.trim()) {
            Ok(q) => q,
            Err(e) => {
                return Verdict::GoldUnparseable(ParseError::Json {
                    msg: e.to_string(),
                    text: snippet(&gold.answer),
                })
            }
        };
        let Some(qtype) = question_type(q.kind.trim()) else {
            return gold_invalid(
                "question type",
                format!("{:?} is not TorF/Counting1-3/planning", snippet(&q.kind)),
            );
        };
        let planning = matches!(qtype, QType::Planning { .. });
        let w = if self.difficulty_aware {
            match difficulty_weight(&q.difficulty, planning && q.transfer_count > 0) {
                Some(w) => w,
                None => {
                    return gold_invalid(
                        "difficulty",
                        format!("{:?} is not easy/middle/hard", snippet(&q.difficulty)),
                    )
                }
            }
        } else {
            1.0
        };
        let (acc, detail, what) = match qtype {
            QType::Planning { detail } => {
                let (Some(s1), Some(s2)) = (q.station1.as_deref(), q.station2.as_deref()) else {
                    return Verdict::GoldUnparseable(ParseError::MissingField {
                        field: "station1/station2",
                    });
                };
                let lines = Lines::new(&q.lines);
                let (s1, s2) = (clean_station(s1), clean_station(s2));
                // The detail reward's section test (keys in any case) admits every section the
                // accuracy test admits: none found by it means no route at all.
                let loose = parse_sections(completion, true);
                if loose.is_empty() {
                    return Verdict::Malformed(ParseError::Invalid {
                        what: "route",
                        why: "no section with Route Name / Departure Stop / Arrival Stop".into(),
                    });
                }
                let strict = parse_sections(completion, false);
                let acc = route_correct(&strict, &lines, &s1, &s2);
                let d = if detail {
                    route_detail(&loose, &lines, &s1, &s2, q.transfer_count).max(-10.0)
                } else {
                    0.0
                };
                (acc, d, format!("{} sections", loose.len()))
            }
            QType::Short(short) => {
                let Some(g) = q.answer.as_ref() else {
                    return Verdict::GoldUnparseable(ParseError::MissingField { field: "answer" });
                };
                match self.grade_short(completion, short, g) {
                    Ok(acc) => (acc, 0.0, format!("{} answer", q.kind.trim())),
                    Err(v) => return v,
                }
            }
        };
        let score = w * (if acc { 10.0 } else { 0.0 } + 0.5 * detail);
        let reason = format!("{what}: acc {acc}, detail {detail}, weight {w}");
        if acc && score >= w * 10.0 {
            Verdict::Correct { score, reason }
        } else if score > 0.0 {
            Verdict::Partial { score, reason }
        } else {
            Verdict::Incorrect { score, reason }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::*;

    fn gold(transfers: usize, difficulty: &str) -> Gold {
        Gold::new(format!(
            r#"{{"type": "planning", "difficulty": "{difficulty}", "station1": "A", "station2": "D",
                "transfer_count": {transfers},
                "lines": {{"Line 1": ["A", "B", "C", "D"], "Line 2": ["C", "X"]}}}}"#
        ))
    }

    #[test]
    fn planning_hand_computed() {
        let v = RewardMap::default();
        let direct = "Route Name: Line 1\nDeparture Stop: A\nArrival Stop: D";
        // 0 transfers: +2 ends, -5 (section 1 > 0), +4 line serves both ends = 1; acc.
        // w easy = 1: 10 + 0.5 = 10.5.
        assert_eq!(v.verify(direct, &gold(0, "easy")).score(), 10.5);
        // middle: 1.2 * 10.5
        assert!((v.verify(direct, &gold(0, "middle")).score() - 12.6).abs() < 1e-12);
        // Wrong destination: no acc, no detail.
        let wrong = "Route Name: Line 1\nDeparture Stop: A\nArrival Stop: C";
        assert_eq!(v.verify(wrong, &gold(0, "easy")).score(), 0.0);
        // Unknown line: ends right (+2), -5, line unknown -> detail -3, acc false: 0.5 * -3.
        let unknown = "Route Name: Line 9\nDeparture Stop: A\nArrival Stop: D";
        assert_eq!(v.verify(unknown, &gold(0, "easy")).score(), -1.5);
        // Line names are compared exactly, as in the reference.
        let lower = "Route Name: line 1\nDeparture Stop: A\nArrival Stop: D";
        assert_eq!(v.verify(lower, &gold(0, "easy")).score(), -1.5);
        // Many sections: detail floored at -10 -> -5 * w.
        let spam = (0..50)
            .map(|_| "Route Name: Line 1\nDeparture Stop: A\nArrival Stop: D")
            .collect::<Vec<_>>()
            .join("\n--\n");
        let r = v.verify(&spam, &gold(0, "hard"));
        assert_eq!(r.score(), -7.5);
        assert_eq!(r.kind(), Incorrect);
        assert_eq!(
            v.verify("I would take the train.", &gold(0, "easy")).kind(),
            Malformed
        );
        let baseline = RewardMap {
            difficulty_aware: false,
            ..RewardMap::default()
        };
        assert_eq!(baseline.verify(direct, &gold(0, "hard")).score(), 10.5);
    }

    #[test]
    fn clean_station_follows_the_reference_steps() {
        let table = [
            ("Univ.", "universityersity"),
            ("Tech Park", "technologypark"),
            ("Broadway", "bluway"),
            ("A (B) C (D", "ac(d"),
            ("东直门站（换乘站）", "东直门站"),
            ("Olympic-Sports  Center", "olympicsportscenter"),
            ("Xi'an", "xian"),
        ];
        for (raw, want) in table {
            assert_eq!(clean_station(raw), want, "{raw:?}");
        }
        // custom.py strips the note first, so the 站 is then at the end and dropped.
        assert_eq!(
            clean_station(&strip_station_notes("东直门站（换乘站）")),
            "东直门"
        );
    }

    #[test]
    fn torf_and_counting() {
        let v = RewardMap::default();
        let torf = Gold::new(r#"{"type": "TorF", "difficulty": "hard", "answer": "yes"}"#);
        assert_eq!(v.verify(r"\boxed{Yes}", &torf).score(), 15.0);
        assert_eq!(v.verify(r"\boxed{No}", &torf).score(), 0.0);
        // The reference grades a bare answer too, and keeps the tags of an answer block.
        assert_eq!(v.verify("Yes.", &torf).score(), 15.0);
        assert_eq!(v.verify("<answer>Yes</answer>", &torf).kind(), Malformed);
        let tagged = RewardMap {
            answer: MapAnswer::Tagged(AnswerSource::Auto),
            ..RewardMap::default()
        };
        assert_eq!(tagged.verify("<answer>Yes</answer>", &torf).score(), 15.0);
        let count = Gold::new(r#"{"type": "counting", "difficulty": "easy", "answer": 7}"#);
        assert_eq!(v.verify(r"\boxed{7}", &count).kind(), Correct);
        assert_eq!(v.verify(r"\boxed{7 or 8}", &count).kind(), Malformed);
        for bad in [
            "not json",
            r#"{"type": "counting", "difficulty": "extreme", "answer": "7"}"#,
            r#"{"type": "counting", "difficulty": "easy"}"#,
            r#"{"type": "Counting4", "difficulty": "easy", "answer": 7}"#,
            r#"{"type": "dance", "difficulty": "easy"}"#,
            r#"{"type": "planning", "difficulty": "easy"}"#,
        ] {
            assert_eq!(
                v.verify(r"\boxed{7}", &Gold::new(bad)).kind(),
                GoldUnparseable,
                "{bad}"
            );
        }
    }

    #[test]
    fn py_int_reads_what_python_int_reads() {
        let table: [(&str, Option<i128>); 9] = [
            ("7", Some(7)),
            (" -07 ", Some(-7)),
            ("+3", Some(3)),
            ("1_000", Some(1000)),
            ("1__0", None),
            ("_1", None),
            ("7.0", None),
            ("0x10", None),
            ("", None),
        ];
        for (s, want) in table {
            assert_eq!(py_int(s), want, "{s:?}");
        }
    }
}
