//! Behaviour of the rendered frames: golden hashes, determinism, motion, background,
//! configuration changes and robustness.
//!
//! # Updating the golden hashes
//! The hashes pin every byte of one 84 × 84 frame per domain (FNV-1a 64 of the CHW bytes).
//! After an intended change to the renderer, run
//! `cargo test -p ocellus-render --test render golden -- --nocapture`, look at the new frames
//! (`cargo test -p ocellus-render --test pictures -- --ignored`), and copy the printed
//! `got` values into `GOLDEN`. Trigonometry comes from the platform's libm, so the pins are
//! for x86_64 Linux.

mod common;

use common::{centroid, frame, frame_with, pixel, warm};
use ocellus_physics::{
    Acrobot, BallInCup, Cartpole, Finger, Pendulum, Physics, PointMass, Reacher,
};
use ocellus_render::{
    chw_to_hwc, CameraOffset, Overlay, OverlayShape, Palette, RenderConfig, Renderer, Scene,
};

fn cartpole(x: f64, theta: f64) -> Cartpole {
    let mut c = Cartpole::default();
    c.set_state(&[x, theta], &[0.0, 0.0]).unwrap();
    c
}
fn pendulum(theta: f64) -> Pendulum {
    let mut p = Pendulum::default();
    p.set_state(&[theta], &[0.0]).unwrap();
    p
}
fn acrobot(q1: f64, q2: f64) -> Acrobot {
    let mut a = Acrobot::default();
    a.set_state(&[q1, q2], &[0.0, 0.0]).unwrap();
    a
}
fn point_mass(x: f64, y: f64) -> PointMass {
    let mut m = PointMass::default();
    m.set_state(&[x, y], &[0.0, 0.0]).unwrap();
    m
}
fn reacher(q1: f64, q2: f64) -> Reacher {
    let mut r = Reacher::default();
    r.set_state(&[q1, q2], &[0.0, 0.0]).unwrap();
    r.model.target_position = [-0.1, 0.12];
    r.model.target_size = 0.05;
    r
}
fn ball_in_cup(q: [f64; 4]) -> BallInCup {
    let mut b = BallInCup::default();
    b.set_state(&q, &[0.0; 4]).unwrap();
    b
}
fn finger(q: [f64; 3]) -> Finger {
    let mut f = Finger::default();
    f.set_state(&q, &[0.0; 3]).unwrap();
    f.model.target_position = [0.2 + 0.13 * 1.0f64.sin(), 0.4 + 0.13 * 1.0f64.cos()];
    f.model.target_radius = 0.07;
    f
}

/// FNV-1a of the 84 × 84 frame of each domain's reference state.
const GOLDEN: [(&str, u64); 7] = [
    ("cartpole", 0x50e1bd36c8bac331),
    ("pendulum", 0x23f81141fcb51f80),
    ("acrobot", 0xf905ed3ed19b6f9c),
    ("point_mass", 0x72caee0582b0387c),
    ("reacher", 0xacbe957a4d01babc),
    ("ball_in_cup", 0x96905ed147e66130),
    ("finger", 0xbe11661ec7b06714),
];

fn golden_frames() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("cartpole", frame(&cartpole(0.5, 0.4), 84, 84)),
        ("pendulum", frame(&pendulum(2.5), 84, 84)),
        ("acrobot", frame(&acrobot(0.6, 1.0), 84, 84)),
        ("point_mass", frame(&point_mass(0.12, -0.08), 84, 84)),
        ("reacher", frame(&reacher(0.7, -1.2), 84, 84)),
        (
            "ball_in_cup",
            frame(&ball_in_cup([0.05, -0.03, -0.1, 0.35]), 84, 84),
        ),
        ("finger", frame(&finger([-1.2, 0.6, 0.8]), 84, 84)),
    ]
}

