"""Gymnasium environments: the checker, spaces, and step-for-step agreement with the Rust pool."""

import pickle
import subprocess

import numpy as np
import pytest

import gymnasium
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode

import ocellus
from ocellus.envs import EnvConfig


@pytest.mark.parametrize(
    "task, options",
    [
        ("cartpole-swingup", {}),
        ("reacher-easy", {"action_repeat": 4, "frame_stack": 3}),
        ("finger-spin", {"distractions": True, "size": 64}),
        ("ball_in_cup-catch", {"obs_type": "state"}),
    ],
)
def test_single_env_passes_gymnasiums_checker(task, options):
    env = gymnasium.make(f"ocellus/{task}-v1", **options)
    check_env(env.unwrapped)
    # Also through the wrappers gymnasium.make adds (passive checker, order enforcing).
    obs, _ = env.reset(seed=3)
    assert obs in env.observation_space
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    assert isinstance(reward, float) and not terminated and not truncated
    assert info["discount"] == 1.0


def test_single_env_reset_seed_matches_the_rust_reset_and_continues_the_stream():
    env = ocellus.make("pendulum-swingup", size=32)
    first, _ = env.reset(seed=7)
    again, _ = env.reset(seed=7)
    np.testing.assert_array_equal(first, again)
    # Without a seed the reset stream continues: a different start.
    other, _ = env.reset()
    assert not np.array_equal(first, other)
    # The first reset of a vector env seeded through explicit per-env seeds is the same episode.
    vec = ocellus.make_vec("pendulum-swingup", 2, size=32)
    obs, _ = vec.reset(seed=[7, 8])
    np.testing.assert_array_equal(obs[0], first)


def test_single_env_episode_ends_by_truncation_and_refuses_to_step_past_it():
    env = ocellus.make("cartpole-swingup", action_repeat=8, obs_type="state")
    env.reset(seed=0)
    zero = np.zeros(1, np.float32)
    for t in range(125):
        obs, reward, terminated, truncated, info = env.step(zero)
        assert terminated is False
        assert truncated is (t == 124), t
    with pytest.raises(RuntimeError, match="episode ended"):
        env.step(zero)
    env.reset()
    env.step(zero)


def test_make_vec_registration_spaces_and_metadata():
    envs = gymnasium.make_vec("ocellus/cartpole-swingup-v1", num_envs=3, frame_stack=3, size=48)
    assert isinstance(envs.unwrapped, ocellus.VectorEnv)
    assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert envs.single_observation_space == gymnasium.spaces.Box(0, 255, (9, 48, 48), np.uint8)
    assert envs.single_action_space == gymnasium.spaces.Box(-1, 1, (1,), np.float32)
    assert envs.observation_space.shape == (3, 9, 48, 48)
    obs, infos = envs.reset(seed=1)
    assert obs.shape == (3, 9, 48, 48) and obs.dtype == np.uint8 and obs.flags.c_contiguous
    obs2, rewards, terminations, truncations, infos = envs.step(envs.action_space.sample())
    assert rewards.shape == (3,) and rewards.dtype == np.float64
    assert terminations.dtype == bool and truncations.dtype == bool
    np.testing.assert_array_equal(infos["discount"], np.ones(3))
    # Each step returns new memory: the observation handed out before is left as it was.
    before = obs2.copy()
    envs.step(envs.action_space.sample())
    np.testing.assert_array_equal(obs2, before)
    assert not np.shares_memory(obs, obs2)
    envs.close()
    with pytest.raises(RuntimeError, match="closed"):
        envs.step(envs.action_space.sample())


def test_vector_env_renders_into_a_caller_buffer():
    envs = ocellus.make_vec("reacher-easy", 2, size=32, seed=4)
    twin = ocellus.make_vec("reacher-easy", 2, size=32, seed=4)
    envs.reset()
    twin.reset()
    out = np.empty((2, 3, 32, 32), np.uint8)
    actions = np.full((2, 2), 0.3, np.float32)
    frames, *_ = envs._native.step(actions, out=out)
    assert frames is out
    np.testing.assert_array_equal(out, twin.step(actions)[0])
    with pytest.raises(ValueError, match=r"out= must have shape \[2, 3, 32, 32\]"):
        envs._native.step(actions, out=np.empty((2, 3, 32, 31), np.uint8))


