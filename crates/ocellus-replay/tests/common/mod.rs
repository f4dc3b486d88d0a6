//! A brute-force reference model of the replay: every step ever written, grouped into
//! episodes, and the targets of a transition computed from scratch.
#![allow(dead_code)]

use ocellus_core::{RandomState, StepKind};
use ocellus_replay::{Batch, EpisodeTail, ReplayConfig, Step};

/// Frames are 8 bytes, `[1, 2, 4]`: the step id, little-endian, so stacks decode to ids.
pub const FRAME_SHAPE: [usize; 3] = [1, 2, 4];
pub const ACTION_LEN: usize = 2;

#[derive(Clone, Debug)]
pub struct Rec {
    pub stream: usize,
    pub kind: StepKind,
    pub frame: Vec<u8>,
    pub action: Vec<f32>,
    pub reward: f64,
    pub discount: f64,
    /// Episode index and position in it.
    pub episode: usize,
    pub pos: usize,
}

impl Rec {
    pub fn step(&self) -> Step<'_> {
        Step {
            kind: self.kind,
            frame: &self.frame,
            action: &self.action,
            reward: self.reward,
            discount: self.discount,
        }
    }
}

pub struct Model {
    pub steps: Vec<Rec>,
    /// Step ids of each episode, in order.
    pub episodes: Vec<Vec<u64>>,
}

pub fn frame_of(id: u64) -> Vec<u8> {
    id.to_le_bytes().to_vec()
}

pub fn id_of(frame: &[u8]) -> u64 {
    u64::from_le_bytes(frame.try_into().expect("8-byte frame"))
}

pub struct GenOptions {
    pub num_streams: usize,
    pub steps: usize,
    pub max_episode_len: u32,
    pub abandon_rate: f64,
    pub random_discounts: bool,
}

/// A random interleaving of episodes on several streams, ending in `Terminated` or
/// `Truncated` at random, with occasional abandoned episodes.
pub fn generate(seed: u32, o: &GenOptions) -> Model {
    let mut rng = RandomState::new(seed);
    let mut steps: Vec<Rec> = Vec::new();
    let mut episodes: Vec<Vec<u64>> = Vec::new();
    // Per stream: (running episode index, planned length).
    let mut state: Vec<Option<(usize, usize)>> = vec![None; o.num_streams];
    for id in 0..o.steps as u64 {
        let stream = rng.below(o.num_streams as u32) as usize;
        let abandon = rng.random_sample() < o.abandon_rate;
        let (kind, episode) = match state[stream] {
            Some((ep, planned)) if !abandon => {
                let pos = episodes[ep].len();
                let kind = if pos >= planned {
                    if rng.random_sample() < 0.5 {
                        StepKind::Terminated
                    } else {
                        StepKind::Truncated
                    }
                } else {
                    StepKind::Mid
                };
                (kind, ep)
            }
            _ => {
                episodes.push(Vec::new());
                (StepKind::First, episodes.len() - 1)
            }
        };
        let pos = episodes[episode].len();
        episodes[episode].push(id);
        let first = kind == StepKind::First;
        let discount = match kind {
            StepKind::Terminated => 0.0,
            _ if o.random_discounts && !first => rng.uniform(0.5, 1.0),
            _ => 1.0,
        };
        steps.push(Rec {
            stream,
            kind,
            frame: frame_of(id),
            action: if first {
                Vec::new()
            } else {
                (0..ACTION_LEN)
                    .map(|_| rng.uniform(-1.0, 1.0) as f32)
                    .collect()
            },
            reward: if first { 0.0 } else { rng.random_sample() },
            discount,
            episode,
            pos,
        });
        state[stream] = if kind.is_last() {
            None
        } else if first {
            Some((episode, 1 + rng.below(o.max_episode_len) as usize))
        } else {
            Some((episode, state[stream].expect("running").1))
        };
    }
    Model { steps, episodes }
}

/// What a transition at observation `t` must contain.
#[derive(Debug, PartialEq)]
pub struct Expected {
    pub obs_ids: Vec<u64>,
    pub action: Vec<f32>,
    pub reward: f64,
    pub bootstrap_discount: f64,
    pub next_obs_ids: Vec<u64>,
    /// a_t .. a_{t+m−1}, zero-padded to n actions.
    pub window_actions: Vec<f32>,
    pub window_len: usize,
}

impl Model {
    fn stack(&self, episode: &[u64], pos: usize, k: usize) -> Vec<u64> {
        (0..k)
            .map(|i| episode[(pos + i + 1).saturating_sub(k)])
            .collect()
    }

