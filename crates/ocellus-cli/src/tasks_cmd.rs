//! `ocellus tasks ...`: list the synthetic visual task generators and export datasets.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use ocellus_tasks::dataset::DatasetWriter;
use ocellus_tasks::{task, tasks, Coords, Difficulty, Spec};

#[derive(Subcommand, Debug)]
pub enum TasksCommand {
    /// List the generators, their verifiers and what their difficulty knob changes.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Generate a dataset: DIR/<TASK>_<SPLIT>.jsonl plus DIR/images/<TASK>_<SPLIT>/*.png, in
    /// the verl / EasyR1 row layout (see `ocellus_tasks::dataset`).
    Generate {
        /// Generator name (see `ocellus tasks list`).
        task: String,
        /// Number of samples.
        #[arg(long, default_value_t = 1000)]
        n: u64,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Base seed; sample i is drawn from derive_seed(seed, i). Use different seeds for
        /// different splits.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Difficulty, 1 (easiest) to 5.
        #[arg(long, default_value_t = 1)]
        difficulty: u8,
        /// Split name, stored in each row and in the file name.
        #[arg(long, default_value = "train")]
        split: String,
        /// Coordinate convention of answers for grounding, pointing and difference.
        #[arg(long, value_enum, default_value_t = CoordsArg::Pixels)]
        coords: CoordsArg,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CoordsArg {
    /// Integer pixels of the generated image.
    Pixels,
    /// Relative 0-1000 (Qwen2-VL / Qwen3-VL).
    Norm1000,
}

pub fn run(cmd: TasksCommand) -> Result<()> {
    match cmd {
        TasksCommand::List { json } => {
            if json {
                let rows: Vec<_> = tasks()
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "name": t.name,
                            "verifier": t.verifier,
                            "ability": t.ability,
                            "uses_coords": t.uses_coords,
                            "summary": t.summary,
                            "difficulty": t.difficulty,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!("{:<11} {:<11} summary / difficulty 1-5", "task", "verifier");
                for t in tasks() {
                    println!("{:<11} {:<11} {}", t.name, t.verifier, t.summary);
                    println!("{:<23} difficulty: {}", "", t.difficulty);
                }
            }
            Ok(())
        }
        TasksCommand::Generate {
            task: name,
            n,
            out,
            seed,
            difficulty,
            split,
            coords,
        } => {
            let info = task(&name)?;
            let difficulty = Difficulty::new(difficulty)?;
            let coords = match coords {
                CoordsArg::Pixels => Coords::Pixels,
                CoordsArg::Norm1000 => Coords::Norm1000,
            };
            let dataset = format!("{name}_{split}");
            let start = Instant::now();
            let mut writer = DatasetWriter::create(&out, &dataset, &split)
                .with_context(|| format!("starting dataset {dataset} in {}", out.display()))?;
            for index in 0..n {
                let spec = Spec {
                    seed,
                    index,
                    difficulty,
                    coords,
                };
                let sample = info.generate(&spec);
                writer
                    .push(&sample)
                    .with_context(|| format!("writing sample {index} ({})", sample.id))?;
            }
            let path = writer.finish().context("finishing the dataset")?;
            let secs = start.elapsed().as_secs_f64();
            println!(
                "wrote {n} {name} samples (difficulty {}, seed {seed}, split {split}, verifier \
                 {}) to {} in {secs:.2} s ({:.0} samples/s)",
                difficulty.level(),
                info.verifier,
                path.display(),
                n as f64 / secs.max(1e-9)
            );
            Ok(())
        }
    }
}
