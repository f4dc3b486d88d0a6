//! 2-D rasterisation of projected primitives into a CHW `u8` frame.
//!
//! Every shape is drawn from a signed distance `s` (pixels, negative inside) with coverage
//! `clamp(0.5 − s, 0, 1)`, i.e. a 1 px anti-aliasing ramp, and alpha-blended over what is
//! already there. Pixel (i, j) is sampled at its centre (i + 0.5, j + 0.5).

use crate::camera::{self, Camera, V3};
use crate::scene::{LightSpec, Material, Primitive};
use crate::{Overlay, OverlayShape, Palette, Rgb};

/// Shapes thinner than this (px) are drawn at this radius with proportionally less opacity,
/// so thin strings and tiny sites fade instead of flickering.
const MIN_RADIUS: f32 = 0.7;

/// Pixels per row chunk in the capsule loop.
const CHUNK: usize = 32;

/// MuJoCo's default grey for sites and tendons.
pub(crate) const NEUTRAL: Rgb = [0.5, 0.5, 0.5];

/// Headlight (`common/visual.xml`): ambient 0.4, diffuse 0.8 (§8.2).
const HEAD_AMBIENT: f32 = 0.4;
const HEAD_DIFFUSE: f32 = 0.8;
/// MuJoCo's default material specular 0.5 and shininess 0.5 (exponent 0.5 × 128 = 64).
pub(crate) const MAT_SPECULAR: f32 = 0.5;
/// Scene lights: spot diffuse 0.7, directional diffuse 0.6, both specular 0.3 (§8.2).
pub(crate) const SPOT_DIFFUSE: f64 = 0.7;
pub(crate) const DIRECTIONAL_DIFFUSE: f64 = 0.6;
pub(crate) const LIGHT_SPECULAR: f64 = 0.3;

/// `x^64` by repeated squaring, flushed to 0 below x = 0.25 (where it is < 1e-38) so that
/// no subnormal floats arise: they are ~100× slower on x86.
#[inline]
pub(crate) fn pow64(x: f32) -> f32 {
    let x = if x < 0.25 { 0.0 } else { x };
    let mut y = x * x; // 2
    y *= y; // 4
    y *= y; // 8
    y *= y; // 16
    y *= y; // 32
    y * y
}

/// Attenuation of a downward spotlight (cutoff 45°, exponent 10) for a unit direction
/// `to_light` from the lit point; returns `cos(angle)^10` inside the cone.
pub(crate) fn spot_factor(to_light_z: f64) -> f64 {
    let c = to_light_z;
    if c >= std::f64::consts::FRAC_1_SQRT_2 {
        c.powi(10)
    } else {
        0.0
    }
}

/// The scene light as seen by a point at world `p`: unit direction to the light and
/// attenuation (1 for directional lights).
pub(crate) fn light_at(light: &LightSpec, p: V3) -> (V3, f64) {
    match *light {
        LightSpec::Spot(pos) => {
            let l = camera::normalize(camera::sub(pos, p));
            (l, spot_factor(l[2]))
        }
        LightSpec::Directional => ([0.0, 0.0, 1.0], 1.0),
    }
}

fn light_diffuse(light: &LightSpec) -> f64 {
    match light {
        LightSpec::Spot(_) => SPOT_DIFFUSE,
        LightSpec::Directional => DIRECTIONAL_DIFFUSE,
    }
}

/// Lighting of one primitive, in camera space (x right, y up, z towards the camera).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lit {
    /// Base colour × 255.
    base: [f32; 3],
    /// Unit direction to the scene light.
    l: [f32; 3],
    /// Scene-light diffuse × attenuation.
    kd: f32,
    /// Unit half vector between the light and the viewer (0, 0, 1).
    h: [f32; 3],
    /// Material specular × light specular × attenuation, × 255.
    ks: f32,
}

