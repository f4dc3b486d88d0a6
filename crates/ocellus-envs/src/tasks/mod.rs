//! The control-suite tasks, one module per domain, each a port of dm_control's
//! `suite/<domain>.py` (dm_control 1.0.50): reset distributions drawn in dm_control's order,
//! observations in its key order, rewards from [`crate::tolerance`].

pub mod acrobot;
pub mod ball_in_cup;
pub mod cartpole;
pub mod finger;
pub mod pendulum;
pub mod point_mass;
pub mod reacher;
