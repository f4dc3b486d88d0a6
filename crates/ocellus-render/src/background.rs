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
        (p[0] - self.center[0]).abs() <= self.half[0]
            && (p[1] - self.center[1]).abs() <= self.half[1]
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

    /// The texture colour of a pixel whose corners land at `corners` (texture coordinates, all
    /// on the floor) if the whole pixel is one colour: the corners in one 1 m check (which is
    /// convex, so the pixel's quadrilateral is inside it) and clear of the edge marks.
    fn uniform_texture(&self, corners: &[[f64; 2]; 4]) -> Option<Rgb> {
        let cell = |uv: [f64; 2]| (uv[0] as u64, uv[1] as u64);
        let first = cell(corners[0]);
        if corners[1..].iter().any(|&c| cell(c) != first) {
            return None;
        }
        // A check with an even index starts with the mark line.
        let clear =
            |k: usize, i: u64| i & 1 == 1 || corners.iter().all(|c| c[k] - i as f64 >= MARK_M);
        (clear(0, first.0) && clear(1, first.1)).then(|| self.texel(corners[0]))
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
                    let c = sample(&floor, cam.pos, d, sky);
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
fn sample(floor: &FloorShader, eye: V3, d: V3, sky: [f64; 3]) -> [f64; 3] {
    if d[2] < 0.0 && eye[2] > floor.height {
        let t = (floor.height - eye[2]) / d[2];
        let p = camera::add(eye, camera::scale(d, t));
        if floor.contains(p) {
            return floor.color(p, eye);
        }
    }
    let u = camera::normalize(d);
    if is_star(u) {
        return [1.0; 3];
    }
    let k = sky_k(u[2].clamp(-1.0, 1.0).asin().to_degrees());
    [k * sky[0], k * sky[1], k * sky[2]]
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
    /// Texture coordinates (u, v) where each corner's ray meets the finite floor, or NaN.
    corners: Vec<[f64; 2]>,
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
        for j in 0..=height {
            for i in 0..=width {
                let d = cam.ray(i as f64, j as f64);
                self.slopes.push(if d[2] < 0.0 {
                    [d[0] / d[2], d[1] / d[2]]
                } else {
                    [f64::NAN; 2]
                });
            }
        }
    }
}

/// Spacing in pixels of the grid the floor's lighting is evaluated on per frame and
/// interpolated from: the lighting is smooth (the sharpest term, the specular lobe with
/// exponent 64, spans about 13 px at 84 px and 45°).
const LIGHT_STEP: usize = 4;

/// Draws the floor of `setup` seen by `cam` under `light` over `out`, which holds the baked
/// skybox: once per frame for a moving camera.
///
/// The rays through the pixel corners are intersected with the floor once. A pixel whose four
/// corners land in the same check, clear of the edge marks, takes that check's colour; any
/// other pixel (check boundaries, marks, the floor's edge) is the mean of 2 × 2 sub-samples,
/// each the floor's texture or, where a sub-sample misses the floor, the skybox pixel. The
/// lighting is evaluated every [`LIGHT_STEP`] pixels and interpolated bilinearly. Same look as
/// [`bake`]'s floor (which is lit per sample and 3 × 3 super-sampled) at a fraction of the
/// cost.
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
    let mut any = false;
    for &[sx, sy] in &scratch.slopes {
        // NaN slopes (rays above the horizon) give NaN points, which `contains` rejects.
        let p = [eye[0] + dz * sx, eye[1] + dz * sy, floor.height];
        scratch.corners.push(if floor.contains(p) {
            any = true;
            floor.uv(p)
        } else {
            [f64::NAN; 2]
        });
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
    for y in 0..height {
        for x in 0..width {
            let c = [
                scratch.corners[y * cw + x],
                scratch.corners[y * cw + x + 1],
                scratch.corners[(y + 1) * cw + x],
                scratch.corners[(y + 1) * cw + x + 1],
            ];
            let hits = c.iter().filter(|uv| !uv[0].is_nan()).count();
            if hits == 0 {
                continue;
            }
            // Lighting at the pixel centre: bilinear from the grid, or evaluated there when a
            // grid point is above the horizon.
            let (gx, gy) = ((x as f64 + 0.5) / step, (y as f64 + 0.5) / step);
            let (i0, j0) = (gx as usize, gy as usize);
            let (fx, fy) = (gx - i0 as f64, gy - j0 as f64);
            let at = |i: usize, j: usize| scratch.light[j * lw + i];
            let grid = [
                at(i0, j0),
                at(i0 + 1, j0),
                at(i0, j0 + 1),
                at(i0 + 1, j0 + 1),
            ];
            let (diffuse, spec) = if grid.iter().all(|g| !g[0].is_nan()) {
                let mix = |k: usize| {
                    let top = grid[0][k] + fx * (grid[1][k] - grid[0][k]);
                    let bottom = grid[2][k] + fx * (grid[3][k] - grid[2][k]);
                    top + fy * (bottom - top)
                };
                (mix(0), mix(1))
            } else {
                match plane_hit(x as f64 + 0.5, y as f64 + 0.5)
                    .or_else(|| plane_hit(x as f64 + 0.5, y as f64 + 1.0))
                {
                    Some(p) => floor.light(p, eye),
                    None => continue,
                }
            };
            let shade = |tex: Rgb, k: usize| 255.0 * (f64::from(tex[k]) * diffuse + spec).min(1.0);
            let i = y * width + x;
            if hits == 4 {
                if let Some(tex) = floor.uniform_texture(&c) {
                    for k in 0..3 {
                        out[k * plane + i] = (shade(tex, k) + 0.5).clamp(0.0, 255.0) as u8;
                    }
                    continue;
                }
            }
            let sky = [out[i], out[plane + i], out[2 * plane + i]].map(f64::from);
            let mut acc = [0.0f64; 3];
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                match plane_hit(x as f64 + sx, y as f64 + sy).filter(|p| floor.contains(*p)) {
                    Some(p) => {
                        let tex = floor.texture(p);
                        for (k, a) in acc.iter_mut().enumerate() {
                            *a += shade(tex, k);
                        }
                    }
                    None => {
                        for (a, s) in acc.iter_mut().zip(sky) {
                            *a += s;
                        }
                    }
                }
            }
            for (k, a) in acc.iter().enumerate() {
                out[k * plane + i] = (a * 0.25 + 0.5).clamp(0.0, 255.0) as u8;
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
