//! Puts libtorch's directory on the RUNPATH of this crate's test and example executables, so
//! `cargo test -p ocellus-train` runs without `LD_LIBRARY_PATH`.
//!
//! torch-sys declares `links = "tch"` and prints `cargo:libtorch_lib=<dir>`; cargo hands that to the
//! build scripts of packages depending on torch-sys *directly* as `DEP_TCH_LIBTORCH_LIB` (hence the
//! direct `torch-sys` dependency in Cargo.toml, pinned to tch's version). `rustc-link-arg` applies
//! only to this package's own linked targets (tests, examples, benches, bins), never to dependents:
//! a binary crate needs the same build script.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    match std::env::var("DEP_TCH_LIBTORCH_LIB") {
        Ok(dir) => println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}"),
        Err(_) => {
            println!("cargo:warning=DEP_TCH_LIBTORCH_LIB not set: executables need LD_LIBRARY_PATH")
        }
    }
}
