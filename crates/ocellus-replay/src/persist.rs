//! Saving a replay buffer to a file and loading it back bit-exactly (for checkpoints).
//!
//! # File format, version 1 (all integers little-endian)
//!
//! ```text
//! header   magic b"OCREPLAY" | format version u32 | body length u64
//! body     config | counters | streams | steps oldest..written | arena head | sampleable set
//! trailer  CRC-32 (IEEE) of the body u32 | b"OCRPLEND"
//! ```
//!
//! * **config**: capacity, frame shape, action length, frame stack, n, γ (f64 bits), streams,
//!   episode tail, compression and its frame budget; a load can demand an expected config and
//!   names the first field that differs.
//! * **counters**: steps written, oldest stored id, episodes started, transitions abandoned
//!   and dropped, compressed frame bytes stored.
//! * **streams**: per stream, whether an episode runs, its last step id and its open windows.
//! * **steps**: for every stored id in order: kind, prev and next links, reward, discount,
//!   action and the frame (raw bytes, or arena offset, length and the LZ4 encoding).
//! * **sampleable set** in its exact order: sampling draws an index into it, so the order is
//!   part of what makes a resumed run sample the same batches.
//!
//! Only stored steps are written (a quarter-full ring writes a quarter of its frames). A load
//! first checks the header, the length and the checksum over the whole body, then parses with
//! every length bounded by the config and every link and id checked against the stored range;
//! whatever is wrong comes back as a [`ReplayFileError`] naming it, never as a panic or a
//! buffer that samples garbage.

use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ocellus_core::StepKind;
use thiserror::Error;

use crate::buffer::{Frames, Stream, NOT_SAMPLEABLE, NO_STEP};
use crate::config::{Compression, EpisodeTail, ReplayConfig};
use crate::{codec, ReplayBuffer, ReplayError};

/// First bytes of a replay file.
pub const REPLAY_FILE_MAGIC: &[u8; 8] = b"OCREPLAY";
/// Last bytes of a replay file.
const TRAILER_MAGIC: &[u8; 8] = b"OCRPLEND";
/// The format version this crate writes and reads.
pub const REPLAY_FILE_VERSION: u32 = 1;
const HEADER_LEN: u64 = 8 + 4 + 8;
const TRAILER_LEN: u64 = 4 + 8;

/// Why a replay file cannot be written or loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReplayFileError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file does not start with the replay magic bytes.
    #[error("{path} is not an ocellus replay file (bad magic bytes)")]
    NotAReplayFile {
        /// The file.
        path: PathBuf,
    },
    /// Written by another format version.
    #[error("{path} has replay format version {found}; this build reads version {supported}")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The file is shorter (or longer) than its header says: an interrupted write.
    #[error("{path} is truncated or padded: {found} bytes, the header announces {expected}")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The body's checksum does not match the trailer: the file was damaged.
    #[error("{path} is corrupt: body CRC-32 {found:#010x}, trailer says {expected:#010x}")]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The stored checksum.
        expected: u32,
        /// The computed checksum.
        found: u32,
    },
    /// The file holds a replay built with another configuration.
    #[error("{path} holds a replay with {field} = {found}, expected {expected}")]
    ConfigMismatch {
        /// The file.
        path: PathBuf,
        /// The first differing field.
        field: &'static str,
        /// The expected value.
        expected: String,
        /// The file's value.
        found: String,
    },
    /// The checksum matches but the content breaks an invariant (a writer bug or a forged
    /// file); `what` names the broken invariant.
    #[error("{path} is inconsistent: {what}")]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// The problem.
        what: String,
    },
    /// The stored configuration is itself invalid.
    #[error("{path}: {source}")]
    Config {
        /// The file.
        path: PathBuf,
        /// The validation error.
        source: ReplayError,
    },
}

/// A writer that updates a CRC-32 over everything written.
struct CrcWriter<W> {
    inner: W,
    crc: crc32fast::Hasher,
    len: u64,
}

