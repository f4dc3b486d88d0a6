//! MENTOR's mixture of experts: top-k gating with renormalised weights, its two auxiliary
//! losses, the expert load metric, and the [`Moe`] layer of its actor.
//!
//! Paper: Huang et al., "MENTOR: Mixture-of-Experts Network with Task-Oriented Perturbation for
//! Visual Reinforcement Learning", ICML 2025, arXiv 2410.14972.
//!
//! Reference code: suninghuang19/mentor @ f4fa81f, `moe.py::MoE` (`forward`,
//! `moe_auxiliary_loss`, `_init_weights`) and `cfgs/agent/mentor.yaml` (`num_experts: 16`,
//! `top_k: 4`, `moe_hidden_dim: 256`, `moe_gate_dim: 256`, `dropout: 0.1`):
//!
//! | formula | reference (`moe.py::MoE`) |
//! |---|---|
//! | p = softmax(gate(x)) over all E experts, `[B, E]` | `forward`: `F.softmax(gate_scores_logits, dim=1)` |
//! | top-k of p, then w_j = p_j / (Σ_{top-k} p + 1e-9) | `forward`: `torch.topk(gate_scores, top_k)`, `scaled /= top_k_scores.sum(1) + 1e-9` |
//! | y = Σ_{j ∈ top-k} w_j · expert_j(x), every expert evaluated densely | `forward` |
//! | load_e = #{(b, j): index_bj = e} / (B + 1e-9); L_balance = Var(load) (unbiased, over E) | `moe_auxiliary_loss`: `one_hot(...).sum([0, 1]) / (B + 1e-9)`, `.var()` |
//! | L_entropy = mean_b (−Σ_e p_be ln(p_be + 1e-9)) | `moe_auxiliary_loss` |
//! | L_aux = 1.0·L_balance + 1.0·L_entropy, added unscaled to the actor loss | `moe_auxiliary_loss`; `agents/mentor.py::update_actor` |
//! | usage_e = #{(b, j): index_bj = e} / B (logged as `expert_{e}_usage_rate`) | `forward` (`metrics`) |
//! | expert = Linear(in → 256) → ReLU → Linear(256 → out); gate = Linear(in → 256) → ReLU → Dropout(0.1) → Linear(256 → E); Xavier-uniform weights, zero biases | `__init__`, `_init_weights` |
//!
//! So MENTOR takes the softmax over **all** experts and renormalises the k selected
//! probabilities (not a softmax over the k selected logits; the two give the same weights, but
//! the entropy term uses the full softmax). The loads count top-k assignments, so they sum to
//! k, not to 1. `L_balance` is built from indices and carries **no gradient**; only the entropy
//! term trains the gate, and it rewards *confident* gates (it is minimised).
//!
//! # Deviations from the reference code
//! 1. **Ties.** `torch.topk` does not specify which of equal values comes first. Here the
//!    top k are taken by a stable descending sort, so among equal probabilities the lower
//!    expert index wins and comes first.
//! 2. **Dropout** in the gate draws its mask from an explicit [`Rng`] (Bernoulli(1 − p) scaled
//!    by 1/(1 − p), as `nn.Dropout` in training mode); without a generator the gate runs in
//!    evaluation mode.
//! 3. **Names.** Variables are `experts.{e}.0.*`, `experts.{e}.2.*` (as the reference's
//!    `Sequential` indices) and `gate.0.*`, `gate.3.*` (the reference nests the gate in a
//!    `ModuleList`: `gate.0.0.*`, `gate.0.3.*`).

use tch::{nn, Kind, Tensor};

use crate::error::{check_range, InputError};
use crate::init::init_linear;
use crate::rng::Rng;

/// The ε MENTOR adds to the top-k sum, the load denominator and inside the entropy's log.
pub const MOE_EPS: f64 = 1e-9;

/// A top-k routing decision for a batch.
#[derive(Debug)]
pub struct TopKGate {
    /// Softmax over all experts, `[B, E]`.
    pub probs: Tensor,
    /// Renormalised weights of the selected experts, `[B, k]`, largest first (sum ≈ 1).
    pub weights: Tensor,
    /// The selected experts, `[B, k]` int64, in the order of `weights`.
    pub indices: Tensor,
}

