//! Metric rows, appended to CSV, JSON Lines and TensorBoard files of one run directory.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;

use crate::tfevents::EventWriter;

/// What can go wrong while logging.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A row has a column its file's header does not (headers are fixed by the first row).
    #[error("{path}: column `{column}` is not in the header ({header})")]
    UnknownColumn {
        /// The CSV file.
        path: PathBuf,
        /// The new column.
        column: String,
        /// The header, comma-separated.
        header: String,
    },
    /// Plot input is unusable.
    #[error("cannot plot: {0}")]
    Plot(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> MonitorError + '_ {
    move |source| MonitorError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One logging event: a group (`train`, `eval`, …), the x-axis counter and named values.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The group; files are `<group>.csv` and `<group>.jsonl`, TensorBoard tags `<group>/<key>`.
    pub group: &'static str,
    /// The x-axis counter: environment frames for control runs, policy steps for RLVR runs (the
    /// log's axis, [`MetricLog::open_with_axis`], names it); TensorBoard's step.
    pub env_frames: u64,
    /// Values in the order they should appear as columns.
    pub values: Vec<(&'static str, f64)>,
}

struct CsvFile {
    path: PathBuf,
    header: Vec<String>,
    file: BufWriter<File>,
}

/// Appends [`Row`]s to `<dir>/<group>.csv`, `<dir>/<group>.jsonl` and `<dir>/tensorboard/`.
pub struct MetricLog {
    dir: PathBuf,
    x_axis: &'static str,
    csv: BTreeMap<&'static str, CsvFile>,
    jsonl: BTreeMap<&'static str, BufWriter<File>>,
    events: EventWriter,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl MetricLog {
    /// Opens the logs of a run directory, creating it if needed. With `keep_up_to = Some(f)`
    /// (a resumed run), rows logged after frame `f` by the interrupted run are dropped first,
    /// so that the resumed run does not log them twice; each file is rewritten through a
    /// temporary file and a rename, so nothing is lost if this is interrupted.
    pub fn open(dir: &Path, keep_up_to: Option<u64>) -> Result<MetricLog, MonitorError> {
        MetricLog::open_with_axis(dir, keep_up_to, "env_frames")
    }

    /// [`MetricLog::open`] with the x-axis column named `x_axis` (the first column of every CSV
    /// and a key of every JSON line; `ocellus plot` reads the first column): `"step"` for RLVR.
    pub fn open_with_axis(
        dir: &Path,
        keep_up_to: Option<u64>,
        x_axis: &'static str,
    ) -> Result<MetricLog, MonitorError> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        if let Some(limit) = keep_up_to {
            truncate_logs(dir, limit, x_axis)?;
        }
        let events = EventWriter::create(&dir.join("tensorboard"), now()).map_err(io_err(dir))?;
        Ok(MetricLog {
            dir: dir.to_path_buf(),
            x_axis,
            csv: BTreeMap::new(),
            jsonl: BTreeMap::new(),
            events,
        })
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one row everywhere.
    pub fn log(&mut self, row: &Row) -> Result<(), MonitorError> {
        let wall = now();
        // CSV: the header is fixed by the first row (or the existing file).
        if !self.csv.contains_key(row.group) {
            let path = self.dir.join(format!("{}.csv", row.group));
            let existing = read_header(&path)?;
            let file = File::options()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(io_err(&path))?;
            let mut file = BufWriter::new(file);
            let header = match existing {
                Some(h) => h,
                None => {
                    let h: Vec<String> = std::iter::once(self.x_axis.to_string())
                        .chain(row.values.iter().map(|(k, _)| k.to_string()))
                        .collect();
                    writeln!(file, "{}", h.join(",")).map_err(io_err(&path))?;
                    h
                }
            };
            self.csv.insert(row.group, CsvFile { path, header, file });
        }
        let csv = self.csv.get_mut(row.group).expect("inserted above");
        if let Some((k, _)) = row
            .values
            .iter()
            .find(|(k, _)| !csv.header.iter().any(|h| h == k))
        {
            return Err(MonitorError::UnknownColumn {
                path: csv.path.clone(),
                column: k.to_string(),
                header: csv.header.join(","),
            });
        }
        let cells: Vec<String> = csv
            .header
            .iter()
            .map(|h| {
                if h == self.x_axis {
                    return row.env_frames.to_string();
                }
                row.values
                    .iter()
                    .find(|(k, _)| k == h)
                    .map_or(String::new(), |(_, v)| format!("{v}"))
            })
            .collect();
        writeln!(csv.file, "{}", cells.join(",")).map_err(io_err(&csv.path))?;
        csv.file.flush().map_err(io_err(&csv.path))?;

        // JSON Lines: every value, plus the counter and the wall-clock time.
        if !self.jsonl.contains_key(row.group) {
            let path = self.dir.join(format!("{}.jsonl", row.group));
            let file = File::options()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(io_err(&path))?;
            self.jsonl.insert(row.group, BufWriter::new(file));
        }
        let mut object = serde_json::Map::new();
        object.insert(self.x_axis.into(), row.env_frames.into());
        object.insert("wall_time".into(), wall.into());
        for (k, v) in &row.values {
            object.insert(
                k.to_string(),
                serde_json::Number::from_f64(*v).map_or(serde_json::Value::Null, Into::into),
            );
        }
        let path = self.dir.join(format!("{}.jsonl", row.group));
        let jsonl = self.jsonl.get_mut(row.group).expect("inserted above");
        writeln!(jsonl, "{}", serde_json::Value::Object(object)).map_err(io_err(&path))?;
        jsonl.flush().map_err(io_err(&path))?;

        // TensorBoard: one scalar per value, stepped by environment frames.
        let tb = self.events.path().to_path_buf();
        for (k, v) in &row.values {
            let tag = format!("{}/{}", row.group, k);
            self.events
                .scalar(wall, row.env_frames as i64, &tag, *v as f32)
                .map_err(io_err(&tb))?;
        }
        self.events.flush().map_err(io_err(&tb))
    }
}

fn read_header(path: &Path) -> Result<Option<Vec<String>>, MonitorError> {
    match File::open(path) {
        Ok(f) => {
            let mut line = String::new();
            BufReader::new(f)
                .read_line(&mut line)
                .map_err(io_err(path))?;
            let line = line.trim_end();
            Ok((!line.is_empty()).then(|| line.split(',').map(str::to_string).collect()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(MonitorError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Drops rows past `limit` on the `x_axis` counter from every `*.csv` and `*.jsonl` in `dir`.
fn truncate_logs(dir: &Path, limit: u64, x_axis: &str) -> Result<(), MonitorError> {
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let path = entry.map_err(io_err(dir))?.path();
        let kind = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if kind != "csv" && kind != "jsonl" {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(io_err(&path))?;
        let mut kept = String::with_capacity(text.len());
        for (i, line) in text.lines().enumerate() {
            let frames = if kind == "csv" {
                if i == 0 {
                    kept.push_str(line);
                    kept.push('\n');
                    continue;
                }
                line.split(',').next().and_then(|c| c.parse::<u64>().ok())
            } else {
                serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get(x_axis).and_then(|f| f.as_u64()))
            };
            if frames.is_some_and(|f| f <= limit) {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        let tmp = path.with_extension(format!("{kind}.tmp"));
        fs::write(&tmp, kept).map_err(io_err(&tmp))?;
        fs::rename(&tmp, &path).map_err(io_err(&path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ocellus-monitor-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn rows_reach_csv_jsonl_and_tensorboard() {
        let dir = temp_dir("rows");
        let mut log = MetricLog::open(&dir, None).unwrap();
        log.log(&Row {
            group: "eval",
            env_frames: 1000,
            values: vec![("return", 12.5), ("length", 500.0)],
        })
        .unwrap();
        log.log(&Row {
            group: "eval",
            env_frames: 2000,
            values: vec![("return", 30.0)],
        })
        .unwrap();
        let csv = fs::read_to_string(dir.join("eval.csv")).unwrap();
        assert_eq!(csv, "env_frames,return,length\n1000,12.5,500\n2000,30,\n");
        let jsonl = fs::read_to_string(dir.join("eval.jsonl")).unwrap();
        let second: serde_json::Value =
            serde_json::from_str(jsonl.lines().nth(1).unwrap()).unwrap();
        assert_eq!(second["return"], 30.0);
        assert_eq!(second["env_frames"], 2000);
        let err = log.log(&Row {
            group: "eval",
            env_frames: 3000,
            values: vec![("surprise", 1.0)],
        });
        assert!(matches!(err, Err(MonitorError::UnknownColumn { .. })));
        let tb = fs::read_dir(dir.join("tensorboard"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let bytes = fs::read(tb).unwrap();
        // version record + 3 scalars, each framed with a 16-byte envelope.
        let mut offset = 0;
        let mut records = 0;
        while offset < bytes.len() {
            let len = u64::from_le_bytes(bytes[offset..offset + 8].try_into().unwrap()) as usize;
            offset += 16 + len;
            records += 1;
        }
        assert_eq!((records, offset), (4, bytes.len()));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn resuming_drops_rows_past_the_checkpoint_and_keeps_the_header() {
        let dir = temp_dir("resume");
        let mut log = MetricLog::open(&dir, None).unwrap();
        for f in [1000, 2000, 3000] {
            log.log(&Row {
                group: "train",
                env_frames: f,
                values: vec![("fps", 1.0)],
            })
            .unwrap();
        }
        drop(log);
        let mut log = MetricLog::open(&dir, Some(2000)).unwrap();
        log.log(&Row {
            group: "train",
            env_frames: 2500,
            values: vec![("fps", 2.0)],
        })
        .unwrap();
        let csv = fs::read_to_string(dir.join("train.csv")).unwrap();
        assert_eq!(csv, "env_frames,fps\n1000,1\n2000,1\n2500,2\n");
        let lines = fs::read_to_string(dir.join("train.jsonl"))
            .unwrap()
            .lines()
            .count();
        assert_eq!(lines, 3);
        fs::remove_dir_all(&dir).unwrap();
    }
}
