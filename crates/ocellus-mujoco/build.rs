//! Puts the directory of libmujoco (`MUJOCO_DYNAMIC_LINK_DIR`, set by `bin/setup-mujoco`) on
//! the RUNPATH of this crate's own tests and examples, so they run without `LD_LIBRARY_PATH`.
//! (`rustc-link-arg` applies only to this package's linked targets; the CLI's build script
//! does the same for the `ocellus` binary.)

fn main() {
    println!("cargo:rerun-if-env-changed=MUJOCO_DYNAMIC_LINK_DIR");
    if let Ok(dir) = std::env::var("MUJOCO_DYNAMIC_LINK_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
