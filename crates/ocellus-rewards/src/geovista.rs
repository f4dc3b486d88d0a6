//! GeoVista's hierarchical geolocation reward.
//!
//! **Source.** GeoVista (arXiv 2511.15705), ekonwang/GeoVista
//! `verl/utils/reward_score/search_agent.py`: with LLM-verified levels, score 4 if the city is
//! right, else 2 if the state/province is right, else 1 if the country is right, else 0.
//!
//! **Deviations**
//! 1. The LLM judge is replaced by normalised string equality ([`crate::text::normalize_text`])
//!    against the gold names, each of which may list aliases separated by `|`
//!    (`"New York City|NYC"`). This is stricter than a judge (no fuzzy spelling).
//! 2. The answer is a JSON object with `city`, `state` (or `province`/`region`) and `country`
//!    keys, or text of at most 4 comma-separated parts (`"Lyon, Auvergne-Rhône-Alpes,
//!    France"`); a level is right when any part equals one of its aliases. More than 4 parts is
//!    malformed, so listing many candidate cities does not pay.
//! 3. The v1 variant's penalties for "city-name injection" into search queries
//!    (`search_agent_v1.py`) are not implemented: they need the tool-call trace.

use crate::error::{snippet, ParseError};
use crate::extract::{extract_answer, AnswerSource};
use crate::shapes::first_json;
use crate::text::normalize_text;
use crate::verdict::Verdict;
use crate::verifier::{Gold, Verifier};
use serde_json::Value;

/// The answer's place names, normalised.
fn answer_parts(text: &str) -> Result<Vec<String>, ParseError> {
    let t = text.trim();
    if t.starts_with('{') {
        if let Some(Value::Object(m)) = first_json(t) {
            let parts: Vec<String> = ["city", "state", "province", "region", "country"]
                .iter()
                .filter_map(|k| m.get(*k).and_then(Value::as_str))
                .map(normalize_text)
                .filter(|s| !s.is_empty())
                .collect();
            return if parts.is_empty() {
                Err(ParseError::MissingField {
                    field: "city/state/country",
                })
            } else {
                Ok(parts)
            };
        }
    }
    let parts: Vec<String> = t
        .split([',', '\n', ';'])
        .map(normalize_text)
        .filter(|s| !s.is_empty())
        .collect();
    match parts.len() {
        0 => Err(ParseError::EmptyAnswer),
        1..=4 => Ok(parts),
        n => Err(ParseError::WrongCount {
            what: "place-name parts at most",
            expected: 4,
            found: n,
        }),
    }
}

fn aliases(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_str)
        .map(|s| {
            s.split('|')
                .map(normalize_text)
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// GeoVista's hierarchical reward, scores in {0, 1, 2, 4}. Gold: a JSON object with `country`,
/// and optionally `state` (or `province`) and `city`; values may list `|`-separated aliases.
///
/// ```
/// use ocellus_rewards::{geovista::GeoVista, Gold, Verifier};
/// let v = GeoVista::default();
/// let gold = Gold::new(r#"{"city": "Lyon", "state": "Auvergne-Rhone-Alpes", "country": "France|FR"}"#);
/// assert_eq!(v.verify("<answer>Lyon, France</answer>", &gold).score(), 4.0);
/// assert_eq!(v.verify("<answer>Grenoble, Auvergne-Rhone-Alpes, France</answer>", &gold).score(), 2.0);
/// assert_eq!(v.verify("<answer>Paris, FR</answer>", &gold).score(), 1.0);
/// assert_eq!(v.verify("<answer>Turin, Italy</answer>", &gold).score(), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GeoVista {
    /// Where the answer is read.
    pub source: AnswerSource,
}

impl Verifier for GeoVista {
    fn name(&self) -> &'static str {
        "geovista"
    }
    fn score_range(&self) -> (f64, f64) {
        (0.0, 4.0)
    }
    fn verify(&self, completion: &str, gold: &Gold) -> Verdict {
        let g = match serde_json::from_str::<Value>(gold.answer.trim()) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Verdict::GoldUnparseable(ParseError::Invalid {
                    what: "gold location",
                    why: "not a JSON object".into(),
                })
            }
            Err(e) => {
                return Verdict::GoldUnparseable(ParseError::Json {
                    msg: e.to_string(),
                    text: snippet(&gold.answer),
                })
            }
        };
        let city = aliases(g.get("city"));
        let state = aliases(g.get("state").or_else(|| g.get("province")));
        let country = aliases(g.get("country"));
        if country.is_empty() {
            return Verdict::GoldUnparseable(ParseError::MissingField { field: "country" });
        }
        let parts = match extract_answer(completion, self.source).and_then(answer_parts) {
            Ok(p) => p,
            Err(e) => return Verdict::Malformed(e),
        };
        let hit = |names: &[String]| parts.iter().any(|p| names.contains(p));
        let (score, level) = if hit(&city) {
            (4.0, "city")
        } else if hit(&state) {
            (2.0, "state/province")
        } else if hit(&country) {
            (1.0, "country")
        } else {
            (0.0, "nothing")
        };
        Verdict::graded(
            score,
            0.0,
            4.0,
            format!("{level} right (answer parts {parts:?})"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::VerdictKind::*;

    #[test]
    fn geovista_table() {
        let v = GeoVista::default();
        let gold = Gold::new(
            r#"{"city": "New York City|NYC", "state": "New York", "country": "United States|USA"}"#,
        );
        let table: [(&str, f64); 7] = [
            ("<answer>NYC, USA</answer>", 4.0),
            (
                r#"<answer>{"city": "new york city", "country": "usa"}</answer>"#,
                4.0,
            ),
            ("<answer>Buffalo, New York, United States</answer>", 2.0),
            ("<answer>Boston, Massachusetts, USA</answer>", 1.0),
            ("<answer>Toronto, Canada</answer>", 0.0),
            ("<answer>Berlin</answer>", 0.0),
            // Articles and punctuation are normalised away.
            ("<answer>The United States.</answer>", 1.0),
        ];
        for (c, s) in table {
            assert_eq!(v.verify(c, &gold).score(), s, "{c:?}");
        }
        // Spamming candidate cities is malformed.
        let spam = "<answer>Boston, Chicago, Denver, Miami, NYC</answer>";
        assert_eq!(v.verify(spam, &gold).kind(), Malformed);
        assert_eq!(v.verify("NYC", &gold).kind(), Malformed);
        assert_eq!(
            v.verify("<answer>NYC</answer>", &Gold::new("NYC")).kind(),
            GoldUnparseable
        );
        assert_eq!(
            v.verify("<answer>NYC</answer>", &Gold::new(r#"{"city": "NYC"}"#))
                .kind(),
            GoldUnparseable
        );
        assert!(v.verify("<answer>NYC</answer>", &gold).is_correct());
    }
}
