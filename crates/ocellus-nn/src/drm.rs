//! DrM's dormant-ratio-guided scalars and its two tensor operations: the perturbation factor
//! α(β), the awakened exploration σ(β, t), the exploitation weight λ(β), the expectile loss of
//! the value network, and the shrink-and-perturb of a network's parameters.
//!
//! Paper: Xu et al., "DrM: Mastering Visual Reinforcement Learning through Dormant Ratio
//! Minimization", ICLR 2024, arXiv 2310.19668 (§4). β is the actor's dormant ratio
//! ([`crate::dormant`]), measured at every update.
//!
//! Reference code: XuGW-Kevin/DrM @ 317116a, hyper-parameters from `cfgs/agent/drm.yaml`:
//!
//! | formula | reference (`agents/drm.py` unless noted) |
//! |---|---|
//! | α = min(max(α_min, 1 − k·β), α_max), k = `perturb_rate` = 2, α_min = 0.2, α_max per task | `DrMAgent.perturb_factor` |
//! | σ_dormant(β) = 1 / (1 + exp(−10·(β − 0.2))) (`dormant_temp` 10, `target_dormant_ratio` 0.2) | `DrMAgent.dormant_stddev` |
//! | σ(t) = σ_dormant(β) until awakened, then max(σ_dormant(β), linear(t − t₀)) | `DrMAgent.stddev` (`stddev_type: awake`) |
//! | awakened at the first update step t₀ with t₀ > `num_expl_steps` (2000) and β < 0.2 | `DrMAgent.update` |
//! | λ(β) = 0.6 / (1 + exp(50·(β − 0.2))) (`target_lambda` 0.6, `lambda_temp` 50) | `DrMAgent.lambda_` |
//! | L_V = mean(w · (V − Q)²), w = 1 − τ_e where V > Q else τ_e, τ_e = `expectile` = 0.9 | `DrMAgent.update_predictor` |
//! | θ ← α·θ + (1 − α)·φ, φ a freshly initialised copy | `utils.py::perturb` |
//!
//! MENTOR (suninghuang19/mentor @ f4fa81f, `agents/mentor.py::MENTORAgent.dormant_stddev`)
//! scales σ_dormant by 0.8 and uses it alone, without the linear schedule
//! ([`DormantStddev::mentor`]); its α and λ are DrM's.
//!
//! # Deviations from the paper
//! 1. The paper writes the sigmoid temperature as a divisor (T = 0.1); the code multiplies by
//!    10. Same function; [`DormantStddev::temp`] is the code's multiplier.
//! 2. The paper's perturbation text is θ ← αθ + (1 − α)φ for *all* parameters; the code
//!    interpolates only `nn.Linear` parameters (LayerNorm keeps its values, and DrM's conv
//!    encoder, having no Linear, is not perturbed at all). [`perturb_where`] takes the name
//!    filter that reproduces this; [`perturb`] interpolates every variable.
//!
//! # Deviations from the reference code
//! 1. The expectile loss is written with `u = target − prediction` (`Q − V`):
//!    `L = mean(|τ_e − 1(u < 0)| · u²)`. This is the code's weight: `V − Q > 0` ⇔ `u < 0` gets
//!    `1 − τ_e`, everything else (including `u = 0`, where `u² = 0` anyway) gets τ_e.
//! 2. `perturb` resets nothing else: the caller resets the optimiser's moments, as the code
//!    does (`optimizer.state = defaultdict(dict)`).

use ocellus_core::AgentSteps;
use tch::{nn, Tensor};

use crate::error::{check_range, InputError};
use crate::schedule::Schedule;
use crate::state::{check_state, sorted_variables};

/// The perturbation factor α = min(max(α_min, 1 − rate·β), α_max) (`perturb_factor`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerturbFactor {
    /// k, `perturb_rate` (2).
    pub rate: f64,
    /// α_min, `min_perturb_factor` (0.2).
    pub min: f64,
    /// α_max, `max_perturb_factor` (per task: 1.0 for most DMC tasks, 0.6 for dog and
    /// humanoid_run, 0.9 for dog_trot, humanoid_stand/walk, manipulator, acrobot_sparse).
    pub max: f64,
}

