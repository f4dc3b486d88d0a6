//! What each domain looks like: camera 0, floor, light and the primitives to draw.
//!
//! All numbers come from `shared/research/dmc_tasks.md` (§1–§7 for the bodies, §8 for
//! cameras, lights, materials and floors) and from the domains' read-outs in
//! `ocellus-physics`. Planar x–z domains put every body in the y = 0 plane; the top-down
//! domains (point mass, reacher) move in the x–y plane at z = 0.01.
//!
//! Primitives are listed back to front: the renderer uses painter's order, not a depth
//! buffer. Where dm_control's depth test would put a decoration in front (hinge cylinders
//! stick out of their links towards the camera), the decoration comes last.

use ocellus_physics::{
    Acrobot, BallInCup, Cartpole, Finger, Pendulum, Physics, PointMass, Reacher,
};

/// A camera looking from `position` along `forward`, with `up` giving the image's up
/// direction (it need not be orthogonal to `forward`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CameraSpec {
    /// Vertical field of view, degrees (MuJoCo's `fovy`, 45 unless a camera sets it).
    pub fovy: f64,
    /// Camera position, world m.
    pub position: [f64; 3],
    /// Viewing direction (any length).
    pub forward: [f64; 3],
    /// Image-up hint (any length, not parallel to `forward`).
    pub up: [f64; 3],
    /// Near clip distance, m (MuJoCo: 0.01 × model extent).
    pub near: f64,
}

/// The finite checkered floor plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloorSpec {
    /// Centre of the plane (x, y), m.
    pub center: [f64; 2],
    /// Height of the plane, m.
    pub height: f64,
    /// Half-sizes along x and y, m.
    pub half_size: [f64; 2],
}

/// The scene's light besides the headlight, pointing straight down (§8.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LightSpec {
    /// A spotlight at this position (cutoff 45°, exponent 10, diffuse 0.7, specular 0.3).
    Spot([f64; 3]),
    /// A directional light (diffuse 0.6, specular 0.3).
    Directional,
}

/// Everything about a domain's view that does not depend on its state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneSetup {
    /// Domain name, e.g. `"cartpole"` (must equal [`Scene::domain`]).
    pub domain: &'static str,
    /// Camera 0.
    pub camera: CameraSpec,
    /// Floor.
    pub floor: FloorSpec,
    /// Light.
    pub light: LightSpec,
}

/// Which palette colour a primitive is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Material {
    /// [`crate::Palette::body`] (MuJoCo material "self").
    Body,
    /// [`crate::Palette::effector`].
    Effector,
    /// [`crate::Palette::decoration`].
    Decoration,
    /// [`crate::Palette::target`].
    Target,
    /// MuJoCo's default grey (0.5, 0.5, 0.5), used by sites and tendons; not in the palette.
    Neutral,
    /// A fixed colour (0..255 per channel) outside the palette, e.g. a MuJoCo geom's own rgba.
    Rgb([u8; 3]),
}

/// A shape in world coordinates (m).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Primitive {
    /// A capsule: the points within `radius` of the segment `a`–`b`.
    Capsule {
        /// One end of the axis.
        a: [f64; 3],
        /// The other end.
        b: [f64; 3],
        /// Radius.
        radius: f64,
        /// Colour.
        material: Material,
    },
    /// A sphere.
    Sphere {
        /// Centre.
        center: [f64; 3],
        /// Radius.
        radius: f64,
        /// Colour.
        material: Material,
    },
    /// A flat disc facing the camera (a cylinder seen end-on), lit as if its normal were
    /// `normal`.
    Disc {
        /// Centre of the visible face.
        center: [f64; 3],
        /// Radius.
        radius: f64,
        /// Face normal used for shading.
        normal: [f64; 3],
        /// Colour.
        material: Material,
    },
    /// An axis-aligned box.
    Box {
        /// Centre.
        center: [f64; 3],
        /// Half-sizes along x, y, z.
        half: [f64; 3],
        /// Colour.
        material: Material,
    },
    /// A flat convex quadrilateral (corners in order around it).
    Quad {
        /// Corners.
        corners: [[f64; 3]; 4],
        /// Colour.
        material: Material,
    },
}

/// The view of a frame whose camera and light follow the bodies (MuJoCo's `mode="trackcom"`).
///
/// The camera may only move, not turn: its orientation must equal the one in
/// [`Scene::setup`], against which the skybox is baked once. The floor is then drawn per frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tracking {
    /// This frame's camera.
    pub camera: CameraSpec,
    /// This frame's light.
    pub light: LightSpec,
}

