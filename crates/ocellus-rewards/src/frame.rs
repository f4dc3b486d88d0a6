//! Coordinate frames for boxes and points, and conversions between any two.
//!
//! Grounding rewards fail silently when the policy's coordinates and the annotation live in
//! different frames (VLM-R1 issues #198, #226, #320; QwenLM/Qwen3-VL#1486):
//!
//! - **Qwen2.5-VL** answers in absolute pixels of the *resized* model-input image
//!   ([`CoordFrame::AbsoluteResized`]); VLM-R1 rescales them by `original / resized` per axis
//!   before the IoU (`vlm_modules/qwen_module.py`, 2025-06-26).
//! - **Qwen2-VL and Qwen3-VL** answer in 0–1000 relative coordinates
//!   ([`CoordFrame::Normalized1000`]), e.g. `<|box_start|>(x1,y1),(x2,y2)<|box_end|>`.
//! - Many datasets store 0–1 coordinates ([`CoordFrame::Normalized01`]) or pixels of the
//!   original image ([`CoordFrame::AbsoluteOriginal`]).
//!
//! [`BBox`] and [`Point`] always carry their frame, their coordinates are private, and every
//! comparison ([`crate::iou::iou`], [`BBox::contains`]) returns [`FrameError::Mismatch`] for
//! shapes in different frames, so a comparison across frames cannot happen by accident: convert
//! one side first with [`BBox::to_frame`] / [`Point::to_frame`].
//!
//! Conversions map each axis linearly through the unit square (`x_unit = x / width`); they treat
//! coordinates as continuous positions, as VLM-R1's rescaling does (no half-pixel shift).
//!
//! ```
//! use ocellus_rewards::{BBox, CoordFrame};
//! // Qwen2.5-VL saw a 1000x500 image resized to 812x406 (smart resize) and answered in pixels
//! // of the resized image; the annotation is in pixels of the original.
//! let resized = CoordFrame::AbsoluteResized {
//!     width: 812.0, height: 406.0, original_width: 1000.0, original_height: 500.0,
//! };
//! let answer = BBox::new([81.2, 40.6, 406.0, 203.0], resized).unwrap();
//! let original = answer.to_frame(resized.original().unwrap()).unwrap();
//! let [x1, y1, x2, y2] = original.coords();
//! assert!((x1 - 100.0).abs() < 1e-9 && (y1 - 50.0).abs() < 1e-9);
//! assert!((x2 - 500.0).abs() < 1e-9 && (y2 - 250.0).abs() < 1e-9);
//! // Comparing across frames is an error, not a silent 0.
//! let gold = BBox::new([100.0, 50.0, 500.0, 250.0], resized.original().unwrap()).unwrap();
//! assert!(ocellus_rewards::iou(&answer, &gold, ocellus_rewards::IouConvention::Continuous).is_err());
//! ```

use crate::error::{FrameError, ParseError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The coordinate system a box or point is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CoordFrame {
    /// Unknown frame. Only comparable with itself; no conversion to or from it exists. This is
    /// what a [`crate::Gold`] without frames uses for both sides, and every verdict computed in
    /// it says so in its reason.
    Unspecified,
    /// Absolute pixels of the original image, `width x height` pixels.
    AbsoluteOriginal {
        /// Original image width, in pixels.
        width: f64,
        /// Original image height, in pixels.
        height: f64,
    },
    /// Absolute pixels of a resized model-input image (Qwen2.5-VL), with the original size so
    /// that [`CoordFrame::original`] can convert back.
    AbsoluteResized {
        /// Resized (model input) width, in pixels.
        width: f64,
        /// Resized (model input) height, in pixels.
        height: f64,
        /// Original image width, in pixels.
        original_width: f64,
        /// Original image height, in pixels.
        original_height: f64,
    },
    /// Relative coordinates in `[0, 1]`.
    Normalized01,
    /// Relative coordinates in `[0, 1000]` (Qwen2-VL, Qwen3-VL).
    Normalized1000,
}

impl fmt::Display for CoordFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoordFrame::Unspecified => write!(f, "unspecified frame"),
            CoordFrame::AbsoluteOriginal { width, height } => {
                write!(f, "absolute pixels of the {width}x{height} original")
            }
            CoordFrame::AbsoluteResized {
                width,
                height,
                original_width,
                original_height,
            } => write!(
                f,
                "absolute pixels of the {width}x{height} resize of a \
                 {original_width}x{original_height} original"
            ),
            CoordFrame::Normalized01 => write!(f, "normalised 0-1"),
            CoordFrame::Normalized1000 => write!(f, "normalised 0-1000"),
        }
    }
}

fn check_size(width: f64, height: f64) -> Result<(), FrameError> {
    if width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0 {
        Ok(())
    } else {
        Err(FrameError::InvalidSize { width, height })
    }
}

