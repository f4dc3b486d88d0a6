//! `ocellus bench envs`: rendered steps per second per task, on one thread and on all threads.
//!
//! A "step" is one control step of the task (one rendered frame, no action repeat) under
//! uniformly random actions, with episodes reset as they end (resets are counted in the time).
//! Columns: the simulator alone (no rendering, one env); one env rendering on the calling
//! thread; an [`EnvPool`] of `threads × envs_per_thread` envs on one worker thread and on all
//! of them. Scaling is the ratio of the two pool runs, which hold the same environments.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use ocellus_core::RandomState;
use ocellus_envs::{make, tasks, EnvOptions, EnvPool, Environment, PoolOptions};
use serde::Serialize;

#[derive(Args, Debug)]
pub struct BenchEnvsArgs {
    /// Tasks to measure (default: all registered tasks).
    #[arg(long, value_delimiter = ',')]
    pub tasks: Vec<String>,
    /// Seconds of measurement per task and configuration.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Frame size in pixels (square).
    #[arg(long, default_value_t = 84)]
    pub size: usize,
    /// Threads for the parallel run (default: all available cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Environments per thread in the pool runs.
    #[arg(long, default_value_t = 8)]
    pub envs_per_thread: usize,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Serialize)]
struct Row {
    task: String,
    physics_steps_per_sec: f64,
    rendered_steps_per_sec_1_thread: f64,
    pool_steps_per_sec_1_thread: f64,
    pool_steps_per_sec_all_threads: f64,
    threads: usize,
    envs_in_pool: usize,
    scaling: f64,
}

#[derive(Serialize)]
struct Report {
    size: usize,
    seconds_per_measurement: f64,
    threads: usize,
    rows: Vec<Row>,
}

/// A fixed table of random actions, so that drawing them costs nothing in the loop.
fn action_table(dim: usize) -> Vec<f32> {
    let mut rng = RandomState::new(7);
    (0..4096 * dim)
        .map(|_| rng.uniform(-1.0, 1.0) as f32)
        .collect()
}

fn single(task: &str, options: &EnvOptions, seconds: f64) -> Result<f64> {
    let mut env = make(task, options)?;
    let dim = env.spec().action.num_elements();
    let actions = action_table(dim);
    env.reset(Some(0));
    let mut run = |budget: Duration| -> Result<f64> {
        let start = Instant::now();
        let mut steps = 0u64;
        loop {
            for _ in 0..64 {
                let i = (steps as usize % 4096) * dim;
                let kind = env.step(&actions[i..i + dim])?.kind;
                if kind.is_last() {
                    env.reset(None);
                }
                steps += 1;
            }
            let elapsed = start.elapsed();
            if elapsed >= budget {
                return Ok(steps as f64 / elapsed.as_secs_f64());
            }
        }
    };
    run(Duration::from_secs_f64(seconds.min(0.3)))?; // warm-up: caches, page faults
    run(Duration::from_secs_f64(seconds))
}

fn parallel(
    task: &str,
    options: &EnvOptions,
    seconds: f64,
    threads: usize,
    per_thread: usize,
) -> Result<f64> {
    let pool_options = PoolOptions {
        num_envs: threads * per_thread,
        num_threads: threads,
        auto_reset: true,
        seed: 0,
    };
    let mut pool = EnvPool::new(pool_options, |_| make(task, options))?;
    let n = pool.len();
    let dim = pool.spec().action.num_elements();
    let table = action_table(dim);
    let batches: Vec<Vec<f32>> = (0..64)
        .map(|b| {
            (0..n * dim)
                .map(|j| table[(b * n * dim + j) % table.len()])
                .collect()
        })
        .collect();
    pool.reset();
    let mut run = |budget: Duration| -> Result<f64> {
        let start = Instant::now();
        let mut steps = 0u64;
        let mut b = 0;
        loop {
            pool.step(&batches[b % batches.len()])?;
            b += 1;
            steps += n as u64;
            let elapsed = start.elapsed();
            if elapsed >= budget {
                return Ok(steps as f64 / elapsed.as_secs_f64());
            }
        }
    };
    run(Duration::from_secs_f64(seconds.min(0.3)))?;
    run(Duration::from_secs_f64(seconds))
}

pub fn run(args: &BenchEnvsArgs) -> Result<()> {
    let tasks: Vec<String> = if args.tasks.is_empty() {
        tasks().iter().map(|t| t.name.to_string()).collect()
    } else {
        args.tasks.clone()
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pixels = EnvOptions {
        width: args.size,
        height: args.size,
        pixels: true,
    };
    let state_only = EnvOptions {
        pixels: false,
        ..pixels.clone()
    };
    println!(
        "rendered {0}x{0} control steps per second (random actions; {1:.1} s per figure; {2} threads)",
        args.size, args.seconds, threads
    );
    println!(
        "{:<26} {:>13} {:>13} {:>13} {:>13} {:>8}",
        "task",
        "physics only",
        "1 env",
        "pool 1 thr",
        format!("pool {threads} thr"),
        "scaling"
    );
    let mut rows = Vec::new();
    for task in &tasks {
        let physics = single(task, &state_only, args.seconds / 2.0)
            .with_context(|| format!("benchmarking {task}"))?;
        let one = single(task, &pixels, args.seconds)?;
        // Both pool runs hold the same environments, so the ratio isolates the threading.
        let envs = threads * args.envs_per_thread;
        let pool_one = parallel(task, &pixels, args.seconds, 1, envs)?;
        let all = parallel(task, &pixels, args.seconds, threads, args.envs_per_thread)?;
        println!(
            "{:<26} {:>13.0} {:>13.0} {:>13.0} {:>13.0} {:>7.2}x",
            task,
            physics,
            one,
            pool_one,
            all,
            all / pool_one
        );
        rows.push(Row {
            task: task.clone(),
            physics_steps_per_sec: physics,
            rendered_steps_per_sec_1_thread: one,
            pool_steps_per_sec_1_thread: pool_one,
            pool_steps_per_sec_all_threads: all,
            threads,
            envs_in_pool: envs,
            scaling: all / pool_one,
        });
    }
    let report = Report {
        size: args.size,
        seconds_per_measurement: args.seconds,
        threads,
        rows,
    };
    let json = serde_json::to_string_pretty(&report)?;
    if let Some(path) = &args.json {
        std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
