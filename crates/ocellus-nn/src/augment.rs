//! DrQ-v2's random-shift augmentation as an integer crop.
//!
//! Reference: `drqv2.py::RandomShiftsAug` (facebookresearch/drqv2 @ c0c650b). It pads the image
//! by `pad` pixels with replicate padding, builds a sampling grid whose base points are
//! `linspace(-1 + 1/(h+2p), 1 - 1/(h+2p), h+2p)[:h]` (the pixel centres of the padded image),
//! adds a per-sample shift drawn from `{0, …, 2p}²` in units of `2/(h+2p)`, and samples with
//! `grid_sample(bilinear, padding_mode='zeros', align_corners=False)`. Un-normalising
//! (`ix = ((x + 1)·W − 1)/2`) maps every grid point to an **integer** pixel of the padded image,
//! so each bilinear weight is 1 on one pixel and 0 elsewhere: the operation is exactly
//! "replicate-pad, then crop `h × w` at offset `(dy, dx)`" (up to float rounding of the grid,
//! which [`bilinear_shift_reference`] and the tests make visible).
//!
//! [`shift_crop`] computes that crop without materialising the padded image: output pixel
//! `(i, j)` of sample `b` is input pixel `(clamp(i + dy_b − p, 0, h−1), clamp(j + dx_b − p, 0, w−1))`
//! (clamping a coordinate is what replicate padding does), gathered for all channels of a
//! sample at once by one `gather` over the flattened image. It works on any dtype (u8 frames
//! straight from the replay: a quarter of the f32 traffic) and any device.

use tch::{Kind, Tensor};

use crate::rng::Rng;

/// Per-sample shifts `[dx, dy]`, each in `0..=2·pad`, for `batch` samples: `dx` then `dy` drawn
/// per sample, in sample order. (The reference draws `shift[..., 0]` for x and `[..., 1]` for y.)
pub fn sample_shifts(rng: &mut Rng, batch: usize, pad: i64) -> Vec<[i64; 2]> {
    let n = (2 * pad + 1) as u64;
    (0..batch)
        .map(|_| {
            let dx = rng.below(n) as i64;
            let dy = rng.below(n) as i64;
            [dx, dy]
        })
        .collect()
}

/// Replicate-pads `x` (`[B, C, H, W]`, any dtype) by `pad` and crops `H × W` at offset
/// `(dy_b, dx_b)` of the padded image for each sample `b`. `shifts[b] = [dx_b, dy_b]`.
///
/// # Panics
/// If `x` is not 4-D, `shifts.len() != B`, or a shift lies outside `0..=2·pad`.
pub fn shift_crop(x: &Tensor, pad: i64, shifts: &[[i64; 2]]) -> Tensor {
    let (b, c, h, w) = x.size4().expect("shift_crop takes [B, C, H, W]");
    assert_eq!(shifts.len() as i64, b, "one shift per sample");
    // [B, H] source rows and [B, W] source columns: clamp = replicate padding.
    let mut rows = Vec::with_capacity((b * h) as usize);
    let mut cols = Vec::with_capacity((b * w) as usize);
    for &[dx, dy] in shifts {
        assert!(
            (0..=2 * pad).contains(&dx) && (0..=2 * pad).contains(&dy),
            "shift {dx},{dy} outside 0..={}",
            2 * pad
        );
        rows.extend((0..h).map(|i| (i + dy - pad).clamp(0, h - 1) * w));
        cols.extend((0..w).map(|j| (j + dx - pad).clamp(0, w - 1)));
    }
    let device = x.device();
    let rows = Tensor::from_slice(&rows).view([b, h, 1]).to_device(device);
    let cols = Tensor::from_slice(&cols).view([b, 1, w]).to_device(device);
    // [B, 1, H·W] flat source index, shared by the C channels of a sample.
    let index = (rows + cols)
        .view([b, 1, h * w])
        .expand([b, c, h * w], false);
    x.contiguous()
        .view([b, c, h * w])
        .gather(2, &index, false)
        .view([b, c, h, w])
}

/// The reference's formulation: replicate pad, then bilinear `grid_sample` on the shifted
/// normalised grid (align_corners = false, zero padding), in f32. Slow; kept to show (in tests)
/// that [`shift_crop`] computes the same thing.
///
/// The reference asserts `h == w` and uses one `linspace` for both axes; this version builds
/// each axis from its own size, which is the same for square images.
pub fn bilinear_shift_reference(x: &Tensor, pad: i64, shifts: &[[i64; 2]]) -> Tensor {
    let (b, _c, h, w) = x.size4().expect("takes [B, C, H, W]");
    let opts = (Kind::Float, x.device());
    let x = x
        .to_kind(Kind::Float)
        .replication_pad2d([pad, pad, pad, pad]);
    let axis = |n: i64| {
        let eps = 1.0 / (n + 2 * pad) as f64;
        Tensor::linspace(-1.0 + eps, 1.0 - eps, n + 2 * pad, opts).narrow(0, 0, n)
    };
    // base_grid[b, i, j] = (x_j, y_i)
    let gx = axis(w).view([1, 1, w, 1]).expand([b, h, w, 1], false);
    let gy = axis(h).view([1, h, 1, 1]).expand([b, h, w, 1], false);
    let base = Tensor::cat(&[gx, gy], 3);
    let flat: Vec<f32> = shifts
        .iter()
        .flat_map(|&[dx, dy]| [dx as f32, dy as f32])
        .collect();
    let unit_x = 2.0 / (w + 2 * pad) as f64;
    let unit_y = 2.0 / (h + 2 * pad) as f64;
    let shift = Tensor::from_slice(&flat)
        .view([b, 1, 1, 2])
        .to_device(x.device())
        * Tensor::from_slice(&[unit_x as f32, unit_y as f32]).to_device(x.device());
    let grid = base + shift;
    Tensor::grid_sampler(&x, &grid, 0, 0, false)
}

