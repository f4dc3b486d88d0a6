//! A minimal TensorBoard event-file writer (scalars only).
//!
//! The format is TensorFlow's `TFRecord` framing around `Event` protocol buffers
//! (`tensorflow/core/util/event.proto`, `summary.proto`): each record is
//! `len: u64 LE | masked_crc32c(len): u32 LE | data | masked_crc32c(data): u32 LE`, where the
//! CRC is CRC-32C (Castagnoli) and `masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8`. The
//! first event carries `file_version = "brain.Event:2"`; each scalar is an `Event { wall_time
//! (1, double), step (2, int64), summary (5) { value (1) { tag (1, string), simple_value (2,
//! float) } } }`. Only these few fields are encoded, by hand, so no protobuf library is needed.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// CRC-32C lookup table (reflected polynomial 0x82F63B78).
const CRC32C_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut k = 0;
        while k < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
            k += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC-32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc = CRC32C_TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// TFRecord's masked CRC.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let c = crc32c(data);
    c.rotate_right(15).wrapping_add(0xa282_ead8)
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a length-delimited field (wire type 2).
fn bytes_field(field: u32, bytes: &[u8], out: &mut Vec<u8>) {
    varint(u64::from(field << 3 | 2), out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// The encoded `Event` of one scalar.
pub fn scalar_event(wall_time: f64, step: i64, tag: &str, value: f32) -> Vec<u8> {
    let mut summary_value = Vec::with_capacity(tag.len() + 8);
    bytes_field(1, tag.as_bytes(), &mut summary_value);
    summary_value.push(2 << 3 | 5); // simple_value: fixed32
    summary_value.extend_from_slice(&value.to_le_bytes());
    let mut summary = Vec::with_capacity(summary_value.len() + 2);
    bytes_field(1, &summary_value, &mut summary);
    let mut event = Vec::with_capacity(summary.len() + 24);
    event.push(1 << 3 | 1); // wall_time: fixed64
    event.extend_from_slice(&wall_time.to_le_bytes());
    event.push(2 << 3); // step: varint (two's complement for negatives, as protobuf does)
    varint(step as u64, &mut event);
    bytes_field(5, &summary, &mut event);
    event
}

/// The encoded first `Event` of a file.
fn version_event(wall_time: f64) -> Vec<u8> {
    let mut event = Vec::new();
    event.push(1 << 3 | 1);
    event.extend_from_slice(&wall_time.to_le_bytes());
    bytes_field(3, b"brain.Event:2", &mut event);
    event
}

/// Frames `data` as one TFRecord.
pub fn record(data: &[u8]) -> Vec<u8> {
    let len = (data.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
    out
}

/// Writes scalar summaries to `events.out.tfevents.<secs>.ocellus` in a directory.
pub struct EventWriter {
    file: BufWriter<File>,
    path: PathBuf,
}

impl EventWriter {
    /// Creates the directory if needed and a new event file in it.
    pub fn create(dir: &Path, wall_time: f64) -> io::Result<EventWriter> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("events.out.tfevents.{}.ocellus", wall_time as u64));
        let mut file = BufWriter::new(File::options().create(true).append(true).open(&path)?);
        file.write_all(&record(&version_event(wall_time)))?;
        Ok(EventWriter { file, path })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one scalar.
    pub fn scalar(&mut self, wall_time: f64, step: i64, tag: &str, value: f32) -> io::Result<()> {
        self.file
            .write_all(&record(&scalar_event(wall_time, step, tag, value)))
    }

    /// Flushes buffered events to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_check_value() {
        // The standard check value of CRC-32C (RFC 3720, appendix B.4).
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn scalar_event_bytes_are_the_protobuf_encoding() {
        let e = scalar_event(1.5, 300, "eval/return", 2.0);
        let mut want = vec![0x09];
        want.extend_from_slice(&1.5f64.to_le_bytes());
        want.extend_from_slice(&[0x10, 0xac, 0x02]); // step 300 as a varint
                                                     // summary (field 5, len 20) { value (field 1, len 18) { tag (field 1, len 11): 13 bytes,
                                                     // simple_value (field 2, fixed32): 5 bytes } }
        want.extend_from_slice(&[0x2a, 20, 0x0a, 18, 0x0a, 11]);
        want.extend_from_slice(b"eval/return");
        want.push(0x15);
        want.extend_from_slice(&2.0f32.to_le_bytes());
        assert_eq!(e, want);
    }

    #[test]
    fn records_frame_their_payload() {
        let r = record(b"abc");
        assert_eq!(&r[..8], &3u64.to_le_bytes());
        assert_eq!(&r[12..15], b"abc");
        assert_eq!(r.len(), 8 + 4 + 3 + 4);
        assert_eq!(
            u32::from_le_bytes(r[15..19].try_into().unwrap()),
            masked_crc32c(b"abc")
        );
    }
}
