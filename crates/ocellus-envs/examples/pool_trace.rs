//! Writes the trajectory of an [`EnvPool`] driven by given actions, so that other front ends
//! (the Python package's tests) can check that they reproduce the Rust pool step for step.
//!
//! ```text
//! pool_trace TASK NUM_ENVS SEED STEPS ACTION_REPEAT FRAME_STACK SIZE ACTIONS.f32 OUT.bin
//! ```
//! `ACTIONS.f32` holds `STEPS * NUM_ENVS * action_dim` little-endian `f32`s. `OUT.bin` holds
//! `STEPS + 1` records (the reset, then each step), each: kinds (`u8 [N]`, `StepKind::code`), rewards (`f64 [N]`), discounts (`f64 [N]`), states
//! (`f64 [N, S]`) and pixels (`u8 [N, C, H, W]`), all little-endian. The pool auto-resets on
//! the next step, with 2 worker threads.

use std::error::Error;
use std::io::Write;

use ocellus_envs::{Batch, EnvBuilder, EnvPool, PoolOptions};

fn record(out: &mut impl Write, batch: &Batch<'_>) -> std::io::Result<()> {
    let kinds: Vec<u8> = batch.kinds.iter().map(|k| k.code()).collect();
    out.write_all(&kinds)?;
    for v in batch
        .rewards
        .iter()
        .chain(batch.discounts)
        .chain(batch.states)
    {
        out.write_all(&v.to_le_bytes())?;
    }
    out.write_all(batch.pixels)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [task, num_envs, seed, steps, repeat, stack, size, actions_path, out_path] = &args[..]
    else {
        return Err(
            "usage: pool_trace TASK NUM_ENVS SEED STEPS ACTION_REPEAT FRAME_STACK SIZE \
                    ACTIONS.f32 OUT.bin"
                .into(),
        );
    };
    let (num_envs, steps, size): (usize, usize, usize) =
        (num_envs.parse()?, steps.parse()?, size.parse()?);
    let builder = EnvBuilder::new(task.as_str())
        .size(size, size)
        .action_repeat(repeat.parse()?)
        .frame_stack(stack.parse()?);
    let options = PoolOptions {
        num_envs,
        num_threads: 2,
        auto_reset: true,
        seed: seed.parse()?,
    };
    let mut pool = EnvPool::new(options, |_| builder.build())?;
    let row = num_envs * pool.spec().action.num_elements();
    let bytes = std::fs::read(actions_path)?;
    if bytes.len() != steps * row * 4 {
        return Err(format!(
            "{actions_path} has {} bytes, expected {steps} x {row} f32s",
            bytes.len()
        )
        .into());
    }
    let actions: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path)?);
    record(&mut out, &pool.reset())?;
    for t in 0..steps {
        record(&mut out, &pool.step(&actions[t * row..(t + 1) * row])?)?;
    }
    out.flush()?;
    Ok(())
}
