//! The dormant ratio: the share of a network's neurons whose mean absolute output is tiny
//! compared with their layer's average.
//!
//! Paper: Xu et al., "DrM: Mastering Visual Reinforcement Learning through Dormant Ratio
//! Minimization", ICLR 2024, arXiv 2310.19668, Definitions 2.1–2.2, after Sokar et al.,
//! "The Dormant Neuron Phenomenon in Deep Reinforcement Learning", ICML 2023, arXiv 2302.12902.
//! For layer `l` with `N` neurons and outputs `h_i(x)` over a batch of inputs `x`:
//!
//! ```text
//! m_i = mean_b |h_i(x_b)|                     (mean absolute output of neuron i)
//! s_i = m_i / ((1/N) Σ_j m_j)                 (its score)
//! neuron i is τ-dormant when s_i ≤ τ          (paper)
//! β_τ = Σ_l (dormant neurons of l) / Σ_l N_l  (ratio over the network's layers)
//! ```
//!
//! Reference code: XuGW-Kevin/DrM @ 317116a, `utils.py::cal_dormant_ratio` (the same function
//! in suninghuang19/mentor @ f4fa81f `utils.py::cal_dormant_ratio`). It hooks the output of
//! every `nn.Linear` of the actor (trunk Linear and the three policy Linears) and reads the
//! hooked tensors after the forward pass; the two hidden policy Linears are followed by
//! `nn.ReLU(inplace=True)`, which overwrites their outputs, so those layers are scored on their
//! activations (post-ReLU), the trunk before LayerNorm and the last layer before tanh (the
//! caller passes what to score: `ocellus_agents`' `Actor::linear_outputs`). It then
//! computes `mean_output = |out|.mean(0)` and `avg = mean_output.mean()`, counts neuron `i`
//! dormant when `mean_output[i] < avg * percentage` with `percentage = dormant_threshold =
//! 0.025` (`cfgs/agent/drm.yaml`), and returns `Σ dormant / Σ out_features` over all hooked
//! layers: one count for the whole network, **not** the mean of per-layer ratios.
//!
//! The per-channel variant for conv feature maps `[B, C, H, W]` takes `m_c` as the mean of
//! `|h|` over batch **and** space, as ReDo does (google/dopamine @ 1dd1661,
//! `dopamine/labs/redo/weight_recyclers.py::BaseRecycler::estimate_neuron_score`: mean over all
//! axes but the channel axis). DrM itself never scores conv layers (its encoder has no Linear).
//!
//! # Deviations
//! 1. **`<` as in the code, not `≤` as in the paper.** The test is `m_i < τ · mean_j m_j`
//!    (multiplied out, as the code does, so no division); a neuron exactly at the threshold
//!    is *not* dormant. ReDo's code uses `score ≤ τ` with `score = m / (mean m + 1e-9)`; the
//!    two agree except on exact ties and at `m = 0`.
//! 2. **An all-zero layer counts as entirely dormant.** There the score is 0/0; DrM's code
//!    compares `0 < 0` and counts *no* dormant neuron, which would report a dead layer as
//!    healthy (and so lower exploration and perturbation exactly when they are needed). Here
//!    every neuron of a layer whose mean absolute output is exactly 0 is dormant.
//! 3. The comparison is made in the activations' own precision (f32 for f32 inputs, as in the
//!    reference); no gradient is recorded.

use tch::{Kind, Tensor};

use crate::error::{check_range, InputError};

/// DrM's `dormant_threshold` τ (`cfgs/agent/drm.yaml`; MENTOR's `cfgs/agent/mentor.yaml` too).
pub const DORMANT_THRESHOLD: f64 = 0.025;

/// How many neurons (or channels) of one or more layers are dormant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DormantCount {
    /// Dormant neurons.
    pub dormant: u64,
    /// All neurons counted.
    pub neurons: u64,
}

impl DormantCount {
    /// `dormant / neurons`, or 0 when no neuron was counted.
    pub fn ratio(&self) -> f64 {
        if self.neurons == 0 {
            0.0
        } else {
            self.dormant as f64 / self.neurons as f64
        }
    }
}

impl std::ops::Add for DormantCount {
    type Output = DormantCount;

    /// The count over both sets of layers (DrM's network-wide aggregation).
    fn add(self, other: DormantCount) -> DormantCount {
        DormantCount {
            dormant: self.dormant + other.dormant,
            neurons: self.neurons + other.neurons,
        }
    }
}

