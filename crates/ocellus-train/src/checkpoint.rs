//! Checkpoints: a directory of files plus a versioned manifest, committed atomically.
//!
//! ```text
//! checkpoints/
//!   LATEST                    name of the newest complete checkpoint ("frames_000020000")
//!   frames_000020000/
//!     manifest.json           format, version, task, agent, agent config, counters, and
//!                             every file's size and CRC-32
//!     agent.safetensors       Agent::state_dict: parameters, target critic, Adam
//!                             moments and steps, the agent's generator states
//!     trainer.json            counters, trainer generator states (replay sampling, seed-phase
//!                             actions), the running episode, the eval seed stream position,
//!                             the loss averages pending for the next `loss/` row
//!     env.bin                 the training environment's `save_state` (mid-episode)
//!     replay.bin              the replay (`ocellus_replay::persist` format, own checksum)
//! ```
//!
//! **Commit protocol.** Files are written into `checkpoints/.partial-<frames>/` and synced,
//! the manifest is written last, the directory is renamed to `frames_<N>` and only then is
//! `LATEST` replaced (write `LATEST.tmp`, sync, rename). The previous checkpoint is deleted
//! after that, so at every instant `LATEST` names a complete checkpoint; a crash leaves at
//! worst a `.partial-*` directory, which the next commit removes.
//!
//! **Loading** reads `LATEST`, checks the manifest's format and version, that every listed
//! file exists with the recorded size and CRC-32, then that task, agent and agent config match
//! the run; each failure is a [`CheckpointError`] naming the file or field. Nothing is written
//! while loading, so a refused checkpoint stays as it was.

use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CheckpointError;

/// `manifest.json`'s `format` value.
pub const CHECKPOINT_FORMAT: &str = "ocellus-checkpoint";
/// The checkpoint format version this build writes and reads.
pub const CHECKPOINT_VERSION: u32 = 1;
/// The pointer to the newest complete checkpoint.
pub const LATEST_FILE: &str = "LATEST";
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// One file of a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// File name inside the checkpoint directory.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// CRC-32 (IEEE) of the contents.
    pub crc32: u32,
}

/// What a checkpoint is and what it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// [`CHECKPOINT_VERSION`] when written.
    pub format_version: u32,
    /// The ocellus version that wrote it.
    pub ocellus_version: String,
    /// The agent (`drqv2`).
    pub agent: String,
    /// The task.
    pub task: String,
    /// The `[env]`, `[replay]`, `[loop]` and `[agent]` tables as TOML (before the config
    /// split: the `[agent]` table, which held them all): a checkpoint of another
    /// configuration is foreign.
    pub agent_config: String,
    /// Environment frames at the checkpoint.
    pub env_frames: u64,
    /// Agent steps at the checkpoint.
    pub agent_steps: u64,
    /// Training episodes finished.
    pub episodes: u64,
    /// Agent updates performed.
    pub updates: u64,
    /// Every file with its size and checksum.
    pub files: Vec<FileEntry>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Size and CRC-32 of a file.
pub fn file_digest(path: &Path) -> Result<(u64, u32), CheckpointError> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        crc.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, crc.finalize()))
}

fn sync_file(path: &Path) -> Result<(), CheckpointError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io_err(path))
}

fn sync_dir(path: &Path) {
    // Directory fsync makes renames durable on Linux; unsupported elsewhere, so best effort.
    if let Ok(d) = File::open(path) {
        let _ = d.sync_all();
    }
}

/// The directory name of the checkpoint at `env_frames`.
pub fn checkpoint_name(env_frames: u64) -> String {
    format!("frames_{env_frames:09}")
}

/// A checkpoint being written (see the module docs for the protocol).
#[derive(Debug)]
pub struct CheckpointWriter {
    root: PathBuf,
    partial: PathBuf,
    name: String,
    files: Vec<FileEntry>,
}

impl CheckpointWriter {
    /// Starts a checkpoint at `env_frames` under `checkpoints_dir`, removing any stale partial
    /// directory of an interrupted commit.
    pub fn begin(checkpoints_dir: &Path, env_frames: u64) -> Result<Self, CheckpointError> {
        fs::create_dir_all(checkpoints_dir).map_err(io_err(checkpoints_dir))?;
        for entry in fs::read_dir(checkpoints_dir).map_err(io_err(checkpoints_dir))? {
            let entry = entry.map_err(io_err(checkpoints_dir))?;
            if entry.file_name().to_string_lossy().starts_with(".partial-") {
                let p = entry.path();
                fs::remove_dir_all(&p).map_err(io_err(&p))?;
            }
        }
        let name = checkpoint_name(env_frames);
        let partial = checkpoints_dir.join(format!(".partial-{name}"));
        fs::create_dir_all(&partial).map_err(io_err(&partial))?;
        Ok(CheckpointWriter {
            root: checkpoints_dir.to_path_buf(),
            partial,
            name,
            files: Vec::new(),
        })
    }

    /// Where to write the file `name`; call [`CheckpointWriter::add`] once it is written.
    pub fn path(&self, name: &str) -> PathBuf {
        self.partial.join(name)
    }