impl Lit {
    fn new(cam: &Camera, light: &LightSpec, p: V3, base: Rgb) -> Lit {
        let (l_world, atten) = light_at(light, p);
        let l = cam.dir_to_camera(l_world);
        let h = camera::normalize([l[0], l[1], l[2] + 1.0]);
        Lit {
            base: [base[0] * 255.0, base[1] * 255.0, base[2] * 255.0],
            l: [l[0] as f32, l[1] as f32, l[2] as f32],
            kd: (light_diffuse(light) * atten) as f32,
            h: [h[0] as f32, h[1] as f32, h[2] as f32],
            ks: (f64::from(MAT_SPECULAR) * LIGHT_SPECULAR * atten * 255.0) as f32,
        }
    }

    /// Colour (0..255) of a surface with camera-space unit normal `n`.
    #[inline(always)]
    fn shade(&self, n: [f32; 3]) -> [f32; 3] {
        let nl = (n[0] * self.l[0] + n[1] * self.l[1] + n[2] * self.l[2]).max(0.0);
        let nh = (n[0] * self.h[0] + n[1] * self.h[1] + n[2] * self.h[2]).max(0.0);
        let nz = n[2].max(0.0);
        let diffuse = HEAD_AMBIENT + HEAD_DIFFUSE * nz + self.kd * nl;
        // The headlight's own highlight (specular 0.1 × 0.5) is left out for speed.
        let spec = self.ks * pow64(nh);
        [
            (self.base[0] * diffuse + spec).min(255.0),
            (self.base[1] * diffuse + spec).min(255.0),
            (self.base[2] * diffuse + spec).min(255.0),
        ]
    }
}

/// Colour (0..255) of a pixel of a round shape from its camera-space unit normal.
trait Shader: Copy {
    fn shade(&self, nx: f32, ny: f32, nz: f32) -> [f32; 3];
}

impl Shader for Lit {
    #[inline(always)]
    fn shade(&self, nx: f32, ny: f32, nz: f32) -> [f32; 3] {
        Lit::shade(self, [nx, ny, nz])
    }
}

/// One colour (0..255) everywhere.
#[derive(Clone, Copy)]
struct Flat([f32; 3]);

impl Shader for Flat {
    #[inline(always)]
    fn shade(&self, _: f32, _: f32, _: f32) -> [f32; 3] {
        self.0
    }
}

/// A CHW frame being drawn into.
pub(crate) struct Canvas<'a> {
    buf: &'a mut [u8],
    w: usize,
    h: usize,
    plane: usize,
}

