//! The tasks, one module per dm_control domain.

pub mod cheetah;
pub mod hopper;
pub mod humanoid;
pub mod quadruped;
pub mod walker;

use ocellus_envs::EnvError;

use crate::physics::{MjPhysics, ModelSource, Named};

/// Loads `source`'s model for `task`, naming the task in any error.
fn load(
    task: &str,
    source: ModelSource,
    camera: usize,
    named: &[Named],
) -> Result<MjPhysics, EnvError> {
    MjPhysics::load(source, camera, named).map_err(|reason| EnvError::Simulator {
        task: task.to_string(),
        reason,
    })
}
