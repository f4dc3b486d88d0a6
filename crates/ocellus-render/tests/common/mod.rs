//! Helpers shared by the integration tests: a frame hash and a tiny PNG writer.
#![allow(dead_code)]

use ocellus_render::{chw_to_hwc, RenderConfig, Renderer, Scene};

/// FNV-1a, 64 bit: the frame hash pinned by the golden tests.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Renders one frame of `scene` at `w` × `h` with the default palette.
pub fn frame<S: Scene>(scene: &S, w: usize, h: usize) -> Vec<u8> {
    let config = RenderConfig {
        width: w,
        height: h,
        ..RenderConfig::default()
    };
    frame_with(scene, config)
}

/// Renders one frame of `scene` under `config`.
pub fn frame_with<S: Scene>(scene: &S, config: RenderConfig) -> Vec<u8> {
    let mut r = Renderer::new(scene, config);
    let mut out = vec![0u8; r.frame_len()];
    r.render(scene, &[], &mut out);
    out
}

/// Pixel (x, y) of a CHW frame as [r, g, b].
pub fn pixel(f: &[u8], w: usize, h: usize, x: usize, y: usize) -> [u8; 3] {
    let p = w * h;
    let i = y * w + x;
    [f[i], f[p + i], f[2 * p + i]]
}

/// Centroid (x, y) in pixel coordinates of the pixels for which `pred` holds, and their count.
pub fn centroid(f: &[u8], w: usize, h: usize, pred: impl Fn([u8; 3]) -> bool) -> ([f64; 2], usize) {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0usize);
    for y in 0..h {
        for x in 0..w {
            if pred(pixel(f, w, h, x, y)) {
                sx += x as f64 + 0.5;
                sy += y as f64 + 0.5;
                n += 1;
            }
        }
    }
    if n == 0 {
        return ([f64::NAN; 2], 0);
    }
    ([sx / n as f64, sy / n as f64], n)
}

/// Warm (orange/brown) pixels: the body, effector and target materials; the floor, sky and
/// decorations are all blue-dominant.
pub fn warm(p: [u8; 3]) -> bool {
    i32::from(p[0]) > i32::from(p[2]) + 40
}

/// Writes a CHW frame as an 8-bit RGB PNG (stored deflate blocks; no compression).
pub fn write_png(path: &std::path::Path, chw: &[u8], w: usize, h: usize) {
    let mut hwc = Vec::new();
    chw_to_hwc(chw, w, h, &mut hwc);
    let mut raw = Vec::with_capacity(h * (3 * w + 1));
    for row in hwc.chunks(3 * w) {
        raw.push(0u8); // filter: none
        raw.extend_from_slice(row);
    }
    // zlib stream of stored blocks.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    std::fs::write(path, png).expect("write png");
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}
