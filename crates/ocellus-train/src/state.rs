//! What the training loop checkpoints besides agent, environment and replay: its counters,
//! generators and the update metrics pending for the next `loss/` row (`trainer.json`).

use serde::{Deserialize, Serialize};

/// Update metrics summed since the last `loss/` row (averaged when logged), by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LossSums {
    pub(crate) count: u64,
    /// f64 bit patterns, in `names` order (exact in JSON).
    pub(crate) sums: Vec<u64>,
    /// The metric of each sum. Absent in checkpoints written before metrics were named: their
    /// sums follow [`LEGACY_LOSS_KEYS`] (a prefix of it, for the oldest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) names: Vec<String>,
}

/// The order of the unnamed sums of older checkpoints: DrQ-v2's twelve metrics.
const LEGACY_LOSS_KEYS: [&str; 12] = ocellus_agents::METRIC_NAMES;

/// Columns `loss.csv` gained after runs were first written; a resumed older run keeps its
/// header and goes on without them.
pub(crate) const LOSS_KEYS_ADDED_LATER: [&str; 3] = [
    "actor_saturation",
    "actor_temperature",
    "actor_dormant_ratio",
];

impl LossSums {
    pub(crate) fn add(&mut self, values: &[(&'static str, f64)]) {
        if self.names.is_empty() {
            // Sums from a checkpoint written before a key existed keep their prefix; the new
            // keys start from zero (resetting all would mean the old keys by a count that
            // includes updates their sums no longer hold).
            self.names = LEGACY_LOSS_KEYS[..self.sums.len().min(LEGACY_LOSS_KEYS.len())]
                .iter()
                .map(|k| k.to_string())
                .collect();
            self.sums.truncate(self.names.len());
        }
        for (name, x) in values {
            let i = match self.names.iter().position(|n| n == name) {
                Some(i) => i,
                None => {
                    self.names.push(name.to_string());
                    self.sums.push(0f64.to_bits());
                    self.names.len() - 1
                }
            };
            self.sums[i] = (f64::from_bits(self.sums[i]) + x).to_bits();
        }
        self.count += 1;
    }

    /// The means of the metrics in `order` (the agent's metric names) that have a sum, in
    /// that order; resets the sums.
    pub(crate) fn take_means(
        &mut self,
        order: &[&'static str],
    ) -> Option<Vec<(&'static str, f64)>> {
        if self.count == 0 {
            return None;
        }
        let n = self.count as f64;
        let out = order
            .iter()
            .filter_map(|k| {
                let i = self.names.iter().position(|name| name == k)?;
                Some((*k, f64::from_bits(self.sums[i]) / n))
            })
            .collect();
        *self = LossSums::default();
        Some(out)
    }
}

/// Everything of the loop that is not agent, environment or replay: `trainer.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrainerState {
    pub(crate) env_frames: u64,
    pub(crate) agent_steps: u64,
    pub(crate) episodes: u64,
    pub(crate) updates: u64,
    /// Evaluation episodes run so far: the position in the eval seed stream.
    pub(crate) eval_episodes_done: u64,
    /// Frame count of the last evaluation.
    pub(crate) last_eval_frames: Option<u64>,
    /// Mean return of the last evaluation (f64 bits).
    pub(crate) last_eval_return: Option<u64>,
    /// Return of the running episode so far (f64 bits, exact in JSON).
    pub(crate) episode_return: u64,
    /// Agent steps of the running episode so far.
    pub(crate) episode_agent_steps: u64,
    /// Return of the last finished training episode (f64 bits).
    pub(crate) last_return: Option<u64>,
    /// `RandomState::to_bytes` of the replay-sampling generator, hex.
    pub(crate) sample_rng: String,
    /// `RandomState::to_bytes` of the seed-phase action generator, hex.
    pub(crate) seed_action_rng: String,
    /// Update metrics pending for the next `loss/` row.
    pub(crate) losses: LossSums,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocellus_agents::UpdateMetrics;

    #[test]
    fn loss_sums_from_a_checkpoint_with_fewer_keys_keep_their_sums() {
        // A checkpoint written before the last key existed: one update summed, batch_reward 3.
        let json = format!(
            r#"{{"count": 1, "sums": {:?}}}"#,
            vec![3f64.to_bits(); LEGACY_LOSS_KEYS.len() - 1]
        );
        let mut sums: LossSums = serde_json::from_str(&json).unwrap();
        sums.add(
            &UpdateMetrics {
                batch_reward: 2.0,
                ..UpdateMetrics::default()
            }
            .named(),
        );
        let means = sums.take_means(&LEGACY_LOSS_KEYS).unwrap();
        let mean = |key: &str| means.iter().find(|(k, _)| *k == key).unwrap().1;
        assert_eq!(mean("batch_reward"), 2.5); // (3 + 2) / 2, not 2 / 2
        assert_eq!(mean(LEGACY_LOSS_KEYS[LEGACY_LOSS_KEYS.len() - 1]), 0.0);
        assert_eq!(means.len(), LEGACY_LOSS_KEYS.len());
    }

    #[test]
    fn loss_sums_are_kept_by_name_and_survive_json() {
        let named = |x: f64| vec![("critic_loss", x), ("drm_lambda", 2.0 * x)];
        let mut sums = LossSums::default();
        sums.add(&named(1.0));
        let mut sums: LossSums =
            serde_json::from_str(&serde_json::to_string(&sums).unwrap()).unwrap();
        sums.add(&named(3.0));
        // order is the agent's, whatever order the sums were created in
        let means = sums.take_means(&["drm_lambda", "actor_loss", "critic_loss"]);
        assert_eq!(
            means.unwrap(),
            vec![("drm_lambda", 4.0), ("critic_loss", 2.0)]
        );
        assert_eq!(sums, LossSums::default());
    }
}
