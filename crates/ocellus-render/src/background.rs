//! The static background: skybox and floor, supersampled once per configuration, plus the
//! static decorations drawn over them.

use crate::camera::{self, Camera, V3};
use crate::raster::{self, Canvas, MAT_SPECULAR};
use crate::scene::{LightSpec, Primitive, SceneSetup};
use crate::{RenderConfig, Rgb};

/// Skybox brightness k (colour = k · zenith colour) against elevation in degrees, measured
/// from dm_control renders (`dmc_tasks.md` §8.4); linear in between.
const SKY_K: [(f64, f64); 11] = [
    (-90.0, 0.0),
    (-45.0, 0.18),
    (-37.0, 0.23),
    (-26.5, 0.30),
    (-14.0, 0.39),
    (0.0, 0.50),
    (14.0, 0.61),
    (26.5, 0.70),
    (37.0, 0.76),
    (45.0, 0.81),
    (90.0, 0.99),
];

/// Skybox cube-face size in texels and the fraction of texels that are white stars
/// (MuJoCo's `mark="random"` with `random="0.01"`, 800 px faces).
const SKY_TEXELS: f64 = 800.0;
const STAR_PER_10000: u32 = 100;

/// Floor texture: one 2 × 2-check tile per 2 m, 300 texels wide, with a 1-texel edge mark.
const TILE_M: f64 = 2.0;
const MARK_M: f64 = TILE_M / 300.0;

fn sky_k(elevation_deg: f64) -> f64 {
    let e = elevation_deg.clamp(-90.0, 90.0);
    for w in SKY_K.windows(2) {
        let ((e0, k0), (e1, k1)) = (w[0], w[1]);
        if e <= e1 {
            return k0 + (k1 - k0) * (e - e0) / (e1 - e0);
        }
    }
    SKY_K[SKY_K.len() - 1].1
}

/// A 32-bit integer hash (the "lowbias32" finaliser by C. Wellons), for deterministic stars.
fn hash32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

/// Whether the skybox texel hit by unit direction `d` is a star.
fn is_star(d: V3) -> bool {
    let a = [d[0].abs(), d[1].abs(), d[2].abs()];
    let axis = if a[0] >= a[1] && a[0] >= a[2] {
        0
    } else if a[1] >= a[2] {
        1
    } else {
        2
    };
    let face = 2 * axis as u32 + u32::from(d[axis] < 0.0);
    let (u, v) = (d[(axis + 1) % 3] / a[axis], d[(axis + 2) % 3] / a[axis]);
    let texel =
        |t: f64| (((t + 1.0) * 0.5 * SKY_TEXELS).floor()).clamp(0.0, SKY_TEXELS - 1.0) as u32;
    let id = (face * 800 + texel(v)) * 800 + texel(u);
    hash32(id ^ 0x9e37_79b9) % 10_000 < STAR_PER_10000
}

/// How much of a star the skybox shows along unit direction `d` when its texels are magnified
/// (wider than a pixel, e.g. manipulator's 4° camera): the star indicator of the four nearest
/// texel centres, bilinearly interpolated (as OpenGL's linear magnification filter blurs
/// MuJoCo's skybox), instead of hard-edged squares. Texels on other faces count as no star.
fn star_weight(d: V3) -> f64 {
    let a = [d[0].abs(), d[1].abs(), d[2].abs()];
    let axis = if a[0] >= a[1] && a[0] >= a[2] {
        0
    } else if a[1] >= a[2] {
        1
    } else {
        2
    };
    let face = 2 * axis as u32 + u32::from(d[axis] < 0.0);
    let (u, v) = (d[(axis + 1) % 3] / a[axis], d[(axis + 2) % 3] / a[axis]);
    // Continuous texel coordinates with texel centres at integers.
    let (tu, tv) = (
        (u + 1.0) * 0.5 * SKY_TEXELS - 0.5,
        (v + 1.0) * 0.5 * SKY_TEXELS - 0.5,
    );
    let (u0, v0) = (tu.floor(), tv.floor());
    let (fu, fv) = (tu - u0, tv - v0);
    let star = |iu: f64, iv: f64| {
        if !(0.0..SKY_TEXELS).contains(&iu) || !(0.0..SKY_TEXELS).contains(&iv) {
            return 0.0;
        }
        let id = (face * 800 + iv as u32) * 800 + iu as u32;
        f64::from(u8::from(hash32(id ^ 0x9e37_79b9) % 10_000 < STAR_PER_10000))
    };
    let top = star(u0, v0) * (1.0 - fu) + star(u0 + 1.0, v0) * fu;
    let bottom = star(u0, v0 + 1.0) * (1.0 - fu) + star(u0 + 1.0, v0 + 1.0) * fu;
    top * (1.0 - fv) + bottom * fv
}

