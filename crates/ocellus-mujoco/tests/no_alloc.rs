//! A MuJoCo-backed step, physics and frame, allocates nothing once the first frame has sized
//! the renderer's scratch buffers (MuJoCo works in its own preallocated arena). A test binary
//! of its own: the counting allocator sees every thread of the process.

use ocellus_envs::Task;
use ocellus_mujoco::{QuadrupedMove, WalkerTask};
use ocellus_physics::Physics;
use ocellus_render::{RenderConfig, Renderer};
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
fn stepping_and_rendering_do_not_allocate() {
    let mut walker = WalkerTask::WALK.new_physics().unwrap();
    let mut quadruped = QuadrupedMove::RUN.new_physics().unwrap();
    let mut rw = Renderer::new(&walker, RenderConfig::default());
    let mut rq = Renderer::new(&quadruped, RenderConfig::default());
    let mut out = vec![0u8; rw.frame_len()];
    rw.render(&walker, &[], &mut out);
    rq.render(&quadruped, &[], &mut out);
    let mut reward = 0.0;
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for t in 0..100 {
        let u = (t as f64 * 0.3).sin();
        walker.step(&[u, -u, 0.5, u, 0.2, -0.7]);
        quadruped.step(&[u; 12]);
        reward += WalkerTask::WALK.reward(&walker, &[0.0; 6]);
        rw.render(&walker, &[], &mut out);
        rq.render(&quadruped, &[], &mut out);
    }
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), before);
    assert!(reward.is_finite());
}