/// Top-k gating of `logits` `[B, E]`: softmax over all E, keep the k largest probabilities
/// (ties to the lower index), divide them by their sum + 1e-9. Gradients flow from `weights`
/// and `probs` into `logits`.
///
/// # Errors
/// If `logits` is not a floating-point `[B, E]` tensor with `B, E ≥ 1`, or `k` is not in
/// `1..=E`.
pub fn top_k_gate(logits: &Tensor, k: i64) -> Result<TopKGate, InputError> {
    let s = logits.size();
    if s.len() != 2 || s.iter().any(|&d| d < 1) || !logits.is_floating_point() {
        return Err(InputError::shape(
            "logits",
            logits,
            "[B, E] float with B, E ≥ 1",
        ));
    }
    if k < 1 || k > s[1] {
        return Err(InputError::Value {
            name: "k",
            value: k as f64,
            allowed: "1..=E (the number of experts)",
        });
    }
    let probs = logits.softmax(1, logits.kind());
    // stable descending sort: equal probabilities keep ascending expert order (Deviation 1)
    let (sorted, order) = probs.sort_stable(true, 1, true);
    let top = sorted.narrow(1, 0, k);
    let indices = order.narrow(1, 0, k);
    // reference: scaled /= (top_k_scores.sum(dim=1, keepdim=True) + 1e-9)
    let weights = &top / (top.sum_dim_intlist(1, true, top.kind()) + MOE_EPS);
    Ok(TopKGate {
        probs,
        weights,
        indices,
    })
}

/// Per-expert assignment counts of `indices` `[B, k]`, as f32 `[E]`.
fn assignment_counts(indices: &Tensor, num_experts: i64) -> Result<Tensor, InputError> {
    let s = indices.size();
    if s.len() != 2 || s.iter().any(|&d| d < 1) || indices.kind() != Kind::Int64 {
        return Err(InputError::shape(
            "indices",
            indices,
            "[B, k] int64 with B, k ≥ 1",
        ));
    }
    if num_experts < 1 {
        return Err(InputError::Value {
            name: "num_experts",
            value: num_experts as f64,
            allowed: "≥ 1",
        });
    }
    let (min, max) = (
        indices.min().int64_value(&[]),
        indices.max().int64_value(&[]),
    );
    if min < 0 || max >= num_experts {
        return Err(InputError::Value {
            name: "indices",
            value: if min < 0 { min } else { max } as f64,
            allowed: "0..num_experts",
        });
    }
    // reference: one_hot(top_k_indices, E).float().sum(dim=[0, 1])
    Ok(indices
        .one_hot(num_experts)
        .to_kind(Kind::Float)
        .sum_dim_intlist(&[0i64, 1][..], false, Kind::Float))
}

/// Expert load as a metric: the fraction of the batch routed to each expert, `[E]`
/// (count / B; MENTOR's `expert_{e}_usage_rate`). With top-k routing the loads sum to k.
///
/// # Errors
/// If `indices` is not a non-empty `[B, k]` int64 tensor with values in `0..num_experts`.
pub fn expert_load(indices: &Tensor, num_experts: i64) -> Result<Tensor, InputError> {
    let counts = assignment_counts(indices, num_experts)?;
    Ok(counts / indices.size()[0] as f64)
}

/// MENTOR's load-balance loss: the unbiased variance over the E experts of
/// `count_e / (B + 1e-9)`. It has no gradient (it is built from indices).
///
/// # Errors
/// As [`expert_load`], and if `num_experts < 2` (the unbiased variance of one value is
/// undefined).
pub fn load_balance_loss(indices: &Tensor, num_experts: i64) -> Result<Tensor, InputError> {
    if num_experts < 2 {
        return Err(InputError::Value {
            name: "num_experts",
            value: num_experts as f64,
            allowed: "≥ 2 for a variance",
        });
    }
    let counts = assignment_counts(indices, num_experts)?;
    // reference: expert_load = one_hot.sum([0, 1]) / (batch_size + 1e-9); expert_load.var()
    let load = counts / (indices.size()[0] as f64 + MOE_EPS);
    Ok(load.var(true))
}