impl<W: Write> CrcWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.len += bytes.len() as u64;
        self.inner.write_all(bytes)
    }
    fn u8(&mut self, v: u8) -> io::Result<()> {
        self.put(&[v])
    }
    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.put(&v.to_le_bytes())
    }
    fn f64(&mut self, v: f64) -> io::Result<()> {
        self.put(&v.to_bits().to_le_bytes())
    }
}

/// A bounds-checked little-endian reader over the (already checksummed) body.
struct Body<R> {
    inner: R,
}

impl<R: Read> Body<R> {
    fn bytes(&mut self, out: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(out)
    }
    fn u8(&mut self) -> io::Result<u8> {
        let mut b = [0u8; 1];
        self.bytes(&mut b)?;
        Ok(b[0])
    }
    fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0u8; 4];
        self.bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> io::Result<u64> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn f64(&mut self) -> io::Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
}

impl ReplayBuffer {
    /// Writes the buffer's complete state to `path` (created or replaced) in the format of
    /// the [module docs](crate::persist); returns the file's size in bytes. The file is
    /// flushed and synced before this returns. A crash mid-write leaves a file that
    /// [`ReplayBuffer::load`] refuses as truncated; callers wanting atomic replacement write
    /// to a temporary path and rename.
    pub fn save(&self, path: &Path) -> Result<u64, ReplayFileError> {
        let io_err = |source| ReplayFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::create(path).map_err(io_err)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        // Header with a placeholder body length, patched once the body is written.
        out.write_all(REPLAY_FILE_MAGIC).map_err(io_err)?;
        out.write_all(&REPLAY_FILE_VERSION.to_le_bytes())
            .map_err(io_err)?;
        out.write_all(&0u64.to_le_bytes()).map_err(io_err)?;
        let mut w = CrcWriter {
            inner: out,
            crc: crc32fast::Hasher::new(),
            len: 0,
        };
        self.write_body(&mut w).map_err(io_err)?;
        let CrcWriter {
            inner: mut out,
            crc,
            len,
        } = w;
        out.write_all(&crc.finalize().to_le_bytes())
            .map_err(io_err)?;
        out.write_all(TRAILER_MAGIC).map_err(io_err)?;
        let mut file = out.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.seek(SeekFrom::Start(12)).map_err(io_err)?;
        file.write_all(&len.to_le_bytes()).map_err(io_err)?;
        file.sync_all().map_err(io_err)?;
        Ok(HEADER_LEN + len + TRAILER_LEN)
    }

    /// Re-lays the ring with `capacity` transitions, keeping every stored step, the sampleable
    /// set and the statistics: afterwards the buffer behaves exactly like one created with
    /// `capacity` that received the same steps (steps are placed by id). A ring can always
    /// grow; it can shrink only while every step it was ever given fits the smaller ring (none
    /// would have been evicted there either). Used to lengthen or shorten a training run. The
    /// state passes once through memory (the buffer's size again).
    ///
    /// # Errors
    /// [`ReplayError::InvalidOption`] for a smaller capacity than the steps written so far, or
    /// a compressed buffer (its frame arena is a byte ring that cannot be re-laid), or the
    /// errors of [`ReplayBuffer::new`] for the new configuration; the buffer is unchanged then.
    pub fn resize(&mut self, capacity: usize) -> Result<(), ReplayError> {
        let invalid = |reason| ReplayError::InvalidOption {
            name: "capacity",
            value: capacity.to_string(),
            reason,
        };
        if capacity == self.config.capacity {
            return Ok(());
        }
        if capacity < self.config.capacity && (self.oldest > 0 || self.written > capacity as u64) {
            return Err(invalid(
                "a replay shrinks only while every step it was given fits the smaller ring",
            ));
        }
        if self.config.compression != Compression::None {
            return Err(invalid("a compressed replay cannot be resized"));
        }
        let mut config = self.config.clone();
        config.capacity = capacity;
        let mut grown = ReplayBuffer::new(config)?;
        let mut body = Vec::new();
        let mut w = CrcWriter {
            inner: &mut body,
            crc: crc32fast::Hasher::new(),
            len: 0,
        };
        self.write_body(&mut w)
            .expect("writing to memory does not fail");
        let mut r = Body {
            inner: io::Cursor::new(&body[..]),
        };
        read_config(&mut r, None).expect("the buffer's own config reads back");
        if grown.read_state(&mut r).is_err() {
            unreachable!("the buffer's own state reads back into a ring that holds it");
        }
        *self = grown;
        Ok(())
    }

