//! dm_control's `quadruped` domain (`suite/quadruped.py`): a four-legged walker in 3-D, the
//! `walk` and `run` tasks.

use mujoco_rs::mujoco_c::{mjtJoint, mjtSensor};
use ocellus_core::RandomState;
use ocellus_envs::tolerance::{tolerance, Sigmoid};
use ocellus_envs::{EnvError, Task};

use crate::physics::{MjPhysics, ModelSource, Named};
use crate::tasks::load;

const NAMED: &[Named] = &[Named::Body("torso"), Named::Sensor("velocimeter")];
const TORSO: usize = 0;
const VELOCIMETER: usize = 1;
/// Episode length in seconds (`_DEFAULT_TIME_LIMIT`), also the floor's size factor.
const TIME_LIMIT: f64 = 20.0;

/// `quadruped-walk` (0.5 m/s) and `quadruped-run` (5 m/s): move forward, upright.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuadrupedMove {
    name: &'static str,
    desired_speed: f64,
    model: ModelSource,
}

impl QuadrupedMove {
    /// Walk at 0.5 m/s or faster (`_WALK_SPEED`) on a 10 m floor.
    pub const WALK: QuadrupedMove = QuadrupedMove {
        name: "quadruped-walk",
        desired_speed: 0.5,
        model: ModelSource {
            domain: "quadruped",
            key: "quadruped-walk",
            edit: Some(|xml| make_model(xml, TIME_LIMIT * 0.5)),
        },
    };
    /// Run at 5 m/s or faster (`_RUN_SPEED`) on a 100 m floor.
    pub const RUN: QuadrupedMove = QuadrupedMove {
        name: "quadruped-run",
        desired_speed: 5.0,
        model: ModelSource {
            domain: "quadruped",
            key: "quadruped-run",
            edit: Some(|xml| make_model(xml, TIME_LIMIT * 5.0)),
        },
    };
}

