//! Puts libtorch's directory on the RUNPATH of this crate's test and example executables, so
//! `cargo test -p ocellus-agents` runs without `LD_LIBRARY_PATH` (same mechanism as ocellus-grpo:
//! torch-sys declares `links = "tch"` and its `libtorch_lib` metadata reaches direct dependents
//! as `DEP_TCH_LIBTORCH_LIB`; `rustc-link-arg` applies only to this package's own executables).

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    match std::env::var("DEP_TCH_LIBTORCH_LIB") {
        Ok(dir) => println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}"),
        Err(_) => {
            println!("cargo:warning=DEP_TCH_LIBTORCH_LIB not set: executables need LD_LIBRARY_PATH")
        }
    }
}
