//! Evaluating a saved run: `ocellus eval --run DIR`.

use std::path::{Path, PathBuf};

use ocellus_agents::DrQV2Agent;
use ocellus_core::{derive_seed, AgentSteps};
use ocellus_envs::EnvBuilder;
use tch::Tensor;

use crate::checkpoint;
use crate::error::{CheckpointError, TrainError};
use crate::run_dir::{self, RunPaths};
use crate::trainer::{eval_episode, mean_std};
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
/// the run seed on a stream of their own), optionally writing the first as a GIF.
pub fn evaluate_run(
    run_dir: &Path,
    episodes: u32,
    video_path: Option<&Path>,
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
    crate::trainer::apply_threads(&config.run);
    let a = &config.agent;
    let size = a.image_size as usize;
    let mut env = EnvBuilder::new(&config.run.task)
        .size(size, size)
        .action_repeat(a.action_repeat)
        .frame_stack(a.frame_stack as usize)
        .build()?;
    let pixels = env
        .spec()
        .pixels
        .clone()
        .expect("the builder renders pixels");
    let shape = [
        pixels.shape[0] as i64,
        pixels.shape[1] as i64,
        pixels.shape[2] as i64,
    ];
    let frame_len = pixels.num_elements() / a.frame_stack as usize;
    let action_dim = env.spec().action.num_elements() as i64;
    let mut agent = DrQV2Agent::new(
        a.clone(),
        shape,
        action_dim,
        config.run.device,
        config.run.seed,
    )?;
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
    for i in 0..episodes {
        let record = (i == 0 && video_path.is_some()).then_some(&mut frames);
        returns.push(eval_episode(
            &mut agent,
            env.as_mut(),
            derive_seed(base, u64::from(i)),
            shape,
            frame_len,
            AgentSteps(manifest.agent_steps),
            record,
        )?);
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
