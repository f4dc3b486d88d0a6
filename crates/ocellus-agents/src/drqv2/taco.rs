//! TACO as an option of the DrQ-v2 agent (`[agent.taco]`, `--agent taco`): a temporal
//! action-driven contrastive loss that trains the encoder and a latent action encoder, with
//! CURL's and a reward-prediction term, and a critic that reads latent actions.
//!
//! **Paper:** Ruijie Zheng, Xiyao Wang, Yanchao Sun, Shuang Ma, Jieyu Zhao, Huazhe Xu, Hal
//! Daumé III, Furong Huang, "TACO: Temporal Latent Action-Driven Contrastive Loss for Visual
//! Reinforcement Learning", NeurIPS 2023, arXiv:2306.13229. **Reference code:**
//! FrankZheng2022/TACO @ 84c38e3 (`agents/taco.py`, `utils.py::ActionEncoding`,
//! `replay_buffer.py::_sample`, `cfgs/agent/taco.yaml`). The bilinear logits and InfoNCE are
//! [`ocellus_nn::contrastive`], tested there on a hand-computed 3×3 example.
//!
//! With K = `multistep` (3, the reference's, which equals its `nstep`), u_i the action encoder's
//! latent of a_i, `z = proj_s(f(aug(o)))`:
//! 1. **TACO** (Eq. 3): query `q = proj_sa([z_t, g(u_t, …, u_{t+K−1})])`, key
//!    `k = sg(proj_s(f(aug(o_{t+K}))))`, logits `q·W·kᵀ` (row max subtracted), InfoNCE with
//!    the batch's other rows as negatives.
//! 2. **CURL**: query `z_t`, key `sg(proj_s(f(aug′(o_t))))` (a second shift), the same W.
//! 3. **Reward prediction**: `MSE(MLP([z_t, g(u…)]), R⁽ⁿ⁾)`, the batch's n-step return.
//! 4. The sum trains encoder, action encoder and TACO's heads with its own Adam (`taco_opt`,
//!    `encoder_lr`), after the critic and actor steps of the same update.
//! 5. The critic (and its target) read the latent action `u(a)` instead of a (`act_tok` in
//!    `Critic.forward`); the critic loss trains the action encoder too (the reference puts it
//!    in the encoder's optimiser; here it has an Adam of its own with the same settings, which
//!    is the same update since Adam is per tensor).
//!
//! Networks (reference names): action encoder `Linear(A → 64) → Tanh → Linear(64 → d_a)`,
//! d_a = ⌊1.25·A⌋ + 1 unless set; sequence encoder `Linear(K·d_a → K·d_a) → LayerNorm → Tanh`;
//! `proj_s = Linear(repr → feature) → LayerNorm → Tanh`; `proj_sa` and the reward head
//! `Linear(feature + K·d_a → hidden) → ReLU → Linear(→ feature | 1)`; `W` `[feature, feature]`
//! uniform in [0, 1) (`torch.rand`; `weight_init` skips bare parameters), Linear layers
//! orthogonal with zero bias.
//!
//! **Deviations from the reference code**
//! 1. K is the n-step window: the replay serves each row's window actions and o_{t+n}
//!    ([`super::Batch::window_actions`]), so a run's `replay.n_step` must equal `multistep`.
//! 2. Rows whose window an episode end cut short (m < K; the reference never samples them)
//!    are left out of the three TACO terms; the critic still learns from them.
//! 3. The TACO terms use the update's batch (B = `batch_size`), not the reference's 1024.

use ocellus_nn::adam::{Adam, AdamConfig};
use ocellus_nn::contrastive::{bilinear_logits, contrastive_accuracy, info_nce};
use ocellus_nn::init::init_linear;
use ocellus_nn::state::var_store_state;
use ocellus_nn::{Mlp, Rng, Trunk};
use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Tensor};

use super::{scalars, Batch, DrQV2Agent, DrQV2Config};
use crate::error::{ConfigError, ConfigProblem};

/// Seed stream of TACO's initialisation.
pub(super) const STREAM_TACO_INIT: u64 = 7;

/// Width of the action encoder's hidden layer (`ActionEncoding`: `nn.Linear(action_dim, 64)`).
pub const ACTION_ENCODER_HIDDEN: i64 = 64;

