//! `Renderer::render` allocates nothing once the first frame has sized its scratch buffer.
//! (A test binary of its own: the counting allocator sees every thread of the process.)

use ocellus_physics::{Finger, Physics, Reacher};
use ocellus_render::{Overlay, OverlayShape, RenderConfig, Renderer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn render_does_not_allocate_per_frame() {
    let mut f = Finger::default();
    let mut rf = Renderer::new(&f, RenderConfig::default());
    let mut r = Reacher::default();
    let mut rr = Renderer::new(&r, RenderConfig::default());
    let mut out = vec![0u8; rf.frame_len()];
    let overlays = [Overlay {
        shape: OverlayShape::Triangle,
        center: [0.3, 0.4],
        radius: 0.2,
        color: [1.0, 0.0, 0.0],
        alpha: 0.5,
    }];
    rf.render(&f, &overlays, &mut out);
    rr.render(&r, &overlays, &mut out);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for i in 0..100 {
        let a = i as f64 * 0.1;
        f.set_state(&[a, -a, 2.0 * a], &[0.0; 3]).unwrap();
        r.set_state(&[a, 0.5 * a], &[0.0; 2]).unwrap();
        rf.render(&f, &overlays, &mut out);
        rr.render(&r, &[], &mut out);
    }
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), before);
}
