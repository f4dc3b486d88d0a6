//! One status line for a running job: done/total, rate, last return and time left.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Keeps a single status line on stderr up to date (redrawn at most 4 times a second on a
/// terminal; one plain line every 30 s otherwise, e.g. in CI logs).
pub struct Progress {
    total: u64,
    unit: &'static str,
    start: Instant,
    start_done: u64,
    last_draw: Option<Instant>,
    terminal: bool,
}

fn duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "?".into();
    }
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

impl Progress {
    /// A progress line toward `total` units (e.g. frames), starting from `done` (a resumed run).
    pub fn new(total: u64, done: u64, unit: &'static str) -> Progress {
        Progress {
            total,
            unit,
            start: Instant::now(),
            start_done: done,
            last_draw: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// The status text for `done` units and an optional last episode return.
    pub fn line(&self, done: u64, last_return: Option<f64>) -> String {
        let elapsed = self.start.elapsed().as_secs_f64().max(1e-9);
        let rate = (done.saturating_sub(self.start_done)) as f64 / elapsed;
        let left = self.total.saturating_sub(done) as f64 / rate;
        let width = 24;
        let filled = ((done as f64 / self.total.max(1) as f64) * width as f64).round() as usize;
        let bar: String = (0..width)
            .map(|i| if i < filled.min(width) { '#' } else { '-' })
            .collect();
        let ret = last_return.map_or(String::from("-"), |r| format!("{r:.1}"));
        format!(
            "[{bar}] {done}/{} {}  {rate:.0} {}/s  return {ret}  ETA {}",
            self.total,
            self.unit,
            self.unit,
            duration(left)
        )
    }

    /// Redraws the line if enough time has passed since the last draw.
    pub fn update(&mut self, done: u64, last_return: Option<f64>) {
        let every = if self.terminal {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(30)
        };
        if self.last_draw.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        self.last_draw = Some(Instant::now());
        let line = self.line(done, last_return);
        let mut err = std::io::stderr().lock();
        // A status line is best effort: a closed stderr must not stop training.
        let _ = if self.terminal {
            write!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }

    /// Ends the line (a newline on a terminal).
    pub fn finish(&mut self, done: u64, last_return: Option<f64>) {
        let line = self.line(done, last_return);
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            writeln!(err, "\r\x1b[2K{line}")
        } else {
            writeln!(err, "{line}")
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(5.2), "5s");
        assert_eq!(duration(125.0), "2m05s");
        assert_eq!(duration(7300.0), "2h01m");
        assert_eq!(duration(f64::INFINITY), "?");
    }

    #[test]
    fn the_line_shows_counts_and_return() {
        let p = Progress::new(1000, 0, "frames");
        let line = p.line(500, Some(12.34));
        assert!(
            line.starts_with("[############------------] 500/1000 frames"),
            "{line}"
        );
        assert!(line.contains("return 12.3"));
    }
}
