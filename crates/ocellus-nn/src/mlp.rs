//! The fully connected heads of DrQ-v2's actor and critic.
//!
//! Reference: `drqv2.py::Actor/Critic` (facebookresearch/drqv2 @ c0c650b). Both start with a
//! **trunk** `Linear(repr_dim → feature_dim) → LayerNorm → Tanh` ([`Trunk`]) followed by an MLP
//! `Linear → ReLU → Linear → ReLU → Linear` ([`Mlp`]). Linear layers are initialised
//! orthogonally with zero bias (`utils.py::weight_init`); LayerNorm keeps weight 1, bias 0,
//! eps 1e-5 (PyTorch defaults).

use tch::{nn, Tensor};

use crate::init::init_linear;
use crate::rng::Rng;

/// `Linear(in → out) → LayerNorm(out) → Tanh`.
///
/// Variables: `linear.weight` `[out, in]`, `linear.bias`, `norm.weight`, `norm.bias` `[out]`.
#[derive(Debug)]
pub struct Trunk {
    /// The projection.
    pub linear: nn::Linear,
    /// The normalisation.
    pub norm: nn::LayerNorm,
}

impl Trunk {
    /// A trunk under `p`, initialised from `rng`.
    pub fn new(p: &nn::Path, in_dim: i64, out_dim: i64, rng: &mut Rng) -> Self {
        let mut linear = nn::linear(p / "linear", in_dim, out_dim, Default::default());
        init_linear(&mut linear, rng);
        let norm = nn::layer_norm(p / "norm", vec![out_dim], Default::default());
        Trunk { linear, norm }
    }

    /// `[B, in]` → `[B, out]` in (−1, 1).
    pub fn forward(&self, x: &Tensor) -> Tensor {
        x.apply(&self.linear).apply(&self.norm).tanh()
    }

    /// The output of the Linear layer (pre-activation, what DrM's dormant ratio hooks) and the
    /// trunk output.
    pub fn forward_activations(&self, x: &Tensor) -> (Tensor, Tensor) {
        let pre = x.apply(&self.linear);
        let out = pre.apply(&self.norm).tanh();
        (pre, out)
    }
}

/// `Linear → ReLU → … → Linear`: ReLU after every layer but the last.
///
/// Variables: `{i}.weight`, `{i}.bias` for layer `i`.
#[derive(Debug)]
pub struct Mlp {
    layers: Vec<nn::Linear>,
}

impl Mlp {
    /// Layers of sizes `dims[0] → dims[1] → … → dims[n]` under `p`, initialised from `rng`.
    ///
    /// # Panics
    /// If fewer than two sizes are given.
    pub fn new(p: &nn::Path, dims: &[i64], rng: &mut Rng) -> Self {
        assert!(dims.len() >= 2, "an MLP needs input and output sizes");
        let layers = dims
            .windows(2)
            .enumerate()
            .map(|(i, d)| {
                let mut l = nn::linear(p / i.to_string(), d[0], d[1], Default::default());
                init_linear(&mut l, rng);
                l
            })
            .collect();
        Mlp { layers }
    }

    /// The layers, first to last (for weight perturbation and inspection).
    pub fn layers(&self) -> &[nn::Linear] {
        &self.layers
    }

    /// `[B, dims[0]]` → `[B, dims[n]]`.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let last = self.layers.len() - 1;
        let mut h = x.shallow_clone();
        for (i, l) in self.layers.iter().enumerate() {
            h = h.apply(l);
            if i < last {
                h = h.relu();
            }
        }
        h
    }

    /// Every Linear layer's output before its ReLU (the last one is the MLP's output).
    pub fn forward_activations(&self, x: &Tensor) -> Vec<Tensor> {
        let mut out = Vec::with_capacity(self.layers.len());
        let mut h = x.shallow_clone();
        for l in &self.layers {
            let pre = h.apply(l);
            h = pre.relu();
            out.push(pre);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn shapes_names_and_init() {
        let vs = nn::VarStore::new(Device::Cpu);
        let mut rng = Rng::new(0, 0);
        let trunk = Trunk::new(&(vs.root() / "trunk"), 20, 5, &mut rng);
        let mlp = Mlp::new(&(vs.root() / "q1"), &[7, 16, 16, 1], &mut rng);
        let mut names: Vec<String> = vs.variables().into_keys().collect();
        names.sort();
        assert_eq!(
            names,
            [
                "q1.0.bias",
                "q1.0.weight",
                "q1.1.bias",
                "q1.1.weight",
                "q1.2.bias",
                "q1.2.weight",
                "trunk.linear.bias",
                "trunk.linear.weight",
                "trunk.norm.bias",
                "trunk.norm.weight"
            ]
        );
        let x = Tensor::ones([3, 20], (Kind::Float, Device::Cpu));
        let h = trunk.forward(&x);
        assert_eq!(h.size(), [3, 5]);
        assert!(h.abs().max().double_value(&[]) < 1.0);
        assert_eq!(
            mlp.forward(&Tensor::ones([3, 7], (Kind::Float, Device::Cpu)))
                .size(),
            [3, 1]
        );
        assert_eq!(
            mlp.layers()[1]
                .bs
                .as_ref()
                .unwrap()
                .abs()
                .sum(Kind::Float)
                .double_value(&[]),
            0.0
        );
        let acts = mlp.forward_activations(&Tensor::ones([3, 7], (Kind::Float, Device::Cpu)));
        assert_eq!(
            acts.iter().map(|a| a.size()[1]).collect::<Vec<_>>(),
            [16, 16, 1]
        );
    }
}