impl<'a> Canvas<'a> {
    pub fn new(buf: &'a mut [u8], w: usize, h: usize) -> Canvas<'a> {
        debug_assert_eq!(buf.len(), 3 * w * h);
        Canvas {
            buf,
            w,
            h,
            plane: w * h,
        }
    }

    /// Blends colour `c` (0..255) with opacity `a` into pixel `idx`.
    #[inline]
    fn blend(&mut self, idx: usize, c: [f32; 3], a: f32) {
        for (ch, &cv) in c.iter().enumerate() {
            let o = &mut self.buf[ch * self.plane + idx];
            let v = f32::from(*o);
            *o = (v + (cv - v) * a + 0.5) as u8;
        }
    }

    /// Pixel rows/columns whose centres can lie within `[x0, x1] × [y0, y1]`, clipped.
    fn bbox(&self, x0: f64, x1: f64, y0: f64, y1: f64) -> Option<(usize, usize, usize, usize)> {
        if !(x0.is_finite() && x1.is_finite() && y0.is_finite() && y1.is_finite()) {
            return None;
        }
        let cx0 = (x0 - 0.5).ceil().max(0.0);
        let cy0 = (y0 - 0.5).ceil().max(0.0);
        let cx1 = ((x1 - 0.5).floor() + 1.0).min(self.w as f64);
        let cy1 = ((y1 - 0.5).floor() + 1.0).min(self.h as f64);
        if cx0 >= cx1 || cy0 >= cy1 {
            return None;
        }
        Some((cx0 as usize, cx1 as usize, cy0 as usize, cy1 as usize))
    }

    /// A capsule between pixel points `a` and `b` of radius `r` (px); a disc if `a == b`.
    fn capsule<S: Shader>(&mut self, a: [f64; 2], b: [f64; 2], r: f64, opacity: f32, fill: S) {
        if !(r.is_finite() && r > 0.0) {
            return;
        }
        let (mut r, mut opacity) = (r as f32, opacity);
        if r < MIN_RADIUS {
            opacity *= r / MIN_RADIUS;
            r = MIN_RADIUS;
        }
        let pad = f64::from(r) + 1.0;
        let Some((a, b)) = clip_segment(
            a,
            b,
            [-pad, -pad],
            [self.w as f64 + pad, self.h as f64 + pad],
        ) else {
            return;
        };
        let Some((x0, x1, y0, y1)) = self.bbox(
            a[0].min(b[0]) - pad,
            a[0].max(b[0]) + pad,
            a[1].min(b[1]) - pad,
            a[1].max(b[1]) + pad,
        ) else {
            return;
        };
        let (ax, ay) = (a[0] as f32, a[1] as f32);
        let (dx, dy) = ((b[0] - a[0]) as f32, (b[1] - a[1]) as f32);
        let len2 = dx * dx + dy * dy;
        let inv_len2 = if len2 > 1e-12 { 1.0 / len2 } else { 0.0 };
        let outer = r + 0.5;
        let inv_r = 1.0 / r;
        let span = CapsuleSpan::new(ax, ay, dx, dy, outer);
        let (w, plane) = (self.w, self.plane);
        let (pr, rest) = self.buf.split_at_mut(plane);
        let (pg, pb) = rest.split_at_mut(plane);
        let mut cov = [0.0f32; CHUNK];
        let mut col = [[0.0f32; CHUNK]; 3];
        for y in y0..y1 {
            let py = y as f32 + 0.5;
            let Some((sx0, sx1)) = span.row(py) else {
                continue;
            };
            // Pixel centres x + 0.5 inside (sx0, sx1), clipped to the bounding box.
            let xs = ((sx0 - 0.5).ceil().max(x0 as f32)) as usize;
            let xe = (((sx1 - 0.5).floor() + 1.0).min(x1 as f32)).max(0.0) as usize;
            if xs >= xe {
                continue;
            }
            let row = y * w;
            let rr = &mut pr[row + xs..row + xe];
            let gg = &mut pg[row + xs..row + xe];
            let bb = &mut pb[row + xs..row + xe];
            let qy = py - ay;
            // Chunks of up to CHUNK pixels: first the shape and shading (pure f32, which
            // vectorises), then the blend.
            let mut start = 0;
            while start < rr.len() {
                let n = (rr.len() - start).min(CHUNK);
                let px0 = (xs + start) as f32 + 0.5 - ax;
                for i in 0..n {
                    let qx = px0 + (i as i32) as f32;
                    let t = ((qx * dx + qy * dy) * inv_len2).clamp(0.0, 1.0);
                    let ox = qx - t * dx;
                    let oy = qy - t * dy;
                    let d = (ox * ox + oy * oy).sqrt();
                    cov[i] = (outer - d).clamp(0.0, 1.0) * opacity;
                    // Implicit normal: image offset / radius (unit length at most), plus
                    // the component facing the camera.
                    let sd = d * inv_r;
                    let k = inv_r / sd.max(1.0);
                    let nz = (1.0 - sd * sd).max(0.0).sqrt();
                    let c = fill.shade(ox * k, -oy * k, nz);
                    col[0][i] = c[0];
                    col[1][i] = c[1];
                    col[2][i] = c[2];
                }
                for (plane, c) in [&mut *rr, &mut *gg, &mut *bb].into_iter().zip(&col) {
                    for ((o, &c), &a) in plane[start..start + n].iter_mut().zip(c).zip(&cov) {
                        blend8(o, c, a);
                    }
                }
                start += n;
            }
        }
    }

    /// A convex polygon (vertices in order, either winding). `color_at` gives each covered
    /// pixel's colour from its centre.
    fn convex<F: Fn(f64, f64) -> [f32; 3]>(
        &mut self,
        poly: &[[f64; 2]],
        opacity: f32,
        color_at: F,
    ) {
        let n = poly.len();
        if n < 3 || poly.iter().any(|p| !(p[0].is_finite() && p[1].is_finite())) {
            return;
        }
        let mut area2 = 0.0;
        for i in 0..n {
            let (p, q) = (poly[i], poly[(i + 1) % n]);
            area2 += p[0] * q[1] - q[0] * p[1];
        }
        if area2.abs() < 1e-9 {
            return;
        }
        // Outward unit edge normals and offsets: s(p) = max_i (n_i·p − c_i).
        let mut edges = [[0.0f64; 3]; 8];
        let sign = if area2 > 0.0 { 1.0 } else { -1.0 };
        let mut m = 0;
        for i in 0..n.min(8) {
            let (p, q) = (poly[i], poly[(i + 1) % n]);
            let (ex, ey) = (q[0] - p[0], q[1] - p[1]);
            let len = (ex * ex + ey * ey).sqrt();
            if len < 1e-12 {
                continue;
            }
            let (nx, ny) = (sign * ey / len, -sign * ex / len);
            edges[m] = [nx, ny, nx * p[0] + ny * p[1]];
            m += 1;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in poly {
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1]);
            y1 = y1.max(p[1]);
        }
        let Some((x0, x1, y0, y1)) = self.bbox(x0 - 1.0, x1 + 1.0, y0 - 1.0, y1 + 1.0) else {
            return;
        };
        for y in y0..y1 {
            let py = y as f64 + 0.5;
            for x in x0..x1 {
                let px = x as f64 + 0.5;
                let mut s = f64::MIN;
                for e in &edges[..m] {
                    s = s.max(e[0] * px + e[1] * py - e[2]);
                }
                if s >= 0.5 {
                    continue;
                }
                let cov = ((0.5 - s).min(1.0) as f32) * opacity;
                let c = color_at(px, py);
                self.blend(y * self.w + x, c, cov);
            }
        }
    }

