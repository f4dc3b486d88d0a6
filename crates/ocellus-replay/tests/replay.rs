//! Behaviour of the replay buffer against a brute-force model.

mod common;

use common::*;
use ocellus_core::{RandomState, StepKind};
use ocellus_replay::{
    Compression, EpisodeTail, ReplayBuffer, ReplayConfig, ReplayError, Step, StepBatch,
};

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v
}

/// Writes the model's steps one by one; after each, the sampleable set must equal the
/// model's, and a sampled batch must match the definition row by row.
fn run_against_model(c: &ReplayConfig, model: &Model, seed: u32, check_every: usize) {
    let mut replay = ReplayBuffer::new(c.clone()).unwrap();
    let mut rng = RandomState::new(seed);
    let mut batch = replay.new_batch(64);
    let mut sampled = 0;
    for (i, rec) in model.steps.iter().enumerate() {
        replay.add(rec.stream, rec.step()).unwrap();
        let written = i as u64 + 1;
        let stats = replay.stats();
        let oldest = written - stats.steps_stored as u64;
        if let Compression::None = c.compression {
            assert_eq!(stats.steps_stored as u64, written.min(c.capacity as u64));
        }
        assert_eq!(
            sorted(replay.sampleable_step_ids().to_vec()),
            model.sampleable(c, written, oldest),
            "sampleable set after step {i}"
        );
        if i % check_every == 0 && replay.num_sampleable() > 0 {
            replay.sample_into(&mut rng, &mut batch).unwrap();
            model.check_batch(&batch, c, written);
            sampled += 1;
        }
    }
    assert!(sampled > 0);
}

#[test]
fn nstep_targets_match_brute_force_on_random_episodes() {
    for seed in 0..6 {
        let model = generate(
            seed,
            &GenOptions {
                num_streams: 1,
                steps: 600,
                max_episode_len: 12,
                abandon_rate: 0.0,
                random_discounts: seed % 2 == 1,
            },
        );
        let terminated = model
            .steps
            .iter()
            .filter(|r| r.kind == StepKind::Terminated);
        assert!(terminated.count() > 5, "both kinds of ends are exercised");
        for (n, k) in [(3, 3), (1, 3), (5, 2), (2, 1)] {
            let mut c = small_config(1000, 1);
            (c.n_step, c.frame_stack) = (n, k);
            run_against_model(&c, &model, seed, 7);
        }
    }
}

#[test]
fn wraparound_never_samples_across_the_overwrite_boundary() {
    for seed in 10..14 {
        let model = generate(
            seed,
            &GenOptions {
                num_streams: 1,
                steps: 400,
                max_episode_len: 20,
                abandon_rate: 0.0,
                random_discounts: false,
            },
        );
        for capacity in [6, 7, 13, 50] {
            run_against_model(&small_config(capacity, 1), &model, seed, 1);
        }
    }
}

#[test]
fn interleaved_streams_with_abandoned_episodes_match_the_model() {
    for seed in 20..24 {
        let model = generate(
            seed,
            &GenOptions {
                num_streams: 4,
                steps: 800,
                max_episode_len: 15,
                abandon_rate: 0.02,
                random_discounts: true,
            },
        );
        for capacity in [24, 37, 200, 1000] {
            let mut c = small_config(capacity, 4);
            run_against_model(&c, &model, seed, 3);
            c.episode_tail = EpisodeTail::FullWindowsOnly;
            run_against_model(&c, &model, seed, 3);
        }
    }
}

/// Writes one episode of `len` steps on stream 0, frames = step ids.
fn episode(replay: &mut ReplayBuffer, start_id: u64, len: usize, end: StepKind) {
    replay.add(0, Step::first(&frame_of(start_id))).unwrap();
    for j in 1..=len as u64 {
        let kind = if j == len as u64 { end } else { StepKind::Mid };
        let step = Step {
            kind,
            frame: &frame_of(start_id + j),
            action: &[j as f32, 0.0],
            reward: j as f64,
            discount: if kind == StepKind::Terminated {
                0.0
            } else {
                1.0
            },
        };
        replay.add(0, step).unwrap();
    }
}

