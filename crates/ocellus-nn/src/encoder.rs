//! DrQ-v2's convolutional encoder.
//!
//! Reference: `drqv2.py::Encoder` (facebookresearch/drqv2 @ c0c650b): `obs / 255 − 0.5`, then
//! Conv(3×3, 32, stride 2) → ReLU → 3 × [Conv(3×3, 32, stride 1) → ReLU], no padding, flattened.
//! The reference hard-codes `repr_dim = 32·35·35`; here it is derived with [`conv_out_len`]
//! (84 → 41 → 39 → 37 → 35), and a test checks it against a forward pass.

use tch::{nn, Kind, Tensor};

use crate::init::init_conv;
use crate::rng::Rng;

/// Output length of an unpadded convolution: `⌊(n − kernel) / stride⌋ + 1`, or 0 when the
/// kernel does not fit.
pub fn conv_out_len(n: i64, kernel: i64, stride: i64) -> i64 {
    if n < kernel {
        0
    } else {
        (n - kernel) / stride + 1
    }
}

/// The layer shapes of a [`ConvEncoder`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncoderSpec {
    /// Output channels of every conv layer (32 in DrQ-v2).
    pub channels: i64,
    /// Square kernel size (3 in DrQ-v2).
    pub kernel: i64,
    /// Stride of each layer, first to last (`[2, 1, 1, 1]` in DrQ-v2).
    pub strides: Vec<i64>,
}

impl EncoderSpec {
    /// DrQ-v2's encoder: 4 × conv3x3, 32 channels, strides 2, 1, 1, 1.
    pub fn drqv2() -> Self {
        EncoderSpec {
            channels: 32,
            kernel: 3,
            strides: vec![2, 1, 1, 1],
        }
    }

    /// `(height, width)` of the last feature map for an `h × w` input (0 if it vanishes).
    pub fn out_hw(&self, h: i64, w: i64) -> (i64, i64) {
        self.strides.iter().fold((h, w), |(h, w), &s| {
            (
                conv_out_len(h, self.kernel, s),
                conv_out_len(w, self.kernel, s),
            )
        })
    }

    /// Length of the flattened feature for an `h × w` input: `channels · h_out · w_out`.
    pub fn repr_dim(&self, h: i64, w: i64) -> i64 {
        let (ho, wo) = self.out_hw(h, w);
        self.channels * ho * wo
    }
}

/// Stacked conv3x3 + ReLU layers over `[B, C, H, W]` frames.
///
/// Variables: `conv{i}.weight` `[channels, in, k, k]`, `conv{i}.bias` `[channels]`.
#[derive(Debug)]
pub struct ConvEncoder {
    convs: Vec<nn::Conv2D>,
    repr_dim: i64,
}

impl ConvEncoder {
    /// The encoder for observations of shape `obs_shape = [C, H, W]`, variables under `p`,
    /// initialised orthogonally (ReLU gain) from `rng`.
    ///
    /// # Panics
    /// If the image is too small for the layers (`spec.repr_dim` is 0); configs validate this.
    pub fn new(p: &nn::Path, obs_shape: [i64; 3], spec: &EncoderSpec, rng: &mut Rng) -> Self {
        let [c, h, w] = obs_shape;
        let repr_dim = spec.repr_dim(h, w);
        assert!(repr_dim > 0, "a {h}×{w} image is too small for {spec:?}");
        let mut convs = Vec::with_capacity(spec.strides.len());
        let mut in_ch = c;
        for (i, &stride) in spec.strides.iter().enumerate() {
            let cfg = nn::ConvConfig {
                stride,
                ..Default::default()
            };
            let mut conv = nn::conv2d(
                p / format!("conv{i}"),
                in_ch,
                spec.channels,
                spec.kernel,
                cfg,
            );
            init_conv(&mut conv, rng);
            convs.push(conv);
            in_ch = spec.channels;
        }
        ConvEncoder { convs, repr_dim }
    }

    /// Length of the flattened output.
    pub fn repr_dim(&self) -> i64 {
        self.repr_dim
    }

    /// The conv layers, first to last (for weight perturbation and inspection).
    pub fn convs(&self) -> &[nn::Conv2D] {
        &self.convs
    }