/// Floor texture and lighting for this camera.
struct FloorShader {
    height: f64,
    center: [f64; 2],
    half: [f64; 2],
    colors: [Rgb; 2],
    head_diffuse: f64,
    head_dir: V3,
    light: LightSpec,
}

impl FloorShader {
    fn new(setup: &SceneSetup, light: LightSpec, cam: &Camera, palette: &crate::Palette) -> Self {
        let head_dir = camera::scale(cam.forward, -1.0);
        FloorShader {
            height: setup.floor.height,
            center: setup.floor.center,
            half: setup.floor.half_size,
            colors: palette.floor,
            head_diffuse: 0.8 * head_dir[2].max(0.0),
            head_dir,
            light,
        }
    }

    /// Whether world point `p` of the floor's plane is on the finite floor.
    fn contains(&self, p: V3) -> bool {
        ((p[0] - self.center[0]).abs() <= self.half[0])
            & ((p[1] - self.center[1]).abs() <= self.half[1])
    }

    /// Texture coordinates of floor point `p`: metres from the (−size_x, +size_y) corner,
    /// where the checks are anchored with a dark one (§8.4); both >= 0 on the floor.
    fn uv(&self, p: V3) -> [f64; 2] {
        [
            (p[0] - self.center[0] + self.half[0]).max(0.0),
            (self.half[1] - (p[1] - self.center[1])).max(0.0),
        ]
    }

    /// Texture colour at texture coordinates `uv` (>= 0).
    fn texel(&self, [u, v]: [f64; 2]) -> Rgb {
        // Truncation is floor for u, v >= 0, and much cheaper than libm's floor and fmod on
        // baseline x86-64 (this runs per sub-sample per frame for moving cameras).
        let (iu, iv) = (u as u64, v as u64);
        let parity = (iu + iv) & 1;
        // The offset into the 2 m tile (2 checks of 1 m) is exact: Sterbenz's lemma.
        let in_tile = |t: f64, i: u64| t - (i & !1) as f64;
        let mark = in_tile(u, iu) < MARK_M || in_tile(v, iv) < MARK_M;
        if mark || parity == 1 {
            self.colors[1]
        } else {
            self.colors[0]
        }
    }

    /// Texture colour at floor point `p`.
    fn texture(&self, p: V3) -> Rgb {
        self.texel(self.uv(p))
    }

    /// Which of the two texture colours is at texture coordinates `uv` (>= 0): 0 for the
    /// dark check, 1 for the light check or an edge mark (as [`FloorShader::texel`]).
    fn texel_index(&self, [u, v]: [f64; 2]) -> u8 {
        // i64, not u64: x86-64 converts doubles to signed integers in one instruction.
        let (iu, iv) = (u as i64, v as i64);
        let in_tile = |t: f64, i: i64| t - (i & !1) as f64;
        // Non-short-circuit `|`: no branches to mispredict along check edges.
        let mark = (in_tile(u, iu) < MARK_M) | (in_tile(v, iv) < MARK_M);
        u8::from(mark | ((iu + iv) & 1 == 1))
    }

