//! The DrQ-v2 training loop, written to be read top to bottom like a CleanRL script.
//!
//! Reference: facebookresearch/drqv2 @ c0c650b `train.py::Workspace.train` (the loop) and
//! `cfgs/config.yaml` (cadences); paper: Yarats et al. 2021, arXiv:2107.09645.
//!
//! # One iteration = one agent step (`action_repeat` environment frames)
//!
//! 1. **act**: uniform in [−1, 1) from the trainer's own generator while
//!    `agent_steps < seed_frames / action_repeat` (the seed phase, `[loop]`; the run's only
//!    uniform actions: the reference's agent-side `num_expl_steps` ends at the same step);
//!    afterwards the agent's
//!    noisy policy `μ(h) + σ(t)·ε` with σ(t) read at the *agent step* (`stddev_schedule`
//!    counts agent steps, STYLE.md §7.1).
//! 2. **step** the environment; the action repeat happens inside it (the inner MDP's rewards
//!    are summed, discount 1: drqv2 issue #5).
//! 3. **store** the newest frame, the action, reward and discount in the replay (one frame per
//!    step; stacks and n-step targets are rebuilt when sampling). An episode end logs a
//!    `train/` row (and a `loss/` row) and resets the environment.
//! 4. **update** `updates_per_step` times (1 in DrQ-v2) when past the seed phase and
//!    `agent_steps % update_every == 0`: each time, sample a batch synchronously with the
//!    trainer's checkpointed generator, then `agent.update`.
//! 5. **evaluate** every `eval_every` frames (and at frame 0 and at the end): deterministic
//!    mean-action episodes on a separate environment whose episode `i` is seeded
//!    `derive_seed(eval_base, i)`.
//! 6. **checkpoint** every `checkpoint_every` frames (and at the end, and on a stop request).
//!
//! The cadence lives in [`Trainer::train_until`] and nowhere else.
//!
//! # Determinism
//!
//! Every random draw has a seeded, checkpointed source: the agent's four generators (in its
//! state dict), the trainer's replay-sampling and seed-phase generators, the training
//! environment's reset stream (in its saved state) and the evaluation seeds (a counter).
//! Batches are sampled on the loop's thread at a fixed point, so they depend on the data
//! alone, never on thread timing. Two runs with the same config therefore produce the same
//! parameters and logs bit for bit on the same machine and libtorch build, and so does a run
//! killed and resumed from a checkpoint (tested in `tests/resume.rs`). Wall-clock columns
//! (`fps`, `non_learner_fraction`, and `wall_time` in the JSONL) are the exception.
//!
//! The replay's background [`ocellus_replay::Prefetcher`] is therefore not used by this loop:
//! a batch sampled on another thread would contain whatever had been written when that thread
//! ran, so runs would stop being reproducible, and synchronous sampling is already cheap
//! (everything but the learner is 1–2 % of wall-clock at the `cpu` preset; BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ocellus_agents::{Agent, Batch as AgentBatch};
use ocellus_core::{derive_seed, AgentSteps, EnvFrames, RandomState};
use ocellus_envs::{EnvState, Environment};
use ocellus_monitor::{MetricLog, Progress, Row};
use ocellus_replay::{Batch as ReplayBatch, Compression, ReplayBuffer, ReplayConfig, Step};
use tch::Tensor;

use crate::checkpoint::{self, CheckpointWriter, Manifest, CHECKPOINT_FORMAT, CHECKPOINT_VERSION};
use crate::config::TrainConfig;
use crate::episode::{eval_episode, mean_std, policy_action, EpisodeRecorders, Session};
use crate::error::{CheckpointError, TrainError};
use crate::run_dir::{self, RunPaths};
use crate::state::{hex, unhex, LossSums, TrainerState, LOSS_KEYS_ADDED_LATER};
use crate::video;

/// Seed streams derived from the run seed with [`derive_seed`].
const STREAM_TRAIN_ENV: u64 = 0;
const STREAM_EVAL_ENV: u64 = 1;
const STREAM_REPLAY_SAMPLING: u64 = 2;
const STREAM_SEED_ACTIONS: u64 = 3;

