//! DrQ-v2's actor and twin critic (the encoder is `ocellus_nn::ConvEncoder`: 4 × conv3x3,
//! strides 2, 1, 1, 1; the augmentation `ocellus_nn::RandomShift`, replicate padding
//! `aug_pad` and an integer crop per sample, applied to u8 frames before the encoder, with
//! independent shifts of o and o').

use ocellus_nn::init::init_linear;
use ocellus_nn::squashed_normal::bounded_log_std;
use ocellus_nn::{Mlp, Moe, MoeOutput, Rng, SquashedNormal, TopKGate, TruncatedNormal, Trunk};
use tch::{nn, Tensor};

use super::{DrQV2Config, PolicyKind};

/// `|μ|` above which an action component counts as saturated ([`super::ActorMetrics::saturation`]):
/// `tanh′ = 1 − μ² < 0.02` there.
pub const SATURATED_MEAN: f64 = 0.99;

/// Bounds of the max-entropy policy's log σ (denisyarats/drq `log_std_bounds: [-10, 2]`).
pub const LOG_STD_BOUNDS: (f64, f64) = (-10.0, 2.0);

/// MENTOR's policy body (suninghuang19/mentor @ f4fa81f, `agents/mentor.py::Actor`):
/// `Linear(feature_dim → hidden) → ReLU → MoE(hidden → hidden) → ReLU → Linear(hidden → out)`.
///
/// Variables (the reference's names): `policy1.0.*`, `moe.experts.{e}.{0,2}.*`,
/// `moe.gate.{0,3}.*`, `policy2.1.*`.
#[derive(Debug)]
pub struct MoeBody {
    /// `policy1`: the Linear before the MoE.
    pub input: nn::Linear,
    /// The mixture of experts ([`Moe`]).
    pub moe: Moe,
    /// `policy2`: the Linear after the MoE's ReLU.
    pub output: nn::Linear,
}

/// What maps the trunk's features to the policy's pre-tanh output.
#[derive(Debug)]
pub enum PolicyBody {
    /// DrQ-v2: `feature_dim → hidden → hidden → out` with ReLUs (variables `policy.{0,1,2}.*`).
    Mlp(Mlp),
    /// MENTOR: [`MoeBody`].
    Moe(MoeBody),
}

/// One forward pass of the actor in training ([`Actor::forward_train`]).
#[derive(Debug)]
pub struct ActorForward {
    /// The deterministic policy's action distribution.
    pub dist: TruncatedNormal,
    /// The pre-tanh output `x` `[B, A]` (μ = tanh x).
    pub preactivation: Tensor,
    /// The MoE's routing decision (MENTOR), for its auxiliary loss and expert loads.
    pub gate: Option<TopKGate>,
}