    fn write_body<W: Write>(&self, w: &mut CrcWriter<W>) -> io::Result<()> {
        let c = &self.config;
        w.u64(c.capacity as u64)?;
        for d in c.frame_shape {
            w.u64(d as u64)?;
        }
        w.u64(c.action_len as u64)?;
        w.u64(c.frame_stack as u64)?;
        w.u64(c.n_step as u64)?;
        w.f64(c.gamma)?;
        w.u64(c.num_streams as u64)?;
        w.u8(match c.episode_tail {
            EpisodeTail::Partial => 0,
            EpisodeTail::FullWindowsOnly => 1,
        })?;
        match c.compression {
            Compression::None => {
                w.u8(0)?;
                w.u64(0)?;
            }
            Compression::Lz4 { frame_budget_bytes } => {
                w.u8(1)?;
                w.u64(frame_budget_bytes as u64)?;
            }
        }
        // Counters.
        w.u64(self.written)?;
        w.u64(self.oldest)?;
        w.u64(self.stats.episodes_started)?;
        w.u64(self.stats.transitions_abandoned)?;
        w.u64(self.stats.transitions_dropped)?;
        w.u64(self.stats.frame_bytes_stored)?;
        // Streams.
        for s in &self.streams {
            w.u8(u8::from(s.running))?;
            w.u64(s.last)?;
            w.u64(s.open.len() as u64)?;
            for &id in &s.open {
                w.u64(id)?;
            }
        }
        // Steps, oldest first.
        let a = c.action_len;
        let fl = self.frame_len;
        for id in self.oldest..self.written {
            let slot = (id % c.capacity as u64) as usize;
            w.u8(StepKind::code(self.kinds[slot]))?;
            w.u64(self.prev[slot])?;
            w.u64(self.next[slot])?;
            w.f64(self.rewards[slot])?;
            w.f64(self.discounts[slot])?;
            for x in &self.actions[slot * a..(slot + 1) * a] {
                w.u32(x.to_bits())?;
            }
            match &self.frames {
                Frames::Raw(bytes) => w.put(&bytes[slot * fl..(slot + 1) * fl])?,
                Frames::Lz4(arena) => {
                    let (o, n) = (arena.offset[slot], arena.len[slot]);
                    w.u64(o)?;
                    w.u32(n)?;
                    w.put(&arena.bytes[o as usize..o as usize + n as usize])?;
                }
            }
        }
        if let Frames::Lz4(arena) = &self.frames {
            w.u64(arena.head as u64)?;
        }
        w.u64(self.sampleable.len() as u64)?;
        for &id in &self.sampleable {
            w.u64(id)?;
        }
        Ok(())
    }

