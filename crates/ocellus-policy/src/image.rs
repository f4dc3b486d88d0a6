//! Images as a policy sees them: RGB bytes in, a normalised `[3, S, S]` tensor out.

use tch::{Device, Kind, Tensor};

use crate::error::{PolicyError, Result};

/// An 8-bit RGB image, rows top to bottom, pixels interleaved (`HWC`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `height · width · 3` bytes.
    pub pixels: Vec<u8>,
}

impl RgbImage {
    /// Wraps `pixels`, checking the length.
    ///
    /// # Errors
    /// [`PolicyError::Input`] if `pixels.len() != width · height · 3` or a side is 0.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Result<RgbImage> {
        if width == 0 || height == 0 || pixels.len() != width * height * 3 {
            return Err(PolicyError::input(
                "image",
                format!(
                    "{width}x{height} RGB needs {} bytes, got {}",
                    width * height * 3,
                    pixels.len()
                ),
            ));
        }
        Ok(RgbImage {
            width,
            height,
            pixels,
        })
    }

    /// The `w × h` region at `(x, y)`, clipped to the image; `None` if nothing is left.
    pub fn crop(&self, x: usize, y: usize, w: usize, h: usize) -> Option<RgbImage> {
        let x2 = (x + w).min(self.width);
        let y2 = (y + h).min(self.height);
        if x >= x2 || y >= y2 {
            return None;
        }
        let mut pixels = Vec::with_capacity((x2 - x) * (y2 - y) * 3);
        for row in y..y2 {
            let start = (row * self.width + x) * 3;
            pixels.extend_from_slice(&self.pixels[start..start + (x2 - x) * 3]);
        }
        Some(RgbImage {
            width: x2 - x,
            height: y2 - y,
            pixels,
        })
    }
}

/// How a model wants its images: side `size` (square) and per-channel mean/std after scaling
/// to `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageSpec {
    /// The square side the encoder reads.
    pub size: usize,
    /// Per-channel mean subtracted after `/255` (SmolVLM: 0.5, IMAGENET_STANDARD_MEAN).
    pub mean: [f32; 3],
    /// Per-channel std divided by (SmolVLM: 0.5).
    pub std: [f32; 3],
}

impl ImageSpec {
    /// Resizes `image` to `size × size` (bilinear, area-averaged when shrinking by more than
    /// 2×: antialiased like PIL) and normalises it: a `[3, size, size]` float tensor on `device`.
    ///
    /// SmolVLM's processor resizes with LANCZOS; bilinear with antialiasing differs from it by a
    /// few levels of 255 at edges (a documented deviation).
    pub fn to_tensor(&self, image: &RgbImage, device: Device) -> Tensor {
        let hwc = Tensor::from_slice(&image.pixels)
            .reshape([image.height as i64, image.width as i64, 3])
            .permute([2, 0, 1])
            .to_kind(Kind::Float)
            .unsqueeze(0);
        let s = self.size as i64;
        let resized = if image.width == self.size && image.height == self.size {
            hwc
        } else {
            hwc.internal_upsample_bilinear2d_aa([s, s], false, None, None)
        };
        let mean = Tensor::from_slice(&self.mean).reshape([1, 3, 1, 1]);
        let std = Tensor::from_slice(&self.std).reshape([1, 3, 1, 1]);
        ((resized / 255.0 - mean) / std)
            .squeeze_dim(0)
            .to_device(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_clips_and_normalisation_matches_by_hand() {
        let px: Vec<u8> = (0..4 * 2 * 3).map(|i| i as u8).collect();
        let img = RgbImage::new(4, 2, px).unwrap();
        let c = img.crop(2, 1, 5, 5).unwrap();
        assert_eq!((c.width, c.height), (2, 1));
        assert_eq!(c.pixels, vec![18, 19, 20, 21, 22, 23]);
        assert!(img.crop(4, 0, 1, 1).is_none());
        assert!(RgbImage::new(2, 2, vec![0; 11]).is_err());
        let spec = ImageSpec {
            size: 2,
            mean: [0.5; 3],
            std: [0.5; 3],
        };
        let sq = RgbImage::new(2, 2, vec![255, 0, 51, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        let t = spec.to_tensor(&sq, Device::Cpu);
        assert_eq!(t.size(), [3, 2, 2]);
        assert!((t.double_value(&[0, 0, 0]) - 1.0).abs() < 1e-6);
        assert!((t.double_value(&[1, 0, 0]) + 1.0).abs() < 1e-6);
        assert!((t.double_value(&[2, 0, 0]) - (0.2 - 0.5) / 0.5).abs() < 1e-6);
    }
}
