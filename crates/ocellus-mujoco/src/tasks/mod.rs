//! The tasks, one module per dm_control domain.

pub mod cheetah;
pub mod hopper;
pub mod walker;

use ocellus_envs::EnvError;

use crate::physics::{MjPhysics, Named};

/// Loads `domain`'s model for `task`, naming the task in any error.
fn load(
    task: &str,
    domain: &'static str,
    camera: usize,
    named: &[Named],
) -> Result<MjPhysics, EnvError> {
    MjPhysics::load(domain, camera, named).map_err(|reason| EnvError::Simulator {
        task: task.to_string(),
        reason,
    })
}
