//! Orthogonal initialisation, as DrQ-v2 initialises every layer.
//!
//! Reference: `utils.py::weight_init` (facebookresearch/drqv2 @ c0c650b): `nn.Linear` weights get
//! `nn.init.orthogonal_(w)` (gain 1), `nn.Conv2d` weights `orthogonal_(w, calculate_gain('relu'))`
//! (gain √2), and biases are filled with 0. LayerNorm keeps PyTorch's default (weight 1, bias 0).
//!
//! `torch.nn.init.orthogonal_` (torch 2.13, `torch/nn/init.py`): view the weight as
//! `rows × cols` with `rows = size(0)`; draw `N(0, 1)`; transpose when `rows < cols`; QR;
//! multiply `Q`'s columns by `sign(diag(R))`; transpose back; scale by the gain. The draws
//! here come from an [`Rng`] instead of torch's global generator (so the values differ from a
//! PyTorch run with the same seed; the distribution is the same).

use tch::{nn, Device, Kind, Tensor};

use crate::rng::Rng;

/// `torch.nn.init.calculate_gain('relu')` = √2.
pub const RELU_GAIN: f64 = std::f64::consts::SQRT_2;

/// Overwrites `w` (any shape with at least 2 dims) with a (semi-)orthogonal matrix times
/// `gain`, computed on the CPU in f32 and copied to `w`'s device.
///
/// # Panics
/// If `w` has fewer than 2 dimensions.
pub fn orthogonal_(w: &mut Tensor, gain: f64, rng: &mut Rng) {
    let shape = w.size();
    assert!(
        shape.len() >= 2,
        "orthogonal init needs at least 2 dims, got {shape:?}"
    );
    let rows = shape[0];
    let cols = w.numel() as i64 / rows;
    let flat = rng.normal_tensor(&[rows, cols], Device::Cpu);
    let flat = if rows < cols { flat.tr() } else { flat };
    let (q, r) = Tensor::linalg_qr(&flat, "reduced");
    let q = q * r.diagonal(0, 0, 1).sign();
    let q = if rows < cols { q.tr() } else { q };
    let q = (q * gain).to_kind(Kind::Float).reshape(&shape);
    tch::no_grad(|| {
        w.copy_(&q);
    });
}

/// DrQ-v2's init of a linear layer: orthogonal weight (gain 1), zero bias.
pub fn init_linear(layer: &mut nn::Linear, rng: &mut Rng) {
    orthogonal_(&mut layer.ws, 1.0, rng);
    if let Some(bs) = layer.bs.as_mut() {
        tch::no_grad(|| {
            let _ = bs.zero_();
        });
    }
}

/// DrQ-v2's init of a conv layer: orthogonal weight with the ReLU gain √2, zero bias.
pub fn init_conv(layer: &mut nn::Conv2D, rng: &mut Rng) {
    orthogonal_(&mut layer.ws, RELU_GAIN, rng);
    if let Some(bs) = layer.bs.as_mut() {
        tch::no_grad(|| {
            let _ = bs.zero_();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_or_columns_are_orthonormal_times_gain() {
        let mut rng = Rng::new(0, 0);
        // tall: columns orthonormal
        let mut w = Tensor::zeros([64, 8], (Kind::Float, Device::Cpu));
        orthogonal_(&mut w, 2.0, &mut rng);
        let g = w.tr().matmul(&w) / 4.0;
        assert!(g.allclose(
            &Tensor::eye(8, (Kind::Float, Device::Cpu)),
            1e-5,
            1e-5,
            false
        ));
        // wide, conv-shaped [32, 9, 3, 3]: rows orthonormal
        let mut w = Tensor::zeros([32, 9, 3, 3], (Kind::Float, Device::Cpu));
        orthogonal_(&mut w, RELU_GAIN, &mut rng);
        let m = w.view([32, 81]);
        let g = m.matmul(&m.tr()) / 2.0;
        assert!(g.allclose(
            &Tensor::eye(32, (Kind::Float, Device::Cpu)),
            1e-5,
            1e-5,
            false
        ));
    }
}
