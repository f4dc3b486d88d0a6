//! dm_control's `manipulator` domain (`suite/manipulator.py`): a planar arm with a two-finger
//! hand; `bring_ball` asks it to bring a ball to a target.

use std::f64::consts::PI;

use ocellus_core::RandomState;
use ocellus_envs::tolerance::{tolerance, Sigmoid};
use ocellus_envs::{EnvError, Task};

use crate::physics::{MjPhysics, ModelSource, Named};
use crate::tasks::{load, remove_body};

/// Distance below which a thing is close (`_CLOSE`, m).
const CLOSE: f64 = 0.01;
/// Initial-state probabilities: object in hand, in target, anywhere (`_P_IN_HAND`,
/// `_P_IN_TARGET`).
const INIT_PROBS: [f64; 3] = [0.1, 0.1, 1.0 - 0.1 - 0.1];

/// `_ARM_JOINTS`, then the ball's joints `ball_x`, `ball_z`, `ball_y` (the object's joints in
/// 'xzy' order), then bodies and sites.
const NAMED: &[Named] = &[
    Named::Joint("arm_root"),
    Named::Joint("arm_shoulder"),
    Named::Joint("arm_elbow"),
    Named::Joint("arm_wrist"),
    Named::Joint("finger"),
    Named::Joint("fingertip"),
    Named::Joint("thumb"),
    Named::Joint("thumbtip"),
    Named::Joint("ball_x"),
    Named::Joint("ball_z"),
    Named::Joint("ball_y"),
    Named::Body("hand"),
    Named::Body("ball"),
    Named::Body("target_ball"),
    Named::Site("grasp"),
    Named::Site("ball"),
    Named::Site("target_ball"),
    Named::Sensor("palm_touch"),
    Named::Sensor("finger_touch"),
    Named::Sensor("thumb_touch"),
    Named::Sensor("fingertip_touch"),
    Named::Sensor("thumbtip_touch"),
];
const ARM: std::ops::Range<usize> = 0..8;
const FINGER: usize = 4;
const THUMB: usize = 6;
const OBJECT: std::ops::Range<usize> = 8..11;
const HAND: usize = 11;
const BALL: usize = 12;
const TARGET: usize = 13;
const GRASP_SITE: usize = 14;
const BALL_SITE: usize = 15;
const TARGET_SITE: usize = 16;
const TOUCH: std::ops::Range<usize> = 17..22;

/// `manipulator-bring_ball`: bring the ball to the (moving per episode) target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManipulatorBringBall;

/// `manipulator.make_model(use_peg=False, insert=False)`: the peg, its target, the cup and the
/// slot removed.
fn make_model(xml: &str) -> Result<String, String> {
    let mut xml = xml.to_string();
    for prop in ["cup", "peg", "target_peg", "slot"] {
        xml = remove_body(&xml, prop)?;
    }
    Ok(xml)
}

impl Task for ManipulatorBringBall {
    type Physics = MjPhysics;