/// How a call to [`Trainer::train_until`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The configured number of frames was reached; final evaluation and checkpoint written.
    Finished,
    /// A stop was requested (Ctrl-C); a checkpoint was written at the current step.
    Interrupted,
    /// The caller's frame limit (below the run's length) was reached; nothing was written.
    Paused,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// How it ended.
    pub outcome: Outcome,
    /// Environment frames so far.
    pub env_frames: EnvFrames,
    /// Training episodes finished.
    pub episodes: u64,
    /// Agent updates performed.
    pub updates: u64,
    /// The last evaluation's mean return, if any.
    pub last_eval_return: Option<f64>,
    /// The checkpoint written at the end, if any.
    pub checkpoint: Option<PathBuf>,
    /// Wall-clock time of this call.
    pub wall: Duration,
    /// Time spent in the learner (batch to tensors + `agent.update`) during this call.
    pub learner: Duration,
    /// Wall-clock time of the training iterations after the seed phase (evaluation and
    /// checkpoints excluded) during this call.
    pub loop_after_seed: Duration,
    /// Time spent evaluating.
    pub eval: Duration,
    /// Time spent writing checkpoints.
    pub checkpointing: Duration,
}

impl RunSummary {
    /// Share of the post-seed training loop's wall-clock spent outside the learner
    /// (environment, replay, acting, logging): `1 − learner / loop`.
    pub fn non_learner_fraction(&self) -> Option<f64> {
        let total = self.loop_after_seed.as_secs_f64();
        (total > 0.0).then(|| 1.0 - self.learner.as_secs_f64() / total)
    }
}
/// A training run: environments, agent, replay, logs and checkpoints.
pub struct Trainer {
    config: TrainConfig,
    paths: RunPaths,
    env: Box<dyn Environment>,
    eval_env: Box<dyn Environment>,
    agent: Box<dyn Agent>,
    replay: ReplayBuffer,
    batch: ReplayBatch,
    log: MetricLog,
    /// `[C·k, H, W]` of a stacked observation.
    obs_shape: [i64; 3],
    /// Bytes of one frame `C·H·W` (the newest `frame_len` bytes of a stacked observation).
    frame_len: usize,
    action_dim: usize,
    /// The current stacked observation.
    obs: Vec<u8>,
    sample_rng: RandomState,
    seed_action_rng: RandomState,
    state: TrainerState,
    progress: Option<Progress>,
    /// The [`LOSS_KEYS_ADDED_LATER`] missing from the header of a resumed run's `loss.csv`
    /// (left out of its rows).
    loss_keys_missing: Vec<&'static str>,
    /// The agent's metric names, the order of `loss.csv`'s columns after the step counters.
    metric_names: Vec<&'static str>,
}

impl std::fmt::Debug for Trainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("run_dir", &self.paths.root)
            .field("env_frames", &self.state.env_frames)
            .finish_non_exhaustive()
    }
}

impl Trainer {
    /// Starts a new run in `run_dir` (created; refused if it already holds a run), writing
    /// the resolved config with `header` (version, commit, command line) as a comment.
    pub fn create(config: TrainConfig, run_dir: &Path, header: &str) -> Result<Self, TrainError> {
        let paths = RunPaths::new(run_dir);
        run_dir::create_run_dir(&paths, &config, header)?;
        let mut t = Self::build(config, paths, None)?;
        let seed = derive_seed(t.config.run.seed, STREAM_TRAIN_ENV);
        let first = t.env.reset(Some(seed));
        t.obs.copy_from_slice(first.pixels);
        let frame = &t.obs[t.obs.len() - t.frame_len..];
        t.replay.add(0, Step::first(frame))?;
        Ok(t)
    }