/// `[agent.taco]` as written in TOML; every key is optional and defaults to the reference's
/// value (`cfgs/agent/taco.yaml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TacoRawConfig {
    /// Add CURL's contrastive term between two shifts of o_t (`curl: true`).
    pub curl: bool,
    /// Add the reward-prediction term (`reward: true`).
    pub reward: bool,
    /// d_a, the latent action size; 0 picks the reference's ⌊1.25·A⌋ + 1 (`latent_a_dim:
    /// none`).
    pub latent_action_dim: i64,
    /// Learning rate of TACO's Adam (`encoder_lr`); absent: the agent's `lr`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// K, the actions the query encodes (`multistep`, 3). The replay serves each row's
    /// n-step window, so a run's `replay.n_step` must equal it (the trainer checks).
    pub multistep: u32,
}

impl Default for TacoRawConfig {
    fn default() -> Self {
        TacoRawConfig {
            curl: true,
            reward: true,
            latent_action_dim: 0,
            lr: None,
            multistep: 3,
        }
    }
}

/// Validated TACO settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TacoConfig {
    /// CURL term on.
    pub curl: bool,
    /// Reward-prediction term on.
    pub reward: bool,
    /// d_a if set (else ⌊1.25·A⌋ + 1).
    pub latent_action_dim: Option<i64>,
    /// TACO's learning rate if set (else the agent's).
    pub lr: Option<f64>,
    /// K.
    pub multistep: u32,
}

impl TacoRawConfig {
    /// Checks every value and returns the typed config, or all problems at once.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing each out-of-range value; `origin` names the source.
    pub fn to_config(&self, origin: &str) -> Result<TacoConfig, ConfigError> {
        let mut problems = Vec::new();
        self.validate(&mut problems).ok_or(ConfigError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }

    pub(super) fn validate(&self, problems: &mut Vec<ConfigProblem>) -> Option<TacoConfig> {
        let before = problems.len();
        if self.latent_action_dim < 0 {
            problems.push(ConfigProblem {
                field: "taco.latent_action_dim",
                value: self.latent_action_dim.to_string(),
                reason: "must be positive, or 0 for the reference's 1.25·A + 1".into(),
            });
        }
        if self.multistep < 1 {
            problems.push(ConfigProblem {
                field: "taco.multistep",
                value: self.multistep.to_string(),
                reason: "must be at least 1".into(),
            });
        }
        if let Some(lr) = self.lr {
            if !(lr.is_finite() && lr > 0.0) {
                problems.push(ConfigProblem {
                    field: "taco.lr",
                    value: lr.to_string(),
                    reason: "must be a positive number".into(),
                });
            }
        }
        (problems.len() == before).then_some(TacoConfig {
            curl: self.curl,
            reward: self.reward,
            latent_action_dim: (self.latent_action_dim > 0).then_some(self.latent_action_dim),
            lr: self.lr,
            multistep: self.multistep,
        })
    }
}

impl TacoConfig {
    /// The raw form.
    pub fn to_raw(&self) -> TacoRawConfig {
        TacoRawConfig {
            curl: self.curl,
            reward: self.reward,
            latent_action_dim: self.latent_action_dim.unwrap_or(0),
            lr: self.lr,
            multistep: self.multistep,
        }
    }

    /// d_a for `action_dim` actions: the configured size, else `int(1.25·A) + 1`.
    pub fn latent_dim(&self, action_dim: i64) -> i64 {
        self.latent_action_dim
            .unwrap_or((1.25 * action_dim as f64) as i64 + 1)
    }
}

/// The names TACO appends to the metrics, in order.
pub const TACO_METRIC_NAMES: [&str; 6] = [
    "taco_loss",
    "taco_accuracy",
    "taco_curl_loss",
    "taco_curl_accuracy",
    "taco_reward_loss",
    "taco_rows",
];

/// TACO's per-update measurements (the CURL and reward entries are 0 when the term is off).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TacoMetrics {
    /// The InfoNCE loss of (z_t, actions) against z_{t+K}.
    pub loss: f64,
    /// Share of rows whose largest TACO logit is their own o_{t+K}.
    pub accuracy: f64,
    /// CURL's InfoNCE loss.
    pub curl_loss: f64,
    /// CURL's top-1 accuracy.
    pub curl_accuracy: f64,
    /// The reward-prediction MSE.
    pub reward_loss: f64,
    /// Rows with a full K-step window (the others are left out).
    pub rows: f64,
}

impl TacoMetrics {
    /// `(name, value)` in [`TACO_METRIC_NAMES`] order.
    pub fn named(&self) -> Vec<(&'static str, f64)> {
        TACO_METRIC_NAMES
            .into_iter()
            .zip([
                self.loss,
                self.accuracy,
                self.curl_loss,
                self.curl_accuracy,
                self.reward_loss,
                self.rows,
            ])
            .collect()
    }
}

