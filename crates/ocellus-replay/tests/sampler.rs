//! The background sampler agrees with direct sampling and shuts down cleanly.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ocellus_replay::{
    BatchSource, DirectSampler, PrefetchOptions, Prefetcher, ReplayBuffer, SharedReplay,
    TransitionSink,
};

fn filled(steps: usize) -> (SharedReplay, Model) {
    let model = generate(
        7,
        &GenOptions {
            num_streams: 2,
            steps,
            max_episode_len: 30,
            abandon_rate: 0.0,
            random_discounts: false,
        },
    );
    let mut replay = SharedReplay::new(ReplayBuffer::new(small_config(400, 2)).unwrap());
    for rec in &model.steps {
        replay.add_step(rec.stream, rec.step()).unwrap();
    }
    (replay, model)
}

#[test]
fn prefetched_batches_equal_direct_batches_with_the_same_seed() {
    let (replay, _) = filled(600);
    let options = PrefetchOptions {
        batch_size: 100,
        depth: 2,
        seed: 5,
    };
    let mut direct = DirectSampler::new(replay.clone(), 5);
    let mut prefetch = Prefetcher::spawn(replay.clone(), options).unwrap();
    let (mut a, mut b) = (
        replay.read().unwrap().new_batch(100),
        replay.read().unwrap().new_batch(100),
    );
    for _ in 0..20 {
        direct.next_batch(&mut a).unwrap();
        prefetch.next_batch(&mut b).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn prefetcher_waits_for_data_and_stops_on_drop() {
    let replay = SharedReplay::new(ReplayBuffer::new(small_config(400, 2)).unwrap());
    let options = PrefetchOptions {
        batch_size: 8,
        depth: 2,
        seed: 1,
    };
    let mut prefetch = Prefetcher::spawn(replay.clone(), options).unwrap();
    let mut batch = replay.read().unwrap().new_batch(8);
    assert!(!prefetch
        .next_batch_timeout(&mut batch, Duration::from_millis(30))
        .unwrap());
    let start = Instant::now();
    drop(prefetch); // joins the waiting thread
    assert!(start.elapsed() < Duration::from_secs(2));

    // A full queue (nobody consuming) also shuts down.
    let (replay, _) = filled(300);
    let prefetch = Prefetcher::spawn(
        replay,
        PrefetchOptions {
            batch_size: 8,
            depth: 2,
            seed: 1,
        },
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let start = Instant::now();
    drop(prefetch);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn concurrent_writer_and_prefetcher_only_yield_valid_transitions() {
    let model = generate(
        8,
        &GenOptions {
            num_streams: 2,
            steps: 4000,
            max_episode_len: 40,
            abandon_rate: 0.01,
            random_discounts: true,
        },
    );
    let config = small_config(100, 2);
    let mut replay = SharedReplay::new(ReplayBuffer::new(config.clone()).unwrap());
    for rec in &model.steps[..200] {
        replay.add_step(rec.stream, rec.step()).unwrap();
    }
    let mut prefetch = Prefetcher::spawn(
        replay.clone(),
        PrefetchOptions {
            batch_size: 64,
            depth: 2,
            seed: 3,
        },
    )
    .unwrap();
    let mut batch = replay.read().unwrap().new_batch(64);
    let writer = {
        let mut replay = replay.clone();
        let steps = model.steps[200..].to_vec();
        std::thread::spawn(move || {
            for rec in &steps {
                replay.add_step(rec.stream, rec.step()).unwrap();
            }
        })
    };
    for _ in 0..50 {
        prefetch.next_batch(&mut batch).unwrap();
        // Every row matches the definition over everything written (the model knows the
        // future, and a transition's content never changes once it is sampleable).
        model.check_batch(&batch, &config, model.steps.len() as u64);
    }
    writer.join().unwrap();
}
