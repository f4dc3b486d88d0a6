//! Planar contact detection between spheres, capsules and the ground plane (x–z plane).
//!
//! Every domain with contacts here (ball_in_cup, finger) moves in the x–z plane, so all
//! geometry is 2-D: a sphere is a circle, a capsule is a segment swept by a circle, and the
//! ground is the line z = 0 with its normal +z. Points are `[x, z]`.
//!
//! The functions follow the conventions of MuJoCo's narrow phase
//! (`engine_collision_primitive.c`, MuJoCo 3.x) so contact frames match the reference:
//! * the normal points from the first geom to the second (for plane pairs, out of the plane);
//! * the distance is the signed surface gap (negative while penetrating);
//! * the contact point lies midway between the two surfaces, `p1 + n (r1 + dist / 2)`;
//! * sphere–capsule clips the sphere centre's projection to the capsule segment, then treats
//!   the pair as two spheres;
//! * capsule–capsule finds the closest points of the two (non-parallel) axes, clamps the
//!   first parameter to the segment and re-solves the second, then clamps the second and
//!   re-solves the first, and treats the resulting points as two spheres;
//! * a capsule on a plane gives up to two contacts, one per end sphere.
//!
//! Deviation: MuJoCo gives up to two contacts for two capsules whose axes are *exactly*
//! parallel; here such a pair gets the single contact of the general formula (with the
//! clamping above). Exactly parallel axes are a measure-zero event for the finger.

/// A contact candidate between two geoms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Contact {
    /// Signed surface distance, m (negative while the geoms overlap).
    pub dist: f64,
    /// Unit normal in (x, z), pointing from the first geom to the second.
    pub normal: [f64; 2],
    /// World (x, z) of the contact point, midway between the two surfaces.
    pub pos: [f64; 2],
}

impl Contact {
    /// True when the geoms touch or overlap (MuJoCo keeps contacts with `dist < margin`,
    /// and every margin here is 0).
    #[inline]
    pub fn is_active(&self) -> bool {
        self.dist < 0.0
    }
}

/// The in-plane unit tangent of a contact frame, the normal turned a quarter turn
/// counter-clockwise. (The second tangent is ±y, out of the plane, and has a zero Jacobian
/// for planar mechanisms.)
#[inline]
pub(crate) fn tangent(normal: [f64; 2]) -> [f64; 2] {
    [-normal[1], normal[0]]
}

#[inline]
fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

#[inline]
fn dot(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// A capsule as MuJoCo stores it: centre, half-axis vector (centre to one end) and radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Capsule {
    /// Centre of the segment.
    pub centre: [f64; 2],
    /// Half-axis: the segment runs from `centre − half_axis` to `centre + half_axis`.
    pub half_axis: [f64; 2],
    /// Radius.
    pub radius: f64,
}

impl Capsule {
    /// The capsule around the segment `a`–`b`.
    #[inline]
    pub fn from_segment(a: [f64; 2], b: [f64; 2], radius: f64) -> Capsule {
        Capsule {
            centre: [0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])],
            half_axis: [0.5 * (b[0] - a[0]), 0.5 * (b[1] - a[1])],
            radius,
        }
    }

    /// Radius of the circle about the centre that bounds the capsule (broad phase).
    #[inline]
    pub fn bounding_radius(&self) -> f64 {
        dot(self.half_axis, self.half_axis).sqrt() + self.radius
    }

    /// The point at parameter `x` ∈ [−1, 1] along the axis.
    #[inline]
    fn at(&self, x: f64) -> [f64; 2] {
        [
            self.centre[0] + x * self.half_axis[0],
            self.centre[1] + x * self.half_axis[1],
        ]
    }
}

/// True if two bounding circles are far enough apart that nothing inside them can touch.
#[inline]
pub(crate) fn far_apart(c1: [f64; 2], r1: f64, c2: [f64; 2], r2: f64) -> bool {
    let d = sub(c2, c1);
    let reach = r1 + r2;
    dot(d, d) >= reach * reach
}