/// TACO's action encoder (`ActionEncoding.action_tokenizer`): `Linear(A → 64) → Tanh →
/// Linear(64 → d_a)`. Variables `0.*`, `2.*`.
#[derive(Debug)]
pub struct ActionEncoder {
    hidden: nn::Linear,
    out: nn::Linear,
}

impl ActionEncoder {
    fn new(p: &nn::Path, action_dim: i64, latent_dim: i64, rng: &mut Rng) -> Self {
        let mut hidden = nn::linear(
            p / "0",
            action_dim,
            ACTION_ENCODER_HIDDEN,
            Default::default(),
        );
        init_linear(&mut hidden, rng);
        let mut out = nn::linear(
            p / "2",
            ACTION_ENCODER_HIDDEN,
            latent_dim,
            Default::default(),
        );
        init_linear(&mut out, rng);
        ActionEncoder { hidden, out }
    }

    /// `[…, A]` → `[…, d_a]`.
    pub fn forward(&self, action: &Tensor) -> Tensor {
        action.apply(&self.hidden).tanh().apply(&self.out)
    }
}

/// TACO's state inside a [`DrQV2Agent`].
#[derive(Debug)]
pub(super) struct Taco {
    pub(super) config: TacoConfig,
    /// K (`multistep`, = the replay's n_step).
    k: i64,
    latent_dim: i64,
    pub(super) action_vs: nn::VarStore,
    pub(super) action_encoder: ActionEncoder,
    /// The action encoder's Adam for the critic loss.
    pub(super) action_opt: Adam,
    vs: nn::VarStore,
    /// `action_seq_tokenizer`: `Linear(K·d_a → K·d_a) → LayerNorm → Tanh`.
    seq_encoder: Trunk,
    proj_s: Trunk,
    proj_sa: Mlp,
    reward: Option<Mlp>,
    w: Tensor,
    /// `taco_opt`: encoder, action encoder and the heads above.
    pub(super) opt: Adam,
}

impl Taco {
    /// TACO for an agent whose encoder is `encoder_vs` (features of `repr_dim`).
    pub(super) fn new(
        c: &DrQV2Config,
        config: TacoConfig,
        encoder_vs: &nn::VarStore,
        repr_dim: i64,
        action_dim: i64,
        seed: u64,
    ) -> Self {
        let device = encoder_vs.device();
        let mut rng = Rng::new(seed, STREAM_TACO_INIT);
        let k = i64::from(config.multistep);
        let latent_dim = config.latent_dim(action_dim);
        let action_vs = nn::VarStore::new(device);
        let action_encoder =
            ActionEncoder::new(&action_vs.root(), action_dim, latent_dim, &mut rng);
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        let seq = k * latent_dim;
        let seq_encoder = Trunk::new(&(&root / "seq_encoder"), seq, seq, &mut rng);
        let proj_s = Trunk::new(&(&root / "proj_s"), repr_dim, c.feature_dim, &mut rng);
        let head = |name: &str, out: i64, rng: &mut Rng| {
            Mlp::new(
                &(&root / name),
                &[c.feature_dim + seq, c.hidden_dim, out],
                rng,
            )
        };
        let proj_sa = head("proj_sa", c.feature_dim, &mut rng);
        let reward = config.reward.then(|| head("reward", 1, &mut rng));
        // W = nn.Parameter(torch.rand(feature_dim, feature_dim))
        let w0 = rng.uniform_tensor(&[c.feature_dim, c.feature_dim], 0.0, 1.0, device);
        let w = root.var_copy("W", &w0);
        let lr = config.lr.unwrap_or(c.lr);
        let opt = Adam::over(
            &[
                ("encoder", encoder_vs),
                ("action_encoder", &action_vs),
                ("taco", &vs),
            ],
            AdamConfig::with_lr(lr),
        );
        Taco {
            action_opt: Adam::new(&action_vs, AdamConfig::with_lr(c.lr)),
            config,
            k,
            latent_dim,
            action_vs,
            action_encoder,
            vs,
            seq_encoder,
            proj_s,
            proj_sa,
            reward,
            w,
            opt,
        }
    }

