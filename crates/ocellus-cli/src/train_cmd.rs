//! `ocellus train`: start or resume a DrQ-v2 or DrM run, and `ocellus eval`: evaluate a saved run.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use clap::Args;
use ocellus_train::{default_run_dir, ConfigBuilder, Outcome, TrainConfig, Trainer, AGENT_NAMES};

/// Flags of `ocellus train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Continue the run in this directory from its latest checkpoint. Only --frames may be
    /// given with it: the run's new length, longer (e.g. for a finished run) or shorter (not
    /// below the frames trained so far); other flags are refused.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["task", "agent", "preset", "seed", "config", "set", "run_dir", "device"])]
    resume: Option<PathBuf>,
    /// Task to train on (`ocellus envs list`); sets run.task.
    #[arg(long)]
    task: Option<String>,
    /// The agent: `drqv2` (the default), `drm` (DrQ-v2 with DrM's dormant-ratio
    /// perturbation, awakened exploration and expectile value target; `[agent.drm]` tunes it)
    /// `mentor` (DrM with MENTOR's mixture-of-experts actor and perturbation towards its
    /// best episodes' weights; `[agent.mentor]` tunes it), `taco` (DrQ-v2 with TACO's temporal
    /// action-driven contrastive loss; `[agent.taco]`), or `drm+taco`, `mentor+taco`.
    #[arg(long)]
    agent: Option<String>,
    /// Preset from configs/drqv2/ (`cpu`, `paper`): its [env], [replay], [loop] and [agent]
    /// tables.
    #[arg(long, default_value = "cpu")]
    preset: String,
    /// Environment frames to train for; sets run.frames (with --resume: the new length).
    #[arg(long)]
    frames: Option<u64>,
    /// Run seed; sets run.seed.
    #[arg(long)]
    seed: Option<u64>,
    /// A TOML file with [run], [env], [replay], [loop] and/or [agent] tables, merged over the
    /// preset.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Override one value, e.g. --set agent.lr=3e-4 --set run.eval_every_frames=5000.
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    set: Vec<String>,
    /// Run directory (default: runs/<task>/drqv2-<preset>-s<seed>-<UTC time>).
    #[arg(long, value_name = "DIR")]
    run_dir: Option<PathBuf>,
    /// Device: cpu, cuda or cuda:N; sets run.device.
    #[arg(long)]
    device: Option<String>,
}

/// Flags of `ocellus eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The run directory.
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
    /// Deterministic episodes to run.
    #[arg(long, default_value_t = 10)]
    episodes: u32,
    /// Write the first episode as a GIF.
    #[arg(long, value_name = "FILE")]
    video: Option<PathBuf>,
    /// Write every step as CSV: true state, action, reward, and the critic's Q at the action
    /// and along each action dimension (-1, -0.5, 0, 0.5, 1).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
}

fn resolve(args: &TrainArgs) -> Result<TrainConfig> {
    if let Some(agent) = args.agent.as_deref().filter(|a| !AGENT_NAMES.contains(a)) {
        bail!(
            "unknown agent `{agent}`; the agents are {}",
            AGENT_NAMES.join(", ")
        );
    }
    let mut builder = ConfigBuilder::from_preset(&args.preset)?;
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        builder = builder.merge_toml(&text, &path.display().to_string())?;
    }
    let mut sets: Vec<String> = args
        .agent
        .iter()
        .map(|a| format!("run.agent={a:?}"))
        .collect();
    if let Some(t) = &args.task {
        sets.push(format!("run.task={t:?}"));
    }
    if let Some(f) = args.frames {
        sets.push(format!("run.frames={f}"));
    }
    if let Some(s) = args.seed {
        sets.push(format!("run.seed={s}"));
    }
    if let Some(d) = &args.device {
        sets.push(format!("run.device={d:?}"));
    }
    // Explicit --set overrides win over the convenience flags.
    sets.extend(args.set.iter().cloned());
    Ok(builder.set_all(&sets)?.build()?)
}

fn header() -> String {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let command: Vec<String> = std::env::args().collect();
    format!(
        "Resolved configuration of an ocellus training run.\nocellus {}, git commit {commit}\ncommand: {}",
        env!("CARGO_PKG_VERSION"),
        command.join(" ")
    )
}

pub(crate) fn stop_flag() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || {
        if s.swap(true, Ordering::SeqCst) {
            eprintln!("\nsecond interrupt: exiting without a checkpoint");
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: finishing the current step and writing a checkpoint ...");
    })
    .context("installing the Ctrl-C handler")?;
    Ok(stop)
}

/// Runs `ocellus train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    let mut trainer = match &args.resume {
        Some(dir) => {
            let mut t = Trainer::resume(dir)
                .with_context(|| format!("resuming the run in {}", dir.display()))?;
            if let Some(frames) = args.frames {
                t.extend_to(ocellus_core::EnvFrames(frames))
                    .with_context(|| {
                        format!("setting the length of the run in {}", dir.display())
                    })?;
            }
            eprintln!(
                "resuming {} at {} of {}",
                dir.display(),
                t.env_frames(),
                t.config().run.frames
            );
            t
        }
        None => {
            let config = resolve(args)?;
            let dir = match &args.run_dir {
                Some(d) => d.clone(),
                None => default_run_dir(Path::new("runs"), &config, SystemTime::now()),
            };
            eprintln!("{}", config.to_toml_string());
            let t = Trainer::create(config, &dir, &header())
                .with_context(|| format!("starting a run in {}", dir.display()))?;
            eprintln!("run directory: {}", dir.display());
            t
        }
    };
    let stop = stop_flag()?;
    trainer.set_progress(true);
    let s = trainer.run(&stop)?;
    let dir = trainer.run_dir().display().to_string();
    let ckpt = s
        .checkpoint
        .as_ref()
        .map_or("none".into(), |p| p.display().to_string());
    match s.outcome {
        Outcome::Interrupted => eprintln!(
            "interrupted at {}; checkpoint {ckpt}\ncontinue with: ocellus train --resume {dir}",
            s.env_frames
        ),
        _ => eprintln!(
            "finished {}: last eval return {}; checkpoint {ckpt}",
            s.env_frames,
            s.last_eval_return.map_or("-".into(), |r| format!("{r:.1}"))
        ),
    }
    eprintln!(
        "wall {:.0}s: learner {:.0}s, eval {:.0}s, checkpoints {:.1}s; non-learner share of the \
         post-seed loop {}",
        s.wall.as_secs_f64(),
        s.learner.as_secs_f64(),
        s.eval.as_secs_f64(),
        s.checkpointing.as_secs_f64(),
        s.non_learner_fraction()
            .map_or("-".into(), |f| format!("{:.1}%", 100.0 * f))
    );
    Ok(())
}

/// Runs `ocellus eval`.
pub fn eval(args: &EvalArgs) -> Result<()> {
    let r = ocellus_train::evaluate_run(
        &args.run,
        args.episodes,
        args.video.as_deref(),
        args.trace.as_deref(),
    )
    .with_context(|| format!("evaluating {}", args.run.display()))?;
    println!(
        "{}: {} episodes at {} frames: return {:.1} ± {:.1} (min {:.1}, max {:.1})",
        r.checkpoint.display(),
        r.returns.len(),
        r.env_frames,
        r.mean,
        r.std,
        r.returns.iter().copied().fold(f64::INFINITY, f64::min),
        r.returns.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    );
    if let Some(v) = &args.video {
        println!("video: {}", v.display());
    }
    if let Some(t) = &args.trace {
        println!("trace: {}", t.display());
    }
    Ok(())
}
