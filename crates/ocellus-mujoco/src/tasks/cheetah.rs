//! dm_control's `cheetah` domain (`suite/cheetah.py`): a planar runner.

use ocellus_core::RandomState;
use ocellus_envs::tolerance::{tolerance, Sigmoid};
use ocellus_envs::{EnvError, Task};

use crate::physics::{MjPhysics, ModelSource, Named};
use crate::tasks::load;

/// Forward speed above which the reward is 1 (`_RUN_SPEED`, m/s).
const RUN_SPEED: f64 = 10.0;
const NAMED: &[Named] = &[Named::Sensor("torso_subtreelinvel")];
const SUBTREE_LINVEL: usize = 0;

/// `cheetah-run`: reward linear in forward speed up to 10 m/s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheetahRun;

impl Task for CheetahRun {
    type Physics = MjPhysics;

    fn new_physics(&self) -> Result<MjPhysics, EnvError> {
        load(self.name(), ModelSource::file("cheetah"), 0, NAMED)
    }
    fn name(&self) -> &'static str {
        "cheetah-run"
    }
    /// No `control_timestep`: one control step per 0.01 s physics step, 10 s episodes.
    fn steps_per_episode(&self) -> u32 {
        1000
    }
    /// position (qpos without rootx: 8), velocity (9).
    fn state_len(&self) -> usize {
        17
    }
    /// Limited joints uniform in their ranges, then 200 steps with zero control to settle
    /// on the ground, then the clock back to 0 (`Cheetah.initialize_episode`).
    fn initialize_episode(&self, physics: &mut MjPhysics, rng: &mut RandomState) {
        let model = physics.model();
        let limited: Vec<(usize, [f64; 2])> = (0..model.jnt_type().len())
            .filter(|&j| model.jnt_limited()[j])
            .map(|j| (model.jnt_qposadr()[j] as usize, model.jnt_range()[j]))
            .collect();
        for (adr, [lo, hi]) in limited {
            physics.qpos_mut()[adr] = rng.uniform(lo, hi);
        }
        physics.legacy_steps(200);
        physics.set_time(0.0);
        physics.forward();
    }
    fn observe(&self, physics: &MjPhysics, out: &mut [f64]) {
        let (qpos, qvel) = (physics.data().qpos(), physics.data().qvel());
        out[..qpos.len() - 1].copy_from_slice(&qpos[1..]);
        out[qpos.len() - 1..].copy_from_slice(qvel);
    }
    fn reward(&self, physics: &MjPhysics, _action: &[f64]) -> f64 {
        let speed = physics.sensordata()[physics.named(SUBTREE_LINVEL)];
        tolerance(
            speed,
            (RUN_SPEED, f64::INFINITY),
            RUN_SPEED,
            Sigmoid::Linear,
            0.0,
        )
    }
}
