//! `ocellus envs ...`: list, render, play and trace the built-in tasks.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use ocellus_core::{RandomState, StepKind};
use ocellus_envs::{tasks, DistractionConfig, EnvBuilder, Environment};
use ocellus_render::chw_to_hwc;

use crate::image_io::{tile, write_png, GifWriter};

#[derive(Subcommand, Debug)]
pub enum EnvsCommand {
    /// List the registered tasks.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Render a grid of frames along one random episode into a PNG.
    Render(RenderArgs),
    /// Play one episode with a simple policy and write it as an animated GIF.
    Play(PlayArgs),
    /// Replay an action sequence from a given state and print states and rewards as JSON
    /// (reads a JSON request on stdin; used by scripts/validate_dmc.py).
    Trace,
}

/// Options shared by `render` and `play`.
#[derive(Args, Debug)]
pub struct ViewArgs {
    /// Task name (see `ocellus envs list`).
    pub task: String,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Frame size in pixels (square).
    #[arg(long, default_value_t = 84)]
    pub size: usize,
    /// Reset seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u32,
    /// Policy that picks the actions.
    #[arg(long, value_enum, default_value_t = Policy::Random)]
    pub policy: Policy,
    /// Add visual distractions (colours, camera jitter, moving shapes).
    #[arg(long)]
    pub distractions: bool,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    #[command(flatten)]
    pub view: ViewArgs,
    /// Number of frames in the grid, evenly spaced over the episode.
    #[arg(long, default_value_t = 16)]
    pub frames: usize,
    /// Columns of the grid.
    #[arg(long, default_value_t = 8)]
    pub cols: usize,
}

#[derive(Args, Debug)]
pub struct PlayArgs {
    #[command(flatten)]
    pub view: ViewArgs,
    /// Control steps to play (an episode has 1000).
    #[arg(long, default_value_t = 1000)]
    pub steps: usize,
    /// Keep every n-th frame in the GIF.
    #[arg(long, default_value_t = 2)]
    pub stride: usize,
}

/// How actions are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Policy {
    /// Uniform in [-1, 1] per dimension, held for 5 steps so motion is visible.
    Random,
    /// All zeros: the passive dynamics.
    Zero,
}

pub fn run(command: EnvsCommand) -> Result<()> {
    match command {
        EnvsCommand::List { json } => list(json),
        EnvsCommand::Render(args) => render(&args),
        EnvsCommand::Play(args) => play(&args),
        EnvsCommand::Trace => crate::trace::run(),
    }
}

fn list(json: bool) -> Result<()> {
    if json {
        let rows: Vec<_> = tasks()
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name, "domain": t.domain, "action_dim": t.action_dim,
                    "state_dim": t.state_dim, "sparse": t.sparse, "contacts": t.contacts,
                    "summary": t.summary,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:<26} {:>6} {:>6}  {:<7} goal",
        "task", "action", "state", "reward"
    );
    for t in tasks() {
        let reward = if t.sparse { "sparse" } else { "shaped" };
        println!(
            "{:<26} {:>6} {:>6}  {:<7} {}",
            t.name, t.action_dim, t.state_dim, reward, t.summary
        );
    }
    Ok(())
}

fn build(view: &ViewArgs) -> Result<Box<dyn Environment>> {
    let mut builder = EnvBuilder::new(&view.task).size(view.size, view.size);
    if view.distractions {
        builder = builder.distractions(DistractionConfig::default());
    }
    builder
        .build()
        .with_context(|| format!("building task `{}`", view.task))
}

/// Actions of the chosen policy, one call per control step.
struct Actor {
    policy: Policy,
    rng: RandomState,
    action: Vec<f32>,
    steps: usize,
}

impl Actor {
    fn new(policy: Policy, dim: usize, seed: u32) -> Self {
        Actor {
            policy,
            rng: RandomState::new(seed ^ 0x5eed),
            action: vec![0.0; dim],
            steps: 0,
        }
    }
    fn next(&mut self) -> &[f32] {
        if self.policy == Policy::Random && self.steps.is_multiple_of(5) {
            for a in &mut self.action {
                *a = self.rng.uniform(-1.0, 1.0) as f32;
            }
        }
        self.steps += 1;
        &self.action
    }
}

fn render(args: &RenderArgs) -> Result<()> {
    let view = &args.view;
    if args.frames == 0 {
        bail!("--frames must be at least 1");
    }
    let mut env = build(view)?;
    let steps = env.spec().steps_per_episode as usize;
    let every = (steps / args.frames).max(1);
    let mut actor = Actor::new(view.policy, env.spec().action.num_elements(), view.seed);
    let (w, h) = (view.size, view.size);
    let mut frames = Vec::with_capacity(args.frames);
    let mut hwc = Vec::new();
    let first = env.reset(Some(view.seed));
    chw_to_hwc(first.pixels, w, h, &mut hwc);
    frames.push(hwc.clone());
    for t in 1..=steps {
        let ts = env.step(actor.next())?;
        if t.is_multiple_of(every) && frames.len() < args.frames {
            chw_to_hwc(ts.pixels, w, h, &mut hwc);
            frames.push(hwc.clone());
        }
    }
    let (grid, gw, gh) = tile(&frames, w, h, args.cols);
    write_png(&view.out, &grid, gw, gh)?;
    println!(
        "wrote {} frames of {} to {}",
        frames.len(),
        view.task,
        view.out.display()
    );
    Ok(())
}

fn play(args: &PlayArgs) -> Result<()> {
    let view = &args.view;
    let stride = args.stride.max(1);
    let mut env = build(view)?;
    let delay_cs = (env.spec().step_seconds * stride as f64 * 100.0).round() as u16;
    let mut gif = GifWriter::create(&view.out, view.size, view.size, delay_cs)?;
    let mut actor = Actor::new(view.policy, env.spec().action.num_elements(), view.seed);
    let mut hwc = Vec::new();
    let first = env.reset(Some(view.seed));
    chw_to_hwc(first.pixels, view.size, view.size, &mut hwc);
    gif.push(&hwc)?;
    let (mut total, mut frames) = (0.0, 1);
    for t in 1..=args.steps {
        let ts = env.step(actor.next())?;
        total += ts.reward;
        if t.is_multiple_of(stride) {
            chw_to_hwc(ts.pixels, view.size, view.size, &mut hwc);
            gif.push(&hwc)?;
            frames += 1;
        }
        if ts.kind == StepKind::Truncated || ts.kind == StepKind::Terminated {
            break;
        }
    }
    println!(
        "wrote {frames} frames of {} to {} (return {total:.1} with the {:?} policy)",
        view.task,
        view.out.display(),
        view.policy
    );
    Ok(())
}
