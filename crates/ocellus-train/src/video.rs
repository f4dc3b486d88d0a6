//! Evaluation videos: channel-first RGB frames into a looping GIF.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Writes `frames` (each `[3, H, W]` u8, channel-first) as a GIF, scaled up by the smallest
/// integer factor that makes it at least 128 pixels tall, at 20 frames/s (drqv2 `video.py`
/// records at 20 fps).
pub fn write_gif(
    path: &Path,
    frames: &[Vec<u8>],
    height: usize,
    width: usize,
) -> std::io::Result<()> {
    let scale = 128usize.div_ceil(height.max(1)).max(1);
    let (h, w) = (height * scale, width * scale);
    let (gw, gh) = (
        u16::try_from(w).map_err(std::io::Error::other)?,
        u16::try_from(h).map_err(std::io::Error::other)?,
    );
    let file = BufWriter::new(File::create(path)?);
    let mut encoder = gif::Encoder::new(file, gw, gh, &[]).map_err(std::io::Error::other)?;
    encoder
        .set_repeat(gif::Repeat::Infinite)
        .map_err(std::io::Error::other)?;
    let mut rgb = vec![0u8; h * w * 3];
    let plane = height * width;
    for chw in frames {
        for y in 0..h {
            for x in 0..w {
                let src = (y / scale) * width + x / scale;
                let dst = (y * w + x) * 3;
                rgb[dst] = chw[src];
                rgb[dst + 1] = chw[plane + src];
                rgb[dst + 2] = chw[2 * plane + src];
            }
        }
        let mut frame = gif::Frame::from_rgb_speed(gw, gh, &rgb, 10);
        frame.delay = 5; // hundredths of a second
        encoder.write_frame(&frame).map_err(std::io::Error::other)?;
    }
    Ok(())
}
