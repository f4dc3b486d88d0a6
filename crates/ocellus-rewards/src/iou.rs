//! Intersection over union, with the pixel conventions named.
//!
//! Three conventions appear in the reference code, and they give different numbers on the
//! same boxes, so the caller picks one by name:
//!
//! - [`IouConvention::Continuous`] (exclusive): a box covers `[x1, x2) x [y1, y2)`, width
//!   `x2 - x1`. COCO (`pycocotools` `maskUtils.iou` on `[x, y, w, h]`), V-Triune
//!   (`reward_server/utils/det_helper.py::compute_iou`) and torchvision use it. COCO works on
//!   `[x, y, w, h]` and adds `x + w` back, which for non-integer coordinates can differ from
//!   `x2` in the last bit; [`crate::detection::coco_map`] therefore uses its own copy of
//!   pycocotools' `bbIou` (`coco_bbox_iou` here) so that a pair sitting exactly on an IoU
//!   threshold falls on the same side as in pycocotools.
//! - [`IouConvention::PixelInclusive`]: `x2` is the last pixel column inside the box, width
//!   `x2 - x1 + 1` (PASCAL VOC devkit, legacy Detectron).
//! - [`IouConvention::VlmR1`]: VLM-R1's `iou()` (`vlm_modules/qwen_module.py`), reused by
//!   Jigsaw-R1 (`utils/reward.py::score_boxes`) and GUI-G1: intersection
//!   `(min(x2) - 1) - max(x1) + 1` (the `-1`/`+1` cancel) counted only when
//!   `max(x1) < min(x2) - 1`, union from exclusive areas. It equals the continuous IoU except
//!   that overlaps of at most one unit per axis count as none. The research notes call it
//!   "pixel-inclusive"; reading the code shows it is this hybrid, so it gets its own name.
//!
//! A zero union (two zero-area boxes) gives IoU 0.
//!
//! ```
//! use ocellus_rewards::{iou, BBox, CoordFrame, IouConvention};
//! let f = CoordFrame::Normalized1000;
//! let a = BBox::new([0.0, 0.0, 10.0, 10.0], f).unwrap();
//! let b = BBox::new([5.0, 0.0, 15.0, 10.0], f).unwrap();
//! // Continuous: 50 / (100 + 100 - 50) = 1/3.
//! assert!((iou(&a, &b, IouConvention::Continuous).unwrap() - 1.0 / 3.0).abs() < 1e-12);
//! // Pixel-inclusive: 6*11 / (121 + 121 - 66) = 66/176 = 0.375.
//! assert!((iou(&a, &b, IouConvention::PixelInclusive).unwrap() - 0.375).abs() < 1e-12);
//! ```

use crate::error::FrameError;
use crate::frame::{BBox, CoordFrame};
use serde::{Deserialize, Serialize};

/// How box extents are measured; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IouConvention {
    /// Width `x2 - x1` (COCO, V-Triune). The default.
    #[default]
    Continuous,
    /// Width `x2 - x1 + 1` (PASCAL VOC).
    PixelInclusive,
    /// VLM-R1's `iou()` (also Jigsaw-R1, GUI-G1): continuous, but overlaps `<= 1` unit count as 0.
    VlmR1,
}

/// IoU of two boxes in the same frame; [`FrameError::Mismatch`] otherwise.
pub fn iou(a: &BBox, b: &BBox, convention: IouConvention) -> Result<f64, FrameError> {
    if a.frame() != b.frame() {
        return Err(FrameError::Mismatch {
            left: a.frame(),
            right: b.frame(),
        });
    }
    if a.frame() == CoordFrame::Normalized01 && convention != IouConvention::Continuous {
        return Err(FrameError::ConventionNeedsPixels {
            convention: match convention {
                IouConvention::PixelInclusive => "pixel-inclusive",
                _ => "VLM-R1",
            },
            frame: a.frame(),
        });
    }
    Ok(iou_coords(a.coords(), b.coords(), convention))
}

