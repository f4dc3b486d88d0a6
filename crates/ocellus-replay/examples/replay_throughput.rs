//! Replay throughput on real frames: add/s, sampled batches/s (B = 256, 84x84, stack 3,
//! n-step 3) and bytes per transition, raw and LZ4-compressed.
//!
//! `cargo run --release -p ocellus-replay --example replay_throughput [capacity]`

use std::time::Instant;

use ocellus_core::{RandomState, StepKind};
use ocellus_envs::{make, EnvOptions};
use ocellus_replay::{
    codec, BatchSource, Compression, PrefetchOptions, Prefetcher, ReplayBuffer, ReplayConfig,
    SharedReplay, Step,
};

const BATCH: usize = 256;

fn main() {
    let capacity: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("capacity is a number"))
        .unwrap_or(50_000);

    // Real frames: two 500-step cartpole-swingup episodes with random actions.
    let mut env = make("cartpole-swingup", &EnvOptions::default()).expect("registered task");
    let mut rng = RandomState::new(0);
    let mut frames = Vec::new();
    let mut actions = Vec::new();
    for episode in 0..2 {
        frames.push(env.reset(Some(episode)).pixels.to_vec());
        actions.push(0.0f32);
        for _ in 0..499 {
            let a = rng.uniform(-1.0, 1.0) as f32;
            frames.push(env.step(&[a]).expect("valid action").pixels.to_vec());
            actions.push(a);
        }
    }
    let frame_len = frames[0].len();

    // The codec alone.
    let mut encoded = Vec::new();
    let start = Instant::now();
    let sizes: Vec<usize> = frames
        .iter()
        .map(|f| codec::encode_frame(f, &mut encoded))
        .collect();
    let encode_us = start.elapsed().as_secs_f64() * 1e6 / frames.len() as f64;
    let all: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| {
            let mut e = Vec::new();
            codec::encode_frame(f, &mut e);
            e
        })
        .collect();
    let mut out = vec![0u8; frame_len];
    let start = Instant::now();
    for e in &all {
        assert!(codec::decode_frame(e, &mut out));
    }
    let decode_us = start.elapsed().as_secs_f64() * 1e6 / frames.len() as f64;
    let mean_encoded = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
    println!(
        "frames: cartpole-swingup 3x84x84 ({frame_len} B raw); LZ4 {mean_encoded:.0} B/frame \
         ({:.2}x), encode {encode_us:.1} us, decode {decode_us:.1} us",
        frame_len as f64 / mean_encoded
    );

    for compression in [
        Compression::None,
        Compression::Lz4 {
            frame_budget_bytes: 12_000,
        },
    ] {
        let mut config = ReplayConfig::drqv2(capacity, [3, 84, 84], 1);
        config.compression = compression;
        let mut replay = ReplayBuffer::new(config.clone()).expect("valid config");

        let start = Instant::now();
        let mut written = 0usize;
        while written < capacity {
            for (j, frame) in frames.iter().enumerate() {
                let step = if j % 500 == 0 {
                    Step::first(frame)
                } else {
                    let kind = if j % 500 == 499 {
                        StepKind::Truncated
                    } else {
                        StepKind::Mid
                    };
                    Step {
                        kind,
                        frame,
                        action: &actions[j..j + 1],
                        reward: 0.5,
                        discount: 1.0,
                    }
                };
                replay.add(0, step).expect("valid step");
                written += 1;
            }
        }
        let add_s = written as f64 / start.elapsed().as_secs_f64();
        let stats = replay.stats();

        let mut batch = replay.new_batch(BATCH);
        let mut rng = RandomState::new(1);
        let start = Instant::now();
        let batches = 40;
        for _ in 0..batches {
            replay.sample_into(&mut rng, &mut batch).expect("non-empty");
        }
        let direct = batches as f64 / start.elapsed().as_secs_f64();

        let shared = SharedReplay::new(replay);
        let mut prefetch = Prefetcher::spawn(
            shared.clone(),
            PrefetchOptions {
                batch_size: BATCH,
                depth: 2,
                seed: 1,
            },
        )
        .expect("thread starts");
        prefetch.next_batch(&mut batch).expect("sampler runs");
        let start = Instant::now();
        for _ in 0..batches {
            prefetch.next_batch(&mut batch).expect("sampler runs");
        }
        let prefetched = batches as f64 / start.elapsed().as_secs_f64();
        drop(prefetch);

        let stored_per_frame = stats.frame_bytes_stored as f64 / stats.steps_stored as f64;
        let used_per_transition = match compression {
            Compression::None => config.bytes_per_transition() as f64,
            Compression::Lz4 { frame_budget_bytes } => {
                (config.bytes_per_transition() - frame_budget_bytes) as f64 + stored_per_frame
            }
        };
        println!(
            "{:<28} capacity {capacity}: {add_s:>9.0} adds/s | {direct:>6.1} batches/s direct, \
             {prefetched:>6.1} via prefetcher | {} B/transition reserved, {:.0} B/frame stored, \
             {used_per_transition:.0} B/transition used | 1M replay reserves {:.2} GiB",
            format!("{compression:?}"),
            config.bytes_per_transition(),
            stored_per_frame,
            ReplayConfig {
                capacity: 1_000_000,
                ..config.clone()
            }
            .total_bytes() as f64
                / (1u64 << 30) as f64,
        );
    }
}