/// A domain the renderer can draw.
///
/// Implemented for every `ocellus-physics` domain; implement it for a new domain by listing
/// its camera, floor and light, its static decorations and, per frame, its moving parts.
pub trait Scene {
    /// Domain name, checked by [`crate::Renderer::render`] against the baked one.
    fn domain(&self) -> &'static str;
    /// Camera 0, floor and light.
    fn setup(&self) -> SceneSetup;
    /// Decorations baked into the background: they must not depend on the state, and they
    /// are drawn behind every dynamic primitive.
    fn static_primitives(&self, out: &mut Vec<Primitive>);
    /// The state's primitives, appended to `out` back to front. Must not allocate beyond
    /// growing `out`.
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>);
    /// The camera and light of the current state when they follow the bodies; `None` (the
    /// default) for a fixed camera, whose whole background is baked once. A tracking scene's
    /// static primitives would be baked at the first camera position: it should have none.
    fn tracking(&self) -> Option<Tracking> {
        None
    }
}

/// Looking along +y from `position`, image up = +z (cartpole, acrobot).
fn side_camera(position: [f64; 3], extent: f64) -> CameraSpec {
    CameraSpec {
        fovy: 45.0,
        position,
        forward: [0.0, 1.0, 0.0],
        up: [0.0, 0.0, 1.0],
        near: 0.01 * extent,
    }
}

/// Straight down from (0, 0, 0.75), image right = +x, up = +y (point mass, reacher).
fn top_camera() -> CameraSpec {
    CameraSpec {
        fovy: 45.0,
        position: [0.0, 0.0, 0.75],
        forward: [0.0, 0.0, -1.0],
        up: [0.0, 1.0, 0.0],
        near: 0.01 * 0.66,
    }
}

/// ball_in_cup/finger `cam0`: at (0, −1, 0.8), `xyaxes="1 0 0 0 1 2"`, 26.57° down.
fn cam0_26deg(extent: f64) -> CameraSpec {
    CameraSpec {
        fovy: 45.0,
        position: [0.0, -1.0, 0.8],
        forward: [0.0, 2.0, -1.0],
        up: [0.0, 1.0, 2.0],
        near: 0.01 * extent,
    }
}

/// Point in the x–z plane at y = 0.
fn xz(p: [f64; 2]) -> [f64; 3] {
    [p[0], 0.0, p[1]]
}

/// The four decorative walls of the point-mass/reacher arena: planes at ±0.3 spanning
/// z 0–0.04 (§8.1).
fn arena_walls(out: &mut Vec<Primitive>) {
    let (s, h) = (0.3, 0.04);
    let walls = [
        [[-s, -s, 0.0], [-s, s, 0.0], [-s, s, h], [-s, -s, h]],
        [[s, -s, 0.0], [s, s, 0.0], [s, s, h], [s, -s, h]],
        [[-s, -s, 0.0], [s, -s, 0.0], [s, -s, h], [-s, -s, h]],
        [[-s, s, 0.0], [s, s, 0.0], [s, s, h], [-s, s, h]],
    ];
    for corners in walls {
        out.push(Primitive::Quad {
            corners,
            material: Material::Decoration,
        });
    }
}

impl Scene for Cartpole {
    fn domain(&self) -> &'static str {
        "cartpole"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "cartpole",
            camera: side_camera([0.0, -4.0, 1.0], 4.18),
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: -0.05,
                half_size: [4.0, 4.0],
            },
            light: LightSpec::Spot([0.0, 0.0, 6.0]),
        }
    }
    fn static_primitives(&self, out: &mut Vec<Primitive>) {
        // Two rails (radius 0.02, half-length 2 along x) at y = ±0.07, z = 1; back one first.
        for y in [0.07, -0.07] {
            out.push(Primitive::Capsule {
                a: [-2.0, y, 1.0],
                b: [2.0, y, 1.0],
                radius: 0.02,
                material: Material::Decoration,
            });
        }
    }
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let x = self.cart_position();
        let (s, c) = self.pole_angle().sin_cos();
        let l = self.model.pole_length;
        // The pole's hinge is inside the cart, whose front face hides the pole's foot.
        out.push(Primitive::Capsule {
            a: [x, 0.0, 1.0],
            b: [x + l * s, 0.0, 1.0 + l * c],
            radius: 0.045,
            material: Material::Body,
        });
        out.push(Primitive::Box {
            center: [x, 0.0, 1.0],
            half: [0.2, 0.15, 0.1],
            material: Material::Body,
        });
    }
}