impl PerturbFactor {
    /// DrM's rate 2 and minimum 0.2 with the task's maximum.
    pub fn drm(max: f64) -> Self {
        PerturbFactor {
            rate: 2.0,
            min: 0.2,
            max,
        }
    }

    /// α at dormant ratio `beta`, clipped in the code's order: first up to `min`, then down to
    /// `max` (so `max` wins if `min > max`).
    pub fn alpha(&self, beta: f64) -> f64 {
        (1.0 - self.rate * beta).max(self.min).min(self.max)
    }
}

/// σ_dormant(β) = scale / (1 + exp(−temp·(β − target))).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DormantStddev {
    /// Height of the sigmoid (1 in DrM, 0.8 in MENTOR).
    pub scale: f64,
    /// `dormant_temp` (10).
    pub temp: f64,
    /// β̂, `target_dormant_ratio` (0.2): σ_dormant(β̂) = scale / 2.
    pub target: f64,
}

impl DormantStddev {
    /// DrM: `1 / (1 + exp(−10·(β − 0.2)))`.
    pub fn drm() -> Self {
        DormantStddev {
            scale: 1.0,
            temp: 10.0,
            target: 0.2,
        }
    }

    /// MENTOR: `0.8 / (1 + exp(−10·(β − 0.2)))`.
    pub fn mentor() -> Self {
        DormantStddev {
            scale: 0.8,
            ..DormantStddev::drm()
        }
    }

    /// σ_dormant at dormant ratio `beta`.
    pub fn value(&self, beta: f64) -> f64 {
        self.scale / (1.0 + (-self.temp * (beta - self.target)).exp())
    }
}

/// DrM's exploration standard deviation with its "awaken" rule (`stddev_type: awake`).
///
/// Before the agent is awakened σ = σ_dormant(β). It is awakened at the first update step
/// t₀ > `num_expl_steps` whose β is below σ_dormant's target (0.2); from then on
/// σ = max(σ_dormant(β), schedule(t − t₀)), the DrQ-v2 linear schedule restarted at t₀.
/// The only state is t₀ ([`AwakenExploration::awakened_at`]), a plain number to checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct AwakenExploration {
    /// σ_dormant; its `target` is also the awakening threshold.
    pub dormant: DormantStddev,
    /// The schedule restarted at t₀ (DrM: `linear(1.0, 0.1, T)` in agent steps).
    pub schedule: Schedule,
    /// Agent steps of uniform random actions; no awakening at or before them (2000).
    pub num_expl_steps: AgentSteps,
    awakened_at: Option<AgentSteps>,
}

impl AwakenExploration {
    /// DrM's rule (σ_dormant of [`DormantStddev::drm`], 2000 exploration steps), not awakened.
    pub fn drm(schedule: Schedule) -> Self {
        AwakenExploration {
            dormant: DormantStddev::drm(),
            schedule,
            num_expl_steps: AgentSteps(2000),
            awakened_at: None,
        }
    }

    /// Records the dormant ratio `beta` measured by the update at `agent_steps`; awakens the
    /// agent the first time `agent_steps > num_expl_steps` and `beta < target`.
    pub fn observe(&mut self, agent_steps: AgentSteps, beta: f64) {
        // reference: if self.awaken_step is None and step > self.num_expl_steps
        //            and self.dormant_ratio < self.target_dormant_ratio
        if self.awakened_at.is_none()
            && agent_steps > self.num_expl_steps
            && beta < self.dormant.target
        {
            self.awakened_at = Some(agent_steps);
        }
    }

    /// σ at `agent_steps` given the latest dormant ratio `beta`.
    pub fn stddev(&self, agent_steps: AgentSteps, beta: f64) -> f64 {
        let dormant = self.dormant.value(beta);
        match self.awakened_at {
            None => dormant,
            Some(t0) => {
                let since = AgentSteps(agent_steps.0.saturating_sub(t0.0));
                dormant.max(self.schedule.value(since))
            }
        }
    }