    /// A flat-coloured capsule (a disc when `a == b`); `color` in 0..255.
    pub(crate) fn flat_capsule(
        &mut self,
        a: [f64; 2],
        b: [f64; 2],
        r: f64,
        opacity: f32,
        color: [f32; 3],
    ) {
        self.capsule(a, b, r, opacity, Flat(color));
    }

    /// A flat-coloured convex polygon of at most 8 vertices; `color` in 0..255.
    pub(crate) fn flat_convex(&mut self, poly: &[[f64; 2]], opacity: f32, color: [f32; 3]) {
        self.convex(poly, opacity, |_, _| color);
    }

    /// Draws a distractor overlay with a flat colour.
    pub fn overlay(&mut self, o: &Overlay) {
        let (w, h) = (self.w as f64, self.h as f64);
        let (cx, cy) = (f64::from(o.center[0]) * w, f64::from(o.center[1]) * h);
        let r = f64::from(o.radius) * h;
        let alpha = o.alpha.clamp(0.0, 1.0);
        if !(r.is_finite() && r > 0.0 && alpha > 0.0) {
            return;
        }
        let c = [
            o.color[0].clamp(0.0, 1.0) * 255.0,
            o.color[1].clamp(0.0, 1.0) * 255.0,
            o.color[2].clamp(0.0, 1.0) * 255.0,
        ];
        match o.shape {
            OverlayShape::Disc => self.capsule([cx, cy], [cx, cy], r, alpha, Flat(c)),
            OverlayShape::Square => {
                let poly = [
                    [cx - r, cy - r],
                    [cx + r, cy - r],
                    [cx + r, cy + r],
                    [cx - r, cy + r],
                ];
                self.convex(&poly, alpha, |_, _| c);
            }
            OverlayShape::Triangle => {
                let (s, k) = (r * 3f64.sqrt() / 2.0, r / 2.0);
                let poly = [[cx, cy - r], [cx + s, cy + k], [cx - s, cy + k]];
                self.convex(&poly, alpha, |_, _| c);
            }
        }
    }
}

