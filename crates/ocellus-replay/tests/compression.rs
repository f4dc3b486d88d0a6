//! Lossless frame compression: bit-exact round trips and identical sampling.

mod common;

use common::*;
use ocellus_core::{RandomState, StepKind};
use ocellus_envs::{make, EnvOptions};
use ocellus_replay::{codec, Compression, ReplayBuffer, ReplayConfig, Step};
use proptest::prelude::*;

proptest! {
    #[test]
    fn codec_round_trips_random_frames(frame in proptest::collection::vec(any::<u8>(), 1..4000)) {
        let mut encoded = Vec::new();
        let n = codec::encode_frame(&frame, &mut encoded);
        prop_assert!(n <= codec::max_encoded_len(frame.len()));
        let mut decoded = vec![0u8; frame.len()];
        prop_assert!(codec::decode_frame(&encoded, &mut decoded));
        prop_assert_eq!(decoded, frame);
    }

    #[test]
    fn codec_round_trips_flat_frames_with_noise(
        base in any::<u8>(),
        noise in proptest::collection::vec((0usize..3 * 84 * 84, any::<u8>()), 0..200),
    ) {
        let mut frame = vec![base; 3 * 84 * 84];
        for (i, v) in noise {
            frame[i] = v;
        }
        let mut encoded = Vec::new();
        codec::encode_frame(&frame, &mut encoded);
        let mut decoded = vec![0u8; frame.len()];
        prop_assert!(codec::decode_frame(&encoded, &mut decoded));
        prop_assert_eq!(decoded, frame);
    }
}

#[test]
fn decoding_garbage_or_to_the_wrong_size_fails_cleanly() {
    let mut encoded = Vec::new();
    codec::encode_frame(&[7u8; 100], &mut encoded);
    let mut wrong = vec![0u8; 99];
    assert!(!codec::decode_frame(&encoded, &mut wrong));
    let mut out = vec![0u8; 100];
    assert!(!codec::decode_frame(&[0xff, 0xff, 0xff], &mut out));
}

#[test]
fn compressed_and_raw_buffers_sample_identical_batches() {
    let model = generate(
        31,
        &GenOptions {
            num_streams: 2,
            steps: 700,
            max_episode_len: 25,
            abandon_rate: 0.01,
            random_discounts: true,
        },
    );
    let raw_config = small_config(200, 2);
    let mut lz4_config = raw_config.clone();
    // A generous arena: eviction is by count only, as in the raw buffer.
    lz4_config.compression = Compression::Lz4 {
        frame_budget_bytes: 64,
    };
    let mut raw = ReplayBuffer::new(raw_config).unwrap();
    let mut lz4 = ReplayBuffer::new(lz4_config).unwrap();
    let (mut r1, mut r2) = (RandomState::new(4), RandomState::new(4));
    let (mut b1, mut b2) = (raw.new_batch(32), lz4.new_batch(32));
    for (i, rec) in model.steps.iter().enumerate() {
        raw.add(rec.stream, rec.step()).unwrap();
        lz4.add(rec.stream, rec.step()).unwrap();
        assert_eq!(raw.sampleable_step_ids(), lz4.sampleable_step_ids());
        if i % 5 == 0 && raw.num_sampleable() > 0 {
            raw.sample_into(&mut r1, &mut b1).unwrap();
            lz4.sample_into(&mut r2, &mut b2).unwrap();
            assert_eq!(b1, b2);
        }
    }
}

#[test]
fn a_tight_arena_evicts_early_and_stays_consistent_with_the_model() {
    let model = generate(
        41,
        &GenOptions {
            num_streams: 3,
            steps: 900,
            max_episode_len: 20,
            abandon_rate: 0.01,
            random_discounts: false,
        },
    );
    let mut c = small_config(300, 3);
    // 8-byte frames encode to 9 bytes: a budget of 4 bytes holds under half the steps.
    c.compression = Compression::Lz4 {
        frame_budget_bytes: 4,
    };
    let mut replay = ReplayBuffer::new(c.clone()).unwrap();
    let mut rng = RandomState::new(2);
    let mut batch = replay.new_batch(32);
    for (i, rec) in model.steps.iter().enumerate() {
        replay.add(rec.stream, rec.step()).unwrap();
        let written = i as u64 + 1;
        let stats = replay.stats();
        assert!(stats.frame_bytes_stored <= 300 * 4);
        let oldest = written - stats.steps_stored as u64;
        let mut got = replay.sampleable_step_ids().to_vec();
        got.sort_unstable();
        assert_eq!(got, model.sampleable(&c, written, oldest), "after step {i}");
        if replay.num_sampleable() > 0 {
            replay.sample_into(&mut rng, &mut batch).unwrap();
            model.check_batch(&batch, &c, written);
        }
    }
    assert!(replay.len() < 150, "{} steps stored", replay.len());
}

#[test]
fn real_frames_round_trip_through_a_compressed_replay() {
    let mut env = make("cartpole-swingup", &EnvOptions::default()).unwrap();
    let mut c = ReplayConfig::drqv2(120, [3, 84, 84], 1);
    c.compression = Compression::Lz4 {
        frame_budget_bytes: 12_000,
    };
    let mut replay = ReplayBuffer::new(c).unwrap();
    let mut frames = vec![env.reset(Some(1)).pixels.to_vec()];
    replay.add(0, Step::first(&frames[0])).unwrap();
    let mut rng = RandomState::new(1);
    for j in 0..100 {
        let action = [rng.uniform(-1.0, 1.0) as f32];
        let ts = env.step(&action).unwrap();
        frames.push(ts.pixels.to_vec());
        let kind = if j == 99 {
            StepKind::Truncated
        } else {
            ts.kind
        };
        let step = Step {
            kind,
            frame: ts.pixels,
            action: &action,
            reward: ts.reward,
            discount: ts.discount,
        };
        replay.add(0, step).unwrap();
    }
    for (id, frame) in frames.iter().enumerate() {
        assert_eq!(replay.frame(id as u64).as_ref(), Some(frame), "frame {id}");
    }
    let stored = replay.stats().frame_bytes_stored;
    assert!(
        stored < 101 * 21_168 / 2,
        "{stored} B for 101 frames: compression does not pay"
    );
}
