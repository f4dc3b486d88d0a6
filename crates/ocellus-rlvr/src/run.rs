//! A run directory: config, logs, checkpoints; starting, resuming and evaluating runs.
//!
//! ```text
//! runs/rlvr/<task>/<algo>-s<seed>-<time>/
//!   config.toml            the full configuration
//!   sft.csv|jsonl          warm-start steps (nll, grad norm)
//!   train.csv|jsonl        RL steps (reward, accuracy, format rate, length, KL, clip fraction,
//!                          entropy, tokens/s, …)
//!   eval.csv|jsonl         held-out accuracy, greedy
//!   tensorboard/           the same scalars
//!   checkpoints/LATEST, checkpoints/frames_<N>/   (N = steps: the shared writer's naming)
//!       config.json, model.safetensors, tokenizer.json   an HF folder (`--model` reads it)
//!       optimizer.safetensors, reference.safetensors      Adam moments and the frozen reference
//!       trainer.json                                      counters and the sampler's generator
//!       manifest.json                                     sizes and CRC-32s (ocellus-train)
//! ```
//!
//! Checkpoints use `ocellus-train`'s commit protocol (written aside, synced, renamed, `LATEST`
//! replaced last), so an interrupted run always has a complete checkpoint; resuming checks every
//! file's size and checksum and that the configuration is the run's, and drops log rows written
//! after the checkpoint, so the resumed run logs each step once and continues bit for bit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ocellus_monitor::{MetricLog, Progress, Row};
use ocellus_nn::Rng;
use ocellus_policy::{TextTokenizer, SPECIAL_TOKENS};
use ocellus_tasks::Difficulty;
use ocellus_train::checkpoint::{
    latest_checkpoint, read_verified_manifest, CheckpointWriter, Manifest, CHECKPOINT_FORMAT,
    CHECKPOINT_VERSION,
};
use ocellus_train::run_dir::RunPaths;
use ocellus_vlm::{tiny_config, Vlm};
use serde::{Deserialize, Serialize};
use tch::Tensor;

use crate::config::RlvrConfig;
use crate::episode::TaskStream;
use crate::error::RlvrError;
use crate::tool::tool_instruction;
use crate::trainer::{Counters, Trainer};

/// The `agent` field of an RLVR checkpoint manifest.
pub const AGENT_NAME: &str = "vlm-grpo";
/// Samples of the training stream the small policy's tokenizer is trained on.
const TOKENIZER_CORPUS: u64 = 2000;

/// `trainer.json`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainerState {
    counters: Counters,
    rng: [u64; 4],
    adam_lr: f64,
    /// EMA-GRPO's `(task, m1, m2)`, empty for other algorithms.
    ema: Vec<(String, f64, f64)>,
}

/// Builds the run's initial policy: the HF folder of `model.dir`, or the small policy (a BPE
/// trained on the task's training prompts, then a model initialised from the seed).
///
/// # Errors
/// A model folder that cannot be read, or a tokenizer that cannot be trained.
pub fn initial_policy(config: &RlvrConfig) -> Result<Vlm, RlvrError> {
    let device = config.device()?;
    if !config.model.dir.is_empty() {
        return Ok(Vlm::from_dir(Path::new(&config.model.dir), device)?);
    }
    let task =
        ocellus_tasks::task(&config.task.name).map_err(|e| RlvrError::Config(e.to_string()))?;
    let difficulty =
        Difficulty::new(config.task.difficulty).map_err(|e| RlvrError::Config(e.to_string()))?;
    let stream = TaskStream::train(task, difficulty, config.run.seed);
    let crop = config.tool.kind == "crop";
    let mut corpus = Vec::new();
    for i in 0..TOKENIZER_CORPUS {
        let s = stream.sample(i);
        let mut prompt = s.prompt.clone();
        if crop {
            let (w, h) = s
                .images
                .first()
                .map_or((0, 0), |im| (im.width(), im.height()));
            prompt.push_str(&tool_instruction(w, h));
            corpus.push(
                "<crop>[12, 34, 56, 78]</crop>Region [12, 34, 56, 78]. Now answer.".to_owned(),
            );
        }
        corpus.push(prompt);
        corpus.push(format!(
            "<think></think><answer>{}</answer>",
            s.reference_answer
        ));
    }
    corpus.push("User:Assistant:\n".to_owned());
    let tokenizer = TextTokenizer::train_bpe(&corpus, config.model.vocab, &SPECIAL_TOKENS)?;
    let image_token = tokenizer.require("<image>")?;
    let vocab = tokenizer.vocab_size() as i64;
    let shape = tiny_config(vocab, image_token, config.model.width, config.model.layers);
    Ok(Vlm::random(shape, tokenizer, config.run.seed, device)?)
}