/// `quadruped.make_model(floor_size)` without walls, ball, terrain or rangefinders: the
/// floor resized, and the walls, target site, ball body, height-field geom and rangefinder
/// sensors removed.
fn make_model(xml: &str, floor_size: f64) -> Result<String, String> {
    let floor = r#"<geom name="floor" type="plane" size="15 15 .5" material="grid"/>"#;
    if !xml.contains(floor) {
        return Err("quadruped.xml's floor geom is not as in dm-control 1.0.50".into());
    }
    let mut xml = xml.replace(
        floor,
        &format!(r#"<geom name="floor" type="plane" size="{floor_size} {floor_size} .5" material="grid"/>"#),
    );
    for start in [
        r#"<geom name="wall_px""#,
        r#"<geom name="wall_py""#,
        r#"<geom name="wall_nx""#,
        r#"<geom name="wall_ny""#,
        r#"<site name="target""#,
        r#"<geom name="terrain""#,
    ] {
        xml = remove(&xml, start, "/>")?;
    }
    xml = crate::tasks::remove_body(&xml, "ball")?;
    while xml.contains("<rangefinder name=") {
        xml = remove(&xml, "<rangefinder name=", "/>")?;
    }
    Ok(xml)
}

/// `xml` without the first element that starts with `start` and ends at the next `end`.
fn remove(xml: &str, start: &str, end: &str) -> Result<String, String> {
    let a = xml
        .find(start)
        .ok_or_else(|| format!("no `{start}` in quadruped.xml"))?;
    let b = xml[a..]
        .find(end)
        .ok_or_else(|| format!("`{start}` is not closed"))?;
    Ok(format!("{}{}", &xml[..a], &xml[a + b + end.len()..]))
}

impl Task for QuadrupedMove {
    type Physics = MjPhysics;

    /// Camera 2 ("y", the side view tracking the body), DrQ-v2's choice for quadruped.
    fn new_physics(&self) -> Result<MjPhysics, EnvError> {
        load(self.name, self.model, 2, NAMED)
    }
    fn name(&self) -> &'static str {
        self.name
    }
    /// `_CONTROL_TIMESTEP = .02` over the model's 0.005 s step.
    fn sub_steps(&self) -> u32 {
        4
    }
    fn steps_per_episode(&self) -> u32 {
        1000
    }
    /// egocentric_state (16 hinge angles, 16 hinge velocities, 12 actuator activations),
    /// torso_velocity (3), torso_upright, imu (accelerometer 3, gyro 3), force_torque (24).
    fn state_len(&self) -> usize {
        78
    }
    /// A uniformly random orientation at the origin, raised in 1 cm steps from z = 0 until
    /// nothing touches (`Move.initialize_episode`, `_find_non_contacting_height`).
    fn initialize_episode(&self, physics: &mut MjPhysics, rng: &mut RandomState) {
        let q = [0; 4].map(|_| rng.standard_normal());
        let norm = q.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut z = 0.0;
        for _ in 0..10_000 {
            ocellus_physics::Physics::reset(physics);
            let qpos = physics.qpos_mut();
            qpos[..3].copy_from_slice(&[0.0, 0.0, z]);
            for k in 0..4 {
                qpos[3 + k] = q[k] / norm;
            }
            physics.forward();
            if physics.data().ffi().ncon == 0 {
                return;
            }
            z += 0.01;
        }
        // dm_control raises here; 10,000 cm clears any pose of this model.
        unreachable!("quadruped: no contact-free height below 100 m");
    }
    fn observe(&self, physics: &MjPhysics, out: &mut [f64]) {
        let model = physics.model();
        let data = physics.data();
        let mut k = 0;
        let hinges = || {
            (0..model.jnt_type().len()).filter(|&j| model.jnt_type()[j] == mjtJoint::mjJNT_HINGE)
        };
        for j in hinges() {
            out[k] = data.qpos()[model.jnt_qposadr()[j] as usize];
            k += 1;
        }
        for j in hinges() {
            out[k] = data.qvel()[model.jnt_dofadr()[j] as usize];
            k += 1;
        }
        for &a in data.act() {
            out[k] = a;
            k += 1;
        }
        let v = physics.named(VELOCIMETER);
        out[k..k + 3].copy_from_slice(&physics.sensordata()[v..v + 3]);
        k += 3;
        out[k] = physics.xmat(physics.named(TORSO))[8];
        k += 1;
        // Sensors of the listed types in sensor order (dm_control's `_get_sensor_names`).
        let mut sensors = |types: [mjtSensor; 2], f: fn(f64) -> f64| {
            for s in 0..model.sensor_type().len() {
                if types.contains(&model.sensor_type()[s]) {
                    let (adr, dim) = (
                        model.sensor_adr()[s] as usize,
                        model.sensor_dim()[s] as usize,
                    );
                    for &x in &physics.sensordata()[adr..adr + dim] {
                        out[k] = f(x);
                        k += 1;
                    }
                }
            }
        };
        sensors(
            [mjtSensor::mjSENS_GYRO, mjtSensor::mjSENS_ACCELEROMETER],
            |x| x,
        );
        sensors(
            [mjtSensor::mjSENS_FORCE, mjtSensor::mjSENS_TORQUE],
            f64::asinh,
        );
        debug_assert_eq!(k, out.len());
    }
    fn reward(&self, physics: &MjPhysics, _action: &[f64]) -> f64 {
        // `_upright_reward(deviation_angle=0)`: 1 upright, 0 upside down, linear between.
        let upright = tolerance(
            physics.xmat(physics.named(TORSO))[8],
            (1.0, f64::INFINITY),
            2.0,
            Sigmoid::Linear,
            0.0,
        );
        let forward = physics.sensordata()[physics.named(VELOCIMETER)];
        let moving = tolerance(
            forward,
            (self.desired_speed, f64::INFINITY),
            self.desired_speed,
            Sigmoid::Linear,
            0.5,
        );
        upright * moving
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_model_edits_the_pinned_xml_and_refuses_another() {
        let xml = r#"<mujoco><worldbody>
    <geom name="floor" type="plane" size="15 15 .5" material="grid"/>
    <geom name="wall_px" class="wall"/><geom name="wall_py" class="wall"/>
    <geom name="wall_nx" class="wall"/><geom name="wall_ny" class="wall"/>
    <site name="target" type="cylinder"/><geom name="terrain" type="hfield"/>
    <body name="torso"/>
    <body name="ball" pos="0 0 3"><geom name="ball"/></body>
  </worldbody><sensor><rangefinder name="rf_00" site="rf_00"/><rangefinder name="rf_01" site="rf_01"/></sensor></mujoco>"#;
        let edited = make_model(xml, 10.0).unwrap();
        assert!(edited.contains(r#"size="10 10 .5""#));
        for gone in ["wall_", "target", "terrain", "ball", "rangefinder"] {
            assert!(!edited.contains(gone), "{gone} left in {edited}");
        }
        assert!(edited.contains(r#"<body name="torso"/>"#));
        assert!(make_model("<mujoco/>", 10.0).is_err());
    }
}