impl Scene for Pendulum {
    fn domain(&self) -> &'static str {
        "pendulum"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "pendulum",
            // `xyaxes='1 0 0 0 1 1'`: looking along (0, 1, −1)/√2.
            camera: CameraSpec {
                fovy: 45.0,
                position: [0.0, -1.5, 2.0],
                forward: [0.0, 1.0, -1.0],
                up: [0.0, 1.0, 1.0],
                near: 0.01 * 1.35,
            },
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: 0.0,
                half_size: [2.0, 2.0],
            },
            light: LightSpec::Spot([0.0, 0.0, 2.0]),
        }
    }
    fn static_primitives(&self, _out: &mut Vec<Primitive>) {}
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let hinge = [0.0, 0.0, Pendulum::HINGE_HEIGHT];
        let bob = xz(self.bob_position());
        // Rod: capsule radius 0.02 over the first 0.5 m; bob: sphere radius 0.05.
        out.push(Primitive::Capsule {
            a: hinge,
            b: bob,
            radius: 0.02,
            material: Material::Body,
        });
        out.push(Primitive::Sphere {
            center: bob,
            radius: 0.05,
            material: Material::Effector,
        });
        // Base cylinder (radius 0.021, y ∈ ±0.03) sticks out in front of the rod.
        out.push(Primitive::Disc {
            center: [0.0, -0.03, Pendulum::HINGE_HEIGHT],
            radius: 0.021,
            normal: [0.0, -1.0, 0.0],
            material: Material::Decoration,
        });
    }
}

impl Scene for Acrobot {
    fn domain(&self) -> &'static str {
        "acrobot"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "acrobot",
            camera: side_camera([0.0, -6.0, 2.0], 4.349),
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: 0.0,
                half_size: [3.0, 3.0],
            },
            light: LightSpec::Spot([0.0, 0.0, 6.0]),
        }
    }
    fn static_primitives(&self, _out: &mut Vec<Primitive>) {}
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let shoulder = xz(Acrobot::SHOULDER);
        let elbow = xz(self.elbow_position());
        let tip = xz(self.tip_position());
        out.push(Primitive::Capsule {
            a: shoulder,
            b: elbow,
            radius: 0.05,
            material: Material::Body,
        });
        out.push(Primitive::Capsule {
            a: elbow,
            b: tip,
            radius: 0.049,
            material: Material::Body,
        });
        // Tip site: grey sphere radius 0.01. The target site is hidden (group 3).
        out.push(Primitive::Sphere {
            center: tip,
            radius: 0.01,
            material: Material::Neutral,
        });
        // Shoulder decoration cylinder (radius 0.051, y ∈ ±0.06) in front of both links.
        out.push(Primitive::Disc {
            center: [shoulder[0], -0.06, shoulder[2]],
            radius: 0.051,
            normal: [0.0, -1.0, 0.0],
            material: Material::Decoration,
        });
    }
}

impl Scene for PointMass {
    fn domain(&self) -> &'static str {
        "point_mass"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "point_mass",
            camera: top_camera(),
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: 0.0,
                half_size: [0.3, 0.3],
            },
            light: LightSpec::Spot([0.0, 0.0, 1.0]),
        }
    }
    fn static_primitives(&self, out: &mut Vec<Primitive>) {
        arena_walls(out);
        // The target is fixed at the origin. Drawn under the mass so the mass stays visible
        // (MuJoCo's depth test would let the larger target hide it when they overlap).
        out.push(Primitive::Sphere {
            center: [0.0, 0.0, 0.01],
            radius: PointMass::TARGET_RADIUS,
            material: Material::Target,
        });
    }
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let [x, y] = self.position();
        out.push(Primitive::Sphere {
            center: [x, y, 0.01],
            radius: PointMass::RADIUS,
            material: Material::Body,
        });
    }
}

impl Scene for Reacher {
    fn domain(&self) -> &'static str {
        "reacher"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "reacher",
            camera: top_camera(),
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: 0.0,
                half_size: [0.3, 0.3],
            },
            light: LightSpec::Spot([0.0, 0.0, 1.0]),
        }
    }
    fn static_primitives(&self, out: &mut Vec<Primitive>) {
        arena_walls(out);
    }
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        const Z: f64 = 0.01;
        let r = Reacher::LINK_RADIUS;
        let [wx, wy] = self.wrist_position();
        let [fx, fy] = self.finger_position();
        let q = self.qpos();
        let (s, c) = (q[0] + q[1]).sin_cos();
        // Hand capsule is 0.10 long; the fingertip sphere sits at 0.12.
        out.push(Primitive::Capsule {
            a: [0.0, 0.0, Z],
            b: [wx, wy, Z],
            radius: r,
            material: Material::Body,
        });
        out.push(Primitive::Capsule {
            a: [wx, wy, Z],
            b: [wx + 0.1 * c, wy + 0.1 * s, Z],
            radius: r,
            material: Material::Body,
        });
        out.push(Primitive::Sphere {
            center: [fx, fy, Z],
            radius: r,
            material: Material::Effector,
        });
        // Root cylinder (radius 0.011, z 0–0.02): its flat top is above the arm.
        out.push(Primitive::Disc {
            center: [0.0, 0.0, 0.02],
            radius: 0.011,
            normal: [0.0, 0.0, 1.0],
            material: Material::Decoration,
        });
        // The target sphere rises above the arm, so it hides whatever is under it.
        let [tx, ty] = self.model.target_position;
        out.push(Primitive::Sphere {
            center: [tx, ty, Z],
            radius: self.model.target_size,
            material: Material::Target,
        });
    }
}

