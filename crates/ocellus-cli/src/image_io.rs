//! Writing frames as PNG grids and GIF animations.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes interleaved RGB bytes as a PNG.
pub fn write_png(path: &Path, rgb: &[u8], width: usize, height: usize) -> Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().context("writing the PNG header")?;
    writer
        .write_image_data(rgb)
        .context("writing the PNG data")?;
    writer.finish().context("finishing the PNG")?;
    Ok(())
}

/// Tiles equally sized interleaved RGB frames into a grid with `cols` columns and a 2-pixel
/// gap. Returns the grid and its size.
pub fn tile(
    frames: &[Vec<u8>],
    width: usize,
    height: usize,
    cols: usize,
) -> (Vec<u8>, usize, usize) {
    let gap = 2;
    let cols = cols.max(1).min(frames.len().max(1));
    let rows = frames.len().div_ceil(cols);
    let (gw, gh) = (
        cols * width + (cols - 1) * gap,
        rows * height + (rows.max(1) - 1) * gap,
    );
    let mut grid = vec![255u8; gw * gh * 3];
    for (i, frame) in frames.iter().enumerate() {
        let (x0, y0) = ((i % cols) * (width + gap), (i / cols) * (height + gap));
        for y in 0..height {
            let src = &frame[y * width * 3..(y + 1) * width * 3];
            let dst = ((y0 + y) * gw + x0) * 3;
            grid[dst..dst + width * 3].copy_from_slice(src);
        }
    }
    (grid, gw, gh)
}

/// Streams RGB frames into an animated GIF.
pub struct GifWriter {
    encoder: gif::Encoder<BufWriter<File>>,
    width: u16,
    height: u16,
    delay_cs: u16,
}

impl GifWriter {
    /// Starts a looping GIF with `delay_cs` hundredths of a second per frame.
    pub fn create(path: &Path, width: usize, height: usize, delay_cs: u16) -> Result<Self> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let (w, h) = (u16::try_from(width)?, u16::try_from(height)?);
        let mut encoder =
            gif::Encoder::new(BufWriter::new(file), w, h, &[]).context("writing the GIF header")?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .context("setting the GIF to loop")?;
        Ok(GifWriter {
            encoder,
            width: w,
            height: h,
            delay_cs: delay_cs.max(2),
        })
    }

    /// Appends one interleaved RGB frame.
    pub fn push(&mut self, rgb: &[u8]) -> Result<()> {
        let mut frame = gif::Frame::from_rgb_speed(self.width, self.height, rgb, 10);
        frame.delay = self.delay_cs;
        self.encoder
            .write_frame(&frame)
            .context("writing a GIF frame")?;
        Ok(())
    }
}