    /// `[B, C, H, W]` u8 (or float in 0..255) → `[B, repr_dim]` f32.
    pub fn forward(&self, obs: &Tensor) -> Tensor {
        let mut h = scale_pixels(&channels_last(obs));
        for conv in &self.convs {
            h = h.apply(conv).relu();
        }
        h.flatten(1, -1)
    }

    /// The post-ReLU feature map of every layer, `[B, channels, h_i, w_i]` (for dormant-neuron
    /// ratios and similar diagnostics).
    pub fn forward_activations(&self, obs: &Tensor) -> Vec<Tensor> {
        let mut h = scale_pixels(&channels_last(obs));
        let mut out = Vec::with_capacity(self.convs.len());
        for conv in &self.convs {
            h = h.apply(conv).relu();
            out.push(h.shallow_clone());
        }
        out
    }
}

/// The same `[B, C, H, W]` values stored channels-last (strides `[H·W·C, 1, W·C, C]`): libtorch's
/// CPU convolutions (oneDNN) then run in NHWC, which at DrQ-v2's small channel counts is ~25 %
/// faster per layer than NCHW (measured 2026-11-24, BENCHMARKS.md "DrQ-v2 update"). The
/// layers keep the layout; results equal NCHW's up to float summation order.
fn channels_last(x: &Tensor) -> Tensor {
    x.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2])
}

/// `[B, C, H, W]` u8 → f32 `x / 255 − 0.5` in [−0.5, 0.5] (reference: `obs / 255.0 - 0.5`).
pub fn scale_pixels(obs: &Tensor) -> Tensor {
    obs.to_kind(Kind::Float) / 255.0 - 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn conv_arithmetic_matches_a_dummy_forward() {
        let spec = EncoderSpec::drqv2();
        assert_eq!(spec.out_hw(84, 84), (35, 35));
        assert_eq!(spec.repr_dim(84, 84), 39_200); // reference: 32 * 35 * 35
        assert_eq!(spec.repr_dim(64, 64), 32 * 25 * 25);
        assert_eq!(spec.repr_dim(14, 14), 0);
        for (h, w) in [(84, 84), (64, 64), (33, 47)] {
            let vs = nn::VarStore::new(Device::Cpu);
            let enc = ConvEncoder::new(&vs.root(), [9, h, w], &spec, &mut Rng::new(0, 0));
            let x = Tensor::zeros([2, 9, h, w], (Kind::Uint8, Device::Cpu));
            let y = enc.forward(&x);
            assert_eq!(y.size(), [2, enc.repr_dim()]);
            let acts = enc.forward_activations(&x);
            assert_eq!(acts.len(), 4);
            let (ho, wo) = spec.out_hw(h, w);
            assert_eq!(acts[3].size(), [2, 32, ho, wo]);
        }
    }

    #[test]
    fn channels_last_forward_equals_the_nchw_computation() {
        let spec = EncoderSpec {
            channels: 8,
            ..EncoderSpec::drqv2()
        };
        let vs = nn::VarStore::new(Device::Cpu);
        let enc = ConvEncoder::new(&vs.root(), [6, 24, 24], &spec, &mut Rng::new(3, 0));
        let obs =
            (Tensor::rand([5, 6, 24, 24], (Kind::Float, Device::Cpu)) * 255.0).to_kind(Kind::Uint8);
        // the input the convolutions see really is channels-last (stride 1 along C)
        let scaled = scale_pixels(&channels_last(&obs));
        assert_eq!(scaled.stride()[1], 1);
        assert_eq!(scaled, scale_pixels(&obs));
        // plain NCHW reference: the same layers on a contiguous input, flattened C, H, W
        let mut h = scale_pixels(&obs).contiguous();
        for conv in enc.convs() {
            h = h.apply(conv).relu().contiguous();
        }
        let reference = h.flatten(1, -1);
        let y = enc.forward(&obs);
        assert_eq!(y.size(), reference.size());
        let err = (&y - &reference).abs().max().double_value(&[]);
        let scale = reference.abs().max().double_value(&[]);
        assert!(
            scale > 0.0 && err <= 1e-5 * scale,
            "max |Δ| {err} of {scale}"
        );
    }

    #[test]
    fn pixels_are_scaled_to_half_unit_range() {
        let x = Tensor::from_slice(&[0u8, 255, 51]);
        let y = Vec::<f32>::try_from(scale_pixels(&x)).unwrap();
        assert_eq!(y, vec![-0.5, 0.5, 51.0f32 / 255.0 - 0.5]);
    }
}
