//! The build script of every crate that links libtorch (agents, nn, train, grpo, cli), shared
//! through `build = "../../build/torch_rpath.rs"`: puts libtorch's directory on the RUNPATH of
//! the crate's own executables (tests, examples, benches, bins), so they run without
//! `LD_LIBRARY_PATH`.
//!
//! torch-sys declares `links = "tch"` and prints `cargo:libtorch_lib=<dir>`; cargo hands that to
//! the build scripts of packages depending on torch-sys *directly* as `DEP_TCH_LIBTORCH_LIB`
//! (hence a direct `torch-sys` dependency pinned to tch's version). `rustc-link-arg` applies
//! only to this package's own linked targets, never to dependents, so each such crate needs it.

fn main() {
    // The same for libmujoco (bin/setup-mujoco), which ocellus-mujoco links dynamically.
    println!("cargo:rerun-if-env-changed=MUJOCO_DYNAMIC_LINK_DIR");
    if let Ok(dir) = std::env::var("MUJOCO_DYNAMIC_LINK_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    match std::env::var("DEP_TCH_LIBTORCH_LIB") {
        Ok(dir) => println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}"),
        Err(_) => {
            println!("cargo:warning=DEP_TCH_LIBTORCH_LIB not set: executables need LD_LIBRARY_PATH")
        }
    }
}
