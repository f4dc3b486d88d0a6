//! Watching a run: what gets written while an agent trains, and how to look at it afterwards.
//!
//! * [`MetricLog`] appends one row per logging event to `metrics.csv` and `metrics.jsonl` and
//!   one scalar event per metric to a TensorBoard event file (`tensorboard/`), so a run can be
//!   read by a spreadsheet, by `jq`, and by TensorBoard without any Python in the trainer.
//! * [`plot`] draws learning curves (mean and spread across seeds) into a PNG.
//! * [`Progress`] keeps one status line (frames, FPS, last return, ETA) up to date.
//!
//! No tensor engine is involved; the trainer passes plain numbers.
#![deny(missing_docs)]

mod log;
pub mod plot;
mod progress;
pub mod tfevents;

pub use log::{MetricLog, MonitorError, Row};
pub use progress::Progress;
