//! The target-network update.
//!
//! Reference: `utils.py::soft_update_params` (facebookresearch/drqv2 @ c0c650b):
//! `target ← τ·online + (1 − τ)·target` for every parameter pair, outside autograd.

use tch::nn;

use crate::state::sorted_variables;

/// Polyak/EMA update of every variable of `target` towards the same-named variable of
/// `online`: `target ← τ·online + (1 − τ)·target`, without recording gradients.
///
/// # Panics
/// If the two stores do not hold the same names and shapes (they are built by the same code).
pub fn soft_update(online: &nn::VarStore, target: &mut nn::VarStore, tau: f64) {
    let online = sorted_variables(online);
    let target = sorted_variables(target);
    assert_eq!(
        online.len(),
        target.len(),
        "online and target differ in variables"
    );
    tch::no_grad(|| {
        for ((name, p), (target_name, t)) in online.iter().zip(&target) {
            assert_eq!(name, target_name, "online and target differ in variables");
            let mut t = t.shallow_clone();
            let new = p * tau + &t * (1.0 - tau);
            t.copy_(&new);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use tch::{Device, Kind};

    #[test]
    fn target_moves_by_tau_times_the_gap() {
        let online = nn::VarStore::new(Device::Cpu);
        let mut target = nn::VarStore::new(Device::Cpu);
        let mut rng = Rng::new(0, 0);
        let p = online
            .root()
            .var_copy("w", &rng.normal_tensor(&[50, 20], Device::Cpu));
        let t = target
            .root()
            .var_copy("w", &rng.normal_tensor(&[50, 20], Device::Cpu));
        target.freeze();
        let before = t.detach().copy();
        soft_update(&online, &mut target, 0.01);
        let moved = t.detach() - &before;
        let want = (p.detach() - &before) * 0.01;
        let err = (moved - want).abs().max().double_value(&[]);
        // f32 rounding of τ·p + (1 − τ)·t at |values| ≤ ~5 (ulp 4.8e-7)
        assert!(err < 1e-6, "{err}");

        // with dyadic values and τ = 0.25 the arithmetic is exact
        let online = nn::VarStore::new(Device::Cpu);
        let mut target = nn::VarStore::new(Device::Cpu);
        let _ = online
            .root()
            .var_copy("w", &Tensor::from_slice(&[4.0f32, -8.0]));
        let t = target
            .root()
            .var_copy("w", &Tensor::from_slice(&[0.0f32, 8.0]));
        soft_update(&online, &mut target, 0.25);
        assert_eq!(Vec::<f32>::try_from(t.detach()).unwrap(), vec![1.0, 4.0]);
        assert_eq!(t.kind(), Kind::Float);
    }

    use tch::Tensor;
}