/// Samples until every sampleable transition has been seen; returns rows by step id.
fn all_rows(
    replay: &ReplayBuffer,
) -> std::collections::BTreeMap<u64, (Vec<u64>, f32, f32, Vec<u64>)> {
    let mut rng = RandomState::new(3);
    let mut batch = replay.new_batch(256);
    let mut rows = std::collections::BTreeMap::new();
    for _ in 0..8 {
        replay.sample_into(&mut rng, &mut batch).unwrap();
        let k = batch.obs_shape[0];
        for b in 0..batch.batch_size {
            let ids = |v: &[u8]| {
                (0..k)
                    .map(|i| id_of(&v[(b * k + i) * 8..(b * k + i + 1) * 8]))
                    .collect()
            };
            rows.insert(
                batch.step_ids[b],
                (
                    ids(&batch.obs),
                    batch.reward[b],
                    batch.bootstrap_discount[b],
                    ids(&batch.next_obs),
                ),
            );
        }
    }
    assert_eq!(rows.len(), replay.num_sampleable());
    rows
}

#[test]
fn stacks_repeat_the_first_frame_and_never_mix_episodes() {
    let mut replay = ReplayBuffer::new(small_config(100, 1)).unwrap();
    episode(&mut replay, 0, 5, StepKind::Truncated); // ids 0..=5
    episode(&mut replay, 6, 4, StepKind::Terminated); // ids 6..=10
    let rows = all_rows(&replay);
    let g = 0.99f32;
    // Episode start: the first frame repeated.
    assert_eq!(rows[&0].0, vec![0, 0, 0]);
    assert_eq!(rows[&1].0, vec![0, 0, 1]);
    // Mid-episode: the three latest frames.
    assert_eq!(rows[&3].0, vec![1, 2, 3]);
    assert_eq!(rows[&0].3, vec![1, 2, 3]); // next_obs = o_3
                                           // Second episode starts fresh.
    assert_eq!(rows[&6].0, vec![6, 6, 6]);
    assert_eq!(rows[&7].0, vec![6, 6, 7]);
    assert_eq!(rows[&6].3, vec![7, 8, 9]);
    // Rewards: r_j = j, R = r_{t+1} + γ r_{t+2} + γ² r_{t+3}.
    assert!((rows[&0].1 - (1.0 + g * 2.0 + g * g * 3.0)).abs() < 1e-5);
    assert!((rows[&0].2 - g.powi(3)).abs() < 1e-6);
    // Truncated end after step 5: t = 3 has m = 2, bootstraps with γ².
    assert!((rows[&3].1 - (4.0 + g * 5.0)).abs() < 1e-5);
    assert!((rows[&3].2 - g * g).abs() < 1e-6);
    assert_eq!(rows[&4].3, vec![3, 4, 5]);
    assert!((rows[&4].2 - g).abs() < 1e-6);
    // Terminated at id 10 (4th step of episode 2): t = 8 (pos 2) has m = 2, no bootstrap.
    assert!((rows[&8].1 - (3.0 + g * 4.0)).abs() < 1e-5);
    assert_eq!(rows[&8].2, 0.0);
    assert_eq!(rows[&9].2, 0.0);
    assert_eq!(rows[&9].3, vec![8, 9, 10]);
    // Full window that ends exactly on the termination: still no bootstrap.
    assert_eq!(rows[&7].2, 0.0);
    // Last steps are never observations of a transition.
    assert!(!rows.contains_key(&5) && !rows.contains_key(&10));
    assert_eq!(rows.len(), 5 + 4);
}

#[test]
fn full_windows_only_matches_the_reference_index_range() {
    let mut c = small_config(100, 1);
    c.episode_tail = EpisodeTail::FullWindowsOnly;
    let mut replay = ReplayBuffer::new(c).unwrap();
    episode(&mut replay, 0, 10, StepKind::Truncated);
    // replay_buffer.py: idx in [1, T - n + 1], obs = idx - 1, so t in [0, T - n] = [0, 7].
    assert_eq!(
        sorted(replay.sampleable_step_ids().to_vec()),
        (0..=7).collect::<Vec<_>>()
    );
    assert_eq!(replay.stats().transitions_dropped, 2);
}

#[test]
fn a_transition_is_sampleable_as_soon_as_its_window_closes() {
    let mut replay = ReplayBuffer::new(small_config(100, 1)).unwrap();
    replay.add(0, Step::first(&frame_of(0))).unwrap();
    let mid = |id: u64| Step {
        kind: StepKind::Mid,
        frame: &[0; 8],
        action: &[0.0, 0.0],
        reward: id as f64,
        discount: 1.0,
    };
    for (id, want) in [(1, 0), (2, 0), (3, 1), (4, 2), (5, 3)] {
        replay.add(0, mid(id)).unwrap();
        assert_eq!(replay.num_sampleable(), want, "after step {id}");
    }
    assert!(matches!(
        replay.sample_into(&mut RandomState::new(0), &mut replay.new_batch(1)),
        Ok(())
    ));
    // The episode ends: the two open windows close at once.
    let end = Step {
        kind: StepKind::Truncated,
        ..mid(6)
    };
    replay.add(0, end).unwrap();
    assert_eq!(replay.num_sampleable(), 6);
}

