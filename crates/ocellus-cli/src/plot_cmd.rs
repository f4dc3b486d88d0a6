//! `ocellus plot`: curves of runs, mean ± std across seeds, x in environment frames: the
//! evaluation return by default, or any logged column (`--metric loss/actor_dormant_ratio`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use ocellus_monitor::plot::{aggregate, draw, write_png, PlotOptions};
use ocellus_train::run_dir::{read_run_config, RunPaths, CONFIG_FILE};

/// Flags of `ocellus plot`.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Run directories, or directories holding runs (searched three levels deep).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The PNG to write.
    #[arg(long, default_value = "curves.png")]
    out: PathBuf,
    /// What to plot, as `<log>/<column>`: a column of the run's `<log>.csv` (`eval`, `train`,
    /// `loss`; docs/metrics.md lists them).
    #[arg(long, default_value = "eval/episode_return_mean")]
    metric: String,
}

fn find_runs(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    if dir.join(CONFIG_FILE).is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    if depth == 0 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for e in entries {
        find_runs(&e, depth - 1, out)?;
    }
    Ok(())
}

/// `(x, column)` of a run's `<log>.csv`, x being the first column (`env_frames` for control runs,
/// `step` for RLVR runs).
fn curve(run: &Path, log: &str, column: &str) -> Result<Vec<(f64, f64)>> {
    let path = run.join(format!("{log}.csv"));
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{} has no `{name}` column", path.display()))
    };
    let (x, y) = (0, col(column)?);
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let num = |i: usize| -> Result<f64> {
                cells
                    .get(i)
                    .and_then(|c| c.parse().ok())
                    .with_context(|| format!("{}: bad row `{l}`", path.display()))
            };
            Ok((num(x)?, num(y)?))
        })
        .collect()
}

/// Runs `ocellus plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    let mut runs = Vec::new();
    for d in &args.dirs {
        find_runs(d, 3, &mut runs)?;
    }
    if runs.is_empty() {
        bail!("no run directories (with {CONFIG_FILE}) under the given paths");
    }
    let Some((log, column)) = args.metric.split_once('/') else {
        bail!(
            "--metric {:?}: expected <log>/<column>, e.g. loss/critic_loss",
            args.metric
        );
    };
    // Group by task / agent / preset (RLVR runs: task / algorithm / tool); each seed is one run
    // of its group.
    let mut groups: BTreeMap<String, Vec<Vec<(f64, f64)>>> = BTreeMap::new();
    let mut rlvr_runs = 0;
    for run in &runs {
        let label = match read_run_config(&RunPaths::new(run)) {
            Ok(config) => format!(
                "{} {}-{}",
                config.run.task, config.raw.run.agent, config.run.preset
            ),
            Err(control_err) => {
                let text = std::fs::read_to_string(run.join(CONFIG_FILE))?;
                let config = ocellus_rlvr::RlvrConfig::from_toml(&text)
                    .map_err(|_| control_err)
                    .with_context(|| format!("reading the config of {}", run.display()))?;
                rlvr_runs += 1;
                let tool = if config.tool.kind == "crop" {
                    "+crop"
                } else {
                    ""
                };
                if config.grpo.steps == 0 {
                    format!(
                        "{} warm start {}",
                        config.task.name, config.warm_start.steps
                    )
                } else {
                    format!(
                        "{} {}{tool} (warm {} + rl {})",
                        config.task.name,
                        config.grpo.algo,
                        config.warm_start.steps,
                        config.grpo.steps
                    )
                }
            }
        };
        groups
            .entry(label)
            .or_default()
            .push(curve(run, log, column)?);
    }
    let curves: Vec<_> = groups
        .iter()
        .map(|(label, rs)| aggregate(format!("{label} ({} seeds)", rs.len()), rs))
        .collect();
    let image = draw(
        &curves,
        &PlotOptions {
            title: if args.metric == "eval/episode_return_mean" {
                "evaluation return (mean ± std across seeds)".into()
            } else {
                format!("{} (mean ± std across seeds)", args.metric)
            },
            x_label: if rlvr_runs == runs.len() {
                "steps".into()
            } else {
                PlotOptions::default().x_label
            },
            y_label: column.into(),
            ..PlotOptions::default()
        },
    )?;
    write_png(&image, &args.out)?;
    println!(
        "{} runs in {} groups -> {}",
        runs.len(),
        groups.len(),
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_come_from_the_named_log_and_column() {
        let dir = std::env::temp_dir().join(format!("ocellus-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("loss.csv"),
            "env_frames,critic_loss,actor_dormant_ratio\n1000,0.5,0.25\n2000,0.25,0.125\n",
        )
        .unwrap();
        assert_eq!(
            curve(&dir, "loss", "actor_dormant_ratio").unwrap(),
            [(1000.0, 0.25), (2000.0, 0.125)]
        );
        let err = curve(&dir, "loss", "alpha").unwrap_err().to_string();
        assert!(err.contains("no `alpha` column"), "{err}");
        assert!(curve(&dir, "eval", "episode_return_mean").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
