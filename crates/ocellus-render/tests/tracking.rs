//! A scene whose camera follows the bodies: the floor drawn per frame must look like the baked
//! floor of the same view, and move with the camera.

use ocellus_render::scene::{
    CameraSpec, FloorSpec, LightSpec, Material, Primitive, SceneSetup, Tracking,
};
use ocellus_render::{RenderConfig, Renderer, Scene};

/// A sphere over a checkered floor, seen from the side and above; `track` makes the camera
/// and light follow the sphere's x.
struct Ball {
    x: f64,
    track: bool,
}

impl Ball {
    fn camera(&self) -> CameraSpec {
        CameraSpec {
            fovy: 45.0,
            position: [self.x, -3.0, 1.5],
            forward: [0.0, 1.0, -0.5],
            up: [0.0, 0.5, 1.0],
            near: 0.02,
        }
    }
}

impl Scene for Ball {
    fn domain(&self) -> &'static str {
        "ball"
    }
    fn setup(&self) -> SceneSetup {
        SceneSetup {
            domain: "ball",
            camera: self.camera(),
            floor: FloorSpec {
                center: [3.0, 0.0],
                height: 0.0,
                half_size: [20.0, 2.0],
            },
            light: LightSpec::Spot([self.x, 0.0, 2.0]),
        }
    }
    fn static_primitives(&self, _out: &mut Vec<Primitive>) {}
    fn dynamic_primitives(&self, out: &mut Vec<Primitive>) {
        out.push(Primitive::Sphere {
            center: [self.x, 0.0, 0.5],
            radius: 0.3,
            material: Material::Body,
        });
    }
    fn tracking(&self) -> Option<Tracking> {
        self.track.then(|| Tracking {
            camera: self.camera(),
            light: LightSpec::Spot([self.x, 0.0, 2.0]),
        })
    }
}

fn render(scene: &Ball, size: usize) -> Vec<u8> {
    let config = RenderConfig {
        width: size,
        height: size,
        ..RenderConfig::default()
    };
    let mut renderer = Renderer::new(scene, config);
    let mut out = vec![0; 3 * size * size];
    renderer.render(scene, &[], &mut out);
    out
}

#[test]
fn the_per_frame_floor_matches_the_baked_one() {
    for size in [84, 100] {
        let baked = render(
            &Ball {
                x: 0.3,
                track: false,
            },
            size,
        );
        let tracked = render(
            &Ball {
                x: 0.3,
                track: true,
            },
            size,
        );
        let diffs: Vec<i32> = baked
            .iter()
            .zip(&tracked)
            .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
            .collect();
        let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
        // Same geometry and shading; only the anti-aliasing of check edges (corner samples
        // vs 3 × 3 inside the pixel) and the interpolated lighting differ.
        let large = diffs.iter().filter(|&&d| d > 24).count();
        assert!(mean < 1.5, "{size}px: mean |diff| {mean}");
        assert!(
            large * 100 < diffs.len(),
            "{size}px: {large} values differ by more than 24"
        );
    }
}

#[test]
fn the_floor_moves_with_the_camera_and_repeats_every_tile() {
    // The checks are 1 m with a mark every 2 m: moving camera and light by 2 m shows the
    // same picture; by 1 m, the checks swap colours.
    let a = render(
        &Ball {
            x: 0.3,
            track: true,
        },
        84,
    );
    let b = render(
        &Ball {
            x: 2.3,
            track: true,
        },
        84,
    );
    let c = render(
        &Ball {
            x: 1.3,
            track: true,
        },
        84,
    );
    let differ = |p: &[u8], q: &[u8]| p.iter().zip(q).filter(|(x, y)| x.abs_diff(**y) > 2).count();
    assert!(
        differ(&a, &b) < 40,
        "{} values differ after 2 m",
        differ(&a, &b)
    );
    assert!(
        differ(&a, &c) > 2000,
        "only {} values differ after 1 m",
        differ(&a, &c)
    );
    // A frame is deterministic.
    assert_eq!(
        a,
        render(
            &Ball {
                x: 0.3,
                track: true
            },
            84
        )
    );
}