#[test]
fn sampling_is_deterministic_given_seed_and_insertions() {
    let model = generate(
        5,
        &GenOptions {
            num_streams: 3,
            steps: 500,
            max_episode_len: 30,
            abandon_rate: 0.01,
            random_discounts: false,
        },
    );
    let build = || {
        let mut r = ReplayBuffer::new(small_config(300, 3)).unwrap();
        for rec in &model.steps {
            r.add(rec.stream, rec.step()).unwrap();
        }
        r
    };
    let (a, b) = (build(), build());
    let (mut ra, mut rb, mut rc) = (
        RandomState::new(9),
        RandomState::new(9),
        RandomState::new(10),
    );
    let (mut ba, mut bb, mut bc) = (a.new_batch(128), b.new_batch(128), b.new_batch(128));
    for _ in 0..5 {
        a.sample_into(&mut ra, &mut ba).unwrap();
        b.sample_into(&mut rb, &mut bb).unwrap();
        b.sample_into(&mut rc, &mut bc).unwrap();
        assert_eq!(ba, bb);
        assert_ne!(ba.step_ids, bc.step_ids);
    }
}

#[test]
fn batch_add_writes_every_stream_or_none() {
    let c = small_config(100, 2);
    let mut replay = ReplayBuffer::new(c).unwrap();
    let frames: Vec<u8> = [frame_of(0), frame_of(1)].concat();
    let first = [StepKind::First, StepKind::First];
    fn batch<'a>(frames: &'a [u8], kinds: &'a [StepKind], rewards: &'a [f64]) -> StepBatch<'a> {
        StepBatch {
            kinds,
            frames,
            actions: &[0.0; 4],
            rewards,
            discounts: &[1.0, 1.0],
        }
    }
    replay
        .add_batch(batch(&frames, &first, &[0.0, 0.0]))
        .unwrap();
    let mid = [StepKind::Mid, StepKind::Mid];
    let err = replay
        .add_batch(batch(&frames, &mid, &[1.0, f64::NAN]))
        .unwrap_err();
    assert!(
        matches!(err, ReplayError::NonFiniteReward { stream: 1, .. }),
        "{err}"
    );
    assert_eq!(replay.len(), 2, "the valid row 0 was not written either");
    replay.add_batch(batch(&frames, &mid, &[1.0, 1.0])).unwrap();
    assert_eq!(replay.len(), 4);
    let short = StepBatch {
        rewards: &[1.0],
        ..batch(&frames, &mid, &[1.0, 1.0])
    };
    assert!(matches!(
        replay.add_batch(short),
        Err(ReplayError::BatchLength {
            field: "rewards",
            ..
        })
    ));
}

#[test]
fn bad_input_is_a_typed_error() {
    let mut replay = ReplayBuffer::new(small_config(100, 2)).unwrap();
    let f = frame_of(0);
    let mid = Step {
        kind: StepKind::Mid,
        frame: &f,
        action: &[0.0, 0.0],
        reward: 0.0,
        discount: 1.0,
    };
    let mut rng = RandomState::new(0);
    let mut batch = replay.new_batch(4);
    assert!(matches!(
        replay.sample_into(&mut rng, &mut batch),
        Err(ReplayError::Empty { stored: 0 })
    ));
    assert!(matches!(
        replay.add(0, mid),
        Err(ReplayError::NoRunningEpisode {
            stream: 0,
            kind: StepKind::Mid
        })
    ));
    assert!(matches!(
        replay.add(2, Step::first(&f)),
        Err(ReplayError::UnknownStream {
            stream: 2,
            num_streams: 2
        })
    ));
    assert!(matches!(
        replay.add(0, Step::first(&[0; 7])),
        Err(ReplayError::FrameSize {
            expected: 8,
            got: 7,
            ..
        })
    ));
    replay.add(0, Step::first(&f)).unwrap();
    assert!(matches!(
        replay.add(
            0,
            Step {
                action: &[0.0],
                ..mid
            }
        ),
        Err(ReplayError::ActionLength {
            expected: 2,
            got: 1
        })
    ));
    assert!(matches!(
        replay.add(
            0,
            Step {
                action: &[0.0, f32::INFINITY],
                ..mid
            }
        ),
        Err(ReplayError::NonFiniteAction { index: 1, .. })
    ));
    assert!(matches!(
        replay.add(
            0,
            Step {
                reward: f64::NAN,
                ..mid
            }
        ),
        Err(ReplayError::NonFiniteReward { .. })
    ));
    assert!(matches!(
        replay.add(
            0,
            Step {
                discount: 1.5,
                ..mid
            }
        ),
        Err(ReplayError::InvalidDiscount { .. })
    ));
    assert!(matches!(
        replay.add(
            0,
            Step {
                discount: f64::NAN,
                ..mid
            }
        ),
        Err(ReplayError::InvalidDiscount { .. })
    ));
    // Only the First was written, and no transition is sampleable yet.
    assert_eq!(replay.len(), 1);
    assert!(matches!(
        replay.sample_into(&mut rng, &mut batch),
        Err(ReplayError::Empty { stored: 1 })
    ));
    // Output slices of the wrong size.
    let mut obs = vec![0u8; 4 * 3 * 8];
    let (mut a, mut r, mut d, mut next) = (
        vec![0.0; 8],
        vec![0.0; 4],
        vec![0.0; 3],
        vec![0u8; 4 * 3 * 8],
    );
    let out = ocellus_replay::BatchMut {
        obs: &mut obs,
        action: &mut a,
        reward: &mut r,
        bootstrap_discount: &mut d,
        next_obs: &mut next,
        step_ids: None,
        window_actions: None,
        window_len: None,
    };
    assert!(matches!(
        replay.sample_into_slices(&mut rng, out),
        Err(ReplayError::OutputSize {
            field: "bootstrap_discount",
            expected: 4,
            got: 3
        })
    ));
}