    /// Continues the run in `run_dir` from its latest checkpoint, exactly where it stopped.
    /// Rows logged after the checkpoint by the interrupted process are dropped from the logs.
    ///
    /// # Errors
    /// A [`CheckpointError`] naming the problem if the checkpoint is missing, truncated,
    /// corrupt, of another format version, or of another task, agent or configuration;
    /// nothing in the run directory is changed in that case.
    pub fn resume(run_dir: &Path) -> Result<Self, TrainError> {
        let paths = RunPaths::new(run_dir);
        let config = run_dir::read_run_config(&paths)?;
        let dir = checkpoint::latest_checkpoint(run_dir)?;
        let manifest = checkpoint::read_verified_manifest(&dir)?;
        let foreign = |what, expected: String, found: String| {
            Err(CheckpointError::Foreign {
                dir: dir.clone(),
                what,
                expected,
                found,
            })
        };
        if manifest.agent != config.raw.run.agent {
            foreign(
                "agent",
                config.raw.run.agent.clone(),
                manifest.agent.clone(),
            )?;
        }
        if manifest.task != config.run.task {
            foreign("task", config.run.task.clone(), manifest.task.clone())?;
        }
        // Compared as parsed values, so that a key added later with a default (e.g.
        // `encoder_channels`) does not make an older checkpoint foreign, and a record from
        // before the config split (the bare [agent] table) reads as the split tables.
        let agent_toml = agent_config_toml(&config);
        let recorded = config.raw.learning_of_record(&manifest.agent_config).ok();
        if recorded.as_ref() != Some(&config.raw.learning()) {
            foreign(
                "agent config",
                agent_toml.replace('\n', "; "),
                manifest.agent_config.replace('\n', "; "),
            )?;
        }
        // Read every part before building anything that writes (the logs are opened last).
        let restore = |part: &'static str, reason: String| CheckpointError::Restore {
            dir: dir.clone(),
            part,
            reason,
        };
        let state_text = std::fs::read_to_string(dir.join("trainer.json")).map_err(|source| {
            CheckpointError::Io {
                path: dir.join("trainer.json"),
                source,
            }
        })?;
        let state: TrainerState = serde_json::from_str(&state_text)
            .map_err(|e| restore("trainer.json", e.to_string()))?;
        if state.env_frames != manifest.env_frames || state.agent_steps != manifest.agent_steps {
            return Err(
                restore("trainer.json", "counters disagree with the manifest".into()).into(),
            );
        }
        let rng = |part, s: &str| {
            unhex(s)
                .and_then(|b| RandomState::from_bytes(&b))
                .ok_or_else(|| restore(part, "invalid generator state".into()))
        };
        let sample_rng = rng("trainer.json", &state.sample_rng)?;
        let seed_action_rng = rng("trainer.json", &state.seed_action_rng)?;
        let env_bytes =
            std::fs::read(dir.join("env.bin")).map_err(|source| CheckpointError::Io {
                path: dir.join("env.bin"),
                source,
            })?;
        let agent_state = Tensor::read_safetensors(dir.join("agent.safetensors"))
            .map_err(|e| restore("agent.safetensors", e.to_string()))?;