    /// Loads a buffer written by [`ReplayBuffer::save`]. With `expected`, the file's
    /// configuration must equal it (`max_bytes` aside, which is not stored) or the load fails
    /// naming the first differing field, with one exception: a file of raw (uncompressed)
    /// frames loads into a ring of `expected`'s capacity when that is larger, or smaller but
    /// still holding every step the file was ever given (see [`ReplayBuffer::resize`]). Steps
    /// are placed by id, so the resized buffer holds, and samples, exactly what a buffer
    /// created with the expected capacity would (this is how a training run is lengthened or
    /// shortened on resume).
    ///
    /// The loaded buffer continues exactly where the saved one stopped: the same `add` calls
    /// and the same sampling generator state give the same batches.
    pub fn load(path: &Path, expected: Option<&ReplayConfig>) -> Result<Self, ReplayFileError> {
        let p = || path.to_path_buf();
        let io_err = |source| ReplayFileError::Io { path: p(), source };
        // Pass 1: header, length and checksum, before anything is parsed or allocated.
        let mut file = File::open(path).map_err(io_err)?;
        let size = file.metadata().map_err(io_err)?.len();
        let mut header = [0u8; HEADER_LEN as usize];
        if size < HEADER_LEN {
            let mut magic = vec![0u8; size as usize];
            file.read_exact(&mut magic).map_err(io_err)?;
            if !REPLAY_FILE_MAGIC.starts_with(&magic) {
                return Err(ReplayFileError::NotAReplayFile { path: p() });
            }
            return Err(ReplayFileError::Truncated {
                path: p(),
                expected: HEADER_LEN + TRAILER_LEN,
                found: size,
            });
        }
        file.read_exact(&mut header).map_err(io_err)?;
        if &header[..8] != REPLAY_FILE_MAGIC {
            return Err(ReplayFileError::NotAReplayFile { path: p() });
        }
        let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        if version != REPLAY_FILE_VERSION {
            return Err(ReplayFileError::UnsupportedVersion {
                path: p(),
                found: version,
                supported: REPLAY_FILE_VERSION,
            });
        }
        let body_len = u64::from_le_bytes(header[12..20].try_into().expect("8 bytes"));
        let announced = HEADER_LEN
            .saturating_add(body_len)
            .saturating_add(TRAILER_LEN);
        if size != announced {
            return Err(ReplayFileError::Truncated {
                path: p(),
                expected: announced,
                found: size,
            });
        }
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut crc = crc32fast::Hasher::new();
        let mut left = body_len;
        let mut chunk = vec![0u8; 1 << 20];
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            reader.read_exact(&mut chunk[..n]).map_err(io_err)?;
            crc.update(&chunk[..n]);
            left -= n as u64;
        }
        let mut trailer = [0u8; TRAILER_LEN as usize];
        reader.read_exact(&mut trailer).map_err(io_err)?;
        let stored = u32::from_le_bytes(trailer[..4].try_into().expect("4 bytes"));
        let found = crc.finalize();
        if &trailer[4..] != TRAILER_MAGIC || stored != found {
            return Err(ReplayFileError::Checksum {
                path: p(),
                expected: stored,
                found,
            });
        }
        // Pass 2: parse.
        let mut file = reader.into_inner();
        file.seek(SeekFrom::Start(HEADER_LEN)).map_err(io_err)?;
        let mut body = Body {
            inner: BufReader::with_capacity(1 << 20, file).take(body_len),
        };
        let bad = |what: String| ReplayFileError::Inconsistent { path: p(), what };
        // An early end inside a checksummed body means a writer bug: report it as such.
        let eof = |e: io::Error| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                bad("the body ends before its last section".into())
            } else {
                io_err(e)
            }
        };
        let mut config = read_config(&mut body, expected.and_then(|c| c.max_bytes)).map_err(eof)?;
        let mut shrink_to = None;
        if let Some(exp) = expected {
            if config.compression == Compression::None && exp.compression == Compression::None {
                if config.capacity < exp.capacity {
                    config.capacity = exp.capacity; // grow: steps are placed by id
                } else if config.capacity > exp.capacity {
                    shrink_to = Some(exp.capacity); // after reading, if the steps fit
                }
            }
            let mut compared = config.clone();
            if let Some(capacity) = shrink_to {
                compared.capacity = capacity;
            }
            check_config(exp, &compared).map_err(|(field, expected, found)| {
                ReplayFileError::ConfigMismatch {
                    path: p(),
                    field,
                    expected,
                    found,
                }
            })?;
        }
        let mut buf = ReplayBuffer::new(config)
            .map_err(|source| ReplayFileError::Config { path: p(), source })?;
        buf.read_state(&mut body).map_err(|e| match e {
            ReadError::Io(e) => eof(e),
            ReadError::Bad(what) => bad(what),
        })?;
        if body.inner.limit() != 0 {
            return Err(bad(format!(
                "{} unread bytes after the last section",
                body.inner.limit()
            )));
        }
        if let Some(capacity) = shrink_to {
            let found = buf.config.capacity;
            buf.resize(capacity)
                .map_err(|_| ReplayFileError::ConfigMismatch {
                    path: p(),
                    field: "capacity",
                    expected: capacity.to_string(),
                    found: format!("{found} (holding {} steps)", buf.written),
                })?;
        }
        Ok(buf)
    }

    fn read_state<R: Read>(&mut self, r: &mut Body<R>) -> Result<(), ReadError> {
        let cap = self.config.capacity as u64;
        self.written = r.u64()?;
        self.oldest = r.u64()?;
        if self.oldest > self.written || self.written - self.oldest > cap {
            return Err(ReadError::Bad(format!(
                "stored range {}..{} does not fit capacity {cap}",
                self.oldest, self.written
            )));
        }
        self.stats.episodes_started = r.u64()?;
        self.stats.transitions_abandoned = r.u64()?;
        self.stats.transitions_dropped = r.u64()?;
        self.stats.frame_bytes_stored = r.u64()?;
        let (oldest, written) = (self.oldest, self.written);
        let stored = |id: u64| id >= oldest && id < written;
        for s in 0..self.streams.len() {
            let running = match r.u8()? {
                0 => false,
                1 => true,
                v => return Err(ReadError::Bad(format!("stream {s}: running flag {v}"))),
            };
            let last = r.u64()?;
            let n = r.u64()?;
            if n > self.config.n_step as u64 {
                return Err(ReadError::Bad(format!(
                    "stream {s} has {n} open windows, more than n_step {}",
                    self.config.n_step
                )));
            }
            let mut open = VecDeque::with_capacity(n as usize);
            for _ in 0..n {
                let id = r.u64()?;
                if id >= written {
                    return Err(ReadError::Bad(format!(
                        "stream {s}: open window at unwritten step {id}"
                    )));
                }
                open.push_back(id);
            }
            self.streams[s] = Stream {
                running,
                last,
                open,
            };
        }
        let a = self.config.action_len;
        let fl = self.frame_len;
        let mut lz4_bytes = 0u64;
        for id in oldest..written {
            let slot = (id % cap) as usize;
            let code = r.u8()?;
            self.kinds[slot] = StepKind::from_code(code)
                .ok_or_else(|| ReadError::Bad(format!("step {id}: unknown kind code {code}")))?;
            let (prev, next) = (r.u64()?, r.u64()?);
            if next != NO_STEP && !stored(next) {
                return Err(ReadError::Bad(format!(
                    "step {id}: next link {next} outside the stored range"
                )));
            }
            if prev != NO_STEP && prev >= id {
                return Err(ReadError::Bad(format!(
                    "step {id}: previous link {prev} is not older"
                )));
            }
            self.prev[slot] = prev;
            self.next[slot] = next;
            self.rewards[slot] = r.f64()?;
            self.discounts[slot] = r.f64()?;
            for x in &mut self.actions[slot * a..(slot + 1) * a] {
                *x = f32::from_bits(r.u32()?);
            }
            match &mut self.frames {
                Frames::Raw(bytes) => r.bytes(&mut bytes[slot * fl..(slot + 1) * fl])?,
                Frames::Lz4(arena) => {
                    let (o, n) = (r.u64()?, r.u32()?);
                    let end = o.checked_add(u64::from(n));
                    if end.is_none_or(|e| e > arena.bytes.len() as u64)
                        || n as usize > codec::max_encoded_len(fl)
                    {
                        return Err(ReadError::Bad(format!(
                            "step {id}: frame encoding at {o}+{n} outside the arena"
                        )));
                    }
                    let dst = &mut arena.bytes[o as usize..o as usize + n as usize];
                    r.bytes(dst)?;
                    let mut check = vec![0u8; fl];
                    if !codec::decode_frame(dst, &mut check) {
                        return Err(ReadError::Bad(format!(
                            "step {id}: frame does not decode to {fl} bytes"
                        )));
                    }
                    arena.offset[slot] = o;
                    arena.len[slot] = n;
                    lz4_bytes += u64::from(n);
                }
            }
        }
        if let Frames::Lz4(arena) = &mut self.frames {
            let head = r.u64()?;
            if head > arena.bytes.len() as u64 {
                return Err(ReadError::Bad(format!("arena head {head} past its end")));
            }
            arena.head = head as usize;
            if lz4_bytes != self.stats.frame_bytes_stored {
                return Err(ReadError::Bad(format!(
                    "frames hold {lz4_bytes} bytes, the counter says {}",
                    self.stats.frame_bytes_stored
                )));
            }
        }
        let n = r.u64()?;
        if n > written - oldest {
            return Err(ReadError::Bad(format!(
                "{n} sampleable transitions but {} stored steps",
                written - oldest
            )));
        }
        let mut seen = HashSet::with_capacity(n as usize);
        self.sampleable.clear();
        for pos in 0..n {
            let id = r.u64()?;
            if !stored(id) || !seen.insert(id) {
                return Err(ReadError::Bad(format!(
                    "sampleable entry {pos}: step {id} is not stored or listed twice"
                )));
            }
            // A sampleable transition needs the first step of its window.
            if self.next[(id % cap) as usize] == NO_STEP {
                return Err(ReadError::Bad(format!(
                    "sampleable step {id} has no successor"
                )));
            }
            let slot = (id % cap) as usize;
            debug_assert_eq!(self.position[slot], NOT_SAMPLEABLE);
            self.position[slot] = pos as u32;
            self.sampleable.push(id);
        }
        Ok(())
    }
}

