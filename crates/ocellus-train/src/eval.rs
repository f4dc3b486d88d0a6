//! Evaluating a saved run: `ocellus eval --run DIR [--video FILE] [--trace FILE]`.
//!
//! The trace is for finding out *why* a policy scores what it scores: per agent step, the
//! true low-dimensional state the pixels show, the action, the reward and the critic's
//! `min(Q1, Q2)` at the action and along each action dimension. A critic whose Q-sweep is
//! the same bump at every state, for example, has learned the control cost but not what the
//! action does (BENCHMARKS.md, cartpole-balance).

use std::path::{Path, PathBuf};

use ocellus_core::{derive_seed, AgentSteps};
use tch::Tensor;

use crate::checkpoint;
use crate::episode::{eval_episode, mean_std, EpisodeRecorders, Session, TraceStep, Q_SWEEP};
use crate::error::{CheckpointError, TrainError};
use crate::run_dir::{self, RunPaths};
use crate::video;

/// Seed stream of `ocellus eval` episodes (distinct from the training run's own evaluations).
const STREAM_OFFLINE_EVAL: u64 = 4;

/// The result of evaluating a checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalReport {
    /// The checkpoint evaluated.
    pub checkpoint: PathBuf,
    /// Its environment frames.
    pub env_frames: u64,
    /// One return per episode.
    pub returns: Vec<f64>,
    /// Mean return.
    pub mean: f64,
    /// Standard deviation of the returns.
    pub std: f64,
}

/// Runs `episodes` deterministic episodes of the latest checkpoint of `run_dir` (seeded from
/// the run seed on a stream of their own), optionally writing the first as a GIF and every
/// step of every episode as a CSV trace.
///
/// The trace has one row per agent step: `episode, step, reward`, the state observation
/// `s0..`, the action `a0..`, `q` (the critic's `min(Q1, Q2)` at the action), then for each
/// action dimension `d` and each `v` in −1, −0.5, 0, 0.5, 1 the column `q_a{d}={v}`: Q with
/// `a_d` set to `v` and the other dimensions as taken.
///
/// # Errors
/// The run's config or checkpoint cannot be read or does not match, the environment cannot
/// be built, or an output file cannot be written.
pub fn evaluate_run(
    run_dir: &Path,
    episodes: u32,
    video_path: Option<&Path>,
    trace_path: Option<&Path>,
) -> Result<EvalReport, TrainError> {
    let config = run_dir::read_run_config(&RunPaths::new(run_dir))?;
    let dir = checkpoint::latest_checkpoint(run_dir)?;
    let manifest = checkpoint::read_verified_manifest(&dir)?;
    if manifest.task != config.run.task {
        return Err(CheckpointError::Foreign {
            dir,
            what: "task",
            expected: config.run.task.clone(),
            found: manifest.task,
        }
        .into());
    }
    let Session {
        mut env,
        obs_shape: shape,
        frame_len,
        mut agent,
        ..
    } = Session::open(&config)?;
    let size = config.env.image_size;
    let restore = |reason: String| CheckpointError::Restore {
        dir: dir.clone(),
        part: "agent.safetensors",
        reason,
    };
    let state = Tensor::read_safetensors(dir.join("agent.safetensors"))
        .map_err(|e| restore(e.to_string()))?;
    agent
        .load_state_dict(&state)
        .map_err(|e| restore(e.to_string()))?;
    let base = u64::from(derive_seed(config.run.seed, STREAM_OFFLINE_EVAL));
    let mut returns = Vec::new();
    let mut frames = Vec::new();
    let mut trace = Vec::new();
    let mut episode_of_row = Vec::new();
    for i in 0..episodes {
        let record = EpisodeRecorders {
            video: (i == 0 && video_path.is_some()).then_some(&mut frames),
            trace: trace_path.is_some().then_some(&mut trace),
        };
        returns.push(eval_episode(
            agent.as_mut(),
            env.as_mut(),
            derive_seed(base, u64::from(i)),
            shape,
            frame_len,
            AgentSteps(manifest.agent_steps),
            record,
        )?);
        episode_of_row.resize(trace.len(), i);
    }
    if let Some(path) = trace_path {
        write_trace(path, &trace, &episode_of_row).map_err(|source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    if let Some(path) = video_path {
        video::write_gif(path, &frames, size, size).map_err(|source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    let (mean, std) = mean_std(&returns);
    Ok(EvalReport {
        checkpoint: dir,
        env_frames: manifest.env_frames,
        returns,
        mean,
        std,
    })
}

/// Writes the trace CSV described at [`evaluate_run`]; `episode_of_row[i]` is row `i`'s episode.
fn write_trace(path: &Path, rows: &[TraceStep], episode_of_row: &[u32]) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let Some(first) = rows.first() else {
        return std::fs::write(path, "");
    };
    let mut out = String::from("episode,step,reward");
    for i in 0..first.state.len() {
        let _ = write!(out, ",s{i}");
    }
    for d in 0..first.action.len() {
        let _ = write!(out, ",a{d}");
    }
    out.push_str(",q");
    for d in 0..first.action.len() {
        for v in Q_SWEEP {
            let _ = write!(out, ",q_a{d}={v}");
        }
    }
    out.push('\n');
    for (row, episode) in rows.iter().zip(episode_of_row) {
        let _ = write!(out, "{episode},{},{}", row.step, row.reward);
        for x in &row.state {
            let _ = write!(out, ",{x}");
        }
        for x in &row.action {
            let _ = write!(out, ",{x}");
        }
        for x in &row.q {
            let _ = write!(out, ",{x}");
        }
        out.push('\n');
    }
    std::fs::write(path, out)
}