/// The default run directory `<base>/<task>/<algo>[-crop]-s<seed>-<utc time>`.
pub fn default_run_dir(base: &Path, config: &RlvrConfig) -> PathBuf {
    let stamp = ocellus_train::run_dir::utc_timestamp(std::time::SystemTime::now());
    let tool = if config.tool.kind == "crop" {
        "-crop"
    } else {
        ""
    };
    base.join(&config.task.name).join(format!(
        "{}{tool}-s{}-{stamp}",
        config.grpo.algo, config.run.seed
    ))
}

fn manifest(config: &RlvrConfig, counters: &Counters) -> Manifest {
    Manifest {
        format: CHECKPOINT_FORMAT.into(),
        format_version: CHECKPOINT_VERSION,
        ocellus_version: env!("CARGO_PKG_VERSION").into(),
        agent: AGENT_NAME.into(),
        task: config.task.name.clone(),
        agent_config: config.to_toml(),
        // The control-run counters mean, for RLVR: env_frames = steps, agent_steps = RL steps,
        // episodes = training samples drawn, updates = steps.
        env_frames: counters.step,
        agent_steps: counters.step.saturating_sub(config.warm_start.steps),
        episodes: counters.samples,
        updates: counters.step,
        files: Vec::new(),
    }
}

/// Writes a checkpoint of `trainer` under the run directory.
///
/// # Errors
/// An I/O or serialisation error.
pub fn save_checkpoint(run: &RunPaths, trainer: &Trainer) -> Result<PathBuf, RlvrError> {
    let mut w = CheckpointWriter::begin(&run.checkpoints(), trainer.counters.step)?;
    let dir = w.path("");
    trainer.policy.save_dir(&dir)?;
    for f in [
        ocellus_vlm::folder::CONFIG_FILE,
        ocellus_vlm::folder::WEIGHTS_FILE,
        ocellus_vlm::folder::TOKENIZER_FILE,
    ] {
        w.add(f)?;
    }
    Tensor::write_safetensors(
        &trainer.adam.state_dict("adam"),
        w.path("optimizer.safetensors"),
    )?;
    w.add("optimizer.safetensors")?;
    if let Some(r) = &trainer.reference {
        Tensor::write_safetensors(&r.weights(), w.path("reference.safetensors"))?;
        w.add("reference.safetensors")?;
    }
    let state = TrainerState {
        counters: trainer.counters.clone(),
        rng: trainer.rng.state(),
        adam_lr: trainer.adam.config.lr,
        ema: trainer.ema.as_ref().map_or_else(Vec::new, |e| e.state()),
    };
    w.write(
        "trainer.json",
        serde_json::to_string_pretty(&state)
            .expect("plain data")
            .as_bytes(),
    )?;
    Ok(w.commit(manifest(&trainer.config, &trainer.counters))?)
}

/// Restores a trainer from the newest checkpoint of `run` for `config` (which must be the run's).
///
/// # Errors
/// A missing, corrupt or foreign checkpoint, named; nothing on disk is changed.
pub fn load_checkpoint(run: &RunPaths, config: RlvrConfig) -> Result<Trainer, RlvrError> {
    let dir = latest_checkpoint(&run.root)?;
    let m = read_verified_manifest(&dir)?;
    let foreign = |reason: String| RlvrError::Foreign {
        path: dir.display().to_string(),
        reason,
    };
    if m.agent != AGENT_NAME {
        return Err(foreign(format!(
            "written by agent `{}`, not {AGENT_NAME}",
            m.agent
        )));
    }
    if m.agent_config != config.to_toml() {
        return Err(foreign(
            "its configuration differs from the run's config.toml".into(),
        ));
    }
    let policy = Vlm::from_dir(&dir, config.device()?)?;
    let mut trainer = Trainer::new(config, policy)?;
    let text = std::fs::read_to_string(dir.join("trainer.json")).map_err(RlvrError::io(&dir))?;
    let state: TrainerState =
        serde_json::from_str(&text).map_err(|e| foreign(format!("trainer.json: {e}")))?;
    trainer.rng = Rng::from_state(state.rng).map_err(|e| foreign(e.to_string()))?;
    trainer.counters = state.counters;
    trainer.adam.config.lr = state.adam_lr;
    if trainer.ema.is_some() {
        trainer.ema = Some(
            ocellus_grpo::TaskEmaStd::from_state(
                ocellus_grpo::EmaGrpoConfig::default(),
                &state.ema,
            )
            .map_err(|e| foreign(format!("trainer.json ema: {e}")))?,
        );
    }
    let opt = Tensor::read_safetensors(dir.join("optimizer.safetensors"))?;
    let map: HashMap<&str, &Tensor> = opt.iter().map(|(k, v)| (k.as_str(), v)).collect();
    trainer
        .adam
        .load_state("adam", &map)
        .map_err(|e| foreign(format!("optimizer.safetensors: {e}")))?;
    let ref_path = dir.join("reference.safetensors");
    if ref_path.is_file() {
        let mut reference = trainer.frozen_copy()?;
        reference.load_weights(Tensor::read_safetensors(&ref_path)?)?;
        trainer.reference = Some(reference);
    }
    Ok(trainer)
}