    /// Brute force from the definition, over the first `written` steps.
    pub fn expected(&self, t: u64, c: &ReplayConfig, written: u64) -> Expected {
        let rec = &self.steps[t as usize];
        let ep: Vec<u64> = self.episodes[rec.episode]
            .iter()
            .copied()
            .filter(|&id| id < written)
            .collect();
        let p = rec.pos;
        // Where the window ends: n steps on, or the episode's last step if sooner.
        let end = (p + 1..ep.len())
            .find(|&q| self.steps[ep[q] as usize].kind.is_last())
            .unwrap_or(usize::MAX);
        let m = c.n_step.min(end - p);
        let d = |q: usize| self.steps[ep[q] as usize].discount;
        let mut reward = 0.0;
        for i in 0..m {
            let prod: f64 = (0..i).map(|j| d(p + 1 + j)).product();
            reward += c.gamma.powi(i as i32) * prod * self.steps[ep[p + 1 + i] as usize].reward;
        }
        let terminated = self.steps[ep[p + m] as usize].kind == StepKind::Terminated;
        let bootstrap_discount = if terminated {
            0.0
        } else {
            c.gamma.powi(m as i32) * (0..m).map(|i| d(p + 1 + i)).product::<f64>()
        };
        let mut window_actions = vec![0.0; c.n_step * c.action_len];
        for i in 0..m {
            let a = &self.steps[ep[p + 1 + i] as usize].action;
            window_actions[i * c.action_len..(i + 1) * c.action_len].copy_from_slice(a);
        }
        Expected {
            window_actions,
            window_len: m,
            obs_ids: self.stack(&ep, p, c.frame_stack),
            action: self.steps[ep[p + 1] as usize].action.clone(),
            reward,
            bootstrap_discount,
            next_obs_ids: self.stack(&ep, p + m, c.frame_stack),
        }
    }

    /// The sampleable set after the first `written` steps, with steps below `oldest` gone.
    pub fn sampleable(&self, c: &ReplayConfig, written: u64, oldest: u64) -> Vec<u64> {
        let mut out = Vec::new();
        for t in oldest..written {
            let rec = &self.steps[t as usize];
            if rec.kind.is_last() {
                continue;
            }
            let ep: Vec<u64> = self.episodes[rec.episode]
                .iter()
                .copied()
                .filter(|&id| id < written)
                .collect();
            let p = rec.pos;
            let full = p + c.n_step < ep.len();
            let ended = ep
                .iter()
                .skip(p + 1)
                .any(|&id| self.steps[id as usize].kind.is_last());
            let closes = full || (ended && c.episode_tail == EpisodeTail::Partial);
            let stack_oldest = ep[(p + 1).saturating_sub(c.frame_stack)];
            if closes && stack_oldest >= oldest {
                out.push(t);
            }
        }
        out
    }

    /// Checks every row of `batch` against the definition.
    pub fn check_batch(&self, batch: &Batch, c: &ReplayConfig, written: u64) {
        let fl = 8;
        let k = c.frame_stack;
        for b in 0..batch.batch_size {
            let t = batch.step_ids[b];
            let want = self.expected(t, c, written);
            let ids = |v: &[u8]| -> Vec<u64> {
                (0..k)
                    .map(|i| id_of(&v[(b * k + i) * fl..(b * k + i + 1) * fl]))
                    .collect()
            };
            assert_eq!(ids(&batch.obs), want.obs_ids, "obs of transition {t}");
            assert_eq!(ids(&batch.next_obs), want.next_obs_ids, "next_obs of {t}");
            let a = c.action_len;
            assert_eq!(
                &batch.action[b * a..(b + 1) * a],
                &want.action[..],
                "action of {t}"
            );
            assert!(
                (f64::from(batch.reward[b]) - want.reward).abs() < 1e-5,
                "reward of {t}: {} vs {}",
                batch.reward[b],
                want.reward
            );
            assert!(
                (f64::from(batch.bootstrap_discount[b]) - want.bootstrap_discount).abs() < 1e-6,
                "bootstrap_discount of {t}: {} vs {}",
                batch.bootstrap_discount[b],
                want.bootstrap_discount
            );
            let w = c.n_step * a;
            assert_eq!(
                &batch.window_actions[b * w..(b + 1) * w],
                &want.window_actions[..],
                "window actions of {t}"
            );
            assert_eq!(
                usize::from(batch.window_len[b]),
                want.window_len,
                "window length of {t}"
            );
        }
    }
}

pub fn small_config(capacity: usize, num_streams: usize) -> ReplayConfig {
    let mut c = ReplayConfig::drqv2(capacity, FRAME_SHAPE, ACTION_LEN);
    c.num_streams = num_streams;
    c
}