/// Counts the dormant neurons of one Linear layer from its outputs `activations` `[B, N]`
/// (DrM hooks the Linear output, before any activation function): neuron `i` is dormant when
/// `mean_b |a_bi| < τ · (1/N) Σ_j mean_b |a_bj|`, or when the whole layer is zero.
///
/// # Errors
/// If `activations` is not a floating-point `[B, N]` tensor with `B, N ≥ 1`, or `tau` is not a
/// finite number ≥ 0.
pub fn dormant_neurons(activations: &Tensor, tau: f64) -> Result<DormantCount, InputError> {
    let size = activations.size();
    if size.len() != 2 || size.iter().any(|&d| d < 1) || !activations.is_floating_point() {
        return Err(InputError::shape(
            "activations",
            activations,
            "[B, N] float with B, N ≥ 1",
        ));
    }
    check_range("tau", tau, 0.0, f64::MAX, "[0, ∞)")?;
    // m_i = mean_b |a_bi|  -> [N]
    let m = tch::no_grad(|| activations.abs().mean_dim(0, false, activations.kind()));
    Ok(count(&m, tau))
}

/// Counts the dormant channels of a conv layer from its feature maps `[B, C, H, W]`: channel
/// `c` is one neuron with `m_c = mean_{b,h,w} |a_bchw|`, then the rule of [`dormant_neurons`].
///
/// # Errors
/// If `feature_maps` is not a floating-point `[B, C, H, W]` tensor with every size ≥ 1, or
/// `tau` is not a finite number ≥ 0.
pub fn dormant_channels(feature_maps: &Tensor, tau: f64) -> Result<DormantCount, InputError> {
    let size = feature_maps.size();
    if size.len() != 4 || size.iter().any(|&d| d < 1) || !feature_maps.is_floating_point() {
        return Err(InputError::shape(
            "feature_maps",
            feature_maps,
            "[B, C, H, W] float with every size ≥ 1",
        ));
    }
    check_range("tau", tau, 0.0, f64::MAX, "[0, ∞)")?;
    // m_c = mean_{b,h,w} |a_bchw|  -> [C]
    let m = tch::no_grad(|| {
        feature_maps
            .abs()
            .mean_dim(&[0i64, 2, 3][..], false, feature_maps.kind())
    });
    Ok(count(&m, tau))
}

/// DrM's β_τ over a network: the outputs of each of its Linear layers (`[B, N_l]` each), counted
/// together (`Σ dormant / Σ N_l`, not the mean of the per-layer ratios).
///
/// # Errors
/// If `linear_outputs` is empty, or a layer fails [`dormant_neurons`]'s checks.
pub fn dormant_ratio(linear_outputs: &[Tensor], tau: f64) -> Result<f64, InputError> {
    if linear_outputs.is_empty() {
        return Err(InputError::Value {
            name: "linear_outputs.len()",
            value: 0.0,
            allowed: "at least one layer",
        });
    }
    let mut total = DormantCount::default();
    for a in linear_outputs {
        total = total + dormant_neurons(a, tau)?;
    }
    Ok(total.ratio())
}