/// How to run.
pub struct RunOptions {
    /// Where the run lives.
    pub run_dir: PathBuf,
    /// Continue the run in `run_dir` from its newest checkpoint.
    pub resume: bool,
    /// Set to stop after the current step (Ctrl-C): a checkpoint is written first.
    pub stop: Arc<AtomicBool>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// Trains (or resumes) a run to its configured number of steps.
///
/// # Errors
/// Any error of the loop; the last complete checkpoint stays valid.
pub fn train(config: Option<RlvrConfig>, options: &RunOptions) -> Result<Trainer, RlvrError> {
    let run = RunPaths::new(options.run_dir.clone());
    let mut trainer = if options.resume {
        let text = std::fs::read_to_string(run.config()).map_err(RlvrError::io(&run.config()))?;
        let config = RlvrConfig::from_toml(&text)?;
        load_checkpoint(&run, config)?
    } else {
        let config = config.ok_or_else(|| RlvrError::Config("no configuration".into()))?;
        if run.config().exists() {
            return Err(RlvrError::Config(format!(
                "{} already holds a run; use --resume to continue it",
                run.root.display()
            )));
        }
        std::fs::create_dir_all(&run.root).map_err(RlvrError::io(&run.root))?;
        std::fs::write(run.config(), config.to_toml()).map_err(RlvrError::io(&run.config()))?;
        let policy = initial_policy(&config)?;
        Trainer::new(config, policy)?
    };
    let resumed_at = options.resume.then_some(trainer.counters.step);
    let mut log = MetricLog::open_with_axis(&run.root, resumed_at, "step")?;
    let total = trainer.config.total_steps();
    let mut progress = Progress::new(total, trainer.counters.step, "steps");
    if trainer.counters.step == 0 {
        log_eval(&mut trainer, &mut log)?;
    }
    while trainer.counters.step < total {
        let metrics = trainer.step()?;
        let step = trainer.counters.step;
        let group = if metrics
            .first()
            .is_some_and(|(k, v)| *k == "phase" && *v == 0.0)
        {
            "sft"
        } else {
            "train"
        };
        let shown = metrics
            .iter()
            .find(|(k, _)| *k == "accuracy")
            .map(|(_, v)| *v);
        log.log(&Row {
            group,
            env_frames: step,
            values: metrics,
        })?;
        let at_end = step == total;
        if step % trainer.config.run.eval_every == 0
            || at_end
            || step == trainer.config.warm_start.steps
        {
            log_eval(&mut trainer, &mut log)?;
        }
        let stop = options.stop.load(Ordering::SeqCst);
        if step % trainer.config.run.checkpoint_every == 0 || at_end || stop {
            save_checkpoint(&run, &trainer)?;
        }
        if options.progress {
            progress.update(step, shown);
        }
        if stop {
            break;
        }
    }
    if options.progress {
        progress.finish(trainer.counters.step, None);
    }
    Ok(trainer)
}

fn log_eval(trainer: &mut Trainer, log: &mut MetricLog) -> Result<(), RlvrError> {
    let values = trainer.evaluate()?;
    log.log(&Row {
        group: "eval",
        env_frames: trainer.counters.step,
        values,
    })?;
    Ok(())
}

/// Scores a model folder or a run's newest checkpoint on the held-out split of `config`'s task
/// (greedy): the metrics of [`Trainer::evaluate`].
///
/// # Errors
/// A model that cannot be loaded.
pub fn evaluate_model(
    model_dir: &Path,
    config: RlvrConfig,
) -> Result<Vec<(&'static str, f64)>, RlvrError> {
    let policy = Vlm::from_dir(model_dir, config.device()?)?;
    let mut trainer = Trainer::new(config, policy)?;
    trainer.evaluate()
}

/// A one-line description of a policy for logs.
pub fn describe(policy: &Vlm) -> String {
    let c = policy.config();
    format!(
        "{} parameters: vision {}x{} ({} px, patch {}), decoder {}x{} ({} heads, {} kv), vocab {}, {} image tokens",
        policy.num_parameters(),
        c.vision_config.num_hidden_layers,
        c.vision_config.hidden_size,
        c.vision_config.image_size,
        c.vision_config.patch_size,
        c.text_config.num_hidden_layers,
        c.text_config.hidden_size,
        c.text_config.num_attention_heads,
        c.text_config.num_key_value_heads,
        c.text_config.vocab_size,
        c.tokens_per_image()
    )
}