/// MENTOR's entropy loss: `mean_b (−Σ_e p_be · ln(p_be + 1e-9))` of the gate probabilities
/// `probs` `[B, E]` (differentiable).
///
/// # Errors
/// If `probs` is not a floating-point `[B, E]` tensor with `B, E ≥ 1`.
pub fn gate_entropy(probs: &Tensor) -> Result<Tensor, InputError> {
    let s = probs.size();
    if s.len() != 2 || s.iter().any(|&d| d < 1) || !probs.is_floating_point() {
        return Err(InputError::shape(
            "probs",
            probs,
            "[B, E] float with B, E ≥ 1",
        ));
    }
    // reference: -(gate_scores * torch.log(gate_scores + 1e-9)).sum(dim=1).mean()
    let h = -(probs * (probs + MOE_EPS).log()).sum_dim_intlist(1, false, probs.kind());
    Ok(h.mean(probs.kind()))
}

/// MENTOR's auxiliary loss `1.0·load_balance_loss + 1.0·gate_entropy` of a routing decision
/// over `num_experts` experts.
///
/// # Errors
/// As [`load_balance_loss`] and [`gate_entropy`].
pub fn moe_aux_loss(gate: &TopKGate, num_experts: i64) -> Result<Tensor, InputError> {
    Ok(load_balance_loss(&gate.indices, num_experts)? + gate_entropy(&gate.probs)?)
}

/// Sizes of a [`Moe`] layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MoeConfig {
    /// E, `num_experts` (16).
    pub num_experts: i64,
    /// k, `top_k` (4).
    pub top_k: i64,
    /// Width of each expert's hidden layer, `moe_hidden_dim` (256).
    pub hidden_dim: i64,
    /// Width of the gate's hidden layer, `moe_gate_dim` (256).
    pub gate_dim: i64,
    /// Dropout probability after the gate's hidden layer, `dropout` (0.1).
    pub dropout: f64,
}

impl MoeConfig {
    /// `cfgs/agent/mentor.yaml`: 16 experts, top 4, hidden 256, gate 256, dropout 0.1.
    pub fn mentor() -> Self {
        MoeConfig {
            num_experts: 16,
            top_k: 4,
            hidden_dim: 256,
            gate_dim: 256,
            dropout: 0.1,
        }
    }
}

/// The output of [`Moe::forward`].
#[derive(Debug)]
pub struct MoeOutput {
    /// `Σ_j w_j · expert_j(x)`, `[B, out]`.
    pub output: Tensor,
    /// The routing decision (for [`moe_aux_loss`] and [`expert_load`]).
    pub gate: TopKGate,
}

/// MENTOR's MoE layer (in MENTOR's actor: 1024 → 1024 between `policy1` and `policy2`).
#[derive(Debug)]
pub struct Moe {
    config: MoeConfig,
    experts: Vec<(nn::Linear, nn::Linear)>,
    gate_hidden: nn::Linear,
    gate_out: nn::Linear,
}

/// `nn.init.xavier_uniform_` (gain 1): U(−a, a), a = √(6 / (fan_in + fan_out)), from `rng`;
/// bias 0 (`nn.init.constant_(m.bias, 0)`).
fn xavier_linear(p: nn::Path, in_dim: i64, out_dim: i64, rng: &mut Rng) -> nn::Linear {
    let mut l = nn::linear(p, in_dim, out_dim, Default::default());
    let a = (6.0 / (in_dim + out_dim) as f64).sqrt();
    let w = rng.uniform_tensor(&[out_dim, in_dim], -a, a, l.ws.device());
    tch::no_grad(|| {
        l.ws.copy_(&w);
        if let Some(b) = l.bs.as_mut() {
            let _ = b.zero_();
        }
    });
    l
}