/// The policy: trunk → body → tanh, either deterministic with scheduled noise (DrQ-v2) or a
/// tanh-squashed Gaussian (DrQ/SAC, [`PolicyKind::MaxEntropy`]).
///
/// Variables: `trunk.{linear,norm}.*`, then `policy.{0,1,2}.*` or MENTOR's [`MoeBody`] names.
#[derive(Debug)]
pub struct Actor {
    /// `Linear(repr_dim → feature_dim) → LayerNorm → Tanh`.
    pub trunk: Trunk,
    /// `feature_dim → … → A` (deterministic) or `→ 2A` (max-entropy: μ, log σ).
    pub body: PolicyBody,
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
        let body = match &c.mentor {
            None => PolicyBody::Mlp(Mlp::new(
                &(p / "policy"),
                &[c.feature_dim, c.hidden_dim, c.hidden_dim, out],
                rng,
            )),
            Some(m) => {
                let linear = |q: nn::Path, i: i64, o: i64, rng: &mut Rng| {
                    let mut l = nn::linear(q, i, o, Default::default());
                    init_linear(&mut l, rng);
                    l
                };
                // reference order: trunk, policy1, policy2, then the MoE (Xavier), then
                // `self.apply(utils.weight_init)` re-initialises every Linear orthogonally
                let input = linear(p / "policy1" / "0", c.feature_dim, c.hidden_dim, rng);
                let output = linear(p / "policy2" / "1", c.hidden_dim, out, rng);
                let mut moe = Moe::new(&(p / "moe"), c.hidden_dim, c.hidden_dim, m.moe, rng)
                    .expect("MENTOR's sizes are validated with the config");
                moe.reinit_orthogonal(rng);
                PolicyBody::Moe(MoeBody { input, moe, output })
            }
        };
        Actor {
            trunk,
            body,
            kind: c.policy,
        }
    }

    /// The body's output `[B, out]` on trunk features `h`, and the MoE's routing (MENTOR).
    /// `dropout`: the generator of the gate's dropout mask in training, `None` in evaluation.
    fn body_forward(&self, h: &Tensor, dropout: Option<&mut Rng>) -> (Tensor, Option<TopKGate>) {
        match &self.body {
            PolicyBody::Mlp(mlp) => (mlp.forward(h), None),
            PolicyBody::Moe(b) => {
                let x = h.apply(&b.input).relu();
                let MoeOutput { output, gate } = b.moe.forward(&x, dropout);
                (output.relu().apply(&b.output), Some(gate))
            }
        }
    }

    /// `[B, repr_dim]` → the deterministic policy's action distribution: mean
    /// `tanh(body(trunk(h)))` `[B, A]`, standard deviation `stddev`, in evaluation mode (no
    /// dropout in MENTOR's gate).
    ///
    /// # Panics
    /// For a max-entropy actor (use [`Actor::squashed`]).
    pub fn forward(&self, features: &Tensor, stddev: f64) -> TruncatedNormal {
        self.forward_train(features, stddev, None).dist
    }

    /// [`Actor::forward`] in training mode: with `dropout` the MoE gate's dropout mask is
    /// drawn from it (MENTOR; the reference's actor is always in training mode outside
    /// evaluation). Also returns the pre-tanh output and the routing decision.
    ///
    /// # Panics
    /// For a max-entropy actor (use [`Actor::squashed`]).
    pub fn forward_train(
        &self,
        features: &Tensor,
        stddev: f64,
        dropout: Option<&mut Rng>,
    ) -> ActorForward {
        assert_eq!(
            self.kind,
            PolicyKind::Deterministic,
            "a deterministic actor"
        );
        let (x, gate) = self.body_forward(&self.trunk.forward(features), dropout);
        ActorForward {
            dist: TruncatedNormal::new(x.tanh(), stddev),
            preactivation: x,
            gate,
        }
    }

    /// `[B, repr_dim]` → the max-entropy policy `tanh(N(μ, σ))` with μ and log σ (squashed
    /// into [`LOG_STD_BOUNDS`]) from the body's two halves.
    ///
    /// # Panics
    /// For a deterministic actor (use [`Actor::forward`]).
    pub fn squashed(&self, features: &Tensor) -> SquashedNormal {
        assert_eq!(self.kind, PolicyKind::MaxEntropy, "a max-entropy actor");
        let (out, _) = self.body_forward(&self.trunk.forward(features), None); // [B, 2A]
        let halves = out.chunk(2, -1);
        let (min, max) = LOG_STD_BOUNDS;
        SquashedNormal::new(
            halves[0].shallow_clone(),
            bounded_log_std(&halves[1], min, max),
        )
    }

    /// What DrM's dormant ratio sees of each Linear layer: the trunk Linear's output before
    /// LayerNorm, every hidden layer's output **after** its ReLU, and the last layer's output
    /// before tanh; for MENTOR's body also every Linear of the MoE ([`Moe::linear_outputs`]).
    ///
    /// `utils.py::cal_dormant_ratio` registers forward hooks on the actor's `nn.Linear`
    /// modules, which keep references to the output tensors, and reads them after the forward
    /// pass. The hidden layers are followed by `nn.ReLU(inplace=True)`, which overwrites those
    /// very tensors, so the reference scores the hidden neurons on their activations (Sokar et
    /// al. 2023's and the DrM paper's definition, Def. 2.1: a ReLU neuron that is negative on
    /// the whole batch is dormant). LayerNorm and `torch.tanh` are not in place, so the trunk
    /// and output layers are scored before them; MENTOR's `policy2` starts with an in-place
    /// ReLU on the MoE's output, which is not a Linear output, so no hook sees it.
    pub fn linear_outputs(&self, features: &Tensor) -> Vec<Tensor> {
        let (pre, h) = self.trunk.forward_activations(features);
        let mut out = vec![pre];
        match &self.body {
            PolicyBody::Mlp(mlp) => {
                let policy = mlp.forward_activations(&h);
                let last = policy.len() - 1;
                out.extend(
                    policy
                        .into_iter()
                        .enumerate()
                        .map(|(i, a)| if i < last { a.relu() } else { a }),
                );
            }
            PolicyBody::Moe(b) => {
                let x = h.apply(&b.input).relu();
                out.push(x.shallow_clone());
                let (y, moe_outputs) = b.moe.forward_with_linear_outputs(&x);
                out.extend(moe_outputs);
                out.push(y.relu().apply(&b.output));
            }
        }
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
