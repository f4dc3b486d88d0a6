//! `ocellus rlvr`: train a vision-language policy with verifiable rewards, evaluate it.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use ocellus_rlvr::run::{default_run_dir, describe, RunOptions};
use ocellus_rlvr::RlvrConfig;

/// `ocellus rlvr` subcommands.
#[derive(Subcommand, Debug)]
pub enum RlvrCommand {
    /// Warm-start then GRPO-train a policy on a synthetic task (or resume with --resume DIR).
    Train(RlvrTrainArgs),
    /// Score a model folder or a run's newest checkpoint on the held-out split (greedy).
    Eval(RlvrEvalArgs),
}

/// `ocellus rlvr train`.
#[derive(Args, Debug)]
pub struct RlvrTrainArgs {
    /// Task generator (rotation, grounding, counting, zoom_shape, …; `ocellus tasks list`).
    #[arg(long)]
    task: Option<String>,
    /// Objective: grpo, dr_grpo, dapo, gspo or ema_grpo.
    #[arg(long)]
    algo: Option<String>,
    /// Seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Start from an HF model folder (SmolVLM / Idefics3 layout) instead of the small policy.
    #[arg(long)]
    model: Option<PathBuf>,
    /// A TOML config file instead of the built-in preset (configs/rlvr/cpu.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Overrides, `table.key=value` (repeatable).
    #[arg(long = "set")]
    overrides: Vec<String>,
    /// Run directory (default runs/rlvr/<task>/<algo>-s<seed>-<time>).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    /// Continue the run in this directory from its newest checkpoint.
    #[arg(long, conflicts_with_all = ["task", "algo", "seed", "model", "config", "overrides", "run_dir"])]
    resume: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `ocellus rlvr eval`.
#[derive(Args, Debug)]
pub struct RlvrEvalArgs {
    /// A run directory (its newest checkpoint and config) or an HF model folder.
    path: PathBuf,
    /// Overrides of the evaluation config (`task.eval_prompts=500`, …).
    #[arg(long = "set")]
    overrides: Vec<String>,
}

/// Runs `ocellus rlvr`.
pub fn run(command: RlvrCommand) -> Result<()> {
    match command {
        RlvrCommand::Train(args) => train(&args),
        RlvrCommand::Eval(args) => eval(&args),
    }
}

fn train(args: &RlvrTrainArgs) -> Result<()> {
    let stop = crate::train_cmd::stop_flag()?;
    if let Some(dir) = &args.resume {
        let options = RunOptions {
            run_dir: dir.clone(),
            resume: true,
            stop,
            progress: !args.quiet,
        };
        let t = ocellus_rlvr::train(None, &options)
            .with_context(|| format!("resuming {}", dir.display()))?;
        eprintln!("run {} at step {}", dir.display(), t.counters.step);
        return Ok(());
    }
    let mut overrides = args.overrides.clone();
    if let Some(t) = &args.task {
        overrides.push(format!("task.name={t}"));
    }
    if let Some(a) = &args.algo {
        overrides.push(format!("grpo.algo={a}"));
    }
    if let Some(s) = args.seed {
        overrides.push(format!("run.seed={s}"));
    }
    if let Some(m) = &args.model {
        overrides.push(format!("model.dir={}", m.display()));
    }
    let config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let mut c = RlvrConfig::from_toml(&text)?;
            if !overrides.is_empty() {
                // Overrides apply on top of the file's values.
                let merged = RlvrConfig::preset_with_base(&c.to_toml(), &overrides)?;
                c = merged;
            }
            c
        }
        None => RlvrConfig::preset_with(&overrides)?,
    };
    let run_dir = args
        .run_dir
        .clone()
        .unwrap_or_else(|| default_run_dir(&PathBuf::from("runs/rlvr"), &config));
    eprintln!("run directory: {}", run_dir.display());
    let options = RunOptions {
        run_dir: run_dir.clone(),
        resume: false,
        stop,
        progress: !args.quiet,
    };
    let t = ocellus_rlvr::train(Some(config), &options)?;
    eprintln!("policy: {}", describe(&t.policy));
    eprintln!(
        "done at step {}: logs in {}",
        t.counters.step,
        run_dir.display()
    );
    Ok(())
}

fn eval(args: &RlvrEvalArgs) -> Result<()> {
    let config_path = args.path.join("config.toml");
    let (model_dir, base) = if config_path.is_file() {
        let text = std::fs::read_to_string(&config_path)?;
        let latest = ocellus_train::checkpoint::latest_checkpoint(&args.path)?;
        (latest, text)
    } else {
        (
            args.path.clone(),
            ocellus_rlvr::config::CPU_PRESET.to_owned(),
        )
    };
    let mut overrides = args.overrides.clone();
    if !config_path.is_file() {
        // A model folder, not a run: it keeps the task's prompt layout (image first).
        overrides.push(format!("model.dir={}", args.path.display()));
    }
    let config = RlvrConfig::preset_with_base(&base, &overrides)?;
    let metrics = ocellus_rlvr::evaluate_model(&model_dir, config.clone())
        .with_context(|| format!("evaluating {}", model_dir.display()))?;
    println!(
        "{} on {} (difficulty {}, {} held-out prompts):",
        model_dir.display(),
        config.task.name,
        config.task.difficulty,
        config.task.eval_prompts
    );
    for (k, v) in metrics {
        println!("  {k:<16} {v:.4}");
    }
    Ok(())
}
