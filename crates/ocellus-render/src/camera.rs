//! Perspective pinhole camera: MuJoCo's perpendicular projection with vertical field of view
//! `fovy` (45° by default), focal length (H/2)/tan(fovy/2) in pixels, principal point at the
//! image centre (§8.1).

use crate::scene::CameraSpec;
use crate::CameraOffset;

pub(crate) type V3 = [f64; 3];

pub(crate) fn dot(a: V3, b: V3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
pub(crate) fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
pub(crate) fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
pub(crate) fn scale(a: V3, s: f64) -> V3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
pub(crate) fn cross(a: V3, b: V3) -> V3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
pub(crate) fn normalize(a: V3) -> V3 {
    let n = dot(a, a).sqrt();
    if n > 0.0 {
        scale(a, 1.0 / n)
    } else {
        a
    }
}

/// `v` rotated by `angle` about the unit `axis` (Rodrigues).
fn rotate(v: V3, axis: V3, angle: f64) -> V3 {
    let (s, c) = angle.sin_cos();
    add(
        add(scale(v, c), scale(cross(axis, v), s)),
        scale(axis, dot(axis, v) * (1.0 - c)),
    )
}

/// A posed camera for one image size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Camera {
    pub pos: V3,
    pub right: V3,
    pub up: V3,
    pub forward: V3,
    /// Focal length, px.
    pub focal: f64,
    /// Principal point, px (continuous coordinates: pixel (i, j) covers [i, i+1) × [j, j+1)).
    pub cx: f64,
    pub cy: f64,
    pub near: f64,
}

impl Camera {
    pub fn new(spec: &CameraSpec, offset: &CameraOffset, width: usize, height: usize) -> Camera {
        let mut forward = normalize(spec.forward);
        let mut right = normalize(cross(forward, spec.up));
        let mut up = cross(right, forward);
        // Yaw about up, then pitch about the (new) right, then roll about the (new) forward.
        right = rotate(right, up, offset.yaw);
        forward = rotate(forward, up, offset.yaw);
        up = rotate(up, right, offset.pitch);
        forward = rotate(forward, right, offset.pitch);
        right = rotate(right, forward, -offset.roll);
        up = rotate(up, forward, -offset.roll);
        let focal = (height as f64 / 2.0) / (spec.fovy / 2.0).to_radians().tan();
        Camera {
            pos: add(spec.position, offset.translation),
            right,
            up,
            forward,
            focal,
            cx: width as f64 / 2.0,
            cy: height as f64 / 2.0,
            near: spec.near,
        }
    }

    /// World point → camera coordinates (right, up, depth along forward).
    pub fn view(&self, p: V3) -> V3 {
        let d = sub(p, self.pos);
        [dot(d, self.right), dot(d, self.up), dot(d, self.forward)]
    }

    /// World direction → camera-space (right, up, towards-the-camera) components.
    pub fn dir_to_camera(&self, v: V3) -> V3 {
        [dot(v, self.right), dot(v, self.up), -dot(v, self.forward)]
    }

    /// Camera coordinates (depth > 0) → pixel coordinates.
    pub fn project_camera(&self, c: V3) -> [f64; 2] {
        let inv = self.focal / c[2];
        [self.cx + c[0] * inv, self.cy - c[1] * inv]
    }

    /// The world direction (not normalised) of the ray through pixel coordinates (px, py).
    pub fn ray(&self, px: f64, py: f64) -> V3 {
        let x = (px - self.cx) / self.focal;
        let y = (self.cy - py) / self.focal;
        add(add(self.forward, scale(self.right, x)), scale(self.up, y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cartpole_camera_centre_hits_the_rail_plane_origin() {
        let spec = CameraSpec {
            fovy: 45.0,
            position: [0.0, -4.0, 1.0],
            forward: [0.0, 1.0, 0.0],
            up: [0.0, 0.0, 1.0],
            near: 0.04,
        };
        let cam = Camera::new(&spec, &CameraOffset::default(), 84, 84);
        let p = cam.project_camera(cam.view([0.0, 0.0, 1.0]));
        assert!((p[0] - 42.0).abs() < 1e-9 && (p[1] - 42.0).abs() < 1e-9);
        // +x is image right, +z is image up.
        let q = cam.project_camera(cam.view([1.0, 0.0, 2.0]));
        assert!(q[0] > 42.0 && q[1] < 42.0);
        // Half-width at the rail plane is 4 tan(22.5°) = 1.657 m (§8.1).
        let edge = cam.project_camera(cam.view([4.0 * 22.5f64.to_radians().tan(), 0.0, 1.0]));
        assert!((edge[0] - 84.0).abs() < 1e-9);
    }

    #[test]
    fn yaw_turns_left_and_roll_keeps_the_centre() {
        let spec = CameraSpec {
            fovy: 45.0,
            position: [0.0, -4.0, 1.0],
            forward: [0.0, 1.0, 0.0],
            up: [0.0, 0.0, 1.0],
            near: 0.04,
        };
        let off = CameraOffset {
            yaw: 0.1,
            ..Default::default()
        };
        let cam = Camera::new(&spec, &off, 84, 84);
        // Turning left moves the scene's centre to the right of the image.
        assert!(cam.project_camera(cam.view([0.0, 0.0, 1.0]))[0] > 42.0);
        let off = CameraOffset {
            roll: 0.3,
            ..Default::default()
        };
        let cam = Camera::new(&spec, &off, 84, 84);
        let c = cam.project_camera(cam.view([0.0, 0.0, 1.0]));
        assert!((c[0] - 42.0).abs() < 1e-9 && (c[1] - 42.0).abs() < 1e-9);
    }
}