    /// Colour of the floor at world point `p` seen from `eye`.
    fn color(&self, p: V3, eye: V3) -> [f64; 3] {
        let (diffuse, spec) = self.light(p, eye);
        let tex = self.texture(p);
        [
            (f64::from(tex[0]) * diffuse + spec).min(1.0),
            (f64::from(tex[1]) * diffuse + spec).min(1.0),
            (f64::from(tex[2]) * diffuse + spec).min(1.0),
        ]
    }

    /// (diffuse factor, specular term) of the floor at `p` seen from `eye`.
    fn light(&self, p: V3, eye: V3) -> (f64, f64) {
        // Normal +z. Headlight (directional along the camera's view), then the scene light.
        let view = camera::normalize(camera::sub(eye, p));
        let (l, atten) = raster::light_at(&self.light, p);
        let kd = match self.light {
            LightSpec::Spot(_) => raster::SPOT_DIFFUSE,
            LightSpec::Directional => raster::DIRECTIONAL_DIFFUSE,
        };
        let diffuse = 0.4 + self.head_diffuse + kd * atten * l[2].max(0.0);
        let hl = camera::normalize(camera::add(l, view));
        let hh = camera::normalize(camera::add(self.head_dir, view));
        let ms = f64::from(MAT_SPECULAR);
        let spec = ms * raster::LIGHT_SPECULAR * atten * hl[2].max(0.0).powi(64)
            + ms * 0.1 * hh[2].max(0.0).powi(64);
        (diffuse, spec)
    }
}

/// Renders the background of `setup` seen by `cam` into a new CHW buffer: the skybox, the
/// floor unless `with_floor` is false (scenes whose camera moves draw it per frame with
/// [`draw_floor`]) and the static primitives.
pub(crate) fn bake(
    setup: &SceneSetup,
    cam: &Camera,
    config: &RenderConfig,
    statics: &[Primitive],
    with_floor: bool,
) -> Vec<u8> {
    let (w, h) = (config.width, config.height);
    let plane = w * h;
    let mut bg = vec![0u8; 3 * plane];
    let palette = &config.palette;
    let mut floor = FloorShader::new(setup, setup.light, cam, palette);
    if !with_floor {
        floor.half = [-1.0, -1.0];
    }
    let sky = palette.sky.map(f64::from);
    // A skybox texel spans (π/2)/800 rad; a pixel about 1/focal.
    let magnified = cam.focal * std::f64::consts::FRAC_PI_2 / SKY_TEXELS > 1.0;
    // Supersampling: 3 × 3 at training sizes, 2 × 2 for larger frames (bake time).
    let ss = if plane <= 128 * 128 { 3 } else { 2 };
    let inv_n = 1.0 / (ss * ss) as f64;
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f64; 3];
            for sy in 0..ss {
                for sx in 0..ss {
                    let px = x as f64 + (sx as f64 + 0.5) / ss as f64;
                    let py = y as f64 + (sy as f64 + 0.5) / ss as f64;
                    let d = cam.ray(px, py);
                    let c = sample(&floor, cam.pos, d, sky, magnified);
                    for k in 0..3 {
                        acc[k] += c[k];
                    }
                }
            }
            for (k, a) in acc.iter().enumerate() {
                bg[k * plane + y * w + x] = (a * inv_n * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
            }
        }
    }
    let mut canvas = Canvas::new(&mut bg, w, h);
    for p in statics {
        raster::draw_primitive(&mut canvas, cam, &setup.light, palette, p);
    }
    bg
}