#[test]
fn golden_frame_hashes() {
    let mut failures = Vec::new();
    for ((name, f), (gname, want)) in golden_frames().iter().zip(GOLDEN) {
        assert_eq!(*name, gname);
        let got = common::fnv1a(f);
        println!("(\"{name}\", {got:#018x}),");
        if got != want {
            failures.push(format!("{name}: got {got:#018x}, pinned {want:#018x}"));
        }
    }
    assert!(
        failures.is_empty(),
        "frame hashes changed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn equal_states_render_equal_bytes_and_different_states_differ() {
    for (name, f) in golden_frames() {
        // Second render through the same renderer (scratch reuse) and a fresh one agree.
        let again = match name {
            "cartpole" => {
                let s = cartpole(0.5, 0.4);
                let mut r = Renderer::new(&s, RenderConfig::default());
                let mut out = vec![0u8; r.frame_len()];
                r.render(&cartpole(-1.0, 2.0), &[], &mut out);
                r.render(&s, &[], &mut out);
                out
            }
            _ => {
                golden_frames()
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .unwrap()
                    .1
            }
        };
        assert_eq!(f, again, "{name} is not deterministic");
    }
    let pairs = [
        (
            frame(&cartpole(0.0, 0.0), 84, 84),
            frame(&cartpole(0.0, 0.1), 84, 84),
        ),
        (frame(&pendulum(0.0), 84, 84), frame(&pendulum(0.1), 84, 84)),
        (
            frame(&acrobot(0.0, 0.0), 84, 84),
            frame(&acrobot(0.0, 0.1), 84, 84),
        ),
        (
            frame(&point_mass(0.0, 0.1), 84, 84),
            frame(&point_mass(0.02, 0.1), 84, 84),
        ),
        (
            frame(&reacher(0.0, 0.0), 84, 84),
            frame(&reacher(0.0, 0.1), 84, 84),
        ),
        (
            frame(&ball_in_cup([0.0, 0.0, 0.0, 0.3]), 84, 84),
            frame(&ball_in_cup([0.0, 0.0, 0.02, 0.3]), 84, 84),
        ),
        (
            frame(&finger([-1.0, 0.0, 0.0]), 84, 84),
            frame(&finger([-1.0, 0.0, 0.2]), 84, 84),
        ),
    ];
    for (i, (a, b)) in pairs.iter().enumerate() {
        assert_ne!(
            a, b,
            "pair {i}: a small change of state left the frame unchanged"
        );
    }
}

#[test]
fn cartpole_body_moves_with_cart_and_pole() {
    let (w, h) = (84, 84);
    let (c0, n0) = centroid(&frame(&cartpole(-0.5, 0.0), w, h), w, h, warm);
    let (c1, n1) = centroid(&frame(&cartpole(0.5, 0.0), w, h), w, h, warm);
    assert!(n0 > 20 && n1 > 20, "body pixels {n0} {n1}");
    // 1 m at the rail plane (depth 4) is (42 / tan 22.5°) / 4 = 25.35 px.
    let dx = c1[0] - c0[0];
    assert!((dx - 25.35).abs() < 1.5, "cart moved {dx} px for 1 m");
    assert!((c1[1] - c0[1]).abs() < 0.5);
    // The pole follows its angle: pixels above the cart top (z > 1.1, rows < 39) lean right
    // for positive θ and left for negative θ.
    let above = |f: &[u8]| {
        let mut top = f.to_vec();
        for ch in 0..3 {
            for y in 38..h {
                for x in 0..w {
                    top[ch * w * h + y * w + x] = 0;
                }
            }
        }
        centroid(&top, w, h, warm)
    };
    let (r, nr) = above(&frame(&cartpole(0.0, 0.5), w, h));
    let (l, nl) = above(&frame(&cartpole(0.0, -0.5), w, h));
    let (u, _) = above(&frame(&cartpole(0.0, 0.0), w, h));
    assert!(nr > 5 && nl > 5);
    assert!(
        r[0] > 42.0 + 3.0 && l[0] < 42.0 - 3.0,
        "pole centroids {l:?} {r:?}"
    );
    assert!((u[0] - 42.0).abs() < 0.5, "upright pole at {u:?}");
    // Hanging down, nothing warm is above the cart.
    let (_, nd) = above(&frame(&cartpole(0.0, std::f64::consts::PI), w, h));
    assert_eq!(nd, 0);
}

#[test]
fn pendulum_bob_follows_the_angle() {
    let (w, h) = (84, 84);
    let c = |t: f64| centroid(&frame(&pendulum(t), w, h), w, h, warm).0;
    let (right, left) = (c(1.2), c(-1.2));
    assert!(right[0] > 48.0 && left[0] < 36.0, "{left:?} {right:?}");
    let (up, down) = (c(0.0), c(std::f64::consts::PI));
    assert!(up[1] < down[1] - 8.0, "up {up:?} down {down:?}");
    // Turning steadily moves the centroid around the pivot.
    let a = c(0.3);
    let b = c(0.6);
    assert!(b[0] > a[0] && b[1] > a[1]);
}

#[test]
fn point_mass_blob_tracks_its_position() {
    let (w, h) = (84, 84);
    // Pixels that differ from the frame with the mass far outside the arena.
    let away = frame(&point_mass(5.0, 5.0), w, h);
    let f = 42.0 / 22.5f64.to_radians().tan();
    for (x, y) in [(0.2, 0.0), (-0.2, 0.1), (0.05, -0.25), (-0.25, -0.25)] {
        let img = frame(&point_mass(x, y), w, h);
        let mut mask = img.clone();
        for i in 0..w * h {
            let same = (0..3).all(|ch| img[ch * w * h + i] == away[ch * w * h + i]);
            for ch in 0..3 {
                mask[ch * w * h + i] = if same { 0 } else { 255 };
            }
        }
        let (c, n) = centroid(&mask, w, h, |p| p[0] == 255);
        assert!(n >= 4, "only {n} pixels changed");
        // Sphere centre at z = 0.01, camera at 0.75: depth 0.74.
        let (ex, ey) = (42.0 + f * x / 0.74, 42.0 - f * y / 0.74);
        assert!(
            (c[0] - ex).abs() < 0.6 && (c[1] - ey).abs() < 0.6,
            "mass at ({x}, {y}): centroid {c:?}, expected ({ex}, {ey})"
        );
    }
}

#[test]
fn the_other_domains_move_where_their_bodies_move() {
    let (w, h) = (84, 84);
    // Reacher: the warm centroid (arm + fingertip + target) moves with the shoulder.
    let mut ra = reacher(0.0, 0.0);
    let mut rb = reacher(std::f64::consts::PI, 0.0);
    ra.model.target_size = 0.0;
    rb.model.target_size = 0.0;
    let a = centroid(&frame(&ra, w, h), w, h, warm).0;
    let b = centroid(&frame(&rb, w, h), w, h, warm).0;
    assert!(a[0] > 50.0 && b[0] < 34.0, "reacher {a:?} {b:?}");
    // Ball in cup: ball to the left of the cup vs to the right.
    let a = centroid(
        &frame(&ball_in_cup([0.0, 0.0, -0.15, 0.3]), w, h),
        w,
        h,
        warm,
    )
    .0;
    let b = centroid(
        &frame(&ball_in_cup([0.0, 0.0, 0.15, 0.3]), w, h),
        w,
        h,
        warm,
    )
    .0;
    assert!(b[0] > a[0] + 5.0, "ball_in_cup {a:?} {b:?}");
    // Acrobot: arm to the right vs to the left.
    let a = centroid(&frame(&acrobot(1.2, 0.0), w, h), w, h, warm).0;
    let b = centroid(&frame(&acrobot(-1.2, 0.0), w, h), w, h, warm).0;
    assert!(a[0] > 50.0 && b[0] < 34.0, "acrobot {a:?} {b:?}");
    // Finger: the proximal link swings from hanging down to pointing at the spinner.
    let mut fa = finger([-std::f64::consts::FRAC_PI_2, 0.0, 0.0]);
    let mut fb = finger([0.0, 0.0, 0.0]);
    fa.model.show_target = false;
    fb.model.show_target = false;
    let a = centroid(&frame(&fa, w, h), w, h, warm).0;
    let b = centroid(&frame(&fb, w, h), w, h, warm).0;
    assert!(b[0] > a[0] + 2.0 && b[1] < a[1] - 2.0, "finger {a:?} {b:?}");
}

#[test]
fn hidden_targets_stay_hidden() {
    let (w, h) = (84, 84);
    let reddish = |p: [u8; 3]| warm(p) && i32::from(p[1]) < i32::from(p[2]) + 25;
    let mut shown = finger([-1.5, 0.0, 0.0]);
    shown.model.target_position = [0.0, 0.6];
    shown.model.target_radius = 0.07;
    let mut hidden = shown.clone();
    hidden.model.show_target = false;
    let (_, ns) = centroid(&frame(&shown, w, h), w, h, reddish);
    let (_, nh) = centroid(&frame(&hidden, w, h), w, h, reddish);
    assert!(ns > 30 && nh < 5, "target pixels shown {ns}, hidden {nh}");
}

#[test]
fn sky_on_top_checker_floor_below() {
    let (w, h) = (84, 84);
    let f = frame(&cartpole(0.0, std::f64::consts::PI), w, h);
    // Top row: the skybox gradient, blue-dominant like k · (0.4, 0.6, 0.8), k ≈ 0.67.
    let mut sky_like = 0;
    for x in 0..w {
        let [r, g, b] = pixel(&f, w, h, x, 0);
        if b > g && g > r && (55..=90).contains(&r) && (120..=160).contains(&b) {
            sky_like += 1;
        }
    }
    assert!(
        sky_like > w * 8 / 10,
        "only {sky_like} sky pixels in the top row"
    );
    // Floor rows show both checker colours: with a red/green palette both appear.
    let config = RenderConfig {
        palette: Palette {
            floor: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            ..Palette::default()
        },
        ..RenderConfig::default()
    };
    let f = frame_with(&cartpole(0.0, std::f64::consts::PI), config.clone());
    let (mut red, mut green) = (0, 0);
    for y in 70..h {
        for x in 0..w {
            let [r, g, b] = pixel(&f, w, h, x, y);
            red += usize::from(r > 100 && g < 40 && b < 40);
            green += usize::from(g > 100 && r < 40 && b < 40);
        }
    }
    assert!(red > 100 && green > 100, "checks: {red} red, {green} green");
    // The point-mass arena lies inside one dark check (§8.4): no light-check pixels.
    let f = frame_with(&point_mass(5.0, 5.0), config);
    let (mut red, mut green) = (0, 0);
    for y in 10..74 {
        for x in 10..74 {
            let [r, g, _] = pixel(&f, w, h, x, y);
            red += usize::from(r > 100 && g < 40);
            green += usize::from(g > 100 && r < 40);
        }
    }
    assert_eq!(green, 0);
    assert!(red > 60 * 60);
    // Default colours: the arena floor is blue-dominant dark check.
    let [r, g, b] = pixel(&frame(&point_mass(5.0, 5.0), w, h), w, h, 20, 20);
    assert!(b > g && g > r, "{r} {g} {b}");
}

#[test]
fn camera_offset_and_palette_change_the_frame() {
    let s = cartpole(0.0, 0.3);
    let base = frame(&s, 84, 84);
    let pitched = frame_with(
        &s,
        RenderConfig {
            camera_offset: CameraOffset {
                pitch: 0.2,
                ..Default::default()
            },
            ..RenderConfig::default()
        },
    );
    assert_ne!(base, pitched);
    // Tilting up lifts the body in the image... no: the scene moves down in the image.
    let c0 = centroid(&base, 84, 84, warm).0;
    let c1 = centroid(&pitched, 84, 84, warm).0;
    assert!(c1[1] > c0[1] + 5.0, "{c0:?} -> {c1:?}");
    let moved = frame_with(
        &s,
        RenderConfig {
            camera_offset: CameraOffset {
                translation: [0.5, 0.0, 0.0],
                ..Default::default()
            },
            ..RenderConfig::default()
        },
    );
    let c2 = centroid(&moved, 84, 84, warm).0;
    assert!(
        c2[0] < c0[0] - 8.0,
        "camera moved right, scene should move left: {c2:?}"
    );
    let green_body = frame_with(
        &s,
        RenderConfig {
            palette: Palette {
                body: [0.0, 1.0, 0.0],
                ..Palette::default()
            },
            ..RenderConfig::default()
        },
    );
    assert_ne!(base, green_body);
    let (_, n_warm) = centroid(&green_body, 84, 84, warm);
    assert_eq!(n_warm, 0, "a green body has no warm pixels");
}

#[test]
fn overlays_are_drawn_behind_the_bodies() {
    let s = cartpole(0.0, 0.0);
    let mut r = Renderer::new(&s, RenderConfig::default());
    let mut out = vec![0u8; r.frame_len()];
    let disc = Overlay {
        shape: OverlayShape::Disc,
        center: [0.5, 0.5],
        radius: 0.2,
        color: [0.0, 1.0, 0.0],
        alpha: 1.0,
    };
    r.render(&s, &[disc], &mut out);
    // The cart still covers the image centre; beside it the disc is pure green.
    assert!(warm(pixel(&out, 84, 84, 42, 42)));
    assert_eq!(pixel(&out, 84, 84, 42 - 12, 42 - 12), [0, 255, 0]);
    for shape in [OverlayShape::Square, OverlayShape::Triangle] {
        let o = Overlay {
            shape,
            center: [0.2, 0.2],
            radius: 0.1,
            color: [1.0, 1.0, 1.0],
            alpha: 0.5,
        };
        r.render(&s, &[o], &mut out);
        let [pr, pg, pb] = pixel(&out, 84, 84, 17, 18);
        let plain = frame(&s, 84, 84);
        let [br, bg, bb] = pixel(&plain, 84, 84, 17, 18);
        assert!(pr > br && pg > bg && pb > bb, "{shape:?} not blended");
    }
    // Out-of-range overlays are clipped, not panics.
    let wild = Overlay {
        shape: OverlayShape::Triangle,
        center: [-3.0, 7.0],
        radius: 50.0,
        color: [2.0, -1.0, 0.5],
        alpha: 3.0,
    };
    r.render(&s, &[wild], &mut out);
}

#[test]
fn extreme_and_offscreen_states_do_not_panic() {
    let big = [1e3, -1e6, 1e12, -1e300, f64::MAX, f64::MIN_POSITIVE, 0.0];
    let mut out = Vec::new();
    for &v in &big {
        let configs = [
            RenderConfig::default(),
            RenderConfig {
                width: 7,
                height: 3,
                ..RenderConfig::default()
            },
        ];
        for config in configs {
            render_all(&config, v, &mut out);
        }
    }
}

fn render_one<S: Scene>(s: &S, config: &RenderConfig, out: &mut Vec<u8>) {
    let mut r = Renderer::new(s, config.clone());
    out.resize(r.frame_len(), 0);
    r.render(s, &[], out);
}

fn render_all(config: &RenderConfig, v: f64, out: &mut Vec<u8>) {
    render_one(&cartpole(v, v), config, out);
    render_one(&cartpole(-v, 0.3), config, out);
    render_one(&pendulum(v), config, out);
    render_one(&acrobot(v, -v), config, out);
    render_one(&point_mass(v, -v), config, out);
    render_one(&reacher(v, v), config, out);
    let mut r = reacher(0.1, 0.2);
    r.model.target_position = [v, -v];
    r.model.target_size = v.abs().min(1e6);
    render_one(&r, config, out);
    for q in [
        [v, 0.0, 0.0, 0.0],
        [0.0, v, 0.0, -v],
        [v, v, -v, v],
        [0.0, 0.0, 0.0, -1.5],
    ] {
        render_one(&ball_in_cup(q), config, out);
    }
    render_one(&finger([v, v, v]), config, out);
    let mut f = finger([0.1, 0.2, 0.3]);
    f.model.target_position = [v, 0.5];
    f.model.target_radius = v.abs().min(10.0);
    render_one(&f, config, out);
}

#[test]
fn camera_inside_or_behind_the_scene_does_not_panic() {
    let mut out = Vec::new();
    for (t, yaw, pitch) in [
        ([0.0, 4.0, 0.0], 0.0, 0.0),
        ([0.0, 5.0, 0.0], 3.0, 0.0),
        ([0.0, 0.0, -0.8], 0.0, 1.5),
        ([0.0, 0.0, -1.0], 0.0, -3.0),
    ] {
        let config = RenderConfig {
            camera_offset: CameraOffset {
                translation: t,
                yaw,
                pitch,
                roll: 1.0,
            },
            ..RenderConfig::default()
        };
        render_all(&config, 0.3, &mut out);
    }
}

#[test]
#[should_panic(expected = "CHW frame needs")]
fn wrong_output_length_panics_clearly() {
    let s = Pendulum::default();
    let mut r = Renderer::new(&s, RenderConfig::default());
    let mut out = vec![0u8; 84 * 84];
    r.render(&s, &[], &mut out);
}

#[test]
#[should_panic(expected = "another domain")]
fn rendering_another_domain_panics() {
    let mut r = Renderer::new(&Pendulum::default(), RenderConfig::default());
    let mut out = vec![0u8; r.frame_len()];
    r.render(&Acrobot::default(), &[], &mut out);
}

#[test]
fn sizes_and_reconfigure() {
    let s = reacher(0.3, 0.4);
    let mut r = Renderer::new(&s, RenderConfig::default());
    assert_eq!(r.frame_len(), 3 * 84 * 84);
    let config = RenderConfig {
        width: 320,
        height: 240,
        ..RenderConfig::default()
    };
    r.reconfigure(&s, config.clone());
    assert_eq!(r.config(), &config);
    assert_eq!(r.frame_len(), 3 * 320 * 240);
    let mut big = vec![0u8; r.frame_len()];
    r.render(&s, &[], &mut big);
    // The same scene at two sizes: the warm centroid is at the same image fraction.
    let small = frame(&s, 84, 84);
    let a = centroid(&small, 84, 84, warm).0;
    let b = centroid(&big, 320, 240, warm).0;
    // Same vertical field of view: scale by height, centre the wider image.
    let (bx, by) = ((b[0] - 160.0) * 84.0 / 240.0 + 42.0, b[1] * 84.0 / 240.0);
    assert!(
        (a[0] - bx).abs() < 1.0 && (a[1] - by).abs() < 1.0,
        "{a:?} vs {bx},{by}"
    );
}

#[test]
fn chw_to_hwc_interleaves() {
    let chw = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    let mut out = vec![99];
    chw_to_hwc(&chw, 2, 2, &mut out);
    assert_eq!(out, [1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12]);
}
