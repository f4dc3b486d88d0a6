//! Errors of the agents crate.

use ocellus_nn::StateError;

/// One invalid configuration value.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigProblem {
    /// The field, as spelled in the TOML file.
    pub field: &'static str,
    /// The offending value.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` = {}: {}", self.field, self.value, self.reason)
    }
}

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The TOML does not parse or does not fit the schema (unknown key, missing key, wrong
    /// type); the message names the key and line.
    #[error("cannot read {origin}: {message}")]
    Parse {
        /// Where the text came from (`preset paper`, a path, ...).
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// Values parse but are out of range; every problem is listed.
    #[error("invalid {origin}: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// All problems found.
        problems: Vec<ConfigProblem>,
    },
    /// No preset has this name.
    #[error("unknown preset `{name}` (available: {available})")]
    UnknownPreset {
        /// The requested name.
        name: String,
        /// The known names, comma-separated.
        available: String,
    },
}

/// An agent that cannot be built or restored.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The observation shape does not fit the configuration.
    #[error("observation shape {found:?} does not fit the config: {reason}")]
    ObsShape {
        /// The given `[C, H, W]`.
        found: [i64; 3],
        /// Why.
        reason: String,
    },
    /// The action dimension is not positive.
    #[error("action dimension must be positive, got {0}")]
    ActionDim(i64),
    /// No agent has this name.
    #[error("unknown agent `{0}` (agents: {agents})", agents = crate::agent::AGENTS.join(", "))]
    Unknown(String),
    /// The configuration does not fit the agent's name.
    #[error("{0}")]
    Options(String),
    /// A state dict that does not match this agent (nothing was changed).
    #[error(transparent)]
    State(#[from] StateError),
}