/// The count from per-neuron mean absolute outputs `m` `[N]`.
fn count(m: &Tensor, tau: f64) -> DormantCount {
    let neurons = m.size()[0] as u64;
    let layer_mean = m.mean(m.kind());
    // all-zero layer: 0/0 score, every neuron dormant (Deviation 2)
    if layer_mean.double_value(&[]) == 0.0 {
        return DormantCount {
            dormant: neurons,
            neurons,
        };
    }
    // reference: mean_output < avg_neuron_output * percentage (in m's precision)
    let threshold = layer_mean * tau;
    let dormant = m.lt_tensor(&threshold).sum(Kind::Int64).int64_value(&[]) as u64;
    DormantCount { dormant, neurons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::mat as t2;

    #[test]
    fn counts_neurons_below_tau_times_the_layer_mean() {
        // B = 2, N = 6; m = mean_b |a| per column:
        //   col 0: (3 + 1)/2 = 2        col 1: (2 + 2)/2 = 2       col 2: (0.5 + 0.5)/2 = 0.5
        //   col 3: (0.03125 + 0)/2 = 0.015625   col 4: (0.0625 + 0)/2 = 0.03125   col 5: 0
        // layer mean = (2 + 2 + 0.5 + 0.015625 + 0.03125 + 0)/6 = 4.546875/6 = 0.7578125
        // threshold = 0.025 · 0.7578125 = 0.0189453125
        // dormant: col 3 (0.015625 < 0.01895) and col 5 (0 < 0.01895); col 4 (0.03125) is not
        let a = t2(&[
            &[3.0, -2.0, 0.5, 0.03125, -0.0625, 0.0],
            &[-1.0, 2.0, -0.5, 0.0, 0.0, 0.0],
        ]);
        let c = dormant_neurons(&a, DORMANT_THRESHOLD).unwrap();
        assert_eq!(
            c,
            DormantCount {
                dormant: 2,
                neurons: 6
            }
        );
        assert_eq!(c.ratio(), 2.0 / 6.0);
    }

    #[test]
    fn a_neuron_exactly_at_the_threshold_is_not_dormant() {
        // m = [7, 1], layer mean 4, τ = 0.25 → threshold exactly 1 (dyadic, exact in f32).
        // The code's strict `<` keeps neuron 1 awake; the paper's `s ≤ τ` (s = 1/4) would not.
        let a = t2(&[&[7.0, -1.0]]);
        assert_eq!(dormant_neurons(&a, 0.25).unwrap().dormant, 0);
        // just above τ = 0.25 it is dormant: threshold 4 · 0.2500001 > 1
        assert_eq!(dormant_neurons(&a, 0.250_001).unwrap().dormant, 1);
    }

    #[test]
    fn an_all_zero_layer_is_entirely_dormant() {
        let a = Tensor::zeros([4, 3], (Kind::Float, tch::Device::Cpu));
        let c = dormant_neurons(&a, DORMANT_THRESHOLD).unwrap();
        assert_eq!(
            c,
            DormantCount {
                dormant: 3,
                neurons: 3
            }
        );
        assert!(!c.ratio().is_nan());
    }

    #[test]
    fn the_ratio_counts_neurons_over_all_layers() {
        // layer A: 2 of 6 dormant (first test), layer B: 3 of 3 (all zero)
        // β = (2 + 3)/(6 + 3) = 5/9, not the mean of ratios (1/3 + 1)/2 = 2/3
        let a = t2(&[
            &[3.0, -2.0, 0.5, 0.03125, -0.0625, 0.0],
            &[-1.0, 2.0, -0.5, 0.0, 0.0, 0.0],
        ]);
        let b = Tensor::zeros([2, 3], (Kind::Float, tch::Device::Cpu));
        assert_eq!(
            dormant_ratio(&[a, b], DORMANT_THRESHOLD).unwrap(),
            5.0 / 9.0
        );
    }

    #[test]
    fn conv_channels_average_over_batch_and_space() {
        // [B = 2, C = 3, H = 1, W = 2]
        //   channel 0: |1|, |3|, |−2|, |−2| → m = 8/4 = 2
        //   channel 1: 0.5 four times (signs mixed) → m = 0.5
        //   channel 2: 0.0078125, 0, 0, 0 → m = 0.001953125
        // layer mean = (2 + 0.5 + 0.001953125)/3 = 0.833984375; threshold = 0.0208496…
        // → channel 2 dormant: 1 of 3
        let v: Vec<f32> = vec![
            1.0, 3.0, 0.5, -0.5, 0.0078125, 0.0, // b = 0: c0 (w0, w1), c1, c2
            -2.0, -2.0, 0.5, 0.5, 0.0, 0.0, // b = 1
        ];
        let x = Tensor::from_slice(&v).view([2, 3, 1, 2]);
        let c = dormant_channels(&x, DORMANT_THRESHOLD).unwrap();
        assert_eq!(
            c,
            DormantCount {
                dormant: 1,
                neurons: 3
            }
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        let three_d = Tensor::zeros([2, 3, 4], (Kind::Float, tch::Device::Cpu));
        assert!(matches!(
            dormant_neurons(&three_d, 0.025),
            Err(InputError::Shape { .. })
        ));
        let empty_batch = Tensor::zeros([0, 3], (Kind::Float, tch::Device::Cpu));
        assert!(dormant_neurons(&empty_batch, 0.025).is_err());
        let ints = Tensor::zeros([2, 3], (Kind::Int64, tch::Device::Cpu));
        assert!(dormant_neurons(&ints, 0.025).is_err());
        let ok = Tensor::ones([2, 3], (Kind::Float, tch::Device::Cpu));
        assert!(matches!(
            dormant_neurons(&ok, f64::NAN),
            Err(InputError::Value { name: "tau", .. })
        ));
        assert!(dormant_neurons(&ok, -0.1).is_err());
        assert!(dormant_channels(&ok, 0.025).is_err());
        assert!(dormant_ratio(&[], 0.025).is_err());
    }
}