/// Colour seen along ray `d` from `eye`: the floor if the ray hits the finite floor
/// rectangle from above, else the skybox.
fn sample(floor: &FloorShader, eye: V3, d: V3, sky: [f64; 3], magnified: bool) -> [f64; 3] {
    if d[2] < 0.0 && eye[2] > floor.height {
        let t = (floor.height - eye[2]) / d[2];
        let p = camera::add(eye, camera::scale(d, t));
        if floor.contains(p) {
            return floor.color(p, eye);
        }
    }
    let u = camera::normalize(d);
    let k = sky_k(u[2].clamp(-1.0, 1.0).asin().to_degrees());
    let base = [k * sky[0], k * sky[1], k * sky[2]];
    if magnified {
        let w = star_weight(u);
        return base.map(|c| c + w * (1.0 - c));
    }
    if is_star(u) {
        return [1.0; 3];
    }
    base
}

/// Reusable buffers of [`draw_floor`], kept by the renderer so frames do not allocate.
#[derive(Clone, Debug, Default)]
pub(crate) struct FloorScratch {
    /// The camera orientation and image size `slopes` was computed for.
    key: Option<([f64; 9], f64, usize, usize)>,
    /// Per pixel corner, row-major over (width + 1) × (height + 1): the ray direction's
    /// (x, y) over its z where the ray points down (it meets the floor's plane at
    /// `eye + (floor_height - eye_z) · (sx, sy, 1)`), NaN where it does not. Depends only on
    /// the camera's orientation, which a tracking camera keeps.
    slopes: Vec<[f64; 2]>,
    /// The first corner row with a ray pointing down: rows above it never see the floor.
    first_row: usize,
    /// [`FloorShader::texel_index`] of the point where each corner's ray meets the finite
    /// floor, or [`OFF_FLOOR`].
    corners: Vec<u8>,
    /// One image row's lighting, interpolated between two rows of `light`.
    light_row: Vec<[f64; 2]>,
    /// Per image column: the light-grid column left of the pixel centre and the weight of
    /// the one right of it.
    columns: Vec<(usize, f64)>,
    /// One image row, per pixel: diffuse factor, specular term, and how many of its four
    /// corners see the dark check, the light check and no floor.
    pixel: PixelRow,
    /// (diffuse factor, specular term) of the floor plane every [`LIGHT_STEP`] corners in
    /// each direction, NaN above the horizon.
    light: Vec<[f64; 2]>,
}

impl FloorScratch {
    /// Recomputes the corner slopes when the camera turned or the image size changed.
    fn prepare(&mut self, cam: &Camera, width: usize, height: usize) {
        let (r, u, f) = (cam.right, cam.up, cam.forward);
        let key = (
            [r[0], r[1], r[2], u[0], u[1], u[2], f[0], f[1], f[2]],
            cam.focal,
            width,
            height,
        );
        if self.key == Some(key) {
            return;
        }
        self.key = Some(key);
        self.slopes.clear();
        self.first_row = height + 1;
        for j in 0..=height {
            for i in 0..=width {
                let d = cam.ray(i as f64, j as f64);
                self.slopes.push(if d[2] < 0.0 {
                    self.first_row = self.first_row.min(j);
                    [d[0] / d[2], d[1] / d[2]]
                } else {
                    [f64::NAN; 2]
                });
            }
        }
    }
}

/// One image row of floor pixels as structure-of-arrays, so the shading loop vectorises.
#[derive(Clone, Debug, Default)]
struct PixelRow {
    diffuse: Vec<f32>,
    spec: Vec<f32>,
    dark: Vec<f32>,
    light: Vec<f32>,
    off: Vec<f32>,
}

/// The corner code of a ray that misses the floor.
const OFF_FLOOR: u8 = 2;

/// Spacing in pixels of the grid the floor's lighting is evaluated on per frame and
/// interpolated from: the lighting is smooth (the sharpest term, the specular lobe with
/// exponent 64, spans about 13 px at 84 px and 45°), and evaluating it is the dearest part
/// of a floor pixel.
const LIGHT_STEP: usize = 6;