impl Moe {
    /// A layer `in_dim → out_dim` under `p`, initialised from `rng` (experts in order, then the
    /// gate).
    ///
    /// # Errors
    /// If a size is < 1, `top_k` is not in `1..=num_experts`, or `dropout` is outside `[0, 1)`.
    pub fn new(
        p: &nn::Path,
        in_dim: i64,
        out_dim: i64,
        config: MoeConfig,
        rng: &mut Rng,
    ) -> Result<Self, InputError> {
        for (name, v) in [
            ("in_dim", in_dim),
            ("out_dim", out_dim),
            ("num_experts", config.num_experts),
            ("hidden_dim", config.hidden_dim),
            ("gate_dim", config.gate_dim),
        ] {
            if v < 1 {
                return Err(InputError::Value {
                    name,
                    value: v as f64,
                    allowed: "≥ 1",
                });
            }
        }
        if config.top_k < 1 || config.top_k > config.num_experts {
            return Err(InputError::Value {
                name: "top_k",
                value: config.top_k as f64,
                allowed: "1..=num_experts",
            });
        }
        check_range("dropout", config.dropout, 0.0, 1.0 - f64::EPSILON, "[0, 1)")?;
        let experts = (0..config.num_experts)
            .map(|e| {
                let q = p / "experts" / e;
                let first = xavier_linear(&q / "0", in_dim, config.hidden_dim, rng);
                let second = xavier_linear(&q / "2", config.hidden_dim, out_dim, rng);
                (first, second)
            })
            .collect();
        let g = p / "gate";
        let gate_hidden = xavier_linear(&g / "0", in_dim, config.gate_dim, rng);
        let gate_out = xavier_linear(&g / "3", config.gate_dim, config.num_experts, rng);
        Ok(Moe {
            config,
            experts,
            gate_hidden,
            gate_out,
        })
    }

    /// The sizes.
    pub fn config(&self) -> &MoeConfig {
        &self.config
    }

    /// Re-initialises every Linear layer as DrQ-v2 does (orthogonal weight, zero bias), experts
    /// in order, then the gate. MENTOR's `Actor.__init__` ends with
    /// `self.apply(utils.weight_init)`, which overwrites the Xavier init of the MoE it contains,
    /// so this is the init the reference's actor actually starts from.
    pub fn reinit_orthogonal(&mut self, rng: &mut Rng) {
        for (a, b) in &mut self.experts {
            init_linear(a, rng);
            init_linear(b, rng);
        }
        init_linear(&mut self.gate_hidden, rng);
        init_linear(&mut self.gate_out, rng);
    }

    /// What a forward hook on each Linear layer of the layer sees in the reference (evaluation
    /// mode, no dropout), experts in order then the gate: an expert's first layer and the
    /// gate's hidden layer **after** their `ReLU(inplace=True)` (which overwrites the hooked
    /// tensor), an expert's second layer and the gate's output layer as computed. This is what
    /// DrM's dormant ratio scores for MENTOR's actor (`utils.py::cal_dormant_ratio` hooks
    /// every `nn.Linear` of the actor, the MoE's included).
    pub fn linear_outputs(&self, x: &Tensor) -> Vec<Tensor> {
        self.forward_with_linear_outputs(x).1
    }

    /// [`Moe::forward`] in evaluation mode and [`Moe::linear_outputs`] from one pass over the
    /// experts (the dormant ratio of MENTOR's actor needs both).
    pub fn forward_with_linear_outputs(&self, x: &Tensor) -> (Tensor, Vec<Tensor>) {
        let mut out = Vec::with_capacity(2 * self.experts.len() + 2);
        let mut expert_outputs = Vec::with_capacity(self.experts.len());
        for (a, b) in &self.experts {
            let h = x.apply(a).relu();
            let y = h.apply(b);
            out.push(y.shallow_clone());
            out.push(h);
            expert_outputs.push(y);
        }
        let g = x.apply(&self.gate_hidden).relu();
        let logits = g.apply(&self.gate_out);
        out.push(logits.shallow_clone());
        out.push(g);
        let gate = top_k_gate(&logits, self.config.top_k)
            .expect("the gate's logits are [B, E] and 1 ≤ top_k ≤ E (checked in new)");
        (self.combine(&expert_outputs, &gate), out)
    }

    /// `Σ_j w_j · expert_j(x)` from every expert's output `[B, out]` and the routing.
    fn combine(&self, expert_outputs: &[Tensor], gate: &TopKGate) -> Tensor {
        let outs = Tensor::stack(expert_outputs, 0).permute([1, 0, 2]); // [B, E, out]
        let (b, out_dim) = (outs.size()[0], outs.size()[2]);
        // selected outputs [B, k, out]
        let idx = gate
            .indices
            .unsqueeze(2)
            .expand([b, self.config.top_k, out_dim], false);
        let selected = outs.gather(1, &idx, false);
        (selected * gate.weights.unsqueeze(2)).sum_dim_intlist(1, false, outs.kind())
    }

