"""The dm_env adapter: specs, time-step types and discounts as dm_control gives them."""

import numpy as np
import pytest

import dm_env
from dm_env import specs

import ocellus


def test_specs_are_those_drqv2_wrappers_produce():
    env = ocellus.make_dm("reacher-easy", action_repeat=4, frame_stack=3, seed=0)
    assert env.observation_spec() == specs.BoundedArray(
        (9, 84, 84), np.uint8, 0, 255, name="observation"
    )
    assert env.action_spec() == specs.BoundedArray((2,), np.float32, -1.0, 1.0, name="action")
    assert env.reward_spec().shape == () and env.discount_spec().maximum == 1.0
    ts = env.reset()
    env.observation_spec().validate(ts.observation)
    ts = env.step(env.action_spec().generate_value())
    env.observation_spec().validate(ts.observation)
    state_env = ocellus.make_dm("reacher-easy", obs_type="state")
    assert state_env.observation_spec() == specs.Array((6,), np.float64, name="observation")


def test_time_steps_follow_dm_control_through_truncation_and_restart():
    env = ocellus.make_dm("cartpole-swingup", action_repeat=8, size=32, seed=3)
    gym_env = ocellus.make("cartpole-swingup", action_repeat=8, size=32)
    ts = env.reset()
    obs, _ = gym_env.reset(seed=3)
    assert ts.step_type == dm_env.StepType.FIRST and ts.reward is None and ts.discount is None
    np.testing.assert_array_equal(ts.observation, obs)
    action = np.array([0.2], np.float32)
    for t in range(125):
        ts = env.step(action)
        obs, reward, terminated, truncated, _ = gym_env.step(action)
        np.testing.assert_array_equal(ts.observation, obs)
        assert ts.reward == reward
        if t < 124:
            assert ts.step_type == dm_env.StepType.MID and ts.discount == 1.0
    # The time limit: LAST with discount 1 (a truncation, as dm_control's control.Environment).
    assert truncated and ts.last() and ts.discount == 1.0
    # The step after LAST starts the next episode, which continues the reset stream.
    ts = env.step(action)
    assert ts.first()
    np.testing.assert_array_equal(ts.observation, gym_env.reset()[0])


def test_bad_actions_raise_clear_errors():
    env = ocellus.make_dm("reacher-easy", size=16, seed=1)
    env.reset()
    with pytest.raises(ValueError, match=r"action must have shape \(2,\), got \(1,\)"):
        env.step(np.zeros(1))
    with pytest.raises(ValueError, match="action entry 1 is NaN"):
        env.step(np.array([0.0, np.nan]))
    env.step(np.zeros(2))
