//! Counters with units.
//!
//! DrQ-v2's configuration counts seed frames in environment frames and the exploration
//! schedule in agent steps, which differ by the action repeat (see `STYLE.md` §7.1). Keeping
//! the two in distinct types makes every conversion name its action repeat.

use std::fmt;

/// A number of simulator control steps (what papers call "frames"; one rendered frame each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnvFrames(pub u64);

/// A number of decisions taken by an agent; each lasts `action_repeat` environment frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentSteps(pub u64);

impl AgentSteps {
    /// The environment frames these agent steps span at the given action repeat.
    pub fn to_frames(self, action_repeat: u32) -> EnvFrames {
        EnvFrames(self.0 * u64::from(action_repeat))
    }
}

impl EnvFrames {
    /// The whole agent steps that fit in these frames at the given action repeat (rounded down).
    ///
    /// # Panics
    /// If `action_repeat` is 0, which no valid configuration allows.
    pub fn to_agent_steps(self, action_repeat: u32) -> AgentSteps {
        assert!(action_repeat > 0, "action repeat must be positive");
        AgentSteps(self.0 / u64::from(action_repeat))
    }
}

impl fmt::Display for EnvFrames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} frames", self.0)
    }
}

impl fmt::Display for AgentSteps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} agent steps", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_name_the_action_repeat() {
        assert_eq!(AgentSteps(2000).to_frames(2), EnvFrames(4000));
        assert_eq!(EnvFrames(4001).to_agent_steps(2), AgentSteps(2000));
        assert_eq!(EnvFrames(7).to_agent_steps(1), AgentSteps(7));
    }
}
