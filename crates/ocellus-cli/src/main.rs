//! `ocellus`: the command line of the ocellus visual-RL system.
//!
//! This binary is definitions plus glue: each subcommand parses its flags with clap and calls
//! into the library crates. It is the only crate that uses `anyhow`; errors print their cause
//! chain and exit with status 2.
// The doc comments on clap arguments are the command's `--help` text, written for a terminal
// (`<TASK>`, `[agent]`), not rustdoc markup.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod bench;
mod envs_cmd;
mod image_io;
mod plot_cmd;
mod rewards_cmd;
mod rlvr_cmd;
mod tasks_cmd;
mod trace;
mod train_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// ocellus: visual reinforcement learning from pixels.
#[derive(Parser, Debug)]
#[command(name = "ocellus", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Inspect, render and play the built-in environments.
    Envs {
        #[command(subcommand)]
        command: envs_cmd::EnvsCommand,
    },
    /// Measure throughput.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Synthetic visual tasks: list the generators, export datasets.
    Tasks {
        #[command(subcommand)]
        command: tasks_cmd::TasksCommand,
    },
    /// Verifiable rewards: list the verifiers, score completions against a dataset.
    Rewards {
        #[command(subcommand)]
        command: rewards_cmd::RewardsCommand,
    },
    /// Train an agent from pixels (or resume a run with --resume DIR).
    Train(train_cmd::TrainArgs),
    /// Evaluate the latest checkpoint of a run.
    Eval(train_cmd::EvalArgs),
    /// RL with verifiable rewards for a vision-language policy (GRPO and variants).
    Rlvr {
        #[command(subcommand)]
        command: rlvr_cmd::RlvrCommand,
    },
    /// Plot evaluation curves of runs (mean ± std across seeds) into a PNG.
    Plot(plot_cmd::PlotArgs),
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Rendered environment steps per second, per task, on one thread and on all threads.
    Envs(bench::BenchEnvsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(feature = "mujoco")]
    ocellus_mujoco::register();
    if !matches!(
        cli.command,
        Command::Train(_) | Command::Eval(_) | Command::Rlvr { .. }
    ) {
        restore_default_sigpipe();
    }
    let result = match cli.command {
        Command::Envs { command } => envs_cmd::run(command),
        Command::Bench {
            command: BenchCommand::Envs(args),
        } => bench::run(&args),
        Command::Tasks { command } => tasks_cmd::run(command),
        Command::Rewards { command } => rewards_cmd::run(command),
        Command::Train(args) => train_cmd::run(&args),
        Command::Eval(args) => train_cmd::eval(&args),
        Command::Rlvr { command } => rlvr_cmd::run(command),
        Command::Plot(args) => plot_cmd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`ocellus rewards list | head`) panics;
/// the listing commands take the default (quiet exit) instead, as Unix tools do. Training and
/// evaluation keep the Rust behaviour: a closed pipe must not kill a run before it checkpoints.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
