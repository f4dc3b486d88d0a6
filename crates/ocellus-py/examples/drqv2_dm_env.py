"""A PyTorch DrQ-v2 agent trained from the ``dm_env`` adapter, as DrQ-v2-style code is written.

The agent and its loop know only the ``dm_env`` API (``reset``/``step``, ``TimeStep.first()``/
``last()``, ``observation_spec``/``action_spec``): swap ``ocellus.make_dm`` for a dm_control
suite environment wrapped the DrQ-v2 way and nothing else changes.

DrQ-v2 (Yarats et al., 2021, arXiv:2107.09645): a convolutional encoder trained by the critic
loss only; random-shift augmentation of the pixels (pad 4, shifts of whole pixels); a
deterministic actor with scheduled Gaussian exploration noise (clipped at 0.3 in the target);
twin Q critic with n-step TD targets, y = sum_k gamma^k r_{t+k} + gamma^n min(Q1', Q2')(h', a');
target critic by exponential moving average. The defaults below are sized for a few thousand
frames on a CPU (the paper: batch 256, hidden 1024, 4000 seed frames, sigma 1.0 -> 0.1 over
500k frames)::

    python examples/drqv2_dm_env.py --task cartpole-swingup --frames 20000
"""

import argparse
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import ocellus


class RandomShift(nn.Module):
    """DrQ-v2's augmentation: pad by `pad` pixels (replicating the border) and take a window
    shifted by a random whole number of pixels per image. The paper resamples bilinearly, but
    its shifts are whole pixels, where bilinear resampling is exactly this crop."""

    def __init__(self, pad: int):
        super().__init__()
        self.pad = pad

    def forward(self, x):
        n, _, h, w = x.shape
        padded = F.pad(x, (self.pad,) * 4, mode="replicate")
        dy, dx = torch.randint(0, 2 * self.pad + 1, (2, n))
        rows = dy[:, None] + torch.arange(h)  # [n, h]
        cols = dx[:, None] + torch.arange(w)  # [n, w]
        batch = torch.arange(n)[:, None, None]
        # Advanced indices first, the channel slice last: [n, h, w, c] -> [n, c, h, w].
        return padded[batch, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


class Encoder(nn.Module):
    """Four 3x3 convolutions, 32 channels, the first with stride 2; pixels scaled to [-0.5, 0.5]."""

    def __init__(self, obs_shape):
        super().__init__()
        self.convnet = nn.Sequential(
            nn.Conv2d(obs_shape[0], 32, 3, stride=2), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=1), nn.ReLU(),
        )
        with torch.no_grad():
            self.repr_dim = self.convnet(torch.zeros(1, *obs_shape)).numel()

    def forward(self, obs):
        return self.convnet(obs / 255.0 - 0.5).flatten(1)


class Actor(nn.Module):
    def __init__(self, repr_dim, action_dim, feature_dim, hidden):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(repr_dim, feature_dim), nn.LayerNorm(feature_dim),
                                   nn.Tanh())
        self.policy = nn.Sequential(nn.Linear(feature_dim, hidden), nn.ReLU(),
                                    nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, action_dim))

    def forward(self, h, std):
        mu = torch.tanh(self.policy(self.trunk(h)))
        return mu, std * torch.ones_like(mu)