        let mut t = Self::build(config, paths, Some(EnvFrames(state.env_frames)))?;
        t.agent
            .load_state_dict(&agent_state)
            .map_err(|e| restore("agent.safetensors", e.to_string()))?;
        t.replay = ReplayBuffer::load(&dir.join("replay.bin"), Some(t.replay.config()))
            .map_err(|e| restore("replay.bin", e.to_string()))?;
        t.env
            .load_state(&EnvState {
                task: manifest.task.clone(),
                bytes: env_bytes,
            })
            .map_err(|e| restore("env.bin", e.to_string()))?;
        let obs = t.env.observe();
        t.obs.copy_from_slice(obs.pixels);
        t.sample_rng = sample_rng;
        t.seed_action_rng = seed_action_rng;
        t.state = state;
        Ok(t)
    }

    /// Builds everything from the config; `keep_logs_up_to` is the checkpoint's frame count
    /// on resume.
    fn build(
        config: TrainConfig,
        paths: RunPaths,
        keep_logs_up_to: Option<EnvFrames>,
    ) -> Result<Self, TrainError> {
        let Session {
            builder,
            env,
            obs_shape,
            frame_shape,
            frame_len,
            action_dim,
            agent,
        } = Session::open(&config)?;
        let eval_env = builder.build()?;
        let pixels = env
            .spec()
            .pixels
            .clone()
            .expect("the builder renders pixels");
        let mut rc =
            ReplayConfig::drqv2(replay_capacity(&config) as usize, frame_shape, action_dim);
        rc.frame_stack = config.env.frame_stack;
        rc.n_step = config.replay.n_step;
        rc.gamma = config.replay.discount;
        if let Some(budget) = config.replay.lz4_frame_budget_bytes {
            rc.compression = Compression::Lz4 {
                frame_budget_bytes: budget,
            };
        }
        let replay = ReplayBuffer::new(rc)?;
        let batch = replay.new_batch(config.train_loop.batch_size);
        let loss_keys_missing = std::fs::read_to_string(paths.root.join("loss.csv"))
            .map(|t| {
                let header = t.lines().next().unwrap_or_default();
                LOSS_KEYS_ADDED_LATER
                    .into_iter()
                    .filter(|k| !header.split(',').any(|h| h == *k))
                    .collect()
            })
            .unwrap_or_default(); // no file yet: it will get every column
        let log = MetricLog::open(&paths.root, keep_logs_up_to.map(|f| f.0))?;
        let seed = config.run.seed;
        Ok(Trainer {
            obs: vec![0; pixels.num_elements()],
            sample_rng: RandomState::new(derive_seed(seed, STREAM_REPLAY_SAMPLING)),
            seed_action_rng: RandomState::new(derive_seed(seed, STREAM_SEED_ACTIONS)),
            state: TrainerState {
                env_frames: 0,
                agent_steps: 0,
                episodes: 0,
                updates: 0,
                eval_episodes_done: 0,
                last_eval_frames: None,
                last_eval_return: None,
                episode_return: 0f64.to_bits(),
                episode_agent_steps: 0,
                last_return: None,
                sample_rng: String::new(),
                seed_action_rng: String::new(),
                losses: LossSums::default(),
            },
            progress: None,
            loss_keys_missing,
            metric_names: agent.metric_names(),
            config,
            paths,
            env,
            eval_env,
            agent,
            replay,
            batch,
            log,
            obs_shape,
            frame_len,
            action_dim,
        })
    }

    /// Shows (or hides) the progress line on stderr.
    pub fn set_progress(&mut self, on: bool) {
        self.progress =
            on.then(|| Progress::new(self.config.run.frames.0, self.state.env_frames, "frames"));
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The run directory.
    pub fn run_dir(&self) -> &Path {
        &self.paths.root
    }

    /// Environment frames so far.
    pub fn env_frames(&self) -> EnvFrames {
        EnvFrames(self.state.env_frames)
    }

    /// The agent (e.g. to compare parameters).
    pub fn agent(&self) -> &dyn Agent {
        self.agent.as_ref()
    }

    /// Sets the run's length to `frames` (e.g. to continue a finished run, or to end an
    /// unfinished one earlier) and records it in the run's `config.toml`, replaced atomically.
    /// The replay is resized to the capacity a run of that length gets (it always holds the
    /// steps trained so far); the schedules count agent steps from the start, so training
    /// then continues exactly as in a run created with this length (tested in
    /// `tests/resume.rs`).
    ///
    /// # Errors
    /// [`ConfigError::Invalid`](crate::ConfigError::Invalid) if `frames` is below the frames
    /// already trained; a replay error if a compressed replay would have to change size; an
    /// I/O error if the config cannot be rewritten. The run directory is unchanged in every
    /// case.
    pub fn extend_to(&mut self, frames: EnvFrames) -> Result<(), TrainError> {
        if frames.0 < self.state.env_frames {
            return Err(crate::ConfigError::Invalid {
                origin: "--frames".into(),
                problems: vec![format!(
                    "run.frames = {} is below the {} frames this run has already trained",
                    frames.0, self.state.env_frames
                )],
            }
            .into());
        }
        let mut raw = self.config.raw.clone();
        raw.run.frames = frames.0;
        let config = raw.validate("--frames")?;
        // The replay is sized by the run's length; a run created this long would have had
        // this capacity (resize() fails, changing nothing, for a compressed replay).
        self.replay.resize(replay_capacity(&config) as usize)?;
        run_dir::rewrite_config(&self.paths, &config)?;
        self.config = config;
        Ok(())
    }

    /// Trains to the configured number of frames (see [`Trainer::train_until`]).
    pub fn run(&mut self, stop: &AtomicBool) -> Result<RunSummary, TrainError> {
        self.train_until(self.config.run.frames, stop)
    }

    /// Trains until `limit` frames (capped at the run's length) or until `stop` is set.
    ///
    /// At the run's length: a final evaluation (unless one just ran) and a checkpoint
    /// ([`Outcome::Finished`]). On `stop`: the current step is completed and checkpointed
    /// ([`Outcome::Interrupted`]). At a `limit` below the run's length: returns at once without
    /// writing anything ([`Outcome::Paused`]; dropping the trainer then is what a `SIGKILL`
    /// does, which the resume test relies on).
    pub fn train_until(
        &mut self,
        limit: EnvFrames,
        stop: &AtomicBool,
    ) -> Result<RunSummary, TrainError> {
        let start = Instant::now();
        let cfg = self.config.clone();
        let total = cfg.run.frames;
        let limit = limit.min(total);
        let repeat = cfg.env.action_repeat;
        let seed_steps = cfg.train_loop.seed_frames.to_agent_steps(repeat);
        let update_every = cfg.train_loop.update_every.0;
        let updates_per_step = cfg.train_loop.updates_per_step;
        let mut summary = RunSummary {
            outcome: Outcome::Paused,
            env_frames: self.env_frames(),
            episodes: 0,
            updates: 0,
            last_eval_return: None,
            checkpoint: None,
            wall: Duration::ZERO,
            learner: Duration::ZERO,
            loop_after_seed: Duration::ZERO,
            eval: Duration::ZERO,
            checkpointing: Duration::ZERO,
        };
        if cfg.run.eval_every.is_some() && self.state.last_eval_frames.is_none() {
            let t = Instant::now();
            self.evaluate()?; // frame 0, as drqv2's train.py does
            summary.eval += t.elapsed();
        }
        let mut fps_clock = (Instant::now(), self.state.env_frames);

        while self.state.env_frames < limit.0 {
            if stop.load(Ordering::SeqCst) {
                let t = Instant::now();
                summary.checkpoint = Some(self.save_checkpoint()?);
                summary.checkpointing += t.elapsed();
                summary.outcome = Outcome::Interrupted;
                break;
            }
            let iteration = Instant::now();
            let agent_steps = AgentSteps(self.state.agent_steps);

            // ---- ALGO LOGIC: act (uniform in the seed phase, then the noisy policy) ----
            let action: Vec<f32> = if agent_steps < seed_steps {
                (0..self.action_dim)
                    .map(|_| self.seed_action_rng.uniform(-1.0, 1.0) as f32)
                    .collect()
            } else {
                policy_action(
                    self.agent.as_mut(),
                    &self.obs,
                    self.obs_shape,
                    agent_steps,
                    false,
                )
            };

            // ---- step the environment (action_repeat frames inside) ----
            let ts = self.env.step(&action)?;
            let (kind, reward, discount) = (ts.kind, ts.reward, ts.discount);
            self.obs.copy_from_slice(ts.pixels);
            self.state.agent_steps += 1;
            self.state.env_frames = AgentSteps(self.state.agent_steps).to_frames(repeat).0;
            self.state.episode_agent_steps += 1;
            self.state.episode_return =
                (f64::from_bits(self.state.episode_return) + reward).to_bits();

            // ---- store the newest frame (the replay rebuilds stacks and n-step targets) ----
            let frame = &self.obs[self.obs.len() - self.frame_len..];
            self.replay.add(
                0,
                Step {
                    kind,
                    frame,
                    action: &action,
                    reward,
                    discount,
                },
            )?;

            // ---- episode end: log `train/` (and `loss/`), reset ----
            if kind.is_last() {
                self.end_episode(&mut fps_clock, &summary)?;
                summary.episodes += 1;
            }

            // ---- ALGO LOGIC: one update every `update_every` agent steps after the seed phase ----
            let agent_steps = AgentSteps(self.state.agent_steps);
            if agent_steps >= seed_steps && agent_steps.0.is_multiple_of(update_every) {
                for _ in 0..updates_per_step {
                    self.replay
                        .sample_into(&mut self.sample_rng, &mut self.batch)?;
                    let learner = Instant::now();
                    let b = &self.batch;
                    let batch = AgentBatch::from_host(
                        &b.obs,
                        &b.action,
                        &b.reward,
                        &b.bootstrap_discount,
                        &b.next_obs,
                        self.obs_shape,
                    )
                    .with_windows(&b.window_actions, &b.window_len);
                    let metrics = self.agent.update(&batch, agent_steps);
                    summary.learner += learner.elapsed();
                    self.state.losses.add(&metrics);
                    self.state.updates += 1;
                    summary.updates += 1;
                }
            }
            if agent_steps > seed_steps {
                summary.loop_after_seed += iteration.elapsed();
            }

            // ---- evaluate every `eval_every` frames ----
            let frames = self.state.env_frames;
            if cfg
                .run
                .eval_every
                .is_some_and(|e| frames.is_multiple_of(e.0))
            {
                let t = Instant::now();
                self.evaluate()?;
                summary.eval += t.elapsed();
            }
            // ---- checkpoint every `checkpoint_every` frames (not at the end: done below) ----
            if cfg
                .run
                .checkpoint_every
                .is_some_and(|c| frames.is_multiple_of(c.0))
                && frames < total.0
            {
                let t = Instant::now();
                summary.checkpoint = Some(self.save_checkpoint()?);
                summary.checkpointing += t.elapsed();
            }
            if let Some(p) = &mut self.progress {
                p.update(frames, self.state.last_return.map(f64::from_bits));
            }
        }

        if summary.outcome != Outcome::Interrupted && self.state.env_frames >= total.0 {
            if cfg.run.eval_every.is_some() && self.state.last_eval_frames != Some(total.0) {
                let t = Instant::now();
                self.evaluate()?;
                summary.eval += t.elapsed();
            }
            let t = Instant::now();
            summary.checkpoint = Some(self.save_checkpoint()?);
            summary.checkpointing += t.elapsed();
            summary.outcome = Outcome::Finished;
        }
        if let Some(p) = &mut self.progress {
            p.finish(
                self.state.env_frames,
                self.state.last_return.map(f64::from_bits),
            );
        }
        summary.env_frames = self.env_frames();
        summary.last_eval_return = self.state.last_eval_return.map(f64::from_bits);
        summary.wall = start.elapsed();
        Ok(summary)
    }

    /// Logs the finished episode (`train/` and pending `loss/` rows) and resets the
    /// environment (its reset stream continues: `reset(None)`).
    fn end_episode(
        &mut self,
        fps_clock: &mut (Instant, u64),
        summary: &RunSummary,
    ) -> Result<(), TrainError> {
        // MENTOR keeps the networks of its best training episodes
        self.agent
            .end_episode(f64::from_bits(self.state.episode_return))?;
        let s = &mut self.state;
        s.episodes += 1;
        let ret = f64::from_bits(s.episode_return);
        s.last_return = Some(s.episode_return);
        let frames = s.env_frames;
        let elapsed = fps_clock.0.elapsed().as_secs_f64().max(1e-9);
        let fps = (frames - fps_clock.1) as f64 / elapsed;
        *fps_clock = (Instant::now(), frames);
        let repeat = u64::from(self.config.env.action_repeat);
        let non_learner = summary.non_learner_fraction().unwrap_or(f64::NAN);
        self.log.log(&Row {
            group: "train",
            env_frames: frames,
            values: vec![
                ("episode_return", ret),
                ("episode_agent_steps", s.episode_agent_steps as f64),
                ("episode_frames", (s.episode_agent_steps * repeat) as f64),
                ("episodes", s.episodes as f64),
                ("agent_steps", s.agent_steps as f64),
                ("updates", s.updates as f64),
                ("buffer_size", self.replay.len() as f64),
                ("fps", fps),
                ("non_learner_fraction", non_learner),
            ],
        })?;
        if let Some(mut means) = s.losses.take_means(&self.metric_names) {
            means.retain(|(k, _)| !self.loss_keys_missing.contains(k));
            self.log.log(&Row {
                group: "loss",
                env_frames: frames,
                values: means,
            })?;
        }
        s.episode_return = 0f64.to_bits();
        s.episode_agent_steps = 0;
        let first = self.env.reset(None);
        self.obs.copy_from_slice(first.pixels);
        let frame = &self.obs[self.obs.len() - self.frame_len..];
        self.replay.add(0, Step::first(frame))?;
        Ok(())
    }

    /// Runs `eval_episodes` deterministic episodes, logs an `eval/` row and, with video on,
    /// writes the first episode as `videos/eval_<frames>.gif`.
    fn evaluate(&mut self) -> Result<(), TrainError> {
        let frames = self.state.env_frames;
        let episodes = self.config.run.eval_episodes;
        let base = u64::from(derive_seed(self.config.run.seed, STREAM_EVAL_ENV));
        let mut returns = Vec::with_capacity(episodes as usize);
        let mut video_frames = Vec::new();
        for i in 0..episodes {
            let seed = derive_seed(base, self.state.eval_episodes_done);
            let record = EpisodeRecorders {
                video: (i == 0 && self.config.run.video).then_some(&mut video_frames),
                trace: None,
            };
            returns.push(eval_episode(
                self.agent.as_mut(),
                self.eval_env.as_mut(),
                seed,
                self.obs_shape,
                self.frame_len,
                AgentSteps(self.state.agent_steps),
                record,
            )?);
            self.state.eval_episodes_done += 1;
        }
        let (mean, std) = mean_std(&returns);
        if self.config.run.video && !video_frames.is_empty() {
            let dir = self.paths.videos();
            let path = self.paths.eval_video(frames);
            let size = self.config.env.image_size;
            std::fs::create_dir_all(&dir)
                .and_then(|()| video::write_gif(&path, &video_frames, size, size))
                .map_err(|source| TrainError::Io { path, source })?;
        }
        self.log.log(&Row {
            group: "eval",
            env_frames: frames,
            values: vec![
                ("episode_return_mean", mean),
                ("episode_return_std", std),
                ("episodes", f64::from(episodes)),
                ("agent_steps", self.state.agent_steps as f64),
            ],
        })?;
        self.state.last_eval_frames = Some(frames);
        self.state.last_eval_return = Some(mean.to_bits());
        Ok(())
    }

    /// Writes a checkpoint of the current state (see [`crate::checkpoint`]).
    pub fn save_checkpoint(&mut self) -> Result<PathBuf, TrainError> {
        let s = &mut self.state;
        s.sample_rng = hex(&self.sample_rng.to_bytes());
        s.seed_action_rng = hex(&self.seed_action_rng.to_bytes());
        let mut w = CheckpointWriter::begin(&self.paths.checkpoints(), s.env_frames)?;
        let io = |path: PathBuf, e: String| CheckpointError::Io {
            path,
            source: std::io::Error::other(e),
        };
        let agent_path = w.path("agent.safetensors");
        Tensor::write_safetensors(&self.agent.state_dict(), &agent_path)
            .map_err(|e| io(agent_path, e.to_string()))?;
        w.add("agent.safetensors")?;
        let state_json = serde_json::to_vec_pretty(&self.state).expect("trainer state serialises");
        w.write("trainer.json", &state_json)?;
        w.write("env.bin", &self.env.save_state().bytes)?;
        let replay_path = w.path("replay.bin");
        self.replay
            .save(&replay_path)
            .map_err(|e| io(replay_path, e.to_string()))?;
        w.add("replay.bin")?;
        let s = &self.state;
        let dir = w.commit(Manifest {
            format: CHECKPOINT_FORMAT.into(),
            format_version: CHECKPOINT_VERSION,
            ocellus_version: env!("CARGO_PKG_VERSION").into(),
            agent: self.config.raw.run.agent.clone(),
            task: self.config.run.task.clone(),
            agent_config: agent_config_toml(&self.config),
            env_frames: s.env_frames,
            agent_steps: s.agent_steps,
            episodes: s.episodes,
            updates: s.updates,
            files: Vec::new(),
        })?;
        Ok(dir)
    }
}

/// The `[env]`, `[replay]`, `[loop]` and `[agent]` tables as TOML (what a checkpoint must
/// match).
fn agent_config_toml(config: &TrainConfig) -> String {
    config.raw.learning_toml()
}

/// Replay capacity: the preset's, but never more than the run can fill (its agent steps plus
/// one `First` step per episode, bounded generously), so short runs do not reserve a 1M ring.
fn replay_capacity(config: &TrainConfig) -> u64 {
    let steps = config.run.frames.to_agent_steps(config.env.action_repeat).0;
    config.replay.capacity.min(steps + steps / 2 + 64)
}