def _rust_trace(pool_trace, tmp_path, task, num_envs, seed, actions, repeat, stack, size, spec):
    """Runs the Rust pool on `actions` and parses its records (see examples/pool_trace.rs)."""
    actions_file, out_file = tmp_path / "actions.f32", tmp_path / "trace.bin"
    actions.astype("<f4").tofile(actions_file)
    subprocess.run(
        [pool_trace, task, str(num_envs), str(seed), str(len(actions)), str(repeat), str(stack),
         str(size), actions_file, out_file],
        check=True,
    )
    n, s, frame = num_envs, spec["state_dim"], spec["frame_len"]
    record = np.dtype([
        ("kinds", "u1", (n,)), ("rewards", "<f8", (n,)), ("discounts", "<f8", (n,)),
        ("states", "<f8", (n, s)), ("pixels", "u1", (n * frame,)),
    ])
    return np.fromfile(out_file, dtype=record)


@pytest.mark.parametrize(
    "task, repeat, stack", [("cartpole-swingup", 8, 3), ("ball_in_cup-catch", 4, 1)]
)
def test_vector_env_matches_the_rust_pool_step_for_step(pool_trace, tmp_path, task, repeat, stack):
    """Shapes, dtypes, rewards, step kinds (terminations, truncations, next-step auto-reset),
    states and every pixel equal those of the Rust EnvPool built with the same seed."""
    num_envs, seed, size = 3, 11, 32
    steps = 2 * (1000 // repeat) + 5  # two time limits and the auto-resets after them
    envs = ocellus.make_vec(task, num_envs, action_repeat=repeat, frame_stack=stack, size=size)
    state_envs = ocellus.make_vec(task, num_envs, action_repeat=repeat, obs_type="state")
    a = envs.single_action_space.shape[0]
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, size=(steps, num_envs, a)).astype(np.float32)
    spec = {"state_dim": state_envs._native.state_dim,
            "frame_len": int(np.prod(envs.single_observation_space.shape))}
    trace = _rust_trace(pool_trace, tmp_path, task, num_envs, seed, actions, repeat, stack, size,
                        spec)
    assert len(trace) == steps + 1

    obs, _ = envs.reset(seed=seed)
    states, _ = state_envs.reset(seed=seed)
    np.testing.assert_array_equal(obs.reshape(num_envs, -1), trace[0]["pixels"].reshape(num_envs, -1))
    np.testing.assert_array_equal(states, trace[0]["states"])
    resets = 0
    for t in range(steps):
        obs, rewards, terminated, truncated, infos = envs.step(actions[t])
        states, *_ = state_envs.step(actions[t])
        r = trace[t + 1]
        assert obs.dtype == np.uint8 and obs.shape == (num_envs, 3 * stack, size, size)
        np.testing.assert_array_equal(obs.reshape(num_envs, -1), r["pixels"].reshape(num_envs, -1))
        np.testing.assert_array_equal(rewards, r["rewards"])
        np.testing.assert_array_equal(infos["discount"], r["discounts"])
        np.testing.assert_array_equal(states, r["states"])
        np.testing.assert_array_equal(terminated, r["kinds"] == 2)
        np.testing.assert_array_equal(truncated, r["kinds"] == 3)
        first = r["kinds"] == 0
        resets += first.sum()
        # Next-step auto-reset: reward 0, neither flag.
        assert np.all(rewards[first] == 0) and not np.any(terminated[first] | truncated[first])
    assert resets >= num_envs, "the trace crosses at least one auto-reset per env"


