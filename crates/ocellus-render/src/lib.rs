//! A fast, exactly deterministic software rasteriser for the control-suite scenes.
//!
//! It draws what dm_control's camera 0 shows (`shared/research/dmc_tasks.md` §8) into a
//! caller-provided channel-first RGB `u8` buffer (`[3, H, W]`: the R plane, then G, then B),
//! at any resolution (84 × 84 by default).
//!
//! # How a frame is made
//! * [`Renderer::new`] bakes a **static background** once per [`RenderConfig`]: the skybox
//!   gradient with hashed stars, the finite checkered floor found by a per-pixel ray–plane
//!   intersection (3 × 3 or 2 × 2 supersampled, so its edges and checks are anti-aliased), and
//!   the static decorations (cartpole rails, point-mass/reacher walls and target).
//! * For a scene whose camera follows the bodies ([`Scene::tracking`], MuJoCo's `trackcom`),
//!   only the skybox is baked; each frame draws the floor from the rays through the pixel
//!   corners (their directions cached per camera orientation), each pixel the mean of its
//!   four corners' colours under lighting interpolated from a coarse grid.
//! * [`Renderer::render`] copies the background into `out`, draws the [`Overlay`]s
//!   (distractors, behind the bodies), then the scene's dynamic primitives in painter's
//!   order. Capsules and spheres are drawn as their projected 2-D shapes (perspective-scaled
//!   radius) with a ~1 px coverage ramp from the signed distance, and shaded with MuJoCo's
//!   lights (§8.2): headlight ambient 0.4 + diffuse 0.8 + specular, plus the scene's spot or
//!   directional light, evaluated with the shape's implicit normal.
//!
//! # Guarantees
//! * Exactly deterministic: no threads, no clocks, no RNG; the same state and config give
//!   bit-identical bytes on one platform (trigonometry comes from the platform's libm, so
//!   pinned frame hashes are per platform; see `tests/render.rs`).
//! * No heap allocation per frame once the first frame has sized the primitive buffer.
//! * Never panics for a finite state: geometry behind the camera is clipped at the near
//!   plane and everything is clipped to the image. A wrong `out` length is a programmer error
//!   and panics with a clear message.
//!
//! # Deviations from MuJoCo's renderer
//! Occlusion is painter's order rather than a depth buffer (each scene lists its primitives
//! back to front); there are no shadows or floor reflections; cylinders seen end-on are
//! flat discs; the skybox gradient is interpolated from the measured table in §8.4.
#![deny(missing_docs)]

mod background;
mod camera;
mod raster;
pub mod scene;
mod sketch;

pub use scene::{Scene, Tracking};
pub use sketch::Sketch;

use camera::Camera;
use raster::Canvas;
use scene::{Primitive, SceneSetup};

/// A linear RGB colour with components in 0..1 (written to the frame as `round(255 c)`).
pub type Rgb = [f32; 3];

/// The colours a frame is drawn with; the default is dm_control's.
#[derive(Clone, Debug, PartialEq)]
pub struct Palette {
    /// Floor checker colours: `[dark, light]`; the dark one is at the anchoring corner (§8.4).
    pub floor: [Rgb; 2],
    /// Skybox zenith colour; the gradient fades it to black at the nadir.
    pub sky: Rgb,
    /// Material "self": carts, poles, arm links, cup, finger links, spinner, point mass.
    pub body: Rgb,
    /// Material "effector": pendulum bob, reacher fingertip, ball, finger fingertip.
    pub effector: Rgb,
    /// Material "decoration": rails, hinge cylinders, walls, reacher root.
    pub decoration: Rgb,
    /// Material "target": point-mass, reacher and finger targets and the finger's tip site.
    pub target: Rgb,
}

impl Default for Palette {
    /// dm_control's colours (`dmc_tasks.md` §8.3 and §8.4).
    fn default() -> Self {
        Palette {
            floor: [[0.1, 0.2, 0.3], [0.2, 0.3, 0.4]],
            sky: [0.4, 0.6, 0.8],
            body: [0.7, 0.5, 0.3],
            effector: [0.7, 0.4, 0.2],
            decoration: [0.3, 0.5, 0.7],
            target: [0.6, 0.3, 0.3],
        }
    }
}

/// A change applied to the domain's camera 0, e.g. for camera-jitter distractions.
///
/// The translation is in world coordinates (metres, z up). The rotations are in radians
/// about the camera's own axes, applied yaw, then pitch, then roll: positive `yaw` turns the
/// view to the left (about the image-up axis), positive `pitch` tilts it up (about the
/// image-right axis), positive `roll` turns the camera counter-clockwise about its viewing
/// direction, so the scene appears to turn clockwise.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CameraOffset {
    /// World-frame translation of the camera, m.
    pub translation: [f64; 3],
    /// Rotation about the camera's up axis, rad.
    pub yaw: f64,
    /// Rotation about the camera's right axis, rad.
    pub pitch: f64,
    /// Rotation about the camera's viewing axis, rad.
    pub roll: f64,
}

/// The shape of an [`Overlay`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OverlayShape {
    /// A disc of the given radius.
    Disc,
    /// An axis-aligned square whose half-side is the radius.
    Square,
    /// An upward-pointing equilateral triangle whose circumradius is the radius.
    Triangle,
}

/// A flat 2-D shape drawn over the background and behind the bodies (a distractor).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlay {
    /// Which shape.
    pub shape: OverlayShape,
    /// Centre as fractions of the image width and height, (0, 0) top-left.
    pub center: [f32; 2],
    /// Size as a fraction of the image height (see [`OverlayShape`]).
    pub radius: f32,
    /// Fill colour.
    pub color: Rgb,
    /// Opacity in 0..1.
    pub alpha: f32,
}

