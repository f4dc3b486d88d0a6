//! The run directory: where a run's config, logs, videos and checkpoints live.
//!
//! ```text
//! runs/<task>/drqv2-<preset>-s<seed>-<UTC timestamp>/
//!   config.toml        the resolved config, with a comment header (version, commit, command)
//!   train.csv/.jsonl   one row per training episode (group `train`)
//!   eval.csv/.jsonl    one row per evaluation (group `eval`)
//!   loss.csv/.jsonl    update metrics averaged since the previous row (group `loss`)
//!   tensorboard/       the same rows as TensorBoard scalars
//!   videos/eval_<frames>.gif
//!   checkpoints/LATEST, checkpoints/frames_<N>/   (see `checkpoint`)
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::TrainConfig;
use crate::error::TrainError;

/// The resolved config's file name in a run directory.
pub const CONFIG_FILE: &str = "config.toml";

/// Paths inside one run directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunPaths {
    /// The run directory.
    pub root: PathBuf,
}

impl RunPaths {
    /// The paths of the run directory `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RunPaths { root: root.into() }
    }
    /// `config.toml`.
    pub fn config(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }
    /// `videos/`.
    pub fn videos(&self) -> PathBuf {
        self.root.join("videos")
    }
    /// `videos/eval_<frames>.gif`.
    pub fn eval_video(&self, env_frames: u64) -> PathBuf {
        self.videos().join(format!("eval_{env_frames}.gif"))
    }
    /// `checkpoints/`.
    pub fn checkpoints(&self) -> PathBuf {
        self.root.join("checkpoints")
    }
}

/// The default run directory `<base>/<task>/<agent>-<preset>-s<seed>-<UTC timestamp>`.
pub fn default_run_dir(base: &Path, config: &TrainConfig, now: SystemTime) -> PathBuf {
    base.join(&config.run.task).join(format!(
        "{}-{}-s{}-{}",
        config.raw.run.agent,
        config.run.preset,
        config.run.seed,
        utc_timestamp(now)
    ))
}

/// `YYYYMMDDTHHMMSSZ` in UTC (no time-zone database needed).
pub fn utc_timestamp(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Creates a fresh run directory and writes `config.toml` with `header` as `#` comments.
/// Refuses a directory that already holds a run (a `config.toml` or checkpoints): resuming
/// is explicit (`--resume`), and an existing run is never overwritten.
pub fn create_run_dir(
    paths: &RunPaths,
    config: &TrainConfig,
    header: &str,
) -> Result<(), TrainError> {
    let dir = &paths.root;
    if paths.config().exists() || paths.checkpoints().exists() {
        return Err(TrainError::RunDir {
            dir: dir.clone(),
            reason: "already holds a run; resume it with `ocellus train --resume DIR` or pick \
                     another --run-dir"
                .into(),
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TrainError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    fs::create_dir_all(paths.checkpoints()).map_err(io(&paths.checkpoints()))?;
    if config.run.video {
        fs::create_dir_all(paths.videos()).map_err(io(&paths.videos()))?;
    }
    let mut text = String::new();
    for line in header.lines() {
        text.push_str("# ");
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&config.to_toml_string());
    let path = paths.config();
    fs::write(&path, text).map_err(io(&path))?;
    Ok(())
}

/// Replaces the body of a run's `config.toml` with `config`, keeping its comment header;
/// written to a temporary file and renamed, so a crash leaves the old or the new file.
pub fn rewrite_config(paths: &RunPaths, config: &TrainConfig) -> Result<(), TrainError> {
    let path = paths.config();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TrainError::Io { path, source }
    };
    let old = fs::read_to_string(&path).map_err(io(&path))?;
    let mut text: String = old
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push('\n');
    text.push_str(&config.to_toml_string());
    let tmp = path.with_extension("toml.tmp");
    fs::write(&tmp, text).map_err(io(&tmp))?;
    fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(())
}

/// Reads and validates a run directory's `config.toml`.
pub fn read_run_config(paths: &RunPaths) -> Result<TrainConfig, TrainError> {
    let path = paths.config();
    let text = fs::read_to_string(&path).map_err(|source| TrainError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(TrainConfig::from_toml_str(
        &text,
        &path.display().to_string(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_civil_dates() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "19700101T000000Z");
        // 2024-02-29 12:34:56 UTC = 1709210096
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(utc_timestamp(t), "20240229T123456Z");
    }
}