def test_vector_env_seeding_rules():
    envs = ocellus.make_vec("point_mass-easy", 4, size=16, obs_type="state")
    a, _ = envs.reset(seed=5)
    b, _ = envs.reset(seed=5)
    np.testing.assert_array_equal(a, b)
    assert len({tuple(row) for row in a}) == 4, "copies get different seeds"
    c, _ = envs.reset(seed=[1, 2, 3, 4])
    single = ocellus.make("point_mass-easy", obs_type="state")
    np.testing.assert_array_equal(c[2], single.reset(seed=3)[0])
    # A config seed applies to the first reset; later unseeded resets continue the streams.
    seeded = ocellus.make_vec("point_mass-easy", 4, seed=5, obs_type="state")
    np.testing.assert_array_equal(seeded.reset()[0], a)
    assert not np.array_equal(seeded.reset()[0], a)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: ocellus.make_vec("cartpole-swingdown", 2), "unknown task `cartpole-swingdown`"),
        (lambda: ocellus.make_vec("cartpole-swingup", 0), "num_envs must be at least 1"),
        (lambda: ocellus.make("cartpole-swingup", frame_stack=0), "frame_stack must be at least 1"),
        (lambda: ocellus.make("cartpole-swingup", size=4), "frame sides must be between 8"),
        (lambda: ocellus.make("cartpole-swingup", obs_type="rgb"), 'obs_type must be "pixels"'),
        (lambda: ocellus.make("cartpole-swingup", distractions={"blur": 1}), "unknown distraction"),
        (lambda: ocellus.make("cartpole-swingup", distractions={"color_shift": 2.0}),
         "color_shift = 2: must lie in"),
    ],
)
def test_bad_configurations_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_actions_raise_clear_errors_and_step_nothing():
    envs = ocellus.make_vec("reacher-easy", 3, size=16, obs_type="state", seed=2)
    twin = ocellus.make_vec("reacher-easy", 3, size=16, obs_type="state", seed=2)
    envs.reset()
    twin.reset()
    with pytest.raises(ValueError, match=r"actions must have shape \(3, 2\).*got \(3,\)"):
        envs.step(np.zeros(3))
    bad = np.zeros((3, 2), np.float32)
    bad[1, 1] = np.inf
    with pytest.raises(ValueError, match="environment 1 of the pool: action entry 1 is inf"):
        envs.step(bad)
    with pytest.raises(ValueError, match="could not convert|must be real number"):
        envs.step(np.array([["a", "b"]] * 3))
    good = np.full((3, 2), 0.5, np.float32)
    np.testing.assert_array_equal(envs.step(good)[0], twin.step(good)[0])
    single = ocellus.make("reacher-easy", size=16)
    with pytest.raises(RuntimeError, match="before reset"):
        single.step(np.zeros(2, np.float32))
    single.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must have shape \(2,\)"):
        single.step(np.zeros(3))
    with pytest.raises(ValueError, match="action entry 0 is NaN"):
        single.step(np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match=r"seeds must lie in \[0, 2\*\*32\)"):
        single.reset(seed=2**40)


def test_environments_do_not_pickle_but_their_configs_do():
    envs = ocellus.make_vec("cartpole-swingup", 2)
    with pytest.raises(TypeError, match="send its .config"):
        pickle.dumps(envs)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(envs._native)
    config = pickle.loads(pickle.dumps(envs.config))
    assert config == EnvConfig(task="cartpole-swingup", num_envs=2)
    assert config.make_vec().num_envs == 2


def test_task_listing_names_every_registered_task():
    names = [t["name"] for t in ocellus.envs.tasks()]
    assert "cartpole-swingup" in names and "finger-turn_hard" in names
    for name in names:
        assert f"ocellus/{name}-v1" in gymnasium.registry


def test_rgb_array_rendering_shows_the_newest_frame_even_for_state_observations():
    pixels = ocellus.make("finger-spin", size=40, frame_stack=2)
    state = gymnasium.make("ocellus/finger-spin-v1", size=40, obs_type="state",
                           render_mode="rgb_array")
    black = state.unwrapped.render()  # gymnasium.make's order check refuses it before reset
    assert black.shape == (40, 40, 3) and not black.any()
    obs, _ = pixels.reset(seed=1)
    state.reset(seed=1)
    action = np.array([0.5, -0.5], np.float32)
    obs = pixels.step(action)[0]
    state.step(action)
    np.testing.assert_array_equal(state.render(), np.moveaxis(obs[3:], 0, -1))
    vec = ocellus.make_vec("finger-spin", 2, size=40, render_mode="rgb_array", seed=0)
    vec.reset()
    frames = vec.render()
    assert len(frames) == 2 and frames[0].shape == (40, 40, 3)