/// What to draw and at which size.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderConfig {
    /// Image width, px (> 0).
    pub width: usize,
    /// Image height, px (> 0).
    pub height: usize,
    /// Colours.
    pub palette: Palette,
    /// Change to camera 0.
    pub camera_offset: CameraOffset,
}

impl Default for RenderConfig {
    /// 84 × 84, dm_control's palette, camera 0 unchanged.
    fn default() -> Self {
        RenderConfig {
            width: 84,
            height: 84,
            palette: Palette::default(),
            camera_offset: CameraOffset::default(),
        }
    }
}

/// Draws one domain's scene; holds the baked background and reusable scratch space.
#[derive(Clone, Debug)]
pub struct Renderer {
    config: RenderConfig,
    setup: SceneSetup,
    camera: Camera,
    background: Vec<u8>,
    primitives: Vec<Primitive>,
    /// Whether the scene's camera follows the bodies ([`Scene::tracking`]): the background
    /// is then the skybox only and the floor is drawn per frame.
    tracking: bool,
    floor_scratch: background::FloorScratch,
}

impl Renderer {
    /// Bakes the static background of `scene` under `config`.
    ///
    /// # Panics
    /// If the width or height is zero.
    pub fn new<S: Scene>(scene: &S, config: RenderConfig) -> Renderer {
        let setup = scene.setup();
        let camera = Camera::new(&setup.camera, &config.camera_offset, 1, 1);
        let mut renderer = Renderer {
            config: config.clone(),
            setup,
            camera,
            background: Vec::new(),
            primitives: Vec::with_capacity(16),
            tracking: false,
            floor_scratch: background::FloorScratch::default(),
        };
        renderer.reconfigure(scene, config);
        renderer
    }

    /// Re-bakes the background after a change of palette, camera offset or size (or scene).
    ///
    /// # Panics
    /// If the width or height is zero.
    pub fn reconfigure<S: Scene>(&mut self, scene: &S, config: RenderConfig) {
        assert!(
            config.width > 0 && config.height > 0,
            "ocellus-render: image size must be positive, got {}x{}",
            config.width,
            config.height
        );
        self.setup = scene.setup();
        self.camera = Camera::new(
            &self.setup.camera,
            &config.camera_offset,
            config.width,
            config.height,
        );
        self.config = config;
        let mut statics = Vec::new();
        scene.static_primitives(&mut statics);
        self.tracking = scene.tracking().is_some();
        self.background = background::bake(
            &self.setup,
            &self.camera,
            &self.config,
            &statics,
            !self.tracking,
        );
    }

    /// The configuration the background was baked with.
    pub fn config(&self) -> &RenderConfig {
        &self.config
    }

    /// Bytes in one frame: `3 * height * width`.
    pub fn frame_len(&self) -> usize {
        3 * self.config.width * self.config.height
    }

    /// Draws `scene`'s current state into `out` (`[3, H, W]`): the background, then the
    /// overlays in order, then the bodies.
    ///
    /// # Panics
    /// If `out.len() != self.frame_len()`, or if `scene` is not the domain this renderer
    /// was baked for.
    pub fn render<S: Scene>(&mut self, scene: &S, overlays: &[Overlay], out: &mut [u8]) {
        assert_eq!(
            out.len(),
            self.frame_len(),
            "ocellus-render: out has {} bytes but a {}x{} CHW frame needs {}",
            out.len(),
            self.config.width,
            self.config.height,
            self.frame_len()
        );
        assert_eq!(
            scene.domain(),
            self.setup.domain,
            "ocellus-render: this renderer was baked for another domain"
        );
        out.copy_from_slice(&self.background);
        let mut light = self.setup.light;
        if self.tracking {
            if let Some(view) = scene.tracking() {
                self.camera = Camera::new(
                    &view.camera,
                    &self.config.camera_offset,
                    self.config.width,
                    self.config.height,
                );
                light = view.light;
            }
            background::draw_floor(
                &self.setup,
                light,
                &self.camera,
                &self.config.palette,
                out,
                self.config.width,
                self.config.height,
                &mut self.floor_scratch,
            );
        }
        let mut canvas = Canvas::new(out, self.config.width, self.config.height);
        for overlay in overlays {
            canvas.overlay(overlay);
        }
        self.primitives.clear();
        scene.dynamic_primitives(&mut self.primitives);
        for primitive in &self.primitives {
            raster::draw_primitive(
                &mut canvas,
                &self.camera,
                &light,
                &self.config.palette,
                primitive,
            );
        }
    }
}

/// Converts a CHW frame (`[3, H, W]`) to interleaved HWC RGB (for PNG/GIF writers).
///
/// `out` is cleared and refilled (it keeps its capacity).
///
/// # Panics
/// If `chw.len() != 3 * width * height`.
pub fn chw_to_hwc(chw: &[u8], width: usize, height: usize, out: &mut Vec<u8>) {
    let plane = width * height;
    assert_eq!(
        chw.len(),
        3 * plane,
        "chw_to_hwc: {} bytes is not a {width}x{height} RGB frame",
        chw.len()
    );
    out.clear();
    out.reserve(3 * plane);
    let (r, rest) = chw.split_at(plane);
    let (g, b) = rest.split_at(plane);
    for ((&r, &g), &b) in r.iter().zip(g).zip(b) {
        out.extend_from_slice(&[r, g, b]);
    }
}
