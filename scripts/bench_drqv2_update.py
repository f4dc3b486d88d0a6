#!/usr/bin/env python3
"""Times one DrQ-v2 update in PyTorch, the way the reference code does it.

The baseline for crates/ocellus-agents/examples/drqv2_update_bench.rs. Networks and update
follow facebookresearch/drqv2 @ c0c650b (drqv2.py, utils.py), written here from its equations
and shapes: bilinear grid_sample random shift (pad 4) on float frames, 4 x conv3x3 encoder
(obs/255 - 0.5), actor/critic trunks Linear -> LayerNorm -> Tanh, 1024-wide MLPs, twin Q, target
critic EMA (tau 0.01), clipped target-policy noise (0.3), torch.optim.Adam (lr 1e-4) per group,
backward() + zero_grad(set_to_none=True), and the .item() metrics the reference logs with
use_tb (its default). Batch 256, 84x84, frame stack 3, 6 action dims, torch.set_num_threads(2);
prints the median of 20 updates after 3 warm-up updates, in ms.

`--micro M` runs the encoder and critic forward/backward in chunks of M samples, each
backpropagating its share of the batch loss (gradients accumulate), the execution trick the
Rust agent's `micro_batch_size` uses; the default (M = batch) is the reference's one piece.
`--channels-last` feeds the encoder channels-last frames (`torch.channels_last`), as the Rust
encoder does since 2026-11-24; the reference uses the default NCHW layout.

Run with the project's torch venv:
    ~/.cache/ocellus/torch-venv/bin/python scripts/bench_drqv2_update.py [--batch B --image S --hidden H --micro M --channels-last]
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def orthogonal_init(module):
    if isinstance(module, nn.Linear):
        nn.init.orthogonal_(module.weight)
        nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        nn.init.orthogonal_(module.weight, nn.init.calculate_gain("relu"))
        nn.init.zeros_(module.bias)


def shift_augment(x, pad=4):
    """Replicate pad, then bilinear sampling on a grid shifted by whole padded pixels."""
    n, _, h, w = x.shape
    x = F.pad(x, (pad, pad, pad, pad), mode="replicate")
    size = h + 2 * pad
    eps = 1.0 / size
    axis = torch.linspace(-1.0 + eps, 1.0 - eps, size, dtype=x.dtype)[:h]
    gx = axis.view(1, 1, h, 1).expand(n, h, h, 1)
    gy = axis.view(1, h, 1, 1).expand(n, h, h, 1)
    base = torch.cat([gx, gy], dim=3)
    shift = torch.randint(0, 2 * pad + 1, (n, 1, 1, 2), dtype=x.dtype) * (2.0 / size)
    return F.grid_sample(x, base + shift, padding_mode="zeros", align_corners=False)


def trunk(in_dim, out_dim):
    return nn.Sequential(nn.Linear(in_dim, out_dim), nn.LayerNorm(out_dim), nn.Tanh())


def mlp(in_dim, hidden, out_dim):
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, out_dim))


class Encoder(nn.Module):
    def __init__(self, channels, channels_last=False):
        super().__init__()
        self.channels_last = channels_last
        layers, c = [], channels
        for stride in (2, 1, 1, 1):
            layers += [nn.Conv2d(c, 32, 3, stride=stride), nn.ReLU()]
            c = 32
        self.net = nn.Sequential(*layers)
        self.apply(orthogonal_init)

    def forward(self, obs):
        if self.channels_last:
            obs = obs.contiguous(memory_format=torch.channels_last)
        return self.net(obs / 255.0 - 0.5).flatten(1)


class Actor(nn.Module):
    def __init__(self, repr_dim, action_dim, feature_dim, hidden):
        super().__init__()
        self.trunk = trunk(repr_dim, feature_dim)
        self.policy = mlp(feature_dim, hidden, action_dim)
        self.apply(orthogonal_init)

    def forward(self, h, std):
        mu = torch.tanh(self.policy(self.trunk(h)))
        return mu, torch.ones_like(mu) * std


class Critic(nn.Module):
    def __init__(self, repr_dim, action_dim, feature_dim, hidden):
        super().__init__()
        self.trunk = trunk(repr_dim, feature_dim)
        self.q1 = mlp(feature_dim + action_dim, hidden, 1)
        self.q2 = mlp(feature_dim + action_dim, hidden, 1)
        self.apply(orthogonal_init)

    def forward(self, h, a):
        x = torch.cat([self.trunk(h), a], dim=-1)
        return self.q1(x), self.q2(x)


def sample(mu, std, clip):
    """Gaussian noise (clipped), then a straight-through clamp into (-1, 1)."""
    noise = torch.randn_like(mu) * std
    if clip is not None:
        noise = noise.clamp(-clip, clip)
    x = mu + noise
    return x - x.detach() + x.clamp(-1 + 1e-6, 1 - 1e-6).detach()


def normal_log_prob(x, mu, std):
    return -((x - mu) ** 2) / (2 * std ** 2) - std.log() - math.log(math.sqrt(2 * math.pi))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--image", type=int, default=84)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--micro", type=int, default=None)
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()
    micro = args.micro or args.batch
    torch.set_num_threads(2)
    torch.manual_seed(1)
    b, s, a_dim, channels = args.batch, args.image, 6, 9
    feature_dim, lr, tau, clip, std = 50, 1e-4, 0.01, 0.3, 0.5

    encoder = Encoder(channels, args.channels_last)
    with torch.no_grad():
        repr_dim = encoder(torch.zeros(1, channels, s, s)).shape[1]
    actor = Actor(repr_dim, a_dim, feature_dim, args.hidden)
    critic = Critic(repr_dim, a_dim, feature_dim, args.hidden)
    critic_target = Critic(repr_dim, a_dim, feature_dim, args.hidden)
    critic_target.load_state_dict(critic.state_dict())
    enc_opt = torch.optim.Adam(encoder.parameters(), lr=lr)
    actor_opt = torch.optim.Adam(actor.parameters(), lr=lr)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=lr)

    obs_u8 = torch.randint(0, 256, (b, channels, s, s), dtype=torch.uint8)
    next_obs_u8 = torch.randint(0, 256, (b, channels, s, s), dtype=torch.uint8)
    action = torch.rand(b, a_dim) * 2 - 1
    reward = torch.rand(b, 1)
    discount = torch.full((b, 1), 0.99 ** 3)

    def update():
        metrics = {}  # the .item() calls below are the reference's use_tb logging
        obs = shift_augment(obs_u8.float())
        next_obs = shift_augment(next_obs_u8.float())
        with torch.no_grad():
            h_next = torch.cat([encoder(o) for o in next_obs.split(micro)])
        metrics["batch_reward"] = reward.mean().item()
        # critic (trains the encoder too)
        with torch.no_grad():
            mu, sd = actor(h_next, std)
            next_a = sample(mu, sd, clip)
            tq1, tq2 = critic_target(h_next, next_a)
            y = reward + discount * torch.min(tq1, tq2)
        enc_opt.zero_grad(set_to_none=True)
        critic_opt.zero_grad(set_to_none=True)
        hs, loss_sum, q1_sum, q2_sum = [], 0.0, 0.0, 0.0
        for start in range(0, b, micro):
            sl = slice(start, start + micro)
            h = encoder(obs[sl])
            q1, q2 = critic(h, action[sl])
            # this chunk's share of mse(q1, y) + mse(q2, y) over the whole batch
            loss = (((q1 - y[sl]) ** 2).sum() + ((q2 - y[sl]) ** 2).sum()) / b
            loss.backward()
            hs.append(h.detach())
            loss_sum += loss.item()
            q1_sum += q1.sum().item()
            q2_sum += q2.sum().item()
        metrics.update(critic_target_q=y.mean().item(), critic_q1=q1_sum / b,
                       critic_q2=q2_sum / b, critic_loss=loss_sum)
        critic_opt.step()
        enc_opt.step()
        # actor (detached features)
        hd = torch.cat(hs)
        mu, sd = actor(hd, std)
        a = sample(mu, sd, clip)
        log_prob = normal_log_prob(a, mu, sd).sum(-1, keepdim=True)
        q1, q2 = critic(hd, a)
        actor_loss = -torch.min(q1, q2).mean()
        actor_opt.zero_grad(set_to_none=True)
        actor_loss.backward()
        actor_opt.step()
        entropy = (0.5 + 0.5 * math.log(2 * math.pi) + sd.log()).sum(-1).mean()
        metrics.update(actor_loss=actor_loss.item(), actor_logprob=log_prob.mean().item(),
                       actor_ent=entropy.item())
        # target EMA
        with torch.no_grad():
            for p, tp in zip(critic.parameters(), critic_target.parameters()):
                tp.data.copy_(tau * p.data + (1 - tau) * tp.data)
        return metrics

    for _ in range(3):
        update()
    times = []
    for _ in range(20):
        t = time.perf_counter()
        m = update()
        times.append((time.perf_counter() - t) * 1e3)
        assert math.isfinite(m["critic_loss"])
    times.sort()
    print(f"pytorch {torch.__version__} drqv2 update: batch={b} image={s} hidden={args.hidden} "
          f"micro={micro} channels_last={args.channels_last} "
          f"threads={torch.get_num_threads()}: median {statistics.median(times):.1f} ms/update "
          f"(min {times[0]:.1f}, max {times[-1]:.1f})")


if __name__ == "__main__":
    main()
