//! dm_control's `humanoid` domain (`suite/humanoid.py`): a 21-joint 3-D humanoid that stands,
//! walks or runs.

use ocellus_core::RandomState;
use ocellus_envs::tolerance::{tolerance, Sigmoid};
use ocellus_envs::{EnvError, Task};

use crate::physics::{MjPhysics, ModelSource, Named};
use crate::tasks::{load, small_control};

/// Head height above which the stand term is 1 (`_STAND_HEIGHT`, m).
const STAND_HEIGHT: f64 = 1.4;
const NAMED: &[Named] = &[
    Named::Body("torso"),
    Named::Body("head"),
    Named::Sensor("torso_subtreelinvel"),
    Named::Body("left_hand"),
    Named::Body("left_foot"),
    Named::Body("right_hand"),
    Named::Body("right_foot"),
];
const TORSO: usize = 0;
const HEAD: usize = 1;
const SUBTREE_LINVEL: usize = 2;
/// `extremities()` order: left hand, left foot, right hand, right foot.
const EXTREMITIES: [usize; 4] = [3, 4, 5, 6];

/// `humanoid-stand` (speed 0), `humanoid-walk` (1 m/s) and `humanoid-run` (10 m/s).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HumanoidTask {
    name: &'static str,
    move_speed: f64,
}

impl HumanoidTask {
    /// Stand still, head high, torso upright.
    pub const STAND: HumanoidTask = HumanoidTask {
        name: "humanoid-stand",
        move_speed: 0.0,
    };
    /// Walk at 1 m/s or faster (`_WALK_SPEED`).
    pub const WALK: HumanoidTask = HumanoidTask {
        name: "humanoid-walk",
        move_speed: 1.0,
    };
    /// Run at 10 m/s or faster (`_RUN_SPEED`).
    pub const RUN: HumanoidTask = HumanoidTask {
        name: "humanoid-run",
        move_speed: 10.0,
    };
}

impl Task for HumanoidTask {
    type Physics = MjPhysics;

    fn new_physics(&self) -> Result<MjPhysics, EnvError> {
        load(self.name, ModelSource::file("humanoid"), 0, NAMED)
    }
    fn name(&self) -> &'static str {
        self.name
    }
    /// `_CONTROL_TIMESTEP = .025` over the model's 0.005 s step.
    fn sub_steps(&self) -> u32 {
        5
    }
    /// `_DEFAULT_TIME_LIMIT = 25` s.
    fn steps_per_episode(&self) -> u32 {
        1000
    }
    /// joint_angles (21), head_height, extremities (4 × 3), torso_vertical (3),
    /// com_velocity (3), velocity (27).
    fn state_len(&self) -> usize {
        67
    }
    /// Joints randomised until the pose has no contact (`Humanoid.initialize_episode`).
    fn initialize_episode(&self, physics: &mut MjPhysics, rng: &mut RandomState) {
        loop {
            physics.randomize_limited_and_rotational_joints(rng);
            physics.forward();
            if physics.data().ffi().ncon == 0 {
                break;
            }
        }
    }
    fn observe(&self, physics: &MjPhysics, out: &mut [f64]) {
        let qpos = physics.data().qpos();
        let joints = qpos.len() - 7;
        out[..joints].copy_from_slice(&qpos[7..]);
        let mut k = joints;
        let torso = physics.named(TORSO);
        out[k] = physics.xpos(physics.named(HEAD))[2];
        k += 1;
        // Each extremity's offset from the torso in the torso's frame: (p - torso) · R.
        let (origin, r) = (physics.xpos(torso), physics.xmat(torso));
        for e in EXTREMITIES {
            let p = physics.xpos(physics.named(e));
            let d = [p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]];
            for c in 0..3 {
                out[k + c] = d[0] * r[c] + d[1] * r[3 + c] + d[2] * r[6 + c];
            }
            k += 3;
        }
        // torso_vertical: xmat['torso', ['zx', 'zy', 'zz']] (the third row).
        out[k..k + 3].copy_from_slice(&r[6..9]);
        k += 3;
        let v = physics.named(SUBTREE_LINVEL);
        out[k..k + 3].copy_from_slice(&physics.sensordata()[v..v + 3]);
        k += 3;
        out[k..].copy_from_slice(physics.data().qvel());
    }
    fn reward(&self, physics: &MjPhysics, action: &[f64]) -> f64 {
        let standing = tolerance(
            physics.xpos(physics.named(HEAD))[2],
            (STAND_HEIGHT, f64::INFINITY),
            STAND_HEIGHT / 4.0,
            Sigmoid::Gaussian,
            0.1,
        );
        let upright = tolerance(
            physics.xmat(physics.named(TORSO))[8],
            (0.9, f64::INFINITY),
            1.9,
            Sigmoid::Linear,
            0.0,
        );
        let stand_reward = standing * upright;
        let small_control = small_control(action);
        let small_control = (4.0 + small_control) / 5.0;
        let v = physics.named(SUBTREE_LINVEL);
        let (vx, vy) = (physics.sensordata()[v], physics.sensordata()[v + 1]);
        if self.move_speed == 0.0 {
            let dont_move = (tolerance(vx, (0.0, 0.0), 2.0, Sigmoid::Gaussian, 0.1)
                + tolerance(vy, (0.0, 0.0), 2.0, Sigmoid::Gaussian, 0.1))
                / 2.0;
            return small_control * stand_reward * dont_move;
        }
        let speed = vx.hypot(vy);
        let moving = tolerance(
            speed,
            (self.move_speed, f64::INFINITY),
            self.move_speed,
            Sigmoid::Linear,
            0.0,
        );
        small_control * stand_reward * (5.0 * moving + 1.0) / 6.0
    }
}