/// Draws the floor of `setup` seen by `cam` under `light` over `out`, which holds the baked
/// skybox: once per frame for a moving camera.
///
/// The rays through the pixel corners are intersected with the floor once per frame (their
/// directions once per camera orientation). Each pixel is the mean of its four corners: the
/// texture colour where a corner lands on the floor, under the pixel's lighting, and the
/// skybox pixel where it misses (the corners are the 2 × 2 sub-samples, shared with the
/// neighbours: anti-aliased checks, marks and floor edges with one ray per pixel). The
/// lighting is evaluated every [`LIGHT_STEP`] pixels and interpolated bilinearly. The look of
/// [`bake`]'s floor (lit per sample, 3 × 3 sub-samples inside the pixel) at a fraction of the
/// cost, a little softer.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_floor(
    setup: &SceneSetup,
    light: LightSpec,
    cam: &Camera,
    palette: &crate::Palette,
    out: &mut [u8],
    width: usize,
    height: usize,
    scratch: &mut FloorScratch,
) {
    let floor = FloorShader::new(setup, light, cam, palette);
    let eye = cam.pos;
    if eye[2] <= floor.height {
        return;
    }
    let dz = floor.height - eye[2];
    // Where the ray through pixel coordinates (px, py) meets the floor's plane.
    let plane_hit = |px: f64, py: f64| {
        let d = cam.ray(px, py);
        (d[2] < 0.0).then(|| camera::add(eye, camera::scale(d, dz / d[2])))
    };
    let (cw, ch) = (width + 1, height + 1);
    scratch.prepare(cam, width, height);
    scratch.corners.clear();
    scratch.corners.resize(cw * ch, OFF_FLOOR);
    let below = scratch.first_row * cw;
    let mut any = false;
    for (code, &[sx, sy]) in scratch.corners[below..]
        .iter_mut()
        .zip(&scratch.slopes[below..])
    {
        // NaN slopes (rays above the horizon) give NaN points, which `contains` rejects.
        let p = [eye[0] + dz * sx, eye[1] + dz * sy, floor.height];
        if floor.contains(p) {
            any = true;
            *code = floor.texel_index(floor.uv(p));
        }
    }
    debug_assert_eq!(scratch.corners.len(), cw * ch);
    if !any {
        return;
    }
    let (lw, lh) = (
        width.div_ceil(LIGHT_STEP) + 1,
        height.div_ceil(LIGHT_STEP) + 1,
    );
    scratch.light.clear();
    for j in 0..lh {
        for i in 0..lw {
            let (gx, gy) = (i * LIGHT_STEP, j * LIGHT_STEP);
            // Grid points past the image's last corner (sizes not a multiple of the step).
            let hit = if gx <= width && gy <= height {
                let [sx, sy] = scratch.slopes[gy * cw + gx];
                Some([eye[0] + dz * sx, eye[1] + dz * sy, floor.height]).filter(|_| !sx.is_nan())
            } else {
                plane_hit(gx as f64, gy as f64)
            };
            let lit = hit.map_or([f64::NAN; 2], |p| {
                let (d, s) = floor.light(p, eye);
                [d, s]
            });
            scratch.light.push(lit);
        }
    }
    let plane = width * height;
    let step = LIGHT_STEP as f64;
    let [dark_tex, light_tex] = floor.colors;
    scratch.columns.clear();
    for x in 0..width {
        let gx = (x as f64 + 0.5) / step;
        let i0 = gx as usize;
        scratch.columns.push((i0, gx - i0 as f64));
    }
    for y in scratch.first_row.saturating_sub(1)..height {
        let row = &scratch.corners[y * cw..(y + 2) * cw];
        if row.iter().all(|&c| c == OFF_FLOOR) {
            continue;
        }
        // This row's lighting at the grid columns: linear between two grid rows, NaN where
        // either is above the horizon.
        let gy = (y as f64 + 0.5) / step;
        let j0 = gy as usize;
        let fy = gy - j0 as f64;
        scratch.light_row.clear();
        for i in 0..lw {
            let (a, b) = (scratch.light[j0 * lw + i], scratch.light[(j0 + 1) * lw + i]);
            scratch
                .light_row
                .push([a[0] + fy * (b[0] - a[0]), a[1] + fy * (b[1] - a[1])]);
        }
        // Per pixel: lighting at its centre (interpolated, or evaluated there where a grid
        // point is above the horizon) and its corners' codes 0 (dark), 1 (light) and 2 (off
        // the floor), counted in one byte each. A pixel the floor's lighting does not reach
        // keeps the skybox: all four corners count as off.
        let px = &mut scratch.pixel;
        for v in [
            &mut px.diffuse,
            &mut px.spec,
            &mut px.dark,
            &mut px.light,
            &mut px.off,
        ] {
            v.resize(width, 0.0);
        }
        let (top, bottom) = row.split_at(cw);
        for (x, &(i0, fx)) in scratch.columns.iter().enumerate() {
            let (l0, l1) = (scratch.light_row[i0], scratch.light_row[i0 + 1]);
            let counts = (1u32 << (8 * top[x]))
                + (1u32 << (8 * top[x + 1]))
                + (1u32 << (8 * bottom[x]))
                + (1u32 << (8 * bottom[x + 1]));
            let (diffuse, spec, counts) = if !(l0[0].is_nan() || l1[0].is_nan()) {
                let d = l0[0] + fx * (l1[0] - l0[0]);
                let s = l0[1] + fx * (l1[1] - l0[1]);
                (d as f32, s as f32, counts)
            } else {
                match plane_hit(x as f64 + 0.5, y as f64 + 0.5)
                    .or_else(|| plane_hit(x as f64 + 0.5, y as f64 + 1.0))
                {
                    Some(p) => {
                        let (d, s) = floor.light(p, eye);
                        (d as f32, s as f32, counts)
                    }
                    None => (0.0, 0.0, 4 << 16),
                }
            };
            px.diffuse[x] = diffuse;
            px.spec[x] = spec;
            px.dark[x] = (counts & 0xff) as f32;
            px.light[x] = ((counts >> 8) & 0xff) as f32;
            px.off[x] = (counts >> 16) as f32;
        }
        // Each pixel: the mean of its four corners' colours, each corner's texel under the
        // pixel's lighting or the skybox where the corner misses the floor (four misses give
        // the skybox back exactly).
        for k in 0..3 {
            let (dk, lk) = (dark_tex[k], light_tex[k]);
            let out_row = &mut out[k * plane + y * width..k * plane + (y + 1) * width];
            for (x, o) in out_row.iter_mut().enumerate() {
                let (d, s) = (px.diffuse[x], px.spec[x]);
                let sum = px.dark[x] * (255.0 * (dk * d + s).min(1.0))
                    + px.light[x] * (255.0 * (lk * d + s).min(1.0))
                    + px.off[x] * f32::from(*o);
                *o = (sum * 0.25 + 0.5) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sky_table_interpolates() {
        assert_eq!(sky_k(0.0), 0.5);
        assert!((sky_k(90.0) - 0.99).abs() < 1e-12);
        assert!((sky_k(-90.0)).abs() < 1e-12);
        assert!(sky_k(20.0) > 0.61 && sky_k(20.0) < 0.70);
    }

    #[test]
    fn about_one_percent_of_texels_are_stars() {
        let mut stars = 0;
        let n = 200_000;
        for i in 0..n {
            let a = i as f64 * 0.000_031_4;
            let d = camera::normalize([a.cos(), a.sin(), 0.3 * (7.0 * a).sin()]);
            stars += usize::from(is_star(d));
        }
        let frac = stars as f64 / n as f64;
        assert!(frac > 0.005 && frac < 0.02, "star fraction {frac}");
    }
}
