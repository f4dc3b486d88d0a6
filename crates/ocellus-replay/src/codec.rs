//! Lossless frame compression: LZ4 block format (`lz4_flex`, pure Rust).
//!
//! Frames from the project's rasterizer are mostly flat-coloured regions (sky, floor, bodies),
//! which LZ4's run-and-match coding shrinks several-fold at memory-copy-like speed. Each
//! frame is compressed on its own, so any frame decodes without its neighbours: a sampled
//! stack costs `k` independent decodes, with no delta chains to walk. Measured bytes/frame and
//! encode/decode times are in the crate docs and printed by `examples/replay_throughput.rs`.

/// The largest encoding of a `frame_len`-byte frame (LZ4's worst case for incompressible
/// data, a little over the raw size).
pub fn max_encoded_len(frame_len: usize) -> usize {
    lz4_flex::block::get_maximum_output_size(frame_len)
}

/// Compresses `frame` into `out` (cleared first) and returns the encoded length.
pub fn encode_frame(frame: &[u8], out: &mut Vec<u8>) -> usize {
    out.clear();
    out.resize(max_encoded_len(frame.len()), 0);
    let n = lz4_flex::block::compress_into(frame, out)
        .expect("the output was sized with get_maximum_output_size");
    out.truncate(n);
    n
}

/// Decompresses `encoded` into `frame`, which must have the frame's exact size. Returns false
/// when `encoded` is not a valid encoding of a frame of that size.
pub fn decode_frame(encoded: &[u8], frame: &mut [u8]) -> bool {
    matches!(lz4_flex::block::decompress_into(encoded, frame), Ok(n) if n == frame.len())
}