/// DrQ-v2's augmentation with its own generator: `forward` draws one shift per sample (shared
/// by all stacked channels of that sample) and crops.
#[derive(Debug)]
pub struct RandomShift {
    /// Pixels of replicate padding on each side (4 in DrQ-v2).
    pub pad: i64,
    /// The generator of the shifts (part of a checkpoint).
    pub rng: Rng,
}

impl RandomShift {
    /// The augmentation with padding `pad`, drawing from `rng`.
    pub fn new(pad: i64, rng: Rng) -> Self {
        RandomShift { pad, rng }
    }

    /// `[B, C, H, W]` (any dtype, any device) → same shape, each sample shifted.
    pub fn forward(&mut self, x: &Tensor) -> Tensor {
        let b = x.size()[0] as usize;
        let shifts = sample_shifts(&mut self.rng, b, self.pad);
        shift_crop(x, self.pad, &shifts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn img(h: i64, w: i64) -> Tensor {
        // one channel with value 10·row + col
        let v: Vec<u8> = (0..h)
            .flat_map(|i| (0..w).map(move |j| (10 * i + j) as u8))
            .collect();
        Tensor::from_slice(&v).view([1, 1, h, w])
    }

    #[test]
    fn hand_computed_crop() {
        // 3×3 image, pad 1: shift (dx, dy) = (0, 0) moves content right/down by 1 with
        // replicated first row/column; (2, 1) moves it left by 1, rows unchanged.
        let x = img(3, 3);
        let a = shift_crop(&x, 1, &[[0, 0]]);
        let want: Vec<u8> = vec![0, 0, 1, 0, 0, 1, 10, 10, 11];
        assert_eq!(Vec::<u8>::try_from(a.flatten(0, -1)).unwrap(), want);
        let b = shift_crop(&x, 1, &[[2, 1]]);
        let want: Vec<u8> = vec![1, 2, 2, 11, 12, 12, 21, 22, 22];
        assert_eq!(Vec::<u8>::try_from(b.flatten(0, -1)).unwrap(), want);
        // the centre shift (pad, pad) is the identity
        let c = shift_crop(&x, 1, &[[1, 1]]);
        assert!(c.equal(&x));
    }

    #[test]
    fn per_sample_shift_shared_by_channels() {
        let x = Tensor::arange(2 * 3 * 5 * 5, (Kind::Uint8, Device::Cpu)).view([2, 3, 5, 5]);
        let shifts = [[0, 4], [3, 1]];
        let y = shift_crop(&x, 2, &shifts);
        let padded = x.to_kind(Kind::Float).replication_pad2d([2, 2, 2, 2]);
        for (b, &[dx, dy]) in shifts.iter().enumerate() {
            let want = padded.get(b as i64).narrow(1, dy, 5).narrow(2, dx, 5);
            assert!(y.get(b as i64).to_kind(Kind::Float).equal(&want));
        }
    }

    #[test]
    fn equals_the_bilinear_grid_formulation_for_every_shift() {
        let mut rng = Rng::new(3, 0);
        let x = rng
            .uniform_tensor(&[81, 3, 12, 12], 0.0, 255.0, Device::Cpu)
            .round();
        let shifts: Vec<[i64; 2]> = (0..9)
            .flat_map(|dx| (0..9).map(move |dy| [dx, dy]))
            .collect();
        let ours = shift_crop(&x, 4, &shifts);
        let reference = bilinear_shift_reference(&x, 4, &shifts);
        // Only the float rounding of the normalised grid differs: un-normalised coordinates
        // are off by ~(W+2p)/2 · 1e-7, so each value by at most ~255 · 1e-5. Rounded, the two
        // are identical.
        let diff = (&ours - &reference).abs().max().double_value(&[]);
        assert!(diff < 1e-2, "max |crop − grid_sample| = {diff}");
        assert!(ours.equal(&reference.round()));
        // also at the DrQ-v2 size, u8 frames as the agent augments them
        let x = rng
            .uniform_tensor(&[4, 9, 84, 84], 0.0, 255.0, Device::Cpu)
            .round();
        let shifts = sample_shifts(&mut rng, 4, 4);
        let ours = shift_crop(&x.to_kind(Kind::Uint8), 4, &shifts);
        let reference = bilinear_shift_reference(&x, 4, &shifts);
        let diff = (ours.to_kind(Kind::Float) - &reference)
            .abs()
            .max()
            .double_value(&[]);
        assert!(diff < 1e-2, "84 px: {diff}");
        assert!(ours.equal(&reference.round().to_kind(Kind::Uint8)));
    }

    #[test]
    fn shifts_cover_the_range_uniformly() {
        let mut rng = Rng::new(0, 1);
        let s = sample_shifts(&mut rng, 9000, 4);
        let mut counts = [0u32; 9];
        for [dx, dy] in s {
            counts[dx as usize] += 1;
            counts[dy as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (1800..2200).contains(&c)),
            "{counts:?}"
        );
    }
}