impl Scene for BallInCup {
    fn domain(&self) -> &'static str {
        "ball_in_cup"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "ball_in_cup",
            camera: cam0_26deg(0.668),
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: 0.0,
                half_size: [0.6, 0.2],
            },
            light: LightSpec::Directional,
        }
    }
    fn static_primitives(&self, _out: &mut Vec<Primitive>) {}
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let [cx, cz] = self.cup_position();
        let ball = xz(self.ball_position());
        let anchor = xz(self.string_anchor());
        // String: grey tendon of width (radius) 0.003 from the cup's anchor site to the ball.
        out.push(Primitive::Capsule {
            a: anchor,
            b: ball,
            radius: 0.003,
            material: Material::Neutral,
        });
        for [a, b] in BallInCup::CUP_SEGMENTS {
            out.push(Primitive::Capsule {
                a: [cx + a[0], 0.0, cz + a[1]],
                b: [cx + b[0], 0.0, cz + b[1]],
                radius: BallInCup::CUP_CAPSULE_RADIUS,
                material: Material::Body,
            });
        }
        // Anchor site (grey, radius 0.005), half out of the cup's bottom. The target box is
        // hidden; the ball's own site is inside the ball.
        out.push(Primitive::Sphere {
            center: anchor,
            radius: 0.005,
            material: Material::Neutral,
        });
        out.push(Primitive::Sphere {
            center: ball,
            radius: BallInCup::BALL_RADIUS,
            material: Material::Effector,
        });
    }
}

impl Scene for Finger {
    fn domain(&self) -> &'static str {
        "finger"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "finger",
            camera: cam0_26deg(0.665),
            floor: FloorSpec {
                center: [0.0, 0.0],
                height: 0.0,
                half_size: [0.6, 0.2],
            },
            light: LightSpec::Directional,
        }
    }
    fn static_primitives(&self, _out: &mut Vec<Primitive>) {}
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        let q = self.qpos();
        let show = self.model.show_target;
        if show {
            out.push(Primitive::Sphere {
                center: xz(self.model.target_position),
                radius: self.model.target_radius,
                material: Material::Target,
            });
        }
        // Spinner: two capsules centred at hinge ± 0.02 (cos q3, sin q3), axes along
        // (−sin q3, cos q3), half-length 0.09, radius 0.04 (§7). Its hinge cylinder
        // (radius 0.02) is hidden inside them.
        let (radius, half_len, offset) = Finger::SPINNER_CAPSULE;
        let (s3, c3) = q[2].sin_cos();
        let [hx, hz] = Finger::HINGE;
        for side in [-1.0, 1.0] {
            let (mx, mz) = (hx + side * offset * c3, hz + side * offset * s3);
            out.push(Primitive::Capsule {
                a: [mx + half_len * s3, 0.0, mz - half_len * c3],
                b: [mx - half_len * s3, 0.0, mz + half_len * c3],
                radius,
                material: Material::Body,
            });
        }
        if show {
            out.push(Primitive::Sphere {
                center: xz(self.tip_position()),
                radius: 0.02,
                material: Material::Target,
            });
        }
        let [px, pz] = Finger::PROXIMAL_JOINT;
        let (s1, c1) = q[0].sin_cos();
        let (pr, pl) = Finger::PROXIMAL_CAPSULE;
        out.push(Primitive::Capsule {
            a: [px, 0.0, pz],
            b: [px + pl * c1, 0.0, pz + pl * s1],
            radius: pr,
            material: Material::Body,
        });
        let [dx, dz] = self.distal_joint();
        let [ux, uz] = self.distal_direction();
        let (dr, dl) = Finger::DISTAL_CAPSULE;
        out.push(Primitive::Capsule {
            a: [dx, 0.0, dz],
            b: [dx + dl * ux, 0.0, dz + dl * uz],
            radius: dr,
            material: Material::Body,
        });
        let (tr, t0, t1) = Finger::FINGERTIP_CAPSULE;
        out.push(Primitive::Capsule {
            a: [dx + t0 * ux, 0.0, dz + t0 * uz],
            b: [dx + t1 * ux, 0.0, dz + t1 * uz],
            radius: tr,
            material: Material::Effector,
        });
        // Proximal decoration cylinder (radius 0.034, y ∈ ±0.033) in front of the links.
        out.push(Primitive::Disc {
            center: [px, -0.033, pz],
            radius: 0.034,
            normal: [0.0, -1.0, 0.0],
            material: Material::Decoration,
        });
    }
}