/// IoU on raw coordinates that the caller has put in one frame. Always in `[0, 1]` for valid
/// boxes (finite, `x1 <= x2`, `y1 <= y2`).
pub(crate) fn iou_coords(a: [f64; 4], b: [f64; 4], convention: IouConvention) -> f64 {
    let (ix1, iy1) = (a[0].max(b[0]), a[1].max(b[1]));
    let (ix2, iy2) = (a[2].min(b[2]), a[3].min(b[3]));
    let (inter, area_a, area_b) = match convention {
        IouConvention::Continuous => {
            let inter = (ix2 - ix1).max(0.0) * (iy2 - iy1).max(0.0);
            let area = |c: [f64; 4]| (c[2] - c[0]) * (c[3] - c[1]);
            (inter, area(a), area(b))
        }
        IouConvention::PixelInclusive => {
            let inter = (ix2 - ix1 + 1.0).max(0.0) * (iy2 - iy1 + 1.0).max(0.0);
            let area = |c: [f64; 4]| (c[2] - c[0] + 1.0) * (c[3] - c[1] + 1.0);
            (inter, area(a), area(b))
        }
        IouConvention::VlmR1 => {
            // qwen_module.py: inter_x2 = min(x2 - 1), counted when inter_x1 < inter_x2.
            let (jx2, jy2) = (ix2 - 1.0, iy2 - 1.0);
            let inter = if ix1 < jx2 && iy1 < jy2 {
                (jx2 - ix1 + 1.0) * (jy2 - iy1 + 1.0)
            } else {
                0.0
            };
            let area = |c: [f64; 4]| (c[2] - c[0]) * (c[3] - c[1]);
            (inter, area(a), area(b))
        }
    };
    let union = area_a + area_b - inter;
    if union > 0.0 && union.is_finite() && inter.is_finite() {
        (inter / union).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// pycocotools' box IoU (`maskApi.c::bbIou`, reached through `COCOeval.computeIoU` →
/// `maskUtils.iou(dt, gt, iscrowd)` with `iscrowd = 0`), on `[x1, y1, x2, y2]` boxes that the
/// caller (VLM-R1 `calculate_map`, V-Triune `convert_bbox_to_coco_format`) first turned into
/// `[x, y, w, h]` by `w = x2 - x1`: `iw = min(dx + dw, gx + gw) - max(dx, gx)`, zero unless
/// positive (likewise `ih`), `IoU = iw ih / (dw dh + gw gh - iw ih)`. Same operations in the
/// same order, so the value is the same double. Overflowing inputs give 0, not NaN.
pub(crate) fn coco_bbox_iou(d: [f64; 4], g: [f64; 4]) -> f64 {
    let (dx, dy, dw, dh) = (d[0], d[1], d[2] - d[0], d[3] - d[1]);
    let (gx, gy, gw, gh) = (g[0], g[1], g[2] - g[0], g[3] - g[1]);
    let (da, ga) = (dw * dh, gw * gh);
    let w = (dw + dx).min(gw + gx) - dx.max(gx);
    if w <= 0.0 || w.is_nan() {
        return 0.0;
    }
    let h = (dh + dy).min(gh + gy) - dy.max(gy);
    if h <= 0.0 || h.is_nan() {
        return 0.0;
    }
    let i = w * h;
    let v = i / (da + ga - i);
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-computed table: (a, b, continuous, pixel-inclusive, VLM-R1).
    #[test]
    fn conventions_on_hand_computed_boxes() {
        type Row = ([f64; 4], [f64; 4], f64, f64, f64);
        let table: [Row; 6] = [
            // identical 10x10: all 1
            ([0., 0., 10., 10.], [0., 0., 10., 10.], 1.0, 1.0, 1.0),
            // half overlap: 50/150; inclusive 6*11=66 / (121+121-66=176); VLM-R1 = continuous
            (
                [0., 0., 10., 10.],
                [5., 0., 15., 10.],
                1.0 / 3.0,
                0.375,
                1.0 / 3.0,
            ),
            // touching edge: continuous 0; inclusive shares column 10: 1*11/(121+121-11)
            (
                [0., 0., 10., 10.],
                [10., 0., 20., 10.],
                0.0,
                11.0 / 231.0,
                0.0,
            ),
            // one-unit overlap: continuous 10/190; VLM-R1 drops it (max x1 = 9 !< 10 - 1)
            (
                [0., 0., 10., 10.],
                [9., 0., 19., 10.],
                10.0 / 190.0,
                22.0 / 220.0,
                0.0,
            ),
            // disjoint
            ([0., 0., 10., 10.], [30., 30., 40., 40.], 0.0, 0.0, 0.0),
            // nested 4x4 in 10x10: 16/100; inclusive 25/121
            (
                [0., 0., 10., 10.],
                [3., 3., 7., 7.],
                0.16,
                25.0 / 121.0,
                0.16,
            ),
        ];
        for (a, b, cont, incl, vlm) in table {
            let got = [
                iou_coords(a, b, IouConvention::Continuous),
                iou_coords(a, b, IouConvention::PixelInclusive),
                iou_coords(a, b, IouConvention::VlmR1),
            ];
            for (g, want) in got.into_iter().zip([cont, incl, vlm]) {
                assert!((g - want).abs() < 1e-12, "{a:?} {b:?}: got {got:?}");
            }
            // Symmetric.
            assert_eq!(
                iou_coords(a, b, IouConvention::Continuous),
                iou_coords(b, a, IouConvention::Continuous)
            );
        }
    }

    #[test]
    fn coco_bbox_iou_follows_the_xywh_round_trip() {
        // Integer boxes: the round trip is exact, so it equals the continuous IoU.
        let (a, b) = ([0., 0., 10., 10.], [5., 0., 15., 10.]);
        assert_eq!(
            coco_bbox_iou(a, b),
            iou_coords(a, b, IouConvention::Continuous)
        );
        // Touching and disjoint boxes: 0; nested: 16/100.
        assert_eq!(coco_bbox_iou(a, [10., 0., 20., 10.]), 0.0);
        assert_eq!(coco_bbox_iou(a, [3., 3., 7., 7.]), 0.16);
        // Non-integer boxes where `x + (x2 - x1) != x2` in doubles: the xywh round trip moves
        // the last bits. Both values as printed by pycocotools 2.0.11 (`maskUtils.iou` on the
        // xywh boxes) and by the plain continuous formula in Python.
        let (c, d) = ([0.133, 0.355, 0.364, 0.858], [0.06, 0.2, 0.53, 0.858]);
        assert_eq!(coco_bbox_iou(c, d), 0.37571299230420996);
        assert_eq!(
            iou_coords(c, d, IouConvention::Continuous),
            0.37571299230421007
        );
        // Zero-area and overflowing boxes give 0, never NaN.
        assert_eq!(coco_bbox_iou([5., 5., 5., 5.], [5., 5., 5., 5.]), 0.0);
        let huge = [-f64::MAX, -f64::MAX, f64::MAX, f64::MAX];
        assert_eq!(coco_bbox_iou(huge, huge), 0.0);
    }

    #[test]
    fn degenerate_boxes_give_zero_not_nan() {
        let p = [5.0, 5.0, 5.0, 5.0];
        assert_eq!(iou_coords(p, p, IouConvention::Continuous), 0.0);
        assert_eq!(iou_coords(p, p, IouConvention::VlmR1), 0.0);
        // Inclusive: a single pixel is a 1x1 box.
        assert_eq!(iou_coords(p, p, IouConvention::PixelInclusive), 1.0);
    }

    #[test]
    fn frame_mismatch_is_an_error() {
        let a = BBox::new([0., 0., 1., 1.], CoordFrame::Normalized01).unwrap();
        let b = BBox::new([0., 0., 1000., 1000.], CoordFrame::Normalized1000).unwrap();
        assert!(iou(&a, &b, IouConvention::Continuous).is_err());
        let b01 = b.to_frame(CoordFrame::Normalized01).unwrap();
        assert_eq!(iou(&a, &b01, IouConvention::Continuous).unwrap(), 1.0);
        assert!(matches!(
            iou(&a, &b01, IouConvention::VlmR1),
            Err(FrameError::ConventionNeedsPixels { .. })
        ));
        assert!(iou(&b, &b, IouConvention::PixelInclusive).is_ok());
    }
}
