//! Errors of the training crate: configuration, checkpoints, and everything a run can hit.

use std::path::PathBuf;

use thiserror::Error;

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The TOML does not parse or does not fit the schema (unknown, missing or mistyped key);
    /// the parser's message names the key.
    #[error("cannot read {origin}: {message}")]
    Parse {
        /// Where the text came from.
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// `--set` overrides that are not `section.key=value`.
    #[error("bad --set override: {}", .problems.join("; "))]
    Override {
        /// One entry per malformed override.
        problems: Vec<String>,
    },
    /// Values that parse but are not allowed; every problem is listed.
    #[error("invalid configuration ({origin}):\n  {}", .problems.join("\n  "))]
    Invalid {
        /// Where the values came from.
        origin: String,
        /// All problems found.
        problems: Vec<String>,
    },
    /// No agent preset has this name.
    #[error("unknown preset `{name}` (available: {available})")]
    UnknownPreset {
        /// The requested name.
        name: String,
        /// The known names.
        available: String,
    },
}

/// A checkpoint that cannot be written or used. A refused checkpoint is never modified.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The run directory has no checkpoint to resume from.
    #[error("{dir} has no checkpoint (no checkpoints/LATEST); nothing to resume")]
    NoCheckpoint {
        /// The run directory.
        dir: PathBuf,
    },
    /// A file of the checkpoint is missing.
    #[error("checkpoint {dir} is incomplete: {file} is missing")]
    MissingFile {
        /// The checkpoint directory.
        dir: PathBuf,
        /// The missing file.
        file: String,
    },
    /// A file is shorter or longer than the manifest records (an interrupted copy or write).
    #[error("checkpoint file {path} is truncated: {found} bytes, the manifest records {expected}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Size in the manifest.
        expected: u64,
        /// Size on disk.
        found: u64,
    },
    /// A file's checksum does not match the manifest.
    #[error("checkpoint file {path} is corrupt: CRC-32 {found:#010x}, the manifest records {expected:#010x}")]
    Checksum {
        /// The file.
        path: PathBuf,
        /// CRC in the manifest.
        expected: u32,
        /// CRC on disk.
        found: u32,
    },
    /// The manifest is not a checkpoint manifest of this format.
    #[error("{path} is not an ocellus checkpoint manifest: {reason}")]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Written by another checkpoint format version.
    #[error("checkpoint {dir} has format version {found}; this build reads version {supported}")]
    UnsupportedVersion {
        /// The checkpoint directory.
        dir: PathBuf,
        /// Version in the manifest.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// The checkpoint belongs to another run: another task, agent or configuration.
    #[error("checkpoint {dir} is foreign: its {what} is {found}, this run's is {expected}")]
    Foreign {
        /// The checkpoint directory.
        dir: PathBuf,
        /// What differs (`task`, `agent`, `agent config`, ...).
        what: &'static str,
        /// This run's value.
        expected: String,
        /// The checkpoint's value.
        found: String,
    },
    /// A part of the checkpoint has the right checksum but cannot be restored.
    #[error("checkpoint {dir}: cannot restore {part}: {reason}")]
    Restore {
        /// The checkpoint directory.
        dir: PathBuf,
        /// The part (`agent.safetensors`, `replay.bin`, ...).
        part: &'static str,
        /// Why.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Anything that stops a run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TrainError {
    /// The configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A checkpoint.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// An environment could not be built or stepped.
    #[error("environment: {0}")]
    Env(#[from] ocellus_envs::EnvError),
    /// The replay refused a step or a sample.
    #[error("replay: {0}")]
    Replay(#[from] ocellus_replay::ReplayError),
    /// The agent could not be built.
    #[error("agent: {0}")]
    Agent(#[from] ocellus_agents::AgentError),
    /// Logging failed.
    #[error("logging: {0}")]
    Monitor(#[from] ocellus_monitor::MonitorError),
    /// The run directory cannot be used.
    #[error("run directory {dir}: {reason}")]
    RunDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