impl CoordFrame {
    /// Checks that every size in the frame is finite and positive.
    pub fn validate(&self) -> Result<(), FrameError> {
        match *self {
            CoordFrame::AbsoluteOriginal { width, height } => check_size(width, height),
            CoordFrame::AbsoluteResized {
                width,
                height,
                original_width,
                original_height,
            } => check_size(width, height).and(check_size(original_width, original_height)),
            _ => Ok(()),
        }
    }

    /// The image extent `(width, height)` in this frame's units, if known: the pixel size for
    /// absolute frames, `(1, 1)` and `(1000, 1000)` for normalised ones.
    pub fn extent(&self) -> Option<(f64, f64)> {
        match *self {
            CoordFrame::Unspecified => None,
            CoordFrame::AbsoluteOriginal { width, height }
            | CoordFrame::AbsoluteResized { width, height, .. } => Some((width, height)),
            CoordFrame::Normalized01 => Some((1.0, 1.0)),
            CoordFrame::Normalized1000 => Some((1000.0, 1000.0)),
        }
    }

    /// For [`CoordFrame::AbsoluteResized`], the frame of the original image; `None` otherwise.
    pub fn original(&self) -> Option<CoordFrame> {
        match *self {
            CoordFrame::AbsoluteResized {
                original_width,
                original_height,
                ..
            } => Some(CoordFrame::AbsoluteOriginal {
                width: original_width,
                height: original_height,
            }),
            _ => None,
        }
    }

    /// Converts the point `(x, y)` from this frame to `to`.
    ///
    /// Identity when the frames are equal (including `Unspecified -> Unspecified`); otherwise
    /// `x_to = x / extent_from.w * extent_to.w` (and likewise for y).
    pub fn convert_xy(&self, to: &CoordFrame, x: f64, y: f64) -> Result<(f64, f64), FrameError> {
        if self == to {
            return Ok((x, y));
        }
        self.validate()?;
        to.validate()?;
        match (self.extent(), to.extent()) {
            (Some((fw, fh)), Some((tw, th))) => Ok((x / fw * tw, y / fh * th)),
            _ => Err(FrameError::Unconvertible {
                from: *self,
                to: *to,
            }),
        }
    }
}

/// An axis-aligned box `(x1, y1, x2, y2)` (top-left, bottom-right) in a known frame.
///
/// Invariants: all coordinates finite, `x1 <= x2`, `y1 <= y2`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BBox {
    coords: [f64; 4],
    frame: CoordFrame,
}

impl BBox {
    /// A box from `[x1, y1, x2, y2]` in `frame`; rejects non-finite or inverted boxes.
    pub fn new(coords: [f64; 4], frame: CoordFrame) -> Result<BBox, ParseError> {
        if coords.iter().any(|c| !c.is_finite()) {
            return Err(ParseError::InvalidBox {
                coords,
                why: "non-finite coordinate",
            });
        }
        if coords[2] < coords[0] || coords[3] < coords[1] {
            return Err(ParseError::InvalidBox {
                coords,
                why: "x2 < x1 or y2 < y1",
            });
        }
        Ok(BBox { coords, frame })
    }

    /// `[x1, y1, x2, y2]` in [`BBox::frame`].
    pub fn coords(&self) -> [f64; 4] {
        self.coords
    }

    /// The frame the coordinates are in.
    pub fn frame(&self) -> CoordFrame {
        self.frame
    }

    /// The same box expressed in `to`.
    pub fn to_frame(&self, to: CoordFrame) -> Result<BBox, FrameError> {
        let [x1, y1, x2, y2] = self.coords;
        let (a, b) = self.frame.convert_xy(&to, x1, y1)?;
        let (c, d) = self.frame.convert_xy(&to, x2, y2)?;
        // Linear maps with positive scale keep the order, so the invariants hold.
        Ok(BBox {
            coords: [a, b, c, d],
            frame: to,
        })
    }

    /// The centre point.
    pub fn center(&self) -> Point {
        let [x1, y1, x2, y2] = self.coords;
        Point {
            x: 0.5 * (x1 + x2),
            y: 0.5 * (y1 + y2),
            frame: self.frame,
        }
    }

    /// Whether `p` lies inside the box, borders included (GTA1's `x1 <= x <= x2`).
    pub fn contains(&self, p: &Point) -> Result<bool, FrameError> {
        if self.frame != p.frame {
            return Err(FrameError::Mismatch {
                left: self.frame,
                right: p.frame,
            });
        }
        let [x1, y1, x2, y2] = self.coords;
        Ok(x1 <= p.x && p.x <= x2 && y1 <= p.y && p.y <= y2)
    }
}

/// A point `(x, y)` in a known frame. Invariant: finite coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    x: f64,
    y: f64,
    frame: CoordFrame,
}