    /// t₀, the agent step of awakening, if it happened (the state to checkpoint).
    pub fn awakened_at(&self) -> Option<AgentSteps> {
        self.awakened_at
    }

    /// Restores the state written by [`AwakenExploration::awakened_at`].
    pub fn restore(&mut self, awakened_at: Option<AgentSteps>) {
        self.awakened_at = awakened_at;
    }
}

/// λ(β) = target_lambda / (1 + exp(temp·(β − target))), the weight of V(s') in DrM's critic
/// target `y = r + γⁿ·(λ·V(s') + (1 − λ)·min Q'(s', a'))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExploitLambda {
    /// λ̂, `target_lambda` (0.6 on every DMC task config).
    pub target_lambda: f64,
    /// `lambda_temp` (50).
    pub temp: f64,
    /// β̂, `target_dormant_ratio` (0.2): λ(β̂) = λ̂ / 2.
    pub target: f64,
}

impl ExploitLambda {
    /// DrM: `0.6 / (1 + exp(50·(β − 0.2)))`.
    pub fn drm() -> Self {
        ExploitLambda {
            target_lambda: 0.6,
            temp: 50.0,
            target: 0.2,
        }
    }

    /// λ at dormant ratio `beta`.
    pub fn value(&self, beta: f64) -> f64 {
        self.target_lambda / (1.0 + (self.temp * (beta - self.target)).exp())
    }
}

/// DrM's expectile (`expectile` τ_e = 0.9) regression loss of the value network:
/// `mean(|τ_e − 1(u < 0)| · u²)` with `u = target − prediction` (`Q − V`), averaged over all
/// elements. Gradients flow into both arguments; detach `target` if it must not learn.
///
/// # Errors
/// If the two shapes differ (no broadcasting: `[B, 1]` against `[B]` would silently give a
/// `[B, B]` loss) or are empty, or `tau` is outside `[0, 1]`.
pub fn expectile_loss(
    prediction: &Tensor,
    target: &Tensor,
    tau: f64,
) -> Result<Tensor, InputError> {
    if prediction.size() != target.size() || prediction.numel() == 0 {
        return Err(InputError::shape(
            "target",
            target,
            &format!("the prediction's shape {:?}, not empty", prediction.size()),
        ));
    }
    check_range("tau", tau, 0.0, 1.0, "[0, 1]")?;
    // reference: vf_err = V - Q; vf_sign = (vf_err > 0); weight = (1 - sign)·τ + sign·(1 - τ)
    let u = target - prediction;
    let negative = u.lt(0.0).to_kind(u.kind()); // 1(u < 0) = 1(V > Q)
    let weight = (negative.ones_like() - &negative) * tau + &negative * (1.0 - tau);
    Ok((weight * u.square()).mean(u.kind()))
}

/// Shrink-and-perturb of every variable: `θ ← α·θ + (1 − α)·φ` with φ the same-named variable
/// of `fresh` (a freshly initialised copy of the network), in place and without recording
/// gradients.
///
/// # Errors
/// If `alpha` is outside `[0, 1]`, or the two stores differ in names, shapes or kinds (every
/// difference is listed); nothing is changed then.
pub fn perturb(vs: &mut nn::VarStore, fresh: &nn::VarStore, alpha: f64) -> Result<(), InputError> {
    perturb_where(vs, &sorted_variables(fresh), alpha, |_| true)
}