class Critic(nn.Module):
    def __init__(self, repr_dim, action_dim, feature_dim, hidden):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(repr_dim, feature_dim), nn.LayerNorm(feature_dim),
                                   nn.Tanh())

        def q():
            return nn.Sequential(nn.Linear(feature_dim + action_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

        self.q1, self.q2 = q(), q()

    def forward(self, h, action):
        x = torch.cat([self.trunk(h), action], dim=-1)
        return self.q1(x), self.q2(x)


def sample_clipped(mu, std, clip=None):
    """A Gaussian sample around `mu`, its noise clipped at `clip`, squashed into [-1, 1]."""
    noise = torch.randn_like(mu) * std
    if clip is not None:
        noise = noise.clamp(-clip, clip)
    return (mu + noise).clamp(-1.0, 1.0)


class DrQV2Agent:
    def __init__(self, obs_shape, action_dim, lr, feature_dim, hidden, tau, stddev_schedule,
                 stddev_clip):
        self.encoder = Encoder(obs_shape)
        self.actor = Actor(self.encoder.repr_dim, action_dim, feature_dim, hidden)
        self.critic = Critic(self.encoder.repr_dim, action_dim, feature_dim, hidden)
        self.critic_target = Critic(self.encoder.repr_dim, action_dim, feature_dim, hidden)
        self.critic_target.load_state_dict(self.critic.state_dict())
        self.encoder_opt = torch.optim.Adam(self.encoder.parameters(), lr=lr)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=lr)
        self.aug = RandomShift(pad=4)
        self.tau, self.stddev_schedule, self.stddev_clip = tau, stddev_schedule, stddev_clip

    def stddev(self, step):
        init, final, duration = self.stddev_schedule
        return init + (final - init) * min(step / duration, 1.0)

    @torch.no_grad()
    def act(self, obs, step, eval_mode):
        h = self.encoder(torch.as_tensor(obs, dtype=torch.float32).unsqueeze(0))
        mu, std = self.actor(h, self.stddev(step))
        action = mu if eval_mode else sample_clipped(mu, std)
        return action[0].numpy().astype(np.float32)

    def update(self, batch, step):
        obs, action, reward, discount, next_obs = (torch.as_tensor(x) for x in batch)
        obs, next_obs = self.aug(obs.float()), self.aug(next_obs.float())
        h = self.encoder(obs)
        with torch.no_grad():
            next_h = self.encoder(next_obs)
            mu, std = self.actor(next_h, self.stddev(step))
            next_action = sample_clipped(mu, std, self.stddev_clip)
            q1, q2 = self.critic_target(next_h, next_action)
            target = reward + discount * torch.min(q1, q2)
        q1, q2 = self.critic(h, action)
        critic_loss = F.mse_loss(q1, target) + F.mse_loss(q2, target)
        self.encoder_opt.zero_grad(set_to_none=True)
        self.critic_opt.zero_grad(set_to_none=True)
        critic_loss.backward()  # the encoder learns from the critic loss only
        self.critic_opt.step()
        self.encoder_opt.step()

        mu, std = self.actor(h.detach(), self.stddev(step))  # detached features for the actor
        q1, q2 = self.critic(h.detach(), sample_clipped(mu, std, self.stddev_clip))
        actor_loss = -torch.min(q1, q2).mean()
        self.actor_opt.zero_grad(set_to_none=True)
        actor_loss.backward()
        self.actor_opt.step()

        with torch.no_grad():
            for p, tp in zip(self.critic.parameters(), self.critic_target.parameters()):
                tp.lerp_(p, self.tau)
        return {"critic_loss": critic_loss.item(), "actor_loss": actor_loss.item(),
                "q": q1.mean().item()}


class EpisodeReplay:
    """Whole episodes in memory; n-step transitions assembled at sample time (as DrQ-v2's)."""

    def __init__(self, capacity_steps, n_step, gamma):
        self.episodes, self.current = [], None
        self.capacity, self.stored = capacity_steps, 0
        self.n_step, self.gamma = n_step, gamma

    def add(self, time_step, action):
        if time_step.first():
            self.current = {"obs": [time_step.observation], "action": [], "reward": [],
                            "discount": []}
            return
        self.current["obs"].append(time_step.observation)
        self.current["action"].append(action)
        self.current["reward"].append(time_step.reward)
        self.current["discount"].append(time_step.discount)
        if time_step.last():
            episode = {k: np.asarray(v) for k, v in self.current.items()}
            self.episodes.append(episode)
            self.stored += len(episode["action"])
            while self.stored > self.capacity:
                self.stored -= len(self.episodes.pop(0)["action"])

    def __len__(self):
        return self.stored

    def sample(self, batch_size):
        obs, actions, rewards, discounts, next_obs = [], [], [], [], []
        for _ in range(batch_size):
            ep = random.choice(self.episodes)
            t = random.randrange(len(ep["action"]) - self.n_step + 1)
            ret, disc = 0.0, 1.0
            for k in range(self.n_step):
                ret += disc * ep["reward"][t + k]
                disc *= self.gamma * ep["discount"][t + k]
            obs.append(ep["obs"][t])
            actions.append(ep["action"][t])
            rewards.append([ret])
            discounts.append([disc])
            next_obs.append(ep["obs"][t + self.n_step])
        f32 = np.float32
        return (np.stack(obs), np.stack(actions).astype(f32), np.asarray(rewards, f32),
                np.asarray(discounts, f32), np.stack(next_obs))


def evaluate(env, agent, episodes, step):
    returns = []
    for _ in range(episodes):
        time_step, total = env.reset(), 0.0
        while not time_step.last():
            time_step = env.step(agent.act(time_step.observation, step, eval_mode=True))
            total += time_step.reward
        returns.append(total)
    return float(np.mean(returns))


def train(task="cartpole-swingup", frames=3000, seed=1, action_repeat=8, frame_stack=3,
          batch_size=64, seed_frames=1000, hidden=256, feature_dim=50, lr=1e-4, n_step=3,
          gamma=0.99, tau=0.01, update_every_steps=2, eval_every_frames=None, log=print):
    """Trains for `frames` environment frames; returns the logged rows."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    env = ocellus.make_dm(task, action_repeat=action_repeat, frame_stack=frame_stack, seed=seed)
    eval_env = ocellus.make_dm(task, action_repeat=action_repeat, frame_stack=frame_stack,
                               seed=seed + 1000)
    obs_spec, action_spec = env.observation_spec(), env.action_spec()
    agent = DrQV2Agent(obs_spec.shape, action_spec.shape[0], lr, feature_dim, hidden, tau,
                       stddev_schedule=(1.0, 0.1, 500_000 // action_repeat), stddev_clip=0.3)
    replay = EpisodeReplay(1_000_000, n_step, gamma)
    rows, episode_return, step = [], 0.0, 0
    time_step = env.reset()
    replay.add(time_step, None)
    while step * action_repeat < frames:
        if step * action_repeat < seed_frames:
            action = np.random.uniform(action_spec.minimum, action_spec.maximum,
                                       action_spec.shape).astype(action_spec.dtype)
        else:
            action = agent.act(time_step.observation, step, eval_mode=False)
        metrics = None
        if step * action_repeat >= seed_frames and step % update_every_steps == 0:
            metrics = agent.update(replay.sample(batch_size), step)
        time_step = env.step(action)
        episode_return += time_step.reward
        replay.add(time_step, action)
        step += 1
        if time_step.last():
            row = {"frame": step * action_repeat, "episode_return": episode_return, **(metrics or {})}
            rows.append(row)
            log(row)
            episode_return = 0.0
            time_step = env.reset()
            replay.add(time_step, None)
        if eval_every_frames and (step * action_repeat) % eval_every_frames == 0:
            log({"frame": step * action_repeat, "eval_return": evaluate(eval_env, agent, 3, step)})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="cartpole-swingup")
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--action-repeat", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed-frames", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--eval-every-frames", type=int, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    train(args.task, args.frames, args.seed, args.action_repeat, batch_size=args.batch_size,
          seed_frames=args.seed_frames, hidden=args.hidden,
          eval_every_frames=args.eval_every_frames)


if __name__ == "__main__":
    main()