    /// Checkpoint entries: `taco.action_encoder.*`, `taco.*` (heads and W),
    /// `optim.action_encoder.*`, `optim.taco.*`.
    pub(super) fn state_dict(&self) -> Vec<(String, Tensor)> {
        let mut out = self.parameter_state();
        out.extend(self.action_opt.state_dict("optim.action_encoder"));
        out.extend(self.opt.state_dict("optim.taco"));
        out
    }

    pub(super) fn parameter_state(&self) -> Vec<(String, Tensor)> {
        let mut out = var_store_state(&self.action_vs, "taco.action_encoder");
        out.extend(var_store_state(&self.vs, "taco"));
        out
    }
}

impl DrQV2Agent {
    /// The action the critic reads: TACO's latent `u(a)` `[B, d_a]`, else `a` itself.
    pub(super) fn critic_action(&self, action: &Tensor) -> Tensor {
        match &self.taco {
            Some(t) => t.action_encoder.forward(action),
            None => action.shallow_clone(),
        }
    }

    /// TACO's step on `batch` (after the critic and actor steps): the TACO, CURL and
    /// reward-prediction terms on the rows with a full K-step window, one Adam step of
    /// encoder, action encoder and heads. `None` without TACO; with fewer than two full rows
    /// (no negatives) nothing is stepped and only `rows` is reported (the losses as 0).
    ///
    /// # Panics
    /// If TACO is on and `batch` carries no window actions (a programmer error: the trainer
    /// always fills them).
    pub(super) fn taco_step(&mut self, batch: &Batch) -> Option<TacoMetrics> {
        let taco = self.taco.as_ref()?;
        let (Some(window_actions), Some(window_len)) = (&batch.window_actions, &batch.window_len)
        else {
            panic!("TACO needs the batch's window actions and lengths");
        };
        let dev = self.device;
        let full = window_len
            .to_kind(Kind::Int64)
            .eq(taco.k)
            .nonzero()
            .view([-1]);
        let rows = full.size()[0];
        if rows < 2 {
            return Some(TacoMetrics {
                rows: rows as f64,
                ..TacoMetrics::default()
            });
        }
        let pick = |t: &Tensor| t.index_select(0, &full).to_device(dev);
        let (obs, next_obs) = (pick(&batch.obs), pick(&batch.next_obs));
        let action_seq = pick(window_actions); // [B', K, A]
        let reward = pick(&batch.reward); // [B', 1]
                                          // reference order of the shifts: anchor, positive, then o_{t+K}
        let anchor = self.aug.forward(&obs);
        let positive = self.aug.forward(&obs);
        let next = self.aug.forward(&next_obs);
        let taco = self.taco.as_mut().expect("checked above");
        // The encoder runs on micro-batches (as in the critic step: on CPU, conv forward and
        // backward are several times faster in pieces); the anchor's pieces keep their graphs,
        // so the one backward below is the full-batch gradient.
        let micro = self.config.micro_batch_size;
        let encode = |o: &Tensor| {
            let pieces: Vec<Tensor> = o
                .split(micro, 0)
                .iter()
                .map(|p| taco.proj_s.forward(&self.encoder.forward(p)))
                .collect();
            Tensor::cat(&pieces, 0)
        };
        let z = encode(&anchor); // [B', F], with graph
        let (z_pos, z_next) = tch::no_grad(|| (encode(&positive), encode(&next)));
        // g(u_t, …, u_{t+K−1}): encode each action, concatenate, then the sequence encoder
        let latent = taco
            .action_encoder
            .forward(&action_seq)
            .reshape([rows, taco.k * taco.latent_dim]);
        let seq = taco.seq_encoder.forward(&latent); // [B', K·d_a]
        let z_seq = Tensor::cat(&[z.shallow_clone(), seq], -1);
        let why = "the contrastive inputs are [B', F] and W is [F, F]";
        let logits = bilinear_logits(&taco.proj_sa.forward(&z_seq), &z_next, &taco.w).expect(why);
        let taco_loss = info_nce(&logits).expect(why);
        let accuracy = contrastive_accuracy(&logits).expect(why);
        // (sums into new tensors: an in-place `+=` on a shallow clone would change taco_loss)
        let mut total = taco_loss.shallow_clone();
        let mut fetch = vec![taco_loss];
        let mut curl_accuracy = 0.0;
        if taco.config.curl {
            let curl_logits = bilinear_logits(&z, &z_pos, &taco.w).expect(why);
            let curl_loss = info_nce(&curl_logits).expect(why);
            curl_accuracy = contrastive_accuracy(&curl_logits).expect(why);
            total = &total + &curl_loss;
            fetch.push(curl_loss);
        } else {
            fetch.push(Tensor::from(0.0f32));
        }
        if let Some(head) = &taco.reward {
            let reward_loss = (head.forward(&z_seq) - &reward).square().mean(Kind::Float);
            total = &total + &reward_loss;
            fetch.push(reward_loss);
        } else {
            fetch.push(Tensor::from(0.0f32));
        }
        let grads = Tensor::run_backward(&[&total], &taco.opt.param_tensors(), false, false);
        taco.opt.step(&grads);
        let m = scalars(&fetch);
        Some(TacoMetrics {
            loss: m[0],
            accuracy,
            curl_loss: m[1],
            curl_accuracy,
            reward_loss: m[2],
            rows: rows as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drqv2::tests::{batch, tiny, TINY_OBS};
    use crate::drqv2::PolicyKind;
    use ocellus_core::AgentSteps;
    use std::collections::HashMap;
    use tch::Device;

    const A: i64 = 2;

    fn taco_agent(seed: u64) -> DrQV2Agent {
        let mut c = tiny();
        c.taco = Some(TacoRawConfig::default().to_config("test").unwrap());
        let shape = TINY_OBS;
        DrQV2Agent::new(c, shape, A, Device::Cpu, seed).unwrap()
    }

    fn copies(state: Vec<(String, Tensor)>) -> HashMap<String, Tensor> {
        state
            .into_iter()
            .map(|(k, t)| (k, t.detach().copy()))
            .collect()
    }

    #[test]
    fn empty_table_is_the_reference_and_bad_values_are_named() {
        let c: TacoRawConfig = toml::from_str("").unwrap();
        let t = c.to_config("test").unwrap();
        assert!(t.curl && t.reward);
        // latent_a_dim = int(1.25·A) + 1: 8 for 6 actions, 2 for 1, 3 for 2
        assert_eq!(
            (t.latent_dim(6), t.latent_dim(1), t.latent_dim(2)),
            (8, 2, 3)
        );
        assert_eq!(t.to_raw(), c);
        let bad: TacoRawConfig = toml::from_str("latent_action_dim = -1\nlr = 0.0").unwrap();
        let text = bad.to_config("x.toml").unwrap_err().to_string();
        assert!(
            text.contains("taco.latent_action_dim") && text.contains("taco.lr"),
            "{text}"
        );
        let mut raw = tiny().to_raw();
        raw.taco = Some(TacoRawConfig::default());
        raw.policy = PolicyKind::MaxEntropy;
        let err = raw.validate("x.toml").unwrap_err().to_string();
        assert!(err.contains("deterministic policy"), "{err}");
    }

    #[test]
    fn the_critic_reads_latent_actions() {
        let agent = taco_agent(1);
        let state: HashMap<String, Vec<i64>> = agent
            .state_dict()
            .into_iter()
            .map(|(k, t)| (k, t.size()))
            .collect();
        // feature 8 + d_a 3 (A = 2) into the Q heads; the action encoder 2 → 64 → 3
        assert_eq!(state["critic.q1.0.weight"], vec![32, 11]);
        assert_eq!(state["critic_target.q2.0.weight"], vec![32, 11]);
        assert_eq!(state["taco.action_encoder.0.weight"], vec![64, 2]);
        assert_eq!(state["taco.action_encoder.2.weight"], vec![3, 64]);
        // K·d_a = 9: sequence encoder 9 → 9, heads 8 + 9 → 32 → 8 | 1, W 8 × 8 in [0, 1)
        assert_eq!(state["taco.seq_encoder.linear.weight"], vec![9, 9]);
        assert_eq!(state["taco.proj_sa.0.weight"], vec![32, 17]);
        assert_eq!(state["taco.proj_sa.1.weight"], vec![8, 32]);
        assert_eq!(state["taco.reward.1.weight"], vec![1, 32]);
        let w = &agent.taco.as_ref().unwrap().w;
        assert_eq!(w.size(), [8, 8]);
        assert!(w.min().double_value(&[]) >= 0.0 && w.max().double_value(&[]) < 1.0);
    }

    /// The TACO loss of one step, recomputed by hand from the agent's own modules: the rows
    /// with a full window only, shifts drawn in the reference's order (anchor, positive,
    /// o_{t+K}), key from o_{t+K}, query from z_t and the encoded window actions, and
    /// `−mean_i log softmax(logits_i)_i` written out with logsumexp.
    #[test]
    fn the_taco_loss_is_infonce_of_window_actions_against_o_t_plus_k() {
        let mut agent = taco_agent(2);
        let b = batch(5);
        let full = Tensor::from_slice(&[0i64, 1, 2, 3, 4, 5, 6]); // row 7 is cut at m = 2
        let mut aug = ocellus_nn::RandomShift::new(agent.aug.pad, agent.aug.rng.clone());
        let taco = agent.taco.as_ref().unwrap();
        let (anchor, positive, next) = (
            aug.forward(&b.obs.index_select(0, &full)),
            aug.forward(&b.obs.index_select(0, &full)),
            aug.forward(&b.next_obs.index_select(0, &full)),
        );
        let (want_taco, want_curl, want_reward) = tch::no_grad(|| {
            let enc = |o: &Tensor| taco.proj_s.forward(&agent.encoder.forward(o));
            let (z, z_pos, z_next) = (enc(&anchor), enc(&positive), enc(&next));
            let acts = b.window_actions.as_ref().unwrap().index_select(0, &full); // [7, 3, 2]
            let u = taco.action_encoder.forward(&acts).reshape([7, 9]);
            let zs = Tensor::cat(&[z.shallow_clone(), taco.seq_encoder.forward(&u)], -1);
            let nce = |q: &Tensor, k: &Tensor| {
                let l = q.matmul(&taco.w).matmul(&k.tr()); // q W kᵀ (the row max cancels)
                let diag = l.diagonal(0, 0, 1);
                (l.logsumexp([1i64].as_slice(), false) - diag)
                    .mean(Kind::Float)
                    .double_value(&[])
            };
            let reward = b.reward.index_select(0, &full);
            let r = taco.reward.as_ref().unwrap().forward(&zs) - reward;
            (
                nce(&taco.proj_sa.forward(&zs), &z_next),
                nce(&z, &z_pos),
                r.square().mean(Kind::Float).double_value(&[]),
            )
        });
        let m = agent.taco_step(&b).unwrap();
        assert_eq!(m.rows, 7.0);
        for (got, want) in [
            (m.loss, want_taco),
            (m.curl_loss, want_curl),
            (m.reward_loss, want_reward),
        ] {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
        assert!((0.0..=1.0).contains(&m.accuracy) && (0.0..=1.0).contains(&m.curl_accuracy));
        // the shifts drew from the agent's own augmentation stream, as recomputed
        assert!(agent.aug.rng.state_tensor().equal(&aug.rng.state_tensor()));
    }

    #[test]
    fn an_update_trains_encoder_action_encoder_and_heads_and_resumes_bit_exactly() {
        let mut agent = taco_agent(3);
        let before = copies(agent.state_dict());
        let named = agent.update(&batch(1), AgentSteps(100)).named();
        for name in TACO_METRIC_NAMES {
            let v = named.iter().find(|(k, _)| *k == name).unwrap().1;
            assert!(v.is_finite(), "{name} = {v}");
        }
        let after = copies(agent.state_dict());
        let moved = |prefix: &str| {
            after
                .iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .all(|(k, t)| !before[k].equal(t))
        };
        for prefix in [
            "taco.action_encoder.",
            "taco.proj_s.linear.",
            "taco.proj_sa.",
            "taco.reward.",
            "taco.seq_encoder.linear.",
            "taco.W",
            "encoder.",
        ] {
            assert!(moved(prefix), "{prefix} did not move");
        }
        let t = agent.taco.as_ref().unwrap();
        assert_eq!((t.action_opt.steps(), t.opt.steps()), (1, 1));
        // the state round-trips and both copies continue identically
        let state: Vec<(String, Tensor)> = agent
            .state_dict()
            .into_iter()
            .map(|(k, t)| (k, t.detach().copy()))
            .collect();
        let mut twin = taco_agent(4);
        twin.load_state_dict(&state).unwrap();
        for step in 2..=3 {
            let a = agent.update(&batch(step), AgentSteps(100 + step)).named();
            let b = twin.update(&batch(step), AgentSteps(100 + step)).named();
            assert_eq!(a, b);
        }
        // a DrQ-v2 checkpoint is refused by name
        let plain = {
            let c = tiny();
            let shape = TINY_OBS;
            DrQV2Agent::new(c, shape, A, Device::Cpu, 1).unwrap()
        };
        let err = twin
            .load_state_dict(&plain.state_dict())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("critic.q1.0.weight") || err.contains("taco."),
            "{err}"
        );
    }
}
