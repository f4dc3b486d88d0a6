//! Saving and loading: bit-exact continuation (incl. wrap-around and compression) and typed
//! refusals of truncated, corrupt, foreign and mismatched files.

mod common;

use std::path::PathBuf;

use common::*;
use ocellus_core::RandomState;
use ocellus_replay::{Compression, ReplayBuffer, ReplayConfig, ReplayFileError};

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocellus-replay-persist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn model() -> Model {
    generate(
        5,
        &GenOptions {
            num_streams: 2,
            steps: 900,
            max_episode_len: 30,
            abandon_rate: 0.01,
            random_discounts: true,
        },
    )
}

/// Writes the first `split` steps, saves, loads, then writes the rest into both the original
/// and the loaded buffer: every later batch, statistic and frame must agree bit for bit.
fn round_trip(config: ReplayConfig, split: usize, name: &str) {
    let m = model();
    let mut original = ReplayBuffer::new(config.clone()).unwrap();
    for r in &m.steps[..split] {
        original.add(r.stream, r.step()).unwrap();
    }
    let path = temp_path(name);
    let size = original.save(&path).unwrap();
    assert_eq!(size, std::fs::metadata(&path).unwrap().len());
    let mut loaded = ReplayBuffer::load(&path, Some(&config)).unwrap();
    assert_eq!(loaded.stats(), original.stats());
    assert_eq!(loaded.sampleable_step_ids(), original.sampleable_step_ids());
    let (mut rng_a, mut rng_b) = (RandomState::new(9), RandomState::new(9));
    let (mut a, mut b) = (original.new_batch(16), loaded.new_batch(16));
    assert_eq!(
        original.sample_into(&mut rng_a, &mut a),
        loaded.sample_into(&mut rng_b, &mut b)
    );
    assert_eq!(a, b);
    for (i, r) in m.steps[split..].iter().enumerate() {
        original.add(r.stream, r.step()).unwrap();
        loaded.add(r.stream, r.step()).unwrap();
        if i % 50 == 0 {
            assert_eq!(
                original.sample_into(&mut rng_a, &mut a),
                loaded.sample_into(&mut rng_b, &mut b)
            );
            assert_eq!(a, b, "batch after {} more steps", i + 1);
        }
    }
    assert_eq!(loaded.stats(), original.stats());
    assert_eq!(loaded.sampleable_step_ids(), original.sampleable_step_ids());
    let written = original.stats().steps_written;
    for id in written.saturating_sub(200)..written {
        assert_eq!(loaded.frame(id), original.frame(id));
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn raw_round_trip_before_the_ring_wraps() {
    round_trip(small_config(2000, 2), 400, "raw-nowrap.bin");
}

#[test]
fn raw_round_trip_after_wrap_around() {
    // 900 steps through a 128-step ring: saved after several wraps, mid-episode on both streams.
    round_trip(small_config(128, 2), 611, "raw-wrap.bin");
}

#[test]
fn compressed_round_trip_after_wrap_around() {
    let mut c = small_config(128, 2);
    // Tight arena: frames are evicted by bytes as well as by count.
    c.compression = Compression::Lz4 {
        frame_budget_bytes: 12,
    };
    round_trip(c, 700, "lz4-wrap.bin");
}

#[test]
fn empty_buffer_round_trips() {
    round_trip(small_config(64, 2), 0, "empty.bin");
}

fn saved(name: &str) -> (PathBuf, ReplayConfig) {
    let c = small_config(128, 2);
    let m = model();
    let mut buf = ReplayBuffer::new(c.clone()).unwrap();
    for r in &m.steps[..300] {
        buf.add(r.stream, r.step()).unwrap();
    }
    let path = temp_path(name);
    buf.save(&path).unwrap();
    (path, c)
}

#[test]
fn a_truncated_file_is_refused_as_truncated() {
    let (path, c) = saved("truncated.bin");
    let bytes = std::fs::read(&path).unwrap();
    for keep in [0, 5, 20, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..keep]).unwrap();
        match ReplayBuffer::load(&path, Some(&c)) {
            Err(ReplayFileError::Truncated { found, .. }) => assert_eq!(found, keep as u64),
            other => panic!("kept {keep} bytes: {other:?}"),
        }
    }
}