/// Two spheres (MuJoCo `mjraw_SphereSphere`): normal from sphere 1 to sphere 2. Coincident
/// centres get MuJoCo's fallback normal, +x.
pub(crate) fn sphere_sphere(c1: [f64; 2], r1: f64, c2: [f64; 2], r2: f64) -> Contact {
    let d = sub(c2, c1);
    let len = dot(d, d).sqrt();
    let normal = if len < 1e-15 {
        [1.0, 0.0]
    } else {
        [d[0] / len, d[1] / len]
    };
    let dist = len - r1 - r2;
    let s = r1 + 0.5 * dist;
    Contact {
        dist,
        normal,
        pos: [c1[0] + s * normal[0], c1[1] + s * normal[1]],
    }
}

/// A sphere (first) against a capsule (second), MuJoCo `mjraw_SphereCapsule`.
pub(crate) fn sphere_capsule(c: [f64; 2], r: f64, cap: &Capsule) -> Contact {
    let ma = dot(cap.half_axis, cap.half_axis);
    let x = if ma > 0.0 {
        (dot(cap.half_axis, sub(c, cap.centre)) / ma).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    sphere_sphere(c, r, cap.at(x), cap.radius)
}

/// Two capsules (MuJoCo `mjraw_CapsuleCapsule`, general configuration); normal from the
/// first to the second.
pub(crate) fn capsule_capsule(c1: &Capsule, c2: &Capsule) -> Contact {
    let (a1, a2) = (c1.half_axis, c2.half_axis);
    let dif = sub(c1.centre, c2.centre);
    // Closest points of the lines p1 + x1 a1 and p2 + x2 a2:
    // ma x1 + mb x2 = u, mb x1 + mc x2 = v.
    let ma = dot(a1, a1);
    let mb = -dot(a1, a2);
    let mc = dot(a2, a2);
    let u = -dot(a1, dif);
    let v = dot(a2, dif);
    let det = ma * mc - mb * mb;
    let (x1, x2) = if det.abs() < 1e-15 {
        // Parallel axes: pin the first capsule's +end and project it (see module deviations).
        (1.0, ((v - mb) / mc).clamp(-1.0, 1.0))
    } else {
        let (mut x1, mut x2) = ((mc * u - mb * v) / det, (ma * v - mb * u) / det);
        if x1 > 1.0 {
            x1 = 1.0;
            x2 = (v - mb) / mc;
        } else if x1 < -1.0 {
            x1 = -1.0;
            x2 = (v + mb) / mc;
        }
        if x2 > 1.0 {
            x2 = 1.0;
            x1 = ((u - mb) / ma).clamp(-1.0, 1.0);
        } else if x2 < -1.0 {
            x2 = -1.0;
            x1 = ((u + mb) / ma).clamp(-1.0, 1.0);
        }
        (x1, x2)
    };
    sphere_sphere(c1.at(x1), c1.radius, c2.at(x2), c2.radius)
}

/// The ground plane z = 0 (first) against a sphere (second), MuJoCo `mjraw_PlaneSphere`.
/// The normal is +z.
#[inline]
pub(crate) fn plane_sphere(c: [f64; 2], r: f64) -> Contact {
    let dist = c[1] - r;
    Contact {
        dist,
        normal: [0.0, 1.0],
        pos: [c[0], c[1] - r - 0.5 * dist],
    }
}

/// The ground plane z = 0 (first) against a capsule (second): one candidate per end sphere
/// (MuJoCo `mjc_PlaneCapsule`). Either may be inactive; check [`Contact::is_active`].
#[inline]
pub(crate) fn plane_capsule(cap: &Capsule) -> [Contact; 2] {
    [
        plane_sphere(cap.at(1.0), cap.radius),
        plane_sphere(cap.at(-1.0), cap.radius),
    ]
}

/// True if `p` lies inside the ellipse with centre `c`, unit axis `e1` and semi-axes
/// `(s1, s2)` along `e1` and its quarter turn, or if the ray `p + t·dir` (t ≥ 0) enters it.
/// This is MuJoCo's touch-sensor test (`mju_rayGeom` on an ellipsoid site) restricted to
/// the plane, where an ellipsoid with a zero-y ray is its x–z cross-section.
pub(crate) fn ray_hits_ellipse(
    p: [f64; 2],
    dir: [f64; 2],
    c: [f64; 2],
    e1: [f64; 2],
    semi: (f64, f64),
) -> bool {
    let e2 = tangent(e1);
    let d = sub(p, c);
    // Scaled local coordinates: the ellipse becomes the unit circle.
    let (px, pz) = (dot(d, e1) / semi.0, dot(d, e2) / semi.1);
    let (dx, dz) = (dot(dir, e1) / semi.0, dot(dir, e2) / semi.1);
    let c0 = px * px + pz * pz - 1.0;
    if c0 <= 0.0 {
        return true;
    }
    // |p + t d|² = 1 has a root with t ≥ 0 only if the ray points inward and reaches it.
    let a = dx * dx + dz * dz;
    let b = px * dx + pz * dz;
    if b >= 0.0 || a == 0.0 {
        return false;
    }
    b * b - a * c0 >= 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn sphere_sphere_puts_the_point_midway_between_surfaces() {
        let c = sphere_sphere([0.0, 0.0], 0.1, [0.15, 0.0], 0.1);
        assert!(close(c.dist, -0.05));
        assert_eq!(c.normal, [1.0, 0.0]);
        // Surfaces at x = 0.1 (sphere 1) and x = 0.05 (sphere 2): midway is 0.075.
        assert!(close(c.pos[0], 0.075) && close(c.pos[1], 0.0));
        assert!(c.is_active());
        assert!(!sphere_sphere([0.0, 0.0], 0.1, [0.0, 0.25], 0.1).is_active());
    }

    #[test]
    fn sphere_capsule_uses_the_nearest_segment_point() {
        let cap = Capsule::from_segment([-0.1, 0.0], [0.1, 0.0], 0.01);
        // Above the middle: normal points down from the sphere to the capsule.
        let c = sphere_capsule([0.03, 0.03], 0.025, &cap);
        assert!(close(c.dist, 0.03 - 0.035));
        assert!(close(c.normal[0], 0.0) && close(c.normal[1], -1.0));
        // Beyond an end: the end sphere is nearest.
        let c = sphere_capsule([0.13, 0.04], 0.02, &cap);
        assert!(close(c.dist, 0.05 - 0.03));
        assert!(close(c.normal[0], -0.6) && close(c.normal[1], -0.8));
    }

    #[test]
    fn capsule_capsule_crossing_and_end_to_side() {
        // A vertical capsule crossing a horizontal one: the axes intersect.
        let h = Capsule::from_segment([-0.1, 0.0], [0.1, 0.0], 0.02);
        let v = Capsule::from_segment([0.05, -0.1], [0.05, 0.1], 0.03);
        assert!(close(capsule_capsule(&h, &v).dist, -0.05));
        // End of one against the side of the other, T-shaped with a 0.01 gap.
        let t = Capsule::from_segment([0.0, 0.06], [0.0, 0.2], 0.03);
        let c = capsule_capsule(&h, &t);
        assert!(close(c.dist, 0.01), "{c:?}");
        assert!(close(c.normal[0], 0.0) && close(c.normal[1], 1.0));
        assert!(close(c.pos[1], 0.025) && close(c.pos[0], 0.0));
        // End to end at an angle: the nearest end points are (0.1, 0) and (0.1 + 0.03, 0.04).
        let e = Capsule::from_segment([0.13, 0.04], [0.13, 0.3], 0.01);
        let c = capsule_capsule(&h, &e);
        assert!(close(c.dist, 0.05 - 0.03), "{c:?}");
    }

    #[test]
    fn a_capsule_on_the_plane_touches_at_both_ends() {
        let cap = Capsule::from_segment([-0.1, 0.005], [0.1, 0.02], 0.01);
        let [a, b] = plane_capsule(&cap);
        assert!(close(a.dist, 0.01) && !a.is_active());
        assert!(close(b.dist, -0.005) && b.is_active());
        assert!(close(b.pos[0], -0.1) && close(b.pos[1], -0.0025));
    }

    #[test]
    fn ray_ellipse_inside_outside_and_hit() {
        let (c, e1, s) = ([0.0, 0.0], [1.0, 0.0], (0.2, 0.1));
        assert!(ray_hits_ellipse([0.15, 0.0], [0.0, 1.0], c, e1, s));
        assert!(!ray_hits_ellipse([0.0, 0.15], [0.0, 1.0], c, e1, s));
        assert!(ray_hits_ellipse([0.0, 0.15], [0.0, -1.0], c, e1, s));
        assert!(!ray_hits_ellipse([0.3, 0.15], [0.0, -1.0], c, e1, s));
    }
}