/// `*o ← *o + (c − *o) a`, rounded to nearest.
#[inline(always)]
fn blend8(o: &mut u8, c: f32, a: f32) {
    let v = f32::from(*o);
    *o = (v + (c - v) * a + 0.5) as u8;
}

/// The pixel-centre x interval of one row inside a capsule (segment from (ax, ay) along
/// (dx, dy), radius `r`): the union of the two end discs and the swept rectangle, which is
/// an interval because the capsule is convex.
struct CapsuleSpan {
    ax: f32,
    ay: f32,
    dx: f32,
    dy: f32,
    r: f32,
    len2: f32,
    rl: f32,
}

impl CapsuleSpan {
    fn new(ax: f32, ay: f32, dx: f32, dy: f32, r: f32) -> CapsuleSpan {
        let len2 = dx * dx + dy * dy;
        CapsuleSpan {
            ax,
            ay,
            dx,
            dy,
            r,
            len2,
            rl: r * len2.sqrt(),
        }
    }

    fn row(&self, py: f32) -> Option<(f32, f32)> {
        let mut lo = f32::INFINITY;
        let mut hi = f32::NEG_INFINITY;
        let qy = py - self.ay;
        // End discs.
        for (cx, cy) in [(self.ax, qy), (self.ax + self.dx, qy - self.dy)] {
            let h2 = self.r * self.r - cy * cy;
            if h2 > 0.0 {
                let h = h2.sqrt();
                lo = lo.min(cx - h);
                hi = hi.max(cx + h);
            }
        }
        // Swept rectangle: 0 <= X dx + qy dy <= len2 and |X dy - qy dx| < r len, X = px - ax.
        if self.len2 > 1e-12 {
            let (mut l, mut h) = (f32::NEG_INFINITY, f32::INFINITY);
            let mut ok = true;
            for (k, a, b) in [
                (self.dx, -qy * self.dy, self.len2 - qy * self.dy),
                (self.dy, qy * self.dx - self.rl, qy * self.dx + self.rl),
            ] {
                if k.abs() > 1e-12 {
                    let (u, v) = (a / k, b / k);
                    l = l.max(u.min(v));
                    h = h.min(u.max(v));
                } else if !(a <= 0.0 && 0.0 <= b) {
                    ok = false;
                }
            }
            if ok && l < h {
                lo = lo.min(self.ax + l);
                hi = hi.max(self.ax + h);
            }
        }
        // Half a pixel of slack against rounding; the per-pixel test is exact.
        (lo < hi).then_some((lo - 0.5, hi + 0.5))
    }
}

/// Clips segment `a`–`b` to the rectangle `lo`–`hi` (Liang–Barsky).
fn clip_segment(
    a: [f64; 2],
    b: [f64; 2],
    lo: [f64; 2],
    hi: [f64; 2],
) -> Option<([f64; 2], [f64; 2])> {
    let d = [b[0] - a[0], b[1] - a[1]];
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for k in 0..2 {
        for (p, q) in [(-d[k], a[k] - lo[k]), (d[k], hi[k] - a[k])] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
    }
    // `t0 > t1` (or NaN) means the segment misses the rectangle.
    if t0.partial_cmp(&t1).is_none_or(|o| o.is_gt()) {
        return None;
    }
    Some((
        [a[0] + t0 * d[0], a[1] + t0 * d[1]],
        [a[0] + t1 * d[0], a[1] + t1 * d[1]],
    ))
}

pub(crate) fn material_color(palette: &Palette, m: Material) -> Rgb {
    match m {
        Material::Body => palette.body,
        Material::Effector => palette.effector,
        Material::Decoration => palette.decoration,
        Material::Target => palette.target,
        Material::Neutral => NEUTRAL,
        Material::Rgb(c) => c.map(|v| f32::from(v) / 255.0),
    }
}