#[test]
fn a_flipped_bit_is_refused_by_the_checksum() {
    let (path, c) = saved("corrupt.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    let i = bytes.len() / 3;
    bytes[i] ^= 0x10;
    std::fs::write(&path, &bytes).unwrap();
    let err = ReplayBuffer::load(&path, Some(&c)).unwrap_err();
    assert!(matches!(err, ReplayFileError::Checksum { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");
}

#[test]
fn foreign_files_versions_and_configs_are_refused_by_name() {
    let (path, c) = saved("foreign.bin");
    let good = std::fs::read(&path).unwrap();

    std::fs::write(&path, b"PK\x03\x04 definitely a zip file, not a replay").unwrap();
    let err = ReplayBuffer::load(&path, None).unwrap_err();
    assert!(
        matches!(err, ReplayFileError::NotAReplayFile { .. }),
        "{err:?}"
    );

    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    std::fs::write(&path, &newer).unwrap();
    let err = ReplayBuffer::load(&path, None).unwrap_err();
    assert!(
        matches!(err, ReplayFileError::UnsupportedVersion { found: 99, .. }),
        "{err:?}"
    );

    std::fs::write(&path, &good).unwrap();
    let mut other = c.clone();
    other.n_step = 1;
    let err = ReplayBuffer::load(&path, Some(&other)).unwrap_err();
    match &err {
        ReplayFileError::ConfigMismatch { field, .. } => assert_eq!(*field, "n_step"),
        e => panic!("{e:?}"),
    }
    assert!(err.to_string().contains("n_step = 3, expected 1"), "{err}");
    // Without an expected config the file's own config is used.
    let loaded = ReplayBuffer::load(&path, None).unwrap();
    assert_eq!(loaded.config().capacity, c.capacity);
}

fn assert_capacity_mismatch(err: &ReplayFileError) {
    assert!(
        matches!(
            err,
            ReplayFileError::ConfigMismatch {
                field: "capacity",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_raw_file_resizes_to_any_ring_that_holds_its_steps_but_never_when_compressed() {
    // Saved from a 128-step ring after 120 steps (no wrap yet), loaded into a 2000-step ring:
    // from then on it must behave exactly like a buffer created with 2000 slots.
    let m = model();
    let (small, big) = (small_config(128, 2), small_config(2000, 2));
    let mut saved = ReplayBuffer::new(small.clone()).unwrap();
    let mut reference = ReplayBuffer::new(big.clone()).unwrap();
    for r in &m.steps[..120] {
        saved.add(r.stream, r.step()).unwrap();
        reference.add(r.stream, r.step()).unwrap();
    }
    let path = temp_path("grow.bin");
    saved.save(&path).unwrap();
    let mut grown = ReplayBuffer::load(&path, Some(&big)).unwrap();
    assert_eq!(grown.config().capacity, 2000);
    let (mut rng_a, mut rng_b) = (RandomState::new(4), RandomState::new(4));
    let (mut a, mut b) = (reference.new_batch(16), grown.new_batch(16));
    for (i, r) in m.steps[120..].iter().enumerate() {
        reference.add(r.stream, r.step()).unwrap();
        grown.add(r.stream, r.step()).unwrap();
        if i % 50 == 0 {
            reference.sample_into(&mut rng_a, &mut b).unwrap();
            grown.sample_into(&mut rng_b, &mut a).unwrap();
            assert_eq!(a, b, "batch after {} more steps", i + 1);
        }
    }
    assert_eq!(grown.stats(), reference.stats());
    assert_eq!(grown.sampleable_step_ids(), reference.sampleable_step_ids());

    // Growing in memory is the same operation.
    let mut in_memory = ReplayBuffer::new(small.clone()).unwrap();
    let mut reference = ReplayBuffer::new(big.clone()).unwrap();
    for r in &m.steps[..120] {
        in_memory.add(r.stream, r.step()).unwrap();
        reference.add(r.stream, r.step()).unwrap();
    }
    assert!(
        in_memory.resize(64).is_err(),
        "120 steps do not fit 64 slots"
    );
    in_memory.resize(2000).unwrap();
    for r in &m.steps[120..] {
        in_memory.add(r.stream, r.step()).unwrap();
        reference.add(r.stream, r.step()).unwrap();
    }
    let (mut rng_a, mut rng_b) = (RandomState::new(5), RandomState::new(5));
    reference.sample_into(&mut rng_a, &mut a).unwrap();
    in_memory.sample_into(&mut rng_b, &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(in_memory.stats(), reference.stats());

    // A file loads into a smaller ring that holds every step it was given (a run shortened
    // before it got there), and then behaves like a buffer created that small; into a ring
    // too small for them it does not load.
    let err = ReplayBuffer::load(&path, Some(&small_config(64, 2))).unwrap_err();
    assert_capacity_mismatch(&err);
    assert!(err.to_string().contains("holding 120 steps"), "{err}");
    let mut large = ReplayBuffer::new(big.clone()).unwrap();
    let mut reference = ReplayBuffer::new(small_config(160, 2)).unwrap();
    for r in &m.steps[..120] {
        large.add(r.stream, r.step()).unwrap();
        reference.add(r.stream, r.step()).unwrap();
    }
    large.save(&path).unwrap();
    let mut shrunk = ReplayBuffer::load(&path, Some(&small_config(160, 2))).unwrap();
    assert_eq!(shrunk.config().capacity, 160);
    for r in &m.steps[120..400] {
        shrunk.add(r.stream, r.step()).unwrap();
        reference.add(r.stream, r.step()).unwrap();
    }
    let (mut rng_a, mut rng_b) = (RandomState::new(6), RandomState::new(6));
    reference.sample_into(&mut rng_a, &mut a).unwrap();
    shrunk.sample_into(&mut rng_b, &mut b).unwrap();
    assert_eq!(a, b, "the 160-slot rings wrapped the same way");
    assert_eq!(shrunk.stats(), reference.stats());
    assert_eq!(
        shrunk.sampleable_step_ids(),
        reference.sampleable_step_ids()
    );
    // Compressed files are never resized.
    let mut lz4 = small.clone();
    lz4.compression = Compression::Lz4 {
        frame_budget_bytes: 64,
    };
    let mut c = ReplayBuffer::new(lz4.clone()).unwrap();
    for r in &m.steps[..50] {
        c.add(r.stream, r.step()).unwrap();
    }
    assert!(
        c.resize(2000).is_err(),
        "a compressed replay cannot be resized"
    );
    c.save(&path).unwrap();
    let mut lz4_big = lz4.clone();
    lz4_big.capacity = 2000;
    let err = ReplayBuffer::load(&path, Some(&lz4_big)).unwrap_err();
    assert_capacity_mismatch(&err);
    std::fs::remove_file(&path).unwrap();
}
