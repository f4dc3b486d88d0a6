//! RewardMap's difficulty-weighted reward for transit-map questions.
//!
//! **Source.** RewardMap (arXiv 2510.02240), fscdc/RewardMap
//! `verl/utils/reward_score/reason_map.py` l.156-395 (`reason_map_compute_score`,
//! `get_detailed_reward_planning`, `get_difficulty_weight`):
//!
//! ```text
//! R = w_diff * (10 * 1[acc] + 0.5 * R_detail)          (R_detail only for route planning)
//! w_diff = {easy: 1.0, middle: 1.2, hard: 1.5}[city] (+ 0.5 for planning with transfers)
//! ```
//!
//! A route answer is sections separated by `--`, each with `Route Name: …`, `Departure Stop: …`
//! and `Arrival Stop: …`. `acc` for planning: the first departure is station 1, the last arrival
//! is station 2, every line exists, both its stops are on it, and each arrival is the next
//! departure. `R_detail` (capped at 10): +2 when origin and destination are right, then per
//! section `i` (1-based): −5 if `i > transfer_count`; +4 if there are no transfers and the line
//! is one that serves both end stations, or +3 per known line when there are transfers; +1 per
//! consistent transfer for `i <= transfer_count`.
//!
//! **Deviations from the reference code**
//! 1. The reference charges −5 for section `i > transfer_count`, so a correct direct route
//!    (0 transfers, 1 section) is charged once; reproduced as written (it is what trained).
//! 2. `R_detail` is also floored at −10 (the reference has no floor; an answer with hundreds of
//!    sections would get an unbounded negative reward), so scores lie in [−10, 30].
//! 3. `clean_string` was not read; stop and line names are compared trimmed, lower-cased, with
//!    surrounding quotes and a trailing `.` removed. Keys are matched case-insensitively.
//! 4. True/false and counting answers are graded with [`crate::text::yes_no`] and numeric
//!    equality on the extracted answer (the reference uses ad-hoc "the answer is" splitting).
//!    Route answers are read from the whole completion, as in the reference.

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, find_ci, AnswerSource};
use crate::number::{answer_number, numbers_match, Tolerance};
use crate::text::yes_no;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The structured gold answer of a RewardMap question (JSON in [`Gold::answer`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapQuestion {
    /// `"planning"`, `"torf"` or `"counting"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// City difficulty: `"easy"`, `"middle"` or `"hard"`.
    pub difficulty: String,
    /// Ground truth for true/false (`"yes"`/`"no"`) and counting (a number) questions.
    #[serde(default)]
    pub answer: Option<String>,
    /// Origin station (planning).
    #[serde(default)]
    pub station1: Option<String>,
    /// Destination station (planning).
    #[serde(default)]
    pub station2: Option<String>,
    /// Number of transfers the question allows (planning).
    #[serde(default)]
    pub transfer_count: usize,
    /// Line name → its stations (planning).
    #[serde(default)]
    pub lines: BTreeMap<String, Vec<String>>,
}

fn clean(s: &str) -> String {
    s.trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .trim_end_matches('.')
        .trim()
        .to_lowercase()
}

/// One section of a route answer.
#[derive(Clone, Debug, PartialEq)]
struct Section {
    line: String,
    from: String,
    to: String,
}

/// The value after `key` (case-insensitive) up to the end of its line.
fn field(section: &str, key: &str, to_end: bool) -> Option<String> {
    let i = find_ci(section.as_bytes(), key.as_bytes(), 0)? + key.len();
    let rest = &section[i..];
    let v = if to_end {
        rest
    } else {
        rest.split('\n').next().unwrap_or("")
    };
    Some(clean(v))
}

fn parse_route(text: &str) -> Vec<Section> {
    text.split("--")
        .filter_map(|sec| {
            Some(Section {
                line: field(sec, "route name:", false)?,
                from: field(sec, "departure stop:", false)?,
                to: field(sec, "arrival stop:", true)?,
            })
        })
        .collect()
}

/// City difficulty weight (`get_difficulty_weight`).
pub fn difficulty_weight(difficulty: &str, planning_with_transfer: bool) -> Option<f64> {
    let w = match difficulty.trim().to_ascii_lowercase().as_str() {
        "easy" => 1.0,
        "middle" => 1.2,
        "hard" => 1.5,
        _ => return None,
    };
    Some(if planning_with_transfer { w + 0.5 } else { w })
}

struct Lines {
    lines: BTreeMap<String, Vec<String>>,
}

impl Lines {
    fn has_stop(&self, line: &str, stop: &str) -> bool {
        self.lines
            .get(line)
            .is_some_and(|s| s.iter().any(|x| x == stop))
    }
}

/// `(acc, R_detail)` of a route answer.
fn grade_route(
    route: &[Section],
    q: &MapQuestion,
    lines: &Lines,
    s1: &str,
    s2: &str,
) -> (bool, f64) {
    let (Some(first), Some(last)) = (route.first(), route.last()) else {
        return (false, 0.0);
    };
    if first.from != s1 || last.to != s2 {
        return (false, 0.0);
    }
    let mut detail: f64 = 2.0;
    let mut acc = true;
    for (i, sec) in route.iter().enumerate() {
        let k = i + 1;
        if k > q.transfer_count {
            detail -= 5.0;
        }
        if lines.lines.contains_key(&sec.line) {
            if q.transfer_count == 0 {
                if lines.has_stop(&sec.line, s1) && lines.has_stop(&sec.line, s2) {
                    detail += 4.0;
                }
            } else {
                detail += 3.0;
            }
            if lines.has_stop(&sec.line, &sec.from) && lines.has_stop(&sec.line, &sec.to) {
                if let Some(next) = route.get(i + 1) {
                    if sec.to != next.from {
                        acc = false;
                    } else if k <= q.transfer_count {
                        detail += 1.0;
                    }
                }
            } else {
                acc = false;
            }
        } else {
            acc = false;
        }
    }
    (acc, detail.clamp(-10.0, 10.0))
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
    /// Apply the difficulty weight (`mode == "difficulty_aware"`); else weight 1 (`baseline`).
    pub difficulty_aware: bool,
    /// Where true/false and counting answers are read.
    pub source: AnswerSource,
}

impl Default for RewardMap {
    fn default() -> Self {
        RewardMap {
            difficulty_aware: true,
            source: AnswerSource::Auto,
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
        let kind = q.kind.trim().to_ascii_lowercase();
        let planning = kind == "planning";
        let Some(w) = difficulty_weight(&q.difficulty, planning && q.transfer_count > 0) else {
            return Verdict::GoldUnparseable(ParseError::Invalid {
                what: "difficulty",
                why: format!("{:?} is not easy/middle/hard", snippet(&q.difficulty)),
            });
        };
        let w = if self.difficulty_aware { w } else { 1.0 };
        let (acc, detail, what) = match kind.as_str() {
            "planning" => {
                let (Some(s1), Some(s2)) = (q.station1.as_deref(), q.station2.as_deref()) else {
                    return Verdict::GoldUnparseable(ParseError::MissingField {
                        field: "station1/station2",
                    });
                };
                let lines = Lines {
                    lines: q
                        .lines
                        .iter()
                        .map(|(k, v)| (clean(k), v.iter().map(|s| clean(s)).collect()))
                        .collect(),
                };
                let route = parse_route(completion);
                if route.is_empty() {
                    return Verdict::Malformed(ParseError::Invalid {
                        what: "route",
                        why: "no section with Route Name / Departure Stop / Arrival Stop".into(),
                    });
                }
                let (acc, detail) = grade_route(&route, &q, &lines, &clean(s1), &clean(s2));
                (acc, detail, format!("{} sections", route.len()))
            }
            "torf" | "counting" => {
                let Some(g) = q.answer.as_deref() else {
                    return Verdict::GoldUnparseable(ParseError::MissingField { field: "answer" });
                };
                let a = match extract_answer(completion, self.source) {
                    Ok(a) => a,
                    Err(e) => return Verdict::Malformed(e),
                };
                let acc = if kind == "torf" {
                    let g = match yes_no(g) {
                        Ok(g) => g,
                        Err(e) => return Verdict::GoldUnparseable(e),
                    };
                    match yes_no(a) {
                        Ok(a) => a == g,
                        Err(e) => return Verdict::Malformed(e),
                    }
                } else {
                    let g = match answer_number(g) {
                        Ok(g) => g,
                        Err(e) => return Verdict::GoldUnparseable(e),
                    };
                    match answer_number(a) {
                        Ok(a) => numbers_match(a, g, Tolerance::default()),
                        Err(e) => return Verdict::Malformed(e),
                    }
                };
                (acc, 0.0, format!("{kind} answer"))
            }
            other => {
                return Verdict::GoldUnparseable(ParseError::Invalid {
                    what: "question type",
                    why: format!("{:?} is not planning/torf/counting", snippet(other)),
                })
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
    fn torf_and_counting() {
        let v = RewardMap::default();
        let torf = Gold::new(r#"{"type": "TorF", "difficulty": "hard", "answer": "yes"}"#);
        assert_eq!(v.verify("<answer>Yes</answer>", &torf).score(), 15.0);
        assert_eq!(v.verify("<answer>No</answer>", &torf).score(), 0.0);
        let count = Gold::new(r#"{"type": "counting", "difficulty": "easy", "answer": "7"}"#);
        assert_eq!(v.verify(r"\boxed{7}", &count).kind(), Correct);
        assert_eq!(v.verify(r"\boxed{7 or 8}", &count).kind(), Malformed);
        for bad in [
            "not json",
            r#"{"type": "counting", "difficulty": "extreme", "answer": "7"}"#,
            r#"{"type": "counting", "difficulty": "easy"}"#,
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
}