/// Flat colour (0..255) of a face with world normal `n` at world point `p`, turned towards
/// the camera.
fn flat_color(cam: &Camera, light: &LightSpec, p: V3, n: V3, base: Rgb) -> [f32; 3] {
    let lit = Lit::new(cam, light, p, base);
    let mut nc = cam.dir_to_camera(camera::normalize(n));
    if nc[2] < 0.0 {
        nc = [-nc[0], -nc[1], -nc[2]];
    }
    lit.shade([nc[0] as f32, nc[1] as f32, nc[2] as f32])
}

/// Projects and draws one primitive.
pub(crate) fn draw_primitive(
    canvas: &mut Canvas<'_>,
    cam: &Camera,
    light: &LightSpec,
    palette: &Palette,
    prim: &Primitive,
) {
    match *prim {
        Primitive::Capsule {
            a,
            b,
            radius,
            material,
        } => {
            let (mut ca, mut cb) = (cam.view(a), cam.view(b));
            let near = cam.near;
            if ca[2] < near && cb[2] < near {
                return;
            }
            // Clip the axis at the near plane.
            if ca[2] < near || cb[2] < near {
                let t = (near - ca[2]) / (cb[2] - ca[2]);
                let p = camera::add(ca, camera::scale(camera::sub(cb, ca), t));
                if ca[2] < near {
                    ca = p;
                } else {
                    cb = p;
                }
            }
            let depth = 0.5 * (ca[2] + cb[2]);
            let r = cam.focal * radius / depth;
            let mid = camera::scale(camera::add(a, b), 0.5);
            let lit = Lit::new(cam, light, mid, material_color(palette, material));
            canvas.capsule(cam.project_camera(ca), cam.project_camera(cb), r, 1.0, lit);
        }
        Primitive::Sphere {
            center,
            radius,
            material,
        } => {
            let c = cam.view(center);
            if c[2] < cam.near + radius {
                return;
            }
            let p = cam.project_camera(c);
            let lit = Lit::new(cam, light, center, material_color(palette, material));
            canvas.capsule(p, p, cam.focal * radius / c[2], 1.0, lit);
        }
        Primitive::Disc {
            center,
            radius,
            normal,
            material,
        } => {
            let c = cam.view(center);
            if c[2] < cam.near + radius {
                return;
            }
            let p = cam.project_camera(c);
            let color = flat_color(
                cam,
                light,
                center,
                normal,
                material_color(palette, material),
            );
            canvas.capsule(p, p, cam.focal * radius / c[2], 1.0, Flat(color));
        }
        Primitive::Quad { corners, material } => {
            let mut poly = [[0.0; 2]; 4];
            for (p, &w) in poly.iter_mut().zip(&corners) {
                let c = cam.view(w);
                if c[2] < cam.near {
                    return;
                }
                *p = cam.project_camera(c);
            }
            let n = camera::cross(
                camera::sub(corners[1], corners[0]),
                camera::sub(corners[2], corners[0]),
            );
            let centre = camera::scale(
                camera::add(
                    camera::add(corners[0], corners[1]),
                    camera::add(corners[2], corners[3]),
                ),
                0.25,
            );
            let color = flat_color(cam, light, centre, n, material_color(palette, material));
            canvas.convex(&poly, 1.0, |_, _| color);
        }
        Primitive::Box {
            center,
            half,
            material,
        } => draw_box(canvas, cam, light, palette, center, half, material),
    }
}

