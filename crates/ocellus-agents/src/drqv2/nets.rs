//! DrQ-v2's actor and twin critic (the encoder is `ocellus_nn::ConvEncoder`: 4 × conv3x3,
//! strides 2, 1, 1, 1; the augmentation `ocellus_nn::RandomShift`, replicate padding
//! `aug_pad` and an integer crop per sample, applied to u8 frames before the encoder, with
//! independent shifts of o and o').

use ocellus_nn::squashed_normal::bounded_log_std;
use ocellus_nn::{Mlp, Rng, SquashedNormal, TruncatedNormal, Trunk};
use tch::{nn, Tensor};

use super::{DrQV2Config, PolicyKind};

/// `|μ|` above which an action component counts as saturated ([`super::ActorMetrics::saturation`]):
/// `tanh′ = 1 − μ² < 0.02` there.
pub const SATURATED_MEAN: f64 = 0.99;

/// Bounds of the max-entropy policy's log σ (denisyarats/drq `log_std_bounds: [-10, 2]`).
pub const LOG_STD_BOUNDS: (f64, f64) = (-10.0, 2.0);

/// The policy: trunk → MLP → tanh, either deterministic with scheduled noise (DrQ-v2) or a
/// tanh-squashed Gaussian (DrQ/SAC, [`PolicyKind::MaxEntropy`]).
///
/// Variables: `trunk.{linear,norm}.*`, `policy.{0,1,2}.*`.
#[derive(Debug)]
pub struct Actor {
    /// `Linear(repr_dim → feature_dim) → LayerNorm → Tanh`.
    pub trunk: Trunk,
    /// `feature_dim → hidden → hidden → A` (deterministic) or `→ 2A` (max-entropy: μ, log σ).
    pub policy: Mlp,
    kind: PolicyKind,
}

impl Actor {
    pub(super) fn new(
        p: &nn::Path,
        repr_dim: i64,
        action_dim: i64,
        c: &DrQV2Config,
        rng: &mut Rng,
    ) -> Self {
        let trunk = Trunk::new(&(p / "trunk"), repr_dim, c.feature_dim, rng);
        let out = match c.policy {
            PolicyKind::Deterministic => action_dim,
            PolicyKind::MaxEntropy => 2 * action_dim,
        };
        let policy = Mlp::new(
            &(p / "policy"),
            &[c.feature_dim, c.hidden_dim, c.hidden_dim, out],
            rng,
        );
        Actor {
            trunk,
            policy,
            kind: c.policy,
        }
    }

    /// `[B, repr_dim]` → the deterministic policy's action distribution: mean
    /// `tanh(MLP(trunk(h)))` `[B, A]`, standard deviation `stddev`.
    ///
    /// # Panics
    /// For a max-entropy actor (use [`Actor::squashed`]).
    pub fn forward(&self, features: &Tensor, stddev: f64) -> TruncatedNormal {
        self.forward_with_preactivation(features, stddev).0
    }

    /// [`Actor::forward`] and the pre-tanh output `x` `[B, A]` (μ = tanh x).
    ///
    /// # Panics
    /// For a max-entropy actor (use [`Actor::squashed`]).
    pub fn forward_with_preactivation(
        &self,
        features: &Tensor,
        stddev: f64,
    ) -> (TruncatedNormal, Tensor) {
        assert_eq!(
            self.kind,
            PolicyKind::Deterministic,
            "a deterministic actor"
        );
        let x = self.policy.forward(&self.trunk.forward(features));
        (TruncatedNormal::new(x.tanh(), stddev), x)
    }

    /// `[B, repr_dim]` → the max-entropy policy `tanh(N(μ, σ))` with μ and log σ (squashed
    /// into [`LOG_STD_BOUNDS`]) from the MLP's two halves.
    ///
    /// # Panics
    /// For a deterministic actor (use [`Actor::forward`]).
    pub fn squashed(&self, features: &Tensor) -> SquashedNormal {
        assert_eq!(self.kind, PolicyKind::MaxEntropy, "a max-entropy actor");
        let out = self.policy.forward(&self.trunk.forward(features)); // [B, 2A]
        let halves = out.chunk(2, -1);
        let (min, max) = LOG_STD_BOUNDS;
        SquashedNormal::new(
            halves[0].shallow_clone(),
            bounded_log_std(&halves[1], min, max),
        )
    }

    /// What DrM's dormant ratio sees of each Linear layer (trunk, then the three policy
    /// layers): the trunk Linear's output before LayerNorm, the two hidden policy layers'
    /// outputs **after** their ReLU, and the last layer's output before tanh.
    ///
    /// `utils.py::cal_dormant_ratio` registers forward hooks on the actor's `nn.Linear`
    /// modules, which keep references to the output tensors, and reads them after the forward
    /// pass. The hidden layers are followed by `nn.ReLU(inplace=True)`, which overwrites those
    /// very tensors, so the reference scores the hidden neurons on their activations (Sokar et
    /// al. 2023's and the DrM paper's definition, Def. 2.1: a ReLU neuron that is negative on
    /// the whole batch is dormant). LayerNorm and `torch.tanh` are not in place, so the trunk
    /// and output layers are scored before them.
    pub fn linear_outputs(&self, features: &Tensor) -> Vec<Tensor> {
        let (pre, h) = self.trunk.forward_activations(features);
        let mut out = vec![pre];
        let policy = self.policy.forward_activations(&h);
        let last = policy.len() - 1;
        out.extend(
            policy
                .into_iter()
                .enumerate()
                .map(|(i, a)| if i < last { a.relu() } else { a }),
        );
        out
    }

    /// The evaluation action `[B, A]` of either policy: its mean `tanh(μ(h))`.
    pub fn mean_action(&self, features: &Tensor) -> Tensor {
        match self.kind {
            PolicyKind::Deterministic => self.forward(features, 0.0).mean(),
            PolicyKind::MaxEntropy => self.squashed(features).mean(),
        }
    }
}

/// Twin Q-functions on a shared trunk.
///
/// Variables: `trunk.{linear,norm}.*`, `q1.{0,1,2}.*`, `q2.{0,1,2}.*`.
#[derive(Debug)]
pub struct Critic {
    /// `Linear(repr_dim → feature_dim) → LayerNorm → Tanh`.
    pub trunk: Trunk,
    /// `feature_dim + A → hidden → hidden → 1`.
    pub q1: Mlp,
    /// Same shape as `q1`, separately initialised.
    pub q2: Mlp,
}

impl Critic {
    pub(super) fn new(
        p: &nn::Path,
        repr_dim: i64,
        action_dim: i64,
        c: &DrQV2Config,
        rng: &mut Rng,
    ) -> Self {
        let trunk = Trunk::new(&(p / "trunk"), repr_dim, c.feature_dim, rng);
        let dims = [c.feature_dim + action_dim, c.hidden_dim, c.hidden_dim, 1];
        let q1 = Mlp::new(&(p / "q1"), &dims, rng);
        let q2 = Mlp::new(&(p / "q2"), &dims, rng);
        Critic { trunk, q1, q2 }
    }

    /// `([B, repr_dim], [B, A])` → `(Q1, Q2)`, each `[B, 1]`.
    pub fn forward(&self, features: &Tensor, action: &Tensor) -> (Tensor, Tensor) {
        let h = self.trunk.forward(features); // [B, feature_dim]
        let ha = Tensor::cat(&[h, action.shallow_clone()], -1); // [B, feature_dim + A]
        (self.q1.forward(&ha), self.q2.forward(&ha))
    }
}
