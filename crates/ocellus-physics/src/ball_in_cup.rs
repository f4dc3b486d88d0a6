//! Ball in cup: a cup on springs with a ball on a string (dm_control `suite/ball_in_cup.py`).
//!
//! STUB: geometry and read-outs only; the dynamics (springs, string limit, contacts) are
//! being written. See `dmc_tasks.md` §6.

use crate::{copy_checked, Physics, StateLengthError};

/// Compiled parameters of `ball_in_cup.xml`.
#[derive(Clone, Debug, PartialEq)]
pub struct BallInCupModel {
    /// Physics time step, s.
    pub timestep: f64,
}

impl Default for BallInCupModel {
    fn default() -> Self {
        BallInCupModel { timestep: 0.002 }
    }
}

/// The ball-in-cup simulator. `qpos = [cup_x, cup_z, ball_x, ball_z]` (joint coordinates).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BallInCup {
    /// Model parameters.
    pub model: BallInCupModel,
    qpos: [f64; 4],
    qvel: [f64; 4],
    time: f64,
}

impl BallInCup {
    /// World height of the cup's joint origin, m.
    pub const CUP_HEIGHT: f64 = 0.6;
    /// World height of the ball's joint origin, m.
    pub const BALL_HEIGHT: f64 = 0.2;
    /// Ball radius, m.
    pub const BALL_RADIUS: f64 = 0.025;
    /// Radius of the five capsules forming the cup, m.
    pub const CUP_CAPSULE_RADIUS: f64 = 0.008;
    /// The cup's capsules as segments in cup-local (x, z), m.
    pub const CUP_SEGMENTS: [[[f64; 2]; 2]; 5] = [
        [[-0.05, 0.0], [-0.05, -0.075]],
        [[-0.05, -0.075], [-0.025, -0.1]],
        [[-0.025, -0.1], [0.025, -0.1]],
        [[0.025, -0.1], [0.05, -0.075]],
        [[0.05, -0.075], [0.05, 0.0]],
    ];
    /// Where the string is tied, in cup-local (x, z), m.
    pub const STRING_ANCHOR: [f64; 2] = [0.0, -0.108];

    /// World (x, z) of the cup origin.
    pub fn cup_position(&self) -> [f64; 2] {
        [self.qpos[0], Self::CUP_HEIGHT + self.qpos[1]]
    }
    /// World (x, z) of the ball centre.
    pub fn ball_position(&self) -> [f64; 2] {
        [self.qpos[2], Self::BALL_HEIGHT + self.qpos[3]]
    }
    /// World (x, z) of the string's anchor in the cup.
    pub fn string_anchor(&self) -> [f64; 2] {
        let [cx, cz] = self.cup_position();
        [cx + Self::STRING_ANCHOR[0], cz + Self::STRING_ANCHOR[1]]
    }
    /// True while any contact exists (used by the reset's rejection sampling).
    pub fn has_contact(&self) -> bool {
        false
    }
}

impl Physics for BallInCup {
    fn timestep(&self) -> f64 {
        self.model.timestep
    }
    fn num_actuators(&self) -> usize {
        2
    }
    fn qpos(&self) -> &[f64] {
        &self.qpos
    }
    fn qvel(&self) -> &[f64] {
        &self.qvel
    }
    fn set_state(&mut self, qpos: &[f64], qvel: &[f64]) -> Result<(), StateLengthError> {
        copy_checked(&mut self.qpos, qpos, "qpos")?;
        copy_checked(&mut self.qvel, qvel, "qvel")
    }
    fn time(&self) -> f64 {
        self.time
    }
    fn reset(&mut self) {
        *self = BallInCup::default();
    }
    fn step(&mut self, _ctrl: &[f64]) {
        self.time += self.model.timestep;
    }
}
