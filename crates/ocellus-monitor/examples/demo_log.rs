//! Writes a small run directory (CSV, JSONL, TensorBoard) and a learning-curve PNG.
//!
//! `cargo run -p ocellus-monitor --example demo_log -- /tmp/demo-run`

use std::path::PathBuf;

use ocellus_monitor::plot::{aggregate, draw, write_png, PlotOptions};
use ocellus_monitor::{MetricLog, Row};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/ocellus-demo-run".into()),
    );
    let mut runs = Vec::new();
    for seed in 0..3u32 {
        let mut log = MetricLog::open(&dir.join(format!("seed{seed}")), None)?;
        let mut curve = Vec::new();
        for k in 0..=10u64 {
            let frames = k * 10_000;
            let ret = 800.0 * (1.0 - (-(k as f64) / 4.0).exp()) + 20.0 * f64::from(seed);
            log.log(&Row {
                group: "eval",
                env_frames: frames,
                values: vec![("episode_return", ret)],
            })?;
            curve.push((frames as f64, ret));
        }
        runs.push(curve);
    }
    let options = PlotOptions {
        title: "demo: 3 seeds".into(),
        ..PlotOptions::default()
    };
    let image = draw(&[aggregate("demo", &runs)], &options)?;
    write_png(&image, &dir.join("curves.png"))?;
    println!("wrote {}", dir.display());
    Ok(())
}