    /// Camera 0 ("fixed", 4° field of view, far in front).
    fn new_physics(&self) -> Result<MjPhysics, EnvError> {
        let source = ModelSource {
            domain: "manipulator",
            key: "manipulator-bring_ball",
            edit: Some(make_model),
        };
        load(self.name(), source, 0, NAMED)
    }
    fn name(&self) -> &'static str {
        "manipulator-bring_ball"
    }
    /// `_CONTROL_TIMESTEP = .01` over the model's 0.001 s step.
    fn sub_steps(&self) -> u32 {
        10
    }
    /// `_TIME_LIMIT = 10` s.
    fn steps_per_episode(&self) -> u32 {
        1000
    }
    /// arm_pos (8 × sin, cos), arm_vel (8), touch (5), hand_pos, object_pos (x, z, qw, qy
    /// each), object_vel (3), target_pos (4).
    fn state_len(&self) -> usize {
        44
    }
    /// `Bring.initialize_episode`: arm angles uniform in their ranges (±π unlimited), finger
    /// = thumb, a target anywhere in reach, the ball in the hand (10 %), in the target (10 %)
    /// or anywhere with a random horizontal speed; drawn again while anything touches.
    fn initialize_episode(&self, physics: &mut MjPhysics, rng: &mut RandomState) {
        let joint = |physics: &MjPhysics, i: usize| physics.named(i);
        loop {
            let model = physics.model();
            let limits: Vec<[f64; 2]> = ARM
                .map(|i| {
                    let j = joint(physics, i);
                    if model.jnt_limited()[j] {
                        model.jnt_range()[j]
                    } else {
                        [-PI, PI]
                    }
                })
                .collect();
            let arm_adr: Vec<usize> = ARM
                .map(|i| model.jnt_qposadr()[joint(physics, i)] as usize)
                .collect();
            let object_adr: Vec<usize> = OBJECT
                .map(|i| model.jnt_qposadr()[joint(physics, i)] as usize)
                .collect();
            let ball_x_dof = model.jnt_dofadr()[joint(physics, OBJECT.start)] as usize;
            let target = physics.named(TARGET);
            for (k, [lo, hi]) in limits.into_iter().enumerate() {
                physics.qpos_mut()[arm_adr[k]] = rng.uniform(lo, hi);
            }
            let thumb = physics.qpos_mut()[arm_adr[THUMB]];
            physics.qpos_mut()[arm_adr[FINGER]] = thumb;
            let target_x = rng.uniform(-0.4, 0.4);
            let target_z = rng.uniform(0.1, 0.4);
            let target_angle = rng.uniform(-PI, PI);
            {
                let model = physics.model_mut();
                model.body_pos_mut()[target][0] = target_x;
                model.body_pos_mut()[target][2] = target_z;
                model.body_quat_mut()[target][0] = (target_angle / 2.0).cos();
                model.body_quat_mut()[target][2] = (target_angle / 2.0).sin();
            }
            // numpy's `choice(..., p=INIT_PROBS)`: one uniform draw against the cumulative
            // probabilities (normalised by their sum), first index whose bound exceeds it.
            let cdf = [
                INIT_PROBS[0],
                INIT_PROBS[0] + INIT_PROBS[1],
                INIT_PROBS[0] + INIT_PROBS[1] + INIT_PROBS[2],
            ];
            let u = rng.random_sample();
            let init_type = cdf.iter().filter(|&&c| c / cdf[2] <= u).count();
            let (object_x, object_z, object_angle) = match init_type {
                // in hand
                0 => {
                    physics.forward();
                    let grasp = physics.named(GRASP_SITE);
                    let (p, m) = (physics.site_xpos(grasp), physics.site_xmat(grasp));
                    (p[0], p[2], PI - m[6].atan2(m[0]))
                }
                // in target
                1 => (target_x, target_z, target_angle),
                _ => {
                    let x = rng.uniform(-0.5, 0.5);
                    let z = rng.uniform(0.0, 0.7);
                    let angle = rng.uniform(0.0, 2.0 * PI);
                    let vx = rng.uniform(-5.0, 5.0);
                    physics.qvel_mut()[ball_x_dof] = vx;
                    (x, z, angle)
                }
            };
            let qpos = physics.qpos_mut();
            qpos[object_adr[0]] = object_x;
            qpos[object_adr[1]] = object_z;
            qpos[object_adr[2]] = object_angle;
            physics.forward();
            if physics.data().ffi().ncon == 0 {
                return;
            }
        }
    }
    fn observe(&self, physics: &MjPhysics, out: &mut [f64]) {
        let model = physics.model();
        let (qpos, qvel) = (physics.data().qpos(), physics.data().qvel());
        let qpos_of = |i: usize| qpos[model.jnt_qposadr()[physics.named(i)] as usize];
        let qvel_of = |i: usize| qvel[model.jnt_dofadr()[physics.named(i)] as usize];
        let mut k = 0;
        let mut put = |v: f64| {
            out[k] = v;
            k += 1;
        };
        for i in ARM {
            let (s, c) = qpos_of(i).sin_cos();
            put(s);
            put(c);
        }
        ARM.for_each(|i| put(qvel_of(i)));
        for i in TOUCH {
            put(physics.sensordata()[physics.named(i)].ln_1p());
        }
        // body_2d_pose: xpos x, z and xquat w, y.
        let pose = |b: usize| {
            let (p, q) = (
                physics.xpos(physics.named(b)),
                physics.xquat(physics.named(b)),
            );
            [p[0], p[2], q[0], q[2]]
        };
        pose(HAND).into_iter().for_each(&mut put);
        pose(BALL).into_iter().for_each(&mut put);
        OBJECT.for_each(|i| put(qvel_of(i)));
        pose(TARGET).into_iter().for_each(&mut put);
    }
    /// `_ball_reward`: whether the ball's site is within 1 cm of the target's, gaussian over
    /// a 2 cm margin.
    fn reward(&self, physics: &MjPhysics, _action: &[f64]) -> f64 {
        let (a, b) = (
            physics.site_xpos(physics.named(BALL_SITE)),
            physics.site_xpos(physics.named(TARGET_SITE)),
        );
        let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
        tolerance(d, (0.0, CLOSE), 2.0 * CLOSE, Sigmoid::Gaussian, 0.1)
    }
}