    /// `x` `[B, in]` → `[B, out]` and the routing. `dropout_rng`: `Some` in training (the
    /// gate's dropout mask is drawn from it), `None` in evaluation.
    pub fn forward(&self, x: &Tensor, dropout_rng: Option<&mut Rng>) -> MoeOutput {
        // gate: Linear → ReLU → Dropout → Linear
        let h = x.apply(&self.gate_hidden).relu();
        let p = self.config.dropout;
        let h = match dropout_rng {
            // nn.Dropout in training: keep with probability 1 − p, scale by 1/(1 − p)
            // (not in place: ReLU's backward needs its output)
            Some(rng) if p > 0.0 => {
                let u = rng.uniform_tensor(&h.size(), 0.0, 1.0, h.device());
                let keep = u.ge(p).to_kind(h.kind()) / (1.0 - p);
                h * keep
            }
            _ => h,
        };
        let logits = h.apply(&self.gate_out);
        let gate = top_k_gate(&logits, self.config.top_k)
            .expect("the gate's logits are [B, E] and 1 ≤ top_k ≤ E (checked in new)");
        // every expert densely, then y = Σ_j w_j · expert_j(x) over the selected ones
        let outs: Vec<Tensor> = self
            .experts
            .iter()
            .map(|(a, b)| x.apply(a).relu().apply(b))
            .collect();
        let output = self.combine(&outs, &gate);
        MoeOutput { output, gate }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{mat, rows};
    use tch::Device;

    fn close(a: &[Vec<f32>], b: &[&[f32]]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                x.len() == y.len() && x.iter().zip(*y).all(|(u, v)| (u - v).abs() < 1e-6)
            })
    }

    #[test]
    fn top_k_renormalises_the_selected_probabilities() {
        // logits [0, ln 2, ln 2, ln 3] → softmax = [1, 2, 2, 3]/8
        let (l2, l3) = (2f32.ln(), 3f32.ln());
        let logits = mat(&[&[0.0, l2, l2, l3]]);
        // k = 2: expert 3 (3/8), then the tie 1 vs 2 (2/8 each) goes to 1
        // weights = [3/8, 2/8] / (5/8) = [0.6, 0.4]
        let g = top_k_gate(&logits, 2).unwrap();
        assert_eq!(rows::<i64>(&g.indices), vec![vec![3, 1]]);
        assert!(close(&rows(&g.weights), &[&[0.6, 0.4]]));
        assert!(close(&rows(&g.probs), &[&[0.125, 0.25, 0.25, 0.375]]));
        // k = 3 takes both tied experts: [3/8, 2/8, 2/8]/(7/8) = [3/7, 2/7, 2/7]
        let g = top_k_gate(&logits, 3).unwrap();
        assert_eq!(rows::<i64>(&g.indices), vec![vec![3, 1, 2]]);
        assert!(close(
            &rows(&g.weights),
            &[&[3.0 / 7.0, 2.0 / 7.0, 2.0 / 7.0]]
        ));
        // k = E: the full softmax, reordered
        let g = top_k_gate(&logits, 4).unwrap();
        assert_eq!(rows::<i64>(&g.indices), vec![vec![3, 1, 2, 0]]);
        assert!(close(&rows(&g.weights), &[&[0.375, 0.25, 0.25, 0.125]]));
        // all equal: the first k experts, equal weights
        let g = top_k_gate(&mat(&[&[1.0, 1.0, 1.0]]), 2).unwrap();
        assert_eq!(rows::<i64>(&g.indices), vec![vec![0, 1]]);
        assert!(close(&rows(&g.weights), &[&[0.5, 0.5]]));
    }

    #[test]
    fn aux_losses_on_a_two_by_four_example() {
        // row 0: logits [0, ln 2, ln 2, ln 3] → p = [1, 2, 2, 3]/8, top-2 = [3, 1]
        // row 1: logits [ln 4, 0, 0, ln 2]    → p = [4, 1, 1, 2]/8, top-2 = [0, 3]
        let (l2, l3, l4) = (2f32.ln(), 3f32.ln(), 4f32.ln());
        let logits = mat(&[&[0.0, l2, l2, l3], &[l4, 0.0, 0.0, l2]]).set_requires_grad(true);
        let g = top_k_gate(&logits, 2).unwrap();
        assert_eq!(rows::<i64>(&g.indices), vec![vec![3, 1], vec![0, 3]]);
        // counts per expert: [1, 1, 0, 2]; load = counts/B = [0.5, 0.5, 0, 1] (sums to k = 2)
        let load = expert_load(&g.indices, 4).unwrap();
        assert_eq!(
            Vec::<f32>::try_from(&load).unwrap(),
            vec![0.5, 0.5, 0.0, 1.0]
        );
        // balance: mean 0.5, squared deviations [0, 0, 0.25, 0.25], unbiased var = 0.5/3
        let bal = load_balance_loss(&g.indices, 4).unwrap().double_value(&[]);
        assert!((bal - 0.5 / 3.0).abs() < 1e-6, "{bal}");
        // entropy row 0: (1/8)ln 8 + 2·(1/4)ln 4 + (3/8)ln(8/3) = 1.3208883
        // entropy row 1: (1/2)ln 2 + 2·(1/8)ln 8 + (1/4)ln 4 = 1.2130076
        // mean = 1.2669480 (the +1e-9 inside the log moves it by < 1e-8)
        let ent = gate_entropy(&g.probs).unwrap().double_value(&[]);
        assert!((ent - 1.266_947_954_564_613).abs() < 1e-6, "{ent}");
        // total = 0.1666667 + 1.2669480 = 1.4336146
        let aux = moe_aux_loss(&g, 4).unwrap();
        assert!((aux.double_value(&[]) - 1.433_614_621_231_28).abs() < 1e-6);
        // only the entropy term has a gradient; it reaches the gate logits
        assert!(!load_balance_loss(&g.indices, 4).unwrap().requires_grad());
        assert!(aux.requires_grad());
    }

    #[test]
    fn bad_routing_input_is_an_error() {
        let logits = mat(&[&[0.0, 1.0]]);
        assert!(top_k_gate(&logits, 0).is_err());
        assert!(top_k_gate(&logits, 3).is_err());
        let idx = Tensor::from_slice(&[0i64, 5]).view([1, 2]);
        assert!(matches!(
            expert_load(&idx, 4),
            Err(InputError::Value {
                name: "indices",
                ..
            })
        ));
        let idx = Tensor::from_slice(&[0i64, 1]).view([1, 2]);
        assert!(load_balance_loss(&idx, 1).is_err());
        assert!(expert_load(&idx.to_kind(Kind::Float), 4).is_err());
    }

    fn set(l: &nn::Linear, w: &[&[f32]], b: &[f32]) {
        tch::no_grad(|| {
            l.ws.shallow_clone().copy_(&mat(w));
            l.bs.as_ref()
                .unwrap()
                .shallow_clone()
                .copy_(&Tensor::from_slice(b));
        });
    }

    #[test]
    fn all_experts_selected_is_the_softmax_weighted_sum() {
        let vs = nn::VarStore::new(Device::Cpu);
        let config = MoeConfig {
            num_experts: 2,
            top_k: 2,
            hidden_dim: 2,
            gate_dim: 2,
            dropout: 0.0,
        };
        let mut moe = Moe::new(&vs.root(), 2, 2, config, &mut Rng::new(0, 0)).unwrap();
        // gate: h = relu(0·x + [1, 0]) = [1, 0]; logits = [[0, 0], [ln 3, 0]]·h = [0, ln 3]
        // → p = [1/4, 3/4]
        set(&moe.gate_hidden, &[&[0.0, 0.0], &[0.0, 0.0]], &[1.0, 0.0]);
        set(
            &moe.gate_out,
            &[&[0.0, 0.0], &[3f32.ln(), 0.0]],
            &[0.0, 0.0],
        );
        // expert 0: relu(I·x) then I → relu(x); expert 1: relu(−I·x) then I + [1, 1]
        let id: &[&[f32]] = &[&[1.0, 0.0], &[0.0, 1.0]];
        set(&moe.experts[0].0, id, &[0.0, 0.0]);
        set(&moe.experts[0].1, id, &[0.0, 0.0]);
        set(
            &moe.experts[1].0,
            &[&[-1.0, 0.0], &[0.0, -1.0]],
            &[0.0, 0.0],
        );
        set(&moe.experts[1].1, id, &[1.0, 1.0]);
        // x = [1, −2]: expert 0 → [1, 0]; expert 1 → relu([−1, 2]) + 1 = [1, 3]
        // y = 1/4·[1, 0] + 3/4·[1, 3] = [1, 2.25]
        let x = mat(&[&[1.0, -2.0]]);
        let out = moe.forward(&x, None);
        assert!(close(&rows(&out.output), &[&[1.0, 2.25]]), "{}", out.output);
        // the dormant-ratio pass gives the same output and each Linear's hooked tensor:
        // expert 0: second [1, 0], first (after ReLU) [1, 0]; expert 1: [1, 3] and [0, 2];
        // gate: logits [0, ln 3], hidden (after ReLU) [1, 0]
        let (y, hooked) = moe.forward_with_linear_outputs(&x);
        assert!(close(&rows(&y), &[&[1.0, 2.25]]), "{y}");
        let want: [&[f32]; 6] = [
            &[1.0, 0.0],
            &[1.0, 0.0],
            &[1.0, 3.0],
            &[0.0, 2.0],
            &[0.0, 3f32.ln()],
            &[1.0, 0.0],
        ];
        assert_eq!(hooked.len(), 6);
        for (t, w) in hooked.iter().zip(want) {
            assert!(close(&rows(t), &[w]), "{t} vs {w:?}");
        }
        // top-1 keeps expert 1 alone with weight (3/4)/(3/4) = 1 → [1, 3]
        moe.config.top_k = 1;
        let out = moe.forward(&x, None);
        assert!(close(&rows(&out.output), &[&[1.0, 3.0]]), "{}", out.output);
    }

    #[test]
    fn init_is_xavier_uniform_and_seeded() {
        let vs = nn::VarStore::new(Device::Cpu);
        let moe = Moe::new(
            &vs.root(),
            1024,
            1024,
            MoeConfig::mentor(),
            &mut Rng::new(3, 0),
        )
        .unwrap();
        // expert first layer 1024 → 256: a = √(6/1280) = 0.0684653
        let w = &moe.experts[0].0.ws;
        assert_eq!(w.size(), vec![256, 1024]);
        let a = (6.0f64 / 1280.0).sqrt();
        assert!(w.abs().max().double_value(&[]) <= a);
        assert!(w.abs().max().double_value(&[]) > 0.99 * a);
        assert_eq!(
            moe.experts[0]
                .0
                .bs
                .as_ref()
                .unwrap()
                .abs()
                .sum(Kind::Float)
                .double_value(&[]),
            0.0
        );
        let mut names: Vec<String> = vs.variables().into_keys().collect();
        names.sort();
        assert!(names.contains(&"experts.15.2.weight".to_string()));
        assert!(names.contains(&"gate.3.bias".to_string()));
        assert_eq!(names.len(), 16 * 4 + 4);
        // same seed, same weights
        let vs2 = nn::VarStore::new(Device::Cpu);
        let again = Moe::new(
            &vs2.root(),
            1024,
            1024,
            MoeConfig::mentor(),
            &mut Rng::new(3, 0),
        )
        .unwrap();
        assert!(again.gate_out.ws.equal(&moe.gate_out.ws));
        // a training forward draws the gate dropout from the Rng; evaluation does not
        let x = Rng::new(4, 0).normal_tensor(&[8, 1024], Device::Cpu);
        let mut r = Rng::new(5, 0);
        let before = r.clone();
        let _ = moe.forward(&x, None);
        assert_eq!(r, before);
        let out = moe.forward(&x, Some(&mut r));
        assert_ne!(r, before);
        assert_eq!(out.output.size(), vec![8, 1024]);
        assert_eq!(out.gate.indices.size(), vec![8, 4]);
        assert!(Moe::new(
            &(vs.root() / "bad"),
            4,
            4,
            MoeConfig {
                top_k: 17,
                ..MoeConfig::mentor()
            },
            &mut r
        )
        .is_err());
    }
}