impl Point {
    /// A point in `frame`; rejects non-finite coordinates.
    pub fn new(x: f64, y: f64, frame: CoordFrame) -> Result<Point, ParseError> {
        if x.is_finite() && y.is_finite() {
            Ok(Point { x, y, frame })
        } else {
            Err(ParseError::InvalidPoint { x, y })
        }
    }

    /// `(x, y)` in [`Point::frame`].
    pub fn xy(&self) -> (f64, f64) {
        (self.x, self.y)
    }

    /// The frame the coordinates are in.
    pub fn frame(&self) -> CoordFrame {
        self.frame
    }

    /// The same point expressed in `to`.
    pub fn to_frame(&self, to: CoordFrame) -> Result<Point, FrameError> {
        let (x, y) = self.frame.convert_xy(&to, self.x, self.y)?;
        Ok(Point { x, y, frame: to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIG: CoordFrame = CoordFrame::AbsoluteOriginal {
        width: 640.0,
        height: 480.0,
    };
    const RESIZED: CoordFrame = CoordFrame::AbsoluteResized {
        width: 448.0,
        height: 336.0,
        original_width: 640.0,
        original_height: 480.0,
    };

    fn close(a: [f64; 4], b: [f64; 4]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    // Hand-computed: 640x480 original, 448x336 resized (scale 0.7 on both axes).
    #[test]
    fn conversions_between_every_pair_of_frames() {
        let b = BBox::new([64.0, 48.0, 320.0, 240.0], ORIG).unwrap();
        let table: [(CoordFrame, [f64; 4]); 4] = [
            (ORIG, [64.0, 48.0, 320.0, 240.0]),
            (RESIZED, [44.8, 33.6, 224.0, 168.0]),
            (CoordFrame::Normalized01, [0.1, 0.1, 0.5, 0.5]),
            (CoordFrame::Normalized1000, [100.0, 100.0, 500.0, 500.0]),
        ];
        for (from, from_coords) in table {
            let src = BBox::new(from_coords, from).unwrap();
            for (to, to_coords) in table {
                // Normalised frames have no pixel size: going through them is still exact
                // because the absolute targets carry theirs.
                let got = src.to_frame(to).unwrap();
                assert!(
                    close(got.coords(), to_coords),
                    "{from} -> {to}: {:?}",
                    got.coords()
                );
                assert_eq!(got.frame(), to);
            }
        }
        assert!(close(
            b.to_frame(RESIZED.original().unwrap()).unwrap().coords(),
            b.coords()
        ));
    }

    #[test]
    fn unspecified_frames_compare_only_with_themselves() {
        let u = BBox::new([0.0, 0.0, 1.0, 1.0], CoordFrame::Unspecified).unwrap();
        assert!(u.to_frame(CoordFrame::Unspecified).is_ok());
        assert!(matches!(
            u.to_frame(CoordFrame::Normalized01),
            Err(FrameError::Unconvertible { .. })
        ));
        let p = Point::new(0.5, 0.5, CoordFrame::Normalized01).unwrap();
        assert!(matches!(u.contains(&p), Err(FrameError::Mismatch { .. })));
    }

    #[test]
    fn invalid_boxes_frames_and_points_are_rejected() {
        assert!(BBox::new([2.0, 0.0, 1.0, 1.0], ORIG).is_err());
        assert!(BBox::new([0.0, 0.0, f64::NAN, 1.0], ORIG).is_err());
        assert!(Point::new(f64::INFINITY, 0.0, ORIG).is_err());
        let bad = CoordFrame::AbsoluteOriginal {
            width: 0.0,
            height: 10.0,
        };
        let b = BBox::new([0.0, 0.0, 1.0, 1.0], bad).unwrap();
        assert!(matches!(
            b.to_frame(CoordFrame::Normalized01),
            Err(FrameError::InvalidSize { .. })
        ));
    }

    #[test]
    fn contains_includes_borders() {
        let b = BBox::new([10.0, 10.0, 20.0, 20.0], ORIG).unwrap();
        for (x, y, inside) in [(10.0, 10.0, true), (20.0, 15.0, true), (20.01, 15.0, false)] {
            assert_eq!(
                b.contains(&Point::new(x, y, ORIG).unwrap()).unwrap(),
                inside
            );
        }
        assert_eq!(b.center().xy(), (15.0, 15.0));
    }

    #[test]
    fn frames_round_trip_through_serde() {
        for f in [
            ORIG,
            RESIZED,
            CoordFrame::Normalized1000,
            CoordFrame::Unspecified,
        ] {
            let s = serde_json::to_string(&f).unwrap();
            assert_eq!(serde_json::from_str::<CoordFrame>(&s).unwrap(), f);
        }
        let f: CoordFrame = serde_json::from_str(r#"{"kind":"normalized1000"}"#).unwrap();
        assert_eq!(f, CoordFrame::Normalized1000);
    }
}
