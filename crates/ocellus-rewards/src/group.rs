//! Scoring the `G` completions sampled for one prompt: the reward of a GRPO group.
//!
//! R1-style recipes reward an outcome and a format at once (VLM-R1 `grpo_jsonl.py` sums an
//! accuracy reward and `format_reward`; DeepSeek-R1 §2.2.2 uses the same two rules). A
//! [`RewardRecipe`] is that sum with weights, `r = w_acc · acc + w_fmt · fmt`, where `acc` comes
//! from the task's verifier and `fmt` from a format verifier. Scoring a group keeps each part and
//! each verdict kind, so a trainer can log accuracy and format rate separately, and it turns a
//! gold answer the verifier cannot read into a **skipped** row (`reward: None`) instead of a
//! made-up 0 ([`Verdict::score_or_skip`]); the trainer drops such rows from the loss.
//!
//! ```
//! use ocellus_rewards::group::RewardRecipe;
//! use ocellus_rewards::Gold;
//! let recipe = RewardRecipe::new("numeric", Some(("format", 0.5))).unwrap();
//! let scores = recipe.score_group(
//!     &["<think></think><answer>3</answer>", "<answer>3</answer>", "<think></think><answer>4</answer>"],
//!     &Gold::new("3"),
//! );
//! assert_eq!(scores.rewards(), vec![Some(1.5), Some(1.0), Some(0.5)]);
//! assert_eq!(scores.accuracy(), 2.0 / 3.0);
//! assert_eq!(scores.format_rate(), Some(2.0 / 3.0));
//! ```

use crate::error::RewardError;
use crate::registry;
use crate::verdict::Verdict;
#[cfg(test)]
use crate::verdict::VerdictKind;
use crate::verifier::{Gold, Verifier};

/// `r = accuracy_weight · task_verifier + format_weight · format_verifier`.
pub struct RewardRecipe {
    task: Box<dyn Verifier>,
    accuracy_weight: f64,
    format: Option<(Box<dyn Verifier>, f64)>,
}

impl std::fmt::Debug for RewardRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RewardRecipe")
            .field("task", &self.task.name())
            .field("accuracy_weight", &self.accuracy_weight)
            .field("format", &self.format.as_ref().map(|(v, w)| (v.name(), *w)))
            .finish()
    }
}

/// One completion's score: the parts and the total.
#[derive(Clone, Debug, PartialEq)]
pub struct CompletionScore {
    /// The task verifier's verdict.
    pub accuracy: Verdict,
    /// The format verifier's verdict, if the recipe has one.
    pub format: Option<Verdict>,
    /// The weighted sum; `None` when the gold answer is unreadable (skip the row).
    pub reward: Option<f64>,
}

/// The scores of one group, in completion order.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupScores {
    /// One per completion.
    pub completions: Vec<CompletionScore>,
}

impl GroupScores {
    /// The rewards, `None` for skipped rows.
    pub fn rewards(&self) -> Vec<Option<f64>> {
        self.completions.iter().map(|c| c.reward).collect()
    }

    /// Fraction of completions the task verifier judged fully correct (0 for an empty group).
    pub fn accuracy(&self) -> f64 {
        fraction(self.completions.iter().map(|c| c.accuracy.is_correct()))
    }

    /// Fraction of completions that follow the format, `None` without a format verifier.
    pub fn format_rate(&self) -> Option<f64> {
        let parts: Option<Vec<bool>> = self
            .completions
            .iter()
            .map(|c| c.format.as_ref().map(Verdict::is_correct))
            .collect();
        parts.map(|p| fraction(p.into_iter()))
    }

    /// How many task verdicts are of each kind, indexed like [`crate::VerdictKind::ALL`].
    pub fn kind_counts(&self) -> [usize; 6] {
        let mut counts = [0; 6];
        for c in &self.completions {
            counts[c.accuracy.kind() as usize] += 1;
        }
        counts
    }

    /// Whether every row was skipped or the group is empty: it carries no learning signal.
    pub fn all_skipped(&self) -> bool {
        self.completions.iter().all(|c| c.reward.is_none())
    }
}

fn fraction(flags: impl Iterator<Item = bool>) -> f64 {
    let (mut yes, mut n) = (0usize, 0usize);
    for f in flags {
        n += 1;
        yes += usize::from(f);
    }
    if n == 0 {
        0.0
    } else {
        yes as f64 / n as f64
    }
}

impl RewardRecipe {
    /// The task verifier `task` (registry name) with weight 1, plus an optional
    /// `(format verifier name, weight)`.
    ///
    /// # Errors
    /// [`RewardError`] if a name is not registered, or a weight is negative or not finite.
    pub fn new(task: &str, format: Option<(&str, f64)>) -> Result<RewardRecipe, RewardError> {
        let task = registry::by_name(task)?;
        let format = match format {
            Some((name, weight)) => {
                check_weight(name, weight)?;
                Some((registry::by_name(name)?, weight))
            }
            None => None,
        };
        Ok(RewardRecipe {
            task,
            accuracy_weight: 1.0,
            format,
        })
    }

    /// The task verifier's registry name.
    pub fn task_verifier(&self) -> &'static str {
        self.task.name()
    }

    /// Scores one completion.
    pub fn score(&self, completion: &str, gold: &Gold) -> CompletionScore {
        let accuracy = self.task.verify(completion, gold);
        let format = self
            .format
            .as_ref()
            .map(|(v, _)| v.verify(completion, gold));
        let reward = accuracy.score_or_skip().map(|acc| {
            let fmt = match (&self.format, &format) {
                (Some((_, w)), Some(v)) => w * v.score(),
                _ => 0.0,
            };
            self.accuracy_weight * acc + fmt
        });
        CompletionScore {
            accuracy,
            format,
            reward,
        }
    }

    /// Scores the completions of one group against their shared gold answer.
    pub fn score_group<S: AsRef<str>>(&self, completions: &[S], gold: &Gold) -> GroupScores {
        GroupScores {
            completions: completions
                .iter()
                .map(|c| self.score(c.as_ref(), gold))
                .collect(),
        }
    }
}

fn check_weight(name: &str, weight: f64) -> Result<(), RewardError> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(RewardError::InvalidConfig {
            what: "reward recipe weight",
            why: format!("the weight of `{name}` is {weight}; it must be finite and >= 0"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_gold_skips_the_row_and_weights_add() {
        let recipe = RewardRecipe::new("numeric", Some(("format", 0.25))).unwrap();
        let s = recipe.score_group(&["<think>x</think><answer>7</answer>"], &Gold::new("seven"));
        assert_eq!(s.rewards(), vec![None]);
        assert!(s.all_skipped());
        let s = recipe.score_group(
            &["<think>x</think><answer>7</answer>", "7"],
            &Gold::new("7"),
        );
        assert_eq!(s.rewards(), vec![Some(1.25), Some(0.0)]);
        assert_eq!(s.kind_counts()[VerdictKind::Malformed as usize], 1);
        assert!(RewardRecipe::new("numeric", Some(("format", -1.0))).is_err());
        assert!(RewardRecipe::new("nope", None).is_err());
        let plain = RewardRecipe::new("numeric", None).unwrap();
        assert_eq!(
            plain
                .score_group(&["<answer>7</answer>"], &Gold::new("7"))
                .format_rate(),
            None
        );
    }
}
