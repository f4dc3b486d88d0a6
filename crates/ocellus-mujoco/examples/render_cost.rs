//! Time per control step of a MuJoCo-backed task, physics alone and physics plus an 84 × 84
//! frame, on one thread: `cargo run --release -p ocellus-mujoco --example render_cost -- walker-walk`.

use std::time::Instant;

use ocellus_envs::{EnvBuilder, Environment};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    ocellus_mujoco::register();
    let tasks: Vec<String> = std::env::args().skip(1).collect();
    let tasks = if tasks.is_empty() {
        vec!["walker-walk".to_string(), "cheetah-run".to_string()]
    } else {
        tasks
    };
    println!(
        "{:<24} {:>12} {:>12} {:>12} {:>14}",
        "task", "physics µs", "+frame µs", "frame µs", "re-render µs"
    );
    for task in tasks {
        let mut env = EnvBuilder::new(&task).build()?;
        let n = env.spec().action.shape[0];
        let steps = 3000;
        let action = |t: usize| -> Vec<f32> {
            (0..n)
                .map(|i| ((t * 13 + i * 7) as f32 * 0.61).sin())
                .collect()
        };
        env.reset(Some(0));
        let start = Instant::now();
        for t in 0..steps {
            if env.step_unrendered(&action(t))?.0.is_last() {
                env.reset(None);
            }
        }
        let physics = start.elapsed().as_secs_f64() / steps as f64;
        env.reset(Some(0));
        let start = Instant::now();
        for t in 0..steps {
            if env.step(&action(t))?.kind.is_last() {
                env.reset(None);
            }
        }
        let both = start.elapsed().as_secs_f64() / steps as f64;
        let start = Instant::now();
        for _ in 0..steps {
            std::hint::black_box(env.observe().pixels[0]);
        }
        let frame_only = start.elapsed().as_secs_f64() / steps as f64;
        println!(
            "{task:<24} {:>12.1} {:>12.1} {:>12.1} {:>14.1}",
            physics * 1e6,
            both * 1e6,
            (both - physics) * 1e6,
            frame_only * 1e6
        );
    }
    Ok(())
}
