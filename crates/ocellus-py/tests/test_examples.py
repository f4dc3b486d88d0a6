"""The examples run: a PyTorch DrQ-v2 agent trains from the dm_env adapter."""

import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))

torch = pytest.importorskip("torch")


def test_random_shift_is_a_whole_pixel_crop_of_the_padded_image():
    from drqv2_dm_env import RandomShift

    torch.manual_seed(0)
    x = torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).reshape(2, 3, 8, 8)
    y = RandomShift(pad=2)(x)
    padded = torch.nn.functional.pad(x, (2,) * 4, mode="replicate")
    for i in range(2):
        windows = [padded[i, :, dy:dy + 8, dx:dx + 8] for dy in range(5) for dx in range(5)]
        assert any(torch.equal(y[i], w) for w in windows)


def test_drqv2_trains_from_the_dm_env_adapter_for_a_few_thousand_frames():
    from drqv2_dm_env import train

    torch.set_num_threads(1)
    rows = train("cartpole-swingup", frames=3000, seed=1, action_repeat=8, batch_size=32,
                 seed_frames=1000, hidden=64, log=lambda row: None)
    assert [r["frame"] for r in rows] == [1000, 2000, 3000]
    last = rows[-1]
    assert np.isfinite(last["critic_loss"]) and np.isfinite(last["actor_loss"])
    assert all(0 <= r["episode_return"] <= 1000 for r in rows)