#[test]
fn configuration_errors_name_the_values() {
    let mut c = small_config(5, 1);
    let err = ReplayBuffer::new(c.clone()).unwrap_err();
    assert!(
        matches!(
            err,
            ReplayError::CapacityTooSmall {
                capacity: 5,
                required: 6,
                ..
            }
        ),
        "{err}"
    );
    c.capacity = 11;
    c.num_streams = 2;
    assert!(matches!(
        ReplayBuffer::new(c.clone()),
        Err(ReplayError::CapacityTooSmall { required: 12, .. })
    ));
    for (mutate, name) in [
        (
            Box::new(|c: &mut ReplayConfig| c.n_step = 0) as Box<dyn Fn(&mut ReplayConfig)>,
            "n_step",
        ),
        (
            Box::new(|c: &mut ReplayConfig| c.frame_stack = 0),
            "frame_stack",
        ),
        (Box::new(|c: &mut ReplayConfig| c.gamma = f64::NAN), "gamma"),
        (
            Box::new(|c: &mut ReplayConfig| c.frame_shape = [3, 0, 84]),
            "frame_shape",
        ),
        (
            Box::new(|c: &mut ReplayConfig| c.action_len = 0),
            "action_len",
        ),
        (
            Box::new(|c: &mut ReplayConfig| c.num_streams = 0),
            "num_streams",
        ),
    ] {
        let mut c = small_config(100, 1);
        mutate(&mut c);
        match ReplayBuffer::new(c) {
            Err(ReplayError::InvalidOption { name: got, .. }) => assert_eq!(got, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn bytes_per_transition_at_84x84_fits_the_budget() {
    for action_len in [1, 6, 21, 38] {
        let c = ReplayConfig::drqv2(1_000_000, [3, 84, 84], action_len);
        let bytes = c.bytes_per_transition();
        assert!(bytes >= 21_168 + 4 * action_len);
        assert!(
            bytes <= 21_500,
            "{bytes} B per transition with a {action_len}-dim action"
        );
        assert_eq!(c.total_bytes(), 1_000_000 * bytes as u64);
    }
    assert_eq!(
        ReplayConfig::drqv2(10, [3, 84, 84], 6).bytes_per_transition(),
        21_237
    );
}

#[test]
fn max_bytes_refuses_an_oversized_buffer_with_the_numbers() {
    let mut c = ReplayConfig::drqv2(1_000_000, [3, 84, 84], 6);
    c.max_bytes = Some(16 << 30);
    let err = ReplayBuffer::new(c.clone()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(
        err,
        ReplayError::OverBudget {
            total_bytes: 21_237_000_000,
            ..
        }
    ));
    assert!(
        msg.contains("1000000")
            && msg.contains("21237")
            && msg.contains(&(16u64 << 30).to_string()),
        "{msg}"
    );
    // The same replay compressed to a 12 KB budget per frame fits.
    c.compression = Compression::Lz4 {
        frame_budget_bytes: 12_000,
    };
    assert!(c.validate().is_ok(), "{:?}", c.validate());
}
