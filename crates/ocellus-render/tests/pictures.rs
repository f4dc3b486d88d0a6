//! Writes PNGs of every domain for looking at (not a check):
//! `cargo test -p ocellus-render --test pictures -- --ignored`, then open
//! `$TMPDIR/ocellus-render-png/*.png` (default `/tmp`). Nothing here is committed.

mod common;

use ocellus_physics::{
    Acrobot, BallInCup, Cartpole, Finger, Pendulum, Physics, PointMass, Reacher,
};
use ocellus_render::Scene;

fn dump<S: Scene>(name: &str, scene: &S) {
    let dir = std::env::temp_dir().join("ocellus-render-png");
    std::fs::create_dir_all(&dir).unwrap();
    for (w, h) in [(84, 84), (320, 240)] {
        let f = common::frame(scene, w, h);
        common::write_png(&dir.join(format!("{name}_{w}x{h}.png")), &f, w, h);
    }
}

#[test]
#[ignore = "writes PNG files for manual inspection"]
fn write_pictures() {
    let mut c = Cartpole::default();
    c.set_state(&[0.5, 0.4], &[0.0, 0.0]).unwrap();
    dump("cartpole", &c);
    let mut p = Pendulum::default();
    p.set_state(&[2.5], &[0.0]).unwrap();
    dump("pendulum", &p);
    let mut a = Acrobot::default();
    a.set_state(&[0.6, 1.0], &[0.0, 0.0]).unwrap();
    dump("acrobot", &a);
    let mut m = PointMass::default();
    m.set_state(&[0.12, -0.08], &[0.0, 0.0]).unwrap();
    dump("point_mass", &m);
    let mut r = Reacher::default();
    r.set_state(&[0.7, -1.2], &[0.0, 0.0]).unwrap();
    r.model.target_position = [-0.1, 0.12];
    r.model.target_size = 0.05;
    dump("reacher", &r);
    let mut b = BallInCup::default();
    b.set_state(&[0.05, -0.03, -0.1, 0.35], &[0.0; 4]).unwrap();
    dump("ball_in_cup", &b);
    let mut f = Finger::default();
    f.set_state(&[-1.2, 0.6, 0.8], &[0.0; 3]).unwrap();
    f.model.target_position = [0.2 + 0.13 * 1.0f64.sin(), 0.4 + 0.13 * 1.0f64.cos()];
    f.model.target_radius = 0.07;
    dump("finger", &f);
}
