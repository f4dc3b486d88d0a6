"""The dm_control tasks the native suite re-implements, shared by validate_dmc.py and bench_dmc.py."""

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