enum ReadError {
    Io(io::Error),
    Bad(String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

fn read_config<R: Read>(r: &mut Body<R>, max_bytes: Option<u64>) -> io::Result<ReplayConfig> {
    let capacity = r.u64()? as usize;
    let frame_shape = [r.u64()? as usize, r.u64()? as usize, r.u64()? as usize];
    let action_len = r.u64()? as usize;
    let frame_stack = r.u64()? as usize;
    let n_step = r.u64()? as usize;
    let gamma = r.f64()?;
    let num_streams = r.u64()? as usize;
    let episode_tail = if r.u8()? == 1 {
        EpisodeTail::FullWindowsOnly
    } else {
        EpisodeTail::Partial
    };
    let compression_code = r.u8()?;
    let budget = r.u64()? as usize;
    let compression = if compression_code == 1 {
        Compression::Lz4 {
            frame_budget_bytes: budget,
        }
    } else {
        Compression::None
    };
    Ok(ReplayConfig {
        capacity,
        frame_shape,
        action_len,
        frame_stack,
        n_step,
        gamma,
        num_streams,
        episode_tail,
        compression,
        max_bytes,
    })
}

/// The first field where `found` differs from `expected` (`max_bytes` is not compared).
fn check_config(
    expected: &ReplayConfig,
    found: &ReplayConfig,
) -> Result<(), (&'static str, String, String)> {
    let fields: [(&'static str, String, String); 9] = [
        (
            "capacity",
            expected.capacity.to_string(),
            found.capacity.to_string(),
        ),
        (
            "frame_shape",
            format!("{:?}", expected.frame_shape),
            format!("{:?}", found.frame_shape),
        ),
        (
            "action_len",
            expected.action_len.to_string(),
            found.action_len.to_string(),
        ),
        (
            "frame_stack",
            expected.frame_stack.to_string(),
            found.frame_stack.to_string(),
        ),
        (
            "n_step",
            expected.n_step.to_string(),
            found.n_step.to_string(),
        ),
        ("gamma", expected.gamma.to_string(), found.gamma.to_string()),
        (
            "num_streams",
            expected.num_streams.to_string(),
            found.num_streams.to_string(),
        ),
        (
            "episode_tail",
            format!("{:?}", expected.episode_tail),
            format!("{:?}", found.episode_tail),
        ),
        (
            "compression",
            format!("{:?}", expected.compression),
            format!("{:?}", found.compression),
        ),
    ];
    match fields.into_iter().find(|(_, e, f)| e != f) {
        Some(diff) => Err(diff),
        None => Ok(()),
    }
}
