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

    /// Texture colour at floor point `p`.
    fn texture(&self, p: V3) -> Rgb {
        // Checks anchored at the (−size_x, +size_y) corner, which is dark (§8.4).
        let u = p[0] - self.center[0] + self.half[0];
        let v = self.half[1] - (p[1] - self.center[1]);
        let parity = (u.floor() + v.floor()).rem_euclid(2.0);
        let mark = u.rem_euclid(TILE_M) < MARK_M || v.rem_euclid(TILE_M) < MARK_M;
        if mark || parity >= 1.0 {
            self.colors[1]
        } else {
            self.colors[0]
        }
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

/// Draws the floor of `setup` seen by `cam` under `light` over `out`, which holds the baked
/// skybox: once per frame for a moving camera. Each pixel whose centre ray meets the floor is
/// lit once at that point; its colour is the mean of 2 × 2 sub-samples, each the floor's
/// texture under that light or, where a sub-sample misses the floor, the skybox pixel
/// (anti-aliased checks and floor edges at a quarter of [`bake`]'s cost).
pub(crate) fn draw_floor(
    setup: &SceneSetup,
    light: LightSpec,
    cam: &Camera,
    palette: &crate::Palette,
    out: &mut [u8],
    width: usize,
    height: usize,
) {
    let floor = FloorShader::new(setup, light, cam, palette);
    let eye = cam.pos;
    if eye[2] <= floor.height {
        return;
    }
    let plane = width * height;
    let dz = floor.height - eye[2];
    for y in 0..height {
        // Rows wholly above the horizon see no floor.
        let top = cam.ray(0.0, y as f64)[2].min(cam.ray(width as f64, y as f64)[2]);
        let bottom = cam.ray(0.0, y as f64 + 1.0)[2].min(cam.ray(width as f64, y as f64 + 1.0)[2]);
        if top >= 0.0 && bottom >= 0.0 {
            continue;
        }
        for x in 0..width {
            let hit = |px: f64, py: f64| {
                let d = cam.ray(px, py);
                if d[2] >= 0.0 {
                    return None;
                }
                let p = camera::add(eye, camera::scale(d, dz / d[2]));
                floor.contains(p).then_some(p)
            };
            let (fx, fy) = (x as f64, y as f64);
            let Some(centre) = hit(fx + 0.5, fy + 0.5).or_else(|| hit(fx + 0.25, fy + 0.75)) else {
                continue;
            };
            let (diffuse, spec) = floor.light(centre, eye);
            let i = y * width + x;
            let sky = [out[i], out[plane + i], out[2 * plane + i]].map(f64::from);
            let mut acc = [0.0f64; 3];
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                match hit(fx + sx, fy + sy) {
                    Some(p) => {
                        let tex = floor.texture(p);
                        for k in 0..3 {
                            acc[k] += 255.0 * (f64::from(tex[k]) * diffuse + spec).min(1.0);
                        }
                    }
                    None => {
                        for k in 0..3 {
                            acc[k] += sky[k];
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