    /// Syncs the written file `name` and records its size and checksum.
    pub fn add(&mut self, name: &str) -> Result<(), CheckpointError> {
        let path = self.path(name);
        sync_file(&path)?;
        let (bytes, crc32) = file_digest(&path)?;
        self.files.push(FileEntry {
            name: name.to_string(),
            bytes,
            crc32,
        });
        Ok(())
    }

    /// Writes `name` with `contents` and records it.
    pub fn write(&mut self, name: &str, contents: &[u8]) -> Result<(), CheckpointError> {
        let path = self.path(name);
        fs::write(&path, contents).map_err(io_err(&path))?;
        self.add(name)
    }

    /// Writes the manifest (with the recorded files), renames the directory into place,
    /// points `LATEST` at it and removes older checkpoints. Returns the checkpoint directory.
    pub fn commit(self, mut manifest: Manifest) -> Result<PathBuf, CheckpointError> {
        manifest.files = self.files;
        let text = serde_json::to_string_pretty(&manifest).expect("a manifest serialises");
        let mpath = self.partial.join(MANIFEST_FILE);
        fs::write(&mpath, text).map_err(io_err(&mpath))?;
        sync_file(&mpath)?;
        sync_dir(&self.partial);
        let target = self.root.join(&self.name);
        if target.exists() {
            // The same counters were checkpointed before (e.g. Ctrl-C right after a resume):
            // the run is deterministic, so keep the existing, complete one.
            fs::remove_dir_all(&self.partial).map_err(io_err(&self.partial))?;
        } else {
            fs::rename(&self.partial, &target).map_err(io_err(&target))?;
        }
        sync_dir(&self.root);
        let tmp = self.root.join(format!("{LATEST_FILE}.tmp"));
        fs::write(&tmp, format!("{}\n", self.name)).map_err(io_err(&tmp))?;
        sync_file(&tmp)?;
        let latest = self.root.join(LATEST_FILE);
        fs::rename(&tmp, &latest).map_err(io_err(&latest))?;
        sync_dir(&self.root);
        // Only now may older checkpoints go.
        for entry in fs::read_dir(&self.root).map_err(io_err(&self.root))? {
            let entry = entry.map_err(io_err(&self.root))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("frames_") && name != self.name {
                let p = entry.path();
                fs::remove_dir_all(&p).map_err(io_err(&p))?;
            }
        }
        Ok(target)
    }
}

/// The newest complete checkpoint of a run (read from `checkpoints/LATEST`).
pub fn latest_checkpoint(run_dir: &Path) -> Result<PathBuf, CheckpointError> {
    let root = run_dir.join("checkpoints");
    let latest = root.join(LATEST_FILE);
    let name = match fs::read_to_string(&latest) {
        Ok(s) => s.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CheckpointError::NoCheckpoint {
                dir: run_dir.to_path_buf(),
            })
        }
        Err(e) => return Err(io_err(&latest)(e)),
    };
    if !name.starts_with("frames_") || name.contains('/') || name.contains("..") {
        return Err(CheckpointError::BadManifest {
            path: latest,
            reason: format!("LATEST names {name:?}, not a checkpoint directory"),
        });
    }
    Ok(root.join(name))
}

/// Reads a checkpoint's manifest and verifies format, version, and every file's size and
/// checksum.
pub fn read_verified_manifest(dir: &Path) -> Result<Manifest, CheckpointError> {
    let path = dir.join(MANIFEST_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CheckpointError::MissingFile {
                dir: dir.to_path_buf(),
                file: MANIFEST_FILE.into(),
            })
        }
        Err(e) => return Err(io_err(&path)(e)),
    };
    // Check the format before the schema, so a foreign JSON file says what it is not.
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CheckpointError::BadManifest {
            path: path.clone(),
            reason: format!("not JSON ({e}); truncated?"),
        })?;
    if value.get("format").and_then(|v| v.as_str()) != Some(CHECKPOINT_FORMAT) {
        return Err(CheckpointError::BadManifest {
            path,
            reason: format!("`format` is not \"{CHECKPOINT_FORMAT}\""),
        });
    }
    let version = value.get("format_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(CHECKPOINT_VERSION)) {
        return Err(CheckpointError::UnsupportedVersion {
            dir: dir.to_path_buf(),
            found: version.map_or(0, |v| v as u32),
            supported: CHECKPOINT_VERSION,
        });
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| CheckpointError::BadManifest {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    for f in &manifest.files {
        let p = dir.join(&f.name);
        if f.name.contains('/') || !p.exists() {
            return Err(CheckpointError::MissingFile {
                dir: dir.to_path_buf(),
                file: f.name.clone(),
            });
        }
        let (bytes, crc32) = file_digest(&p)?;
        if bytes != f.bytes {
            return Err(CheckpointError::Truncated {
                path: p,
                expected: f.bytes,
                found: bytes,
            });
        }
        if crc32 != f.crc32 {
            return Err(CheckpointError::Checksum {
                path: p,
                expected: f.crc32,
                found: crc32,
            });
        }
    }
    Ok(manifest)
}
