//! Schedules over agent steps (DrQ-v2's exploration standard deviation).
//!
//! Reference: `utils.py::schedule` (facebookresearch/drqv2 @ c0c650b) parses strings such as
//! `linear(1.0,0.1,500000)`: `mix = clip(step / duration, 0, 1)`,
//! `value = (1 − mix)·init + mix·final`. It is called with the **agent step** (`global_step`),
//! so at action repeat 2 `linear(1.0, 0.1, 500000)` decays over 1 M environment frames
//! (`STYLE.md` §7.1). Here the duration is an [`AgentSteps`], so that cannot be misread.

use ocellus_core::AgentSteps;

/// A value as a function of the agent step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// The same value at every step (the reference accepts a plain number).
    Constant {
        /// The value.
        value: f64,
    },
    /// `linear(init, final, over)`: from `init` at step 0 to `final_value` at step `over`,
    /// constant afterwards.
    Linear {
        /// Value at agent step 0.
        init: f64,
        /// Value from agent step `over` on.
        final_value: f64,
        /// Length of the ramp in agent steps.
        over: AgentSteps,
    },
}

impl Schedule {
    /// The value at `agent_steps`.
    pub fn value(&self, agent_steps: AgentSteps) -> f64 {
        match *self {
            Schedule::Constant { value } => value,
            Schedule::Linear {
                init,
                final_value,
                over,
            } => {
                let mix = if over.0 == 0 {
                    1.0
                } else {
                    (agent_steps.0 as f64 / over.0 as f64).clamp(0.0, 1.0)
                };
                (1.0 - mix) * init + mix * final_value
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_at_hand_computed_steps() {
        let s = Schedule::Linear {
            init: 1.0,
            final_value: 0.1,
            over: AgentSteps(500_000),
        };
        let at = |n| s.value(AgentSteps(n));
        assert_eq!(at(0), 1.0);
        assert!((at(250_000) - 0.55).abs() < 1e-15);
        assert!((at(100_000) - 0.82).abs() < 1e-15); // 0.8·1.0 + 0.2·0.1
        assert!((at(500_000) - 0.1).abs() < 1e-15);
        assert!((at(2_000_000) - 0.1).abs() < 1e-15);
        assert_eq!(Schedule::Constant { value: 0.2 }.value(AgentSteps(7)), 0.2);
    }
}