/// An axis-aligned box: its silhouette (convex hull of the projected corners) carries the
/// anti-aliased edge; inside it each pixel takes the flat colour of the visible face it is in.
fn draw_box(
    canvas: &mut Canvas<'_>,
    cam: &Camera,
    light: &LightSpec,
    palette: &Palette,
    center: V3,
    half: V3,
    material: Material,
) {
    let base = material_color(palette, material);
    let mut pts = [[0.0f64; 2]; 8];
    for (i, p) in pts.iter_mut().enumerate() {
        let s = |k: usize| if i >> k & 1 == 1 { 1.0 } else { -1.0 };
        let w = [
            center[0] + s(0) * half[0],
            center[1] + s(1) * half[1],
            center[2] + s(2) * half[2],
        ];
        let c = cam.view(w);
        if c[2] < cam.near {
            return;
        }
        *p = cam.project_camera(c);
    }
    // Visible faces: up to three, each a projected quad with a flat colour.
    let mut faces = [([[0.0f64; 2]; 4], [0.0f32; 3]); 3];
    let mut nf = 0;
    for axis in 0..3 {
        for side in [0usize, 1] {
            let sgn = if side == 1 { 1.0 } else { -1.0 };
            let face_c = center[axis] + sgn * half[axis];
            if sgn * (cam.pos[axis] - face_c) <= 0.0 || nf == 3 {
                continue;
            }
            let (u, v) = ((axis + 1) % 3, (axis + 2) % 3);
            let corner = |bu: usize, bv: usize| pts[(side << axis) | (bu << u) | (bv << v)];
            let quad = [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1)];
            let mut n = [0.0; 3];
            n[axis] = sgn;
            let mut fc = center;
            fc[axis] = face_c;
            faces[nf] = (quad, flat_color(cam, light, fc, n, base));
            nf += 1;
        }
    }
    if nf == 0 {
        return;
    }
    let hull = convex_hull(pts);
    let (hull, hn) = hull;
    let faces = &faces[..nf];
    canvas.convex(&hull[..hn], 1.0, |px, py| {
        for (quad, color) in faces {
            if inside_quad(quad, px, py) {
                return *color;
            }
        }
        faces[0].1
    });
}

fn inside_quad(q: &[[f64; 2]; 4], px: f64, py: f64) -> bool {
    let mut pos = false;
    let mut neg = false;
    for i in 0..4 {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let c = (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0]);
        pos |= c > 0.0;
        neg |= c < 0.0;
    }
    !(pos && neg)
}

/// Convex hull of eight points (Andrew's monotone chain), counter-clockwise in image
/// coordinates; returns the vertices and their count.
fn convex_hull(mut p: [[f64; 2]; 8]) -> ([[f64; 2]; 8], usize) {
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut h = [[0.0f64; 2]; 16];
    let mut k = 0;
    for &pt in &p {
        while k >= 2 && cross(h[k - 2], h[k - 1], pt) <= 0.0 {
            k -= 1;
        }
        h[k] = pt;
        k += 1;
    }
    let lower = k + 1;
    for &pt in p.iter().rev().skip(1) {
        while k >= lower && cross(h[k - 2], h[k - 1], pt) <= 0.0 {
            k -= 1;
        }
        h[k] = pt;
        k += 1;
    }
    let n = (k - 1).min(8);
    let mut out = [[0.0f64; 2]; 8];
    out[..n].copy_from_slice(&h[..n]);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_a_square_with_interior_points() {
        let p = [
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [0.5, 0.5],
            [0.2, 0.3],
            [0.0, 0.0],
            [1.0, 1.0],
        ];
        let (_, n) = convex_hull(p);
        assert_eq!(n, 4);
    }

    #[test]
    fn clip_segment_outside_is_none_inside_is_kept() {
        assert!(clip_segment([-5.0, -5.0], [-1.0, -1.0], [0.0, 0.0], [10.0, 10.0]).is_none());
        let (a, b) = clip_segment([-5.0, 5.0], [15.0, 5.0], [0.0, 0.0], [10.0, 10.0]).unwrap();
        assert_eq!((a, b), ([0.0, 5.0], [10.0, 5.0]));
    }

    #[test]
    fn disc_coverage_is_antialiased() {
        let mut buf = vec![0u8; 3 * 16 * 16];
        let mut c = Canvas::new(&mut buf, 16, 16);
        c.capsule([8.0, 8.0], [8.0, 8.0], 4.0, 1.0, Flat([255.0; 3]));
        assert_eq!(buf[8 * 16 + 8], 255);
        assert_eq!(buf[0], 0);
        // Some edge pixel is partly covered.
        assert!(buf[..256].iter().any(|&v| v > 0 && v < 255));
    }
}
