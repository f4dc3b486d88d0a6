//! Render speed per domain at 84 × 84 (and 320 × 240). Not a check; run with
//! `cargo test -p ocellus-render --release --test timing -- --ignored --nocapture`.

use ocellus_physics::{
    Acrobot, BallInCup, Cartpole, Finger, Pendulum, Physics, PointMass, Reacher,
};
use ocellus_render::{RenderConfig, Renderer, Scene};
use std::hint::black_box;
use std::time::Instant;

/// Renders `n` frames while stepping the physics (timed separately), prints µs/frame.
fn time<S: Scene + Physics>(name: &str, mut s: S, w: usize, h: usize) {
    let config = RenderConfig {
        width: w,
        height: h,
        ..RenderConfig::default()
    };
    let t = Instant::now();
    let mut r = Renderer::new(&s, config);
    let bake = t.elapsed();
    let mut out = vec![0u8; r.frame_len()];
    let ctrl = vec![0.7; s.num_actuators()];
    let n = 20_000;
    // Pre-generate states so only rendering is timed.
    let mut states = Vec::with_capacity(256);
    for _ in 0..256 {
        s.step(&ctrl);
        states.push(s.clone());
    }
    let t = Instant::now();
    for i in 0..n {
        r.render(&states[i % 256], &[], &mut out);
        black_box(&out);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "{name:12} {w:3}x{h:3}: render {us:6.2} us/frame, bake {:7.2} ms",
        bake.as_secs_f64() * 1e3
    );
}

#[test]
#[ignore = "timing, run in release with --nocapture"]
fn render_speed() {
    for (w, h) in [(84, 84), (320, 240)] {
        let mut c = Cartpole::default();
        c.set_state(&[0.0, 3.0], &[0.0, 1.0]).unwrap();
        time("cartpole", c, w, h);
        let mut p = Pendulum::default();
        p.set_state(&[2.0], &[0.0]).unwrap();
        time("pendulum", p, w, h);
        let mut a = Acrobot::default();
        a.set_state(&[2.0, 0.5], &[0.0, 0.0]).unwrap();
        time("acrobot", a, w, h);
        let mut m = PointMass::default();
        m.set_state(&[0.1, -0.2], &[0.0, 0.0]).unwrap();
        time("point_mass", m, w, h);
        let mut r = Reacher::default();
        r.model.target_position = [0.1, 0.1];
        r.model.target_size = 0.05;
        time("reacher", r, w, h);
        let mut b = BallInCup::default();
        b.set_state(&[0.0, 0.0, 0.1, 0.3], &[0.0; 4]).unwrap();
        time("ball_in_cup", b, w, h);
        let mut f = Finger::default();
        f.set_state(&[-1.0, 0.5, 0.3], &[0.0; 3]).unwrap();
        time("finger", f, w, h);
    }
}
