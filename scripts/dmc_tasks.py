"""The dm_control tasks ocellus implements, shared by validate_dmc.py and bench_dmc.py.

TASKS are re-implemented natively; MUJOCO_TASKS run MuJoCo itself (crate ocellus-mujoco)
with dm_control's task logic ported and native rendering."""

TASKS = [
    "cartpole-balance",
    "cartpole-balance_sparse",
    "cartpole-swingup",
    "cartpole-swingup_sparse",
    "pendulum-swingup",
    "acrobot-swingup",
    "point_mass-easy",
    "reacher-easy",
    "reacher-hard",
    "ball_in_cup-catch",
    "finger-spin",
    "finger-turn_easy",
    "finger-turn_hard",
]

MUJOCO_TASKS = [
    "walker-stand",
    "walker-walk",
    "walker-run",
    "cheetah-run",
    "hopper-stand",
    "hopper-hop",
    "humanoid-stand",
    "humanoid-walk",
    "humanoid-run",
    "quadruped-walk",
    "quadruped-run",
    "manipulator-bring_ball",
]