/// [`perturb`] towards the named tensors `fresh` (the variables of a fresh network, or
/// parameters sampled from snapshots), interpolating only the variables whose name satisfies
/// `select`; the others keep their values. DrM interpolates only Linear parameters (for
/// [`crate::Trunk`] the `linear.*` names, not `norm.*`).
///
/// # Errors
/// If `alpha` is outside `[0, 1]`, or `fresh` does not hold exactly the variables of `vs`
/// (names, shapes, kinds; every difference is listed); nothing is changed then.
pub fn perturb_where(
    vs: &mut nn::VarStore,
    fresh: &[(String, Tensor)],
    alpha: f64,
    select: impl Fn(&str) -> bool,
) -> Result<(), InputError> {
    check_range("alpha", alpha, 0.0, 1.0, "[0, 1]")?;
    let params = sorted_variables(vs);
    let by_name = check_state(&params, fresh)?;
    tch::no_grad(|| {
        for (name, p) in &params {
            if !select(name) {
                continue;
            }
            let phi = by_name[name.as_str()].to_device(p.device());
            let mut p = p.shallow_clone();
            // θ ← α·θ + (1 − α)·φ
            let new = &p * alpha + phi * (1.0 - alpha);
            p.copy_(&new);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateProblem;
    use tch::{Device, Kind};

    #[test]
    fn perturb_factor_at_hand_computed_ratios() {
        let a = PerturbFactor::drm(1.0);
        // 1 − 2β, then clipped to [0.2, 1.0]
        assert_eq!(a.alpha(0.0), 1.0);
        assert!((a.alpha(0.1) - 0.8).abs() < 1e-15);
        assert!((a.alpha(0.3) - 0.4).abs() < 1e-15);
        assert_eq!(a.alpha(0.4), 0.2); // 1 − 0.8 = 0.2 (up to rounding) → clipped to 0.2 exactly
        assert_eq!(a.alpha(0.5), 0.2); // 0 → 0.2
        assert_eq!(a.alpha(1.0), 0.2); // −1 → 0.2
                                       // dog tasks: α_max = 0.6
        let dog = PerturbFactor::drm(0.6);
        assert_eq!(dog.alpha(0.1), 0.6); // 0.8 → 0.6
        assert!((dog.alpha(0.25) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn dormant_stddev_at_hand_computed_ratios() {
        let s = DormantStddev::drm();
        assert_eq!(s.value(0.2), 0.5); // 1/(1 + e⁰)
                                       // 1/(1 + e^{−1}) = 0.7310585786300049
        assert!((s.value(0.3) - 0.731_058_578_630_004_9).abs() < 1e-15);
        // 1/(1 + e^{1}) = 0.2689414213699951
        assert!((s.value(0.1) - 0.268_941_421_369_995_1).abs() < 1e-15);
        // 1/(1 + e^{2}) = 1/8.38905609893065 = 0.11920292202211755
        assert!((s.value(0.0) - 0.119_202_922_022_117_55).abs() < 1e-15);
        let m = DormantStddev::mentor();
        assert!((m.value(0.2) - 0.4).abs() < 1e-15); // 0.8/2
                                                     // 0.8 · 0.7310585786300049 = 0.5848468629040039
        assert!((m.value(0.3) - 0.584_846_862_904_003_9).abs() < 1e-15);
    }

    #[test]
    fn lambda_at_hand_computed_ratios() {
        let l = ExploitLambda::drm();
        assert!((l.value(0.2) - 0.3).abs() < 1e-15); // 0.6/(1 + e⁰)
                                                     // 0.6/(1 + e^{−10}) = 0.6/1.0000453999297625 = 0.5999727612787785
        assert!((l.value(0.0) - 0.599_972_761_278_778_5).abs() < 1e-15);
        // 0.6/(1 + e^{−5}) = 0.6/1.006737946999085 = 0.5959842894454291
        assert!((l.value(0.1) - 0.595_984_289_445_429_1).abs() < 1e-15);
        // 0.6/(1 + e^{5}) = 0.6/149.4131591025766 = 0.004015710554570917
        assert!((l.value(0.3) - 0.004_015_710_554_570_917).abs() < 1e-15);
        // no overflow to NaN far from the target: e^{50·0.8} = e^{40} is finite, and
        // 0.6/(1 + e^{40}) ≈ 2.5e-18
        assert!(l.value(1.0) > 0.0 && l.value(1.0) < 3e-18);
    }

    #[test]
    fn awaken_rule_uses_the_first_low_ratio_after_random_steps() {
        let schedule = Schedule::Linear {
            init: 1.0,
            final_value: 0.1,
            over: AgentSteps(1000),
        };
        let mut e = AwakenExploration::drm(schedule);
        // during the 2000 random steps a low β does not awaken
        e.observe(AgentSteps(1500), 0.1);
        assert_eq!(e.awakened_at(), None);
        // σ = σ_dormant(0.1) = 1/(1 + e) = 0.2689414213699951
        assert_eq!(
            e.stddev(AgentSteps(1500), 0.1),
            DormantStddev::drm().value(0.1)
        );
        // β ≥ 0.2 (here exactly 0.2: strict `<`) does not awaken
        e.observe(AgentSteps(2500), 0.2);
        assert_eq!(e.awakened_at(), None);
        e.observe(AgentSteps(3000), 0.15);
        assert_eq!(e.awakened_at(), Some(AgentSteps(3000)));
        // later low ratios do not move t₀
        e.observe(AgentSteps(4000), 0.0);
        assert_eq!(e.awakened_at(), Some(AgentSteps(3000)));
        // σ_dormant(0.15) = 1/(1 + e^{0.5}) = 0.3775406687981454
        let d = 0.377_540_668_798_145_4;
        // t − t₀ = 0: linear = 1.0 > d
        assert_eq!(e.stddev(AgentSteps(3000), 0.15), 1.0);
        // t − t₀ = 500: linear = 0.5·1.0 + 0.5·0.1 = 0.55 > d
        assert!((e.stddev(AgentSteps(3500), 0.15) - 0.55).abs() < 1e-15);
        // t − t₀ = 2000: linear = 0.1 < d → σ_dormant
        assert!((e.stddev(AgentSteps(5000), 0.15) - d).abs() < 1e-15);
        // a dormant spike raises σ above the schedule again: σ_dormant(0.3) = 0.7310585786300049
        assert!((e.stddev(AgentSteps(5000), 0.3) - 0.731_058_578_630_004_9).abs() < 1e-15);

        // the state is one number
        let mut restored = AwakenExploration::drm(schedule);
        restored.restore(e.awakened_at());
        assert_eq!(restored, e);
    }

    #[test]
    fn expectile_loss_on_three_elements() {
        // V = [1, 2, 0.5], Q = [3, 1, 0.5], τ = 0.9
        // u = Q − V = [2, −1, 0]; weights |τ − 1(u<0)| = [0.9, 0.1, 0.9]
        // w·u² = [0.9·4, 0.1·1, 0.9·0] = [3.6, 0.1, 0]; mean = 3.7/3 = 1.2333333
        let v = Tensor::from_slice(&[1.0f32, 2.0, 0.5]).set_requires_grad(true);
        let q = Tensor::from_slice(&[3.0f32, 1.0, 0.5]);
        let loss = expectile_loss(&v, &q, 0.9).unwrap();
        assert!((loss.double_value(&[]) - 3.7 / 3.0).abs() < 1e-6, "{loss}");
        // ∂L/∂V = −2·w·u/3 = [−2·0.9·2/3, −2·0.1·(−1)/3, 0] = [−1.2, 0.0666667, 0]:
        // V below its target is pushed up 9× harder than V above it is pushed down
        let g = Tensor::run_backward(&[loss], &[&v], false, false);
        let g = Vec::<f32>::try_from(&g[0]).unwrap();
        assert!((g[0] + 1.2).abs() < 1e-6, "{g:?}");
        assert!((g[1] - 0.2 / 3.0).abs() < 1e-6, "{g:?}");
        assert_eq!(g[2], 0.0);
        // τ = 0.5 is half the MSE: 0.5·(4 + 1 + 0)/3
        let half = expectile_loss(&v, &q, 0.5).unwrap().double_value(&[]);
        assert!((half - 2.5 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn expectile_loss_rejects_bad_input() {
        let a = Tensor::zeros([4, 1], (Kind::Float, Device::Cpu));
        let b = Tensor::zeros([4], (Kind::Float, Device::Cpu));
        assert!(matches!(
            expectile_loss(&a, &b, 0.9),
            Err(InputError::Shape { .. })
        ));
        assert!(expectile_loss(&b, &b, 1.5).is_err());
        let e = Tensor::zeros([0], (Kind::Float, Device::Cpu));
        assert!(expectile_loss(&e, &e, 0.9).is_err());
    }

    fn store(values: &[(&str, &[f32])]) -> (nn::VarStore, Vec<Tensor>) {
        let vs = nn::VarStore::new(Device::Cpu);
        let vars = values
            .iter()
            .map(|(k, v)| {
                // tch path separators: "a.weight" is variable `weight` under `a`
                let (module, name) = k.split_once('.').unwrap();
                (vs.root() / module).var_copy(name, &Tensor::from_slice(v))
            })
            .collect();
        (vs, vars)
    }

    fn values(t: &Tensor) -> Vec<f32> {
        Vec::<f32>::try_from(t.detach()).unwrap()
    }

    #[test]
    fn perturb_moves_every_variable_by_the_formula() {
        let (mut vs, vars) = store(&[("a.weight", &[4.0, -8.0]), ("norm.weight", &[2.0])]);
        let (fresh, _) = store(&[("a.weight", &[0.0, 8.0]), ("norm.weight", &[1.0])]);
        perturb(&mut vs, &fresh, 0.25).unwrap();
        // α = 0.25: 0.25·[4, −8] + 0.75·[0, 8] = [1, −2 + 6] = [1, 4]; 0.25·2 + 0.75·1 = 1.25
        assert_eq!(values(&vars[0]), vec![1.0, 4.0]);
        assert_eq!(values(&vars[1]), vec![1.25]);
        // still trainable leaves, and no gradient was recorded
        assert!(vars[0].requires_grad());
        assert!(!vars[0].grad().defined());
        // α = 1 is the identity
        perturb(&mut vs, &fresh, 1.0).unwrap();
        assert_eq!(values(&vars[0]), vec![1.0, 4.0]);
    }

    #[test]
    fn perturb_where_leaves_unselected_variables_unchanged() {
        let (mut vs, vars) = store(&[("a.weight", &[4.0, -8.0]), ("norm.weight", &[2.0])]);
        let (fresh, _) = store(&[("a.weight", &[0.0, 8.0]), ("norm.weight", &[1.0])]);
        perturb_where(&mut vs, &sorted_variables(&fresh), 0.25, |n| {
            n.starts_with("a.")
        })
        .unwrap();
        assert_eq!(values(&vars[0]), vec![1.0, 4.0]);
        assert_eq!(values(&vars[1]), vec![2.0]);
    }

    #[test]
    fn perturb_rejects_mismatched_stores_and_changes_nothing() {
        let (mut vs, vars) = store(&[("a.weight", &[4.0, -8.0]), ("norm.weight", &[2.0])]);
        let (other, _) = store(&[("a.weight", &[0.0, 8.0, 1.0]), ("b.bias", &[1.0])]);
        let err = perturb(&mut vs, &other, 0.5).unwrap_err();
        let InputError::State(e) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            e.problems,
            vec![
                StateProblem::Shape {
                    key: "a.weight".into(),
                    expected: vec![2],
                    found: vec![3]
                },
                StateProblem::Unexpected {
                    key: "b.bias".into()
                },
                StateProblem::Missing {
                    key: "norm.weight".into()
                },
            ]
        );
        let (fresh, _) = store(&[("a.weight", &[0.0, 8.0]), ("norm.weight", &[1.0])]);
        assert!(matches!(
            perturb(&mut vs, &fresh, 1.5),
            Err(InputError::Value { name: "alpha", .. })
        ));
        assert!(perturb(&mut vs, &fresh, f64::NAN).is_err());
        assert_eq!(values(&vars[0]), vec![4.0, -8.0]);
        assert_eq!(values(&vars[1]), vec![2.0]);
    }
}
