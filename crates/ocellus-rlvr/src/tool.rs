//! The crop/zoom tool of multi-turn episodes (MGPO, arXiv 2507.05920; Chain-of-Focus; verl's
//! `image_zoom_in_tool.py`).
//!
//! The policy ends a turn with `<crop>[x1, y1, x2, y2]</crop>`, a box in pixels of the
//! **original** image; the tool cuts that region out of the original (full-resolution) image and
//! shows it as the next turn's image, which the model then sees at its own input size, i.e.
//! magnified. As in verl's tool, the box is clamped to the image and a box smaller than
//! `min_size` grows around its centre; a call that cannot be read, or a box with no area, gets a
//! text observation that says what is wrong and no image (verl returns an error text with a
//! −0.05 tool reward; here the episode simply goes on, and the outcome reward decides).

use ocellus_policy::{RgbImage, Tool, ToolReply};

/// The text that opens a crop call.
pub const CROP_OPEN: &str = "<crop>";
/// The text that ends a turn calling the tool.
pub const CROP_CLOSE: &str = "</crop>";

/// The sentence appended to a prompt when the tool is on.
pub fn tool_instruction(width: usize, height: usize) -> String {
    format!(
        " To look closer first, answer only <crop>[x1, y1, x2, y2]</crop> with a box in pixels of \
         the {width}x{height} image, and you will see that region enlarged."
    )
}

/// A crop tool bound to one episode's original image.
#[derive(Debug)]
pub struct CropTool {
    image: RgbImage,
    min_size: usize,
    stops: Vec<String>,
}

impl CropTool {
    /// The tool for an episode on `image`.
    pub fn new(image: RgbImage, min_size: usize) -> CropTool {
        CropTool {
            image,
            min_size,
            stops: vec![CROP_CLOSE.to_owned()],
        }
    }

    /// The pixel box `[x1, y1, x2, y2]` the call asks for after clamping and growing, or why it
    /// cannot be used.
    pub fn resolve(&self, turn_text: &str) -> Result<[usize; 4], String> {
        let open = turn_text
            .rfind(CROP_OPEN)
            .ok_or_else(|| format!("no {CROP_OPEN} in the call"))?;
        let inner = &turn_text[open + CROP_OPEN.len()..];
        let inner = inner.strip_suffix(CROP_CLOSE).unwrap_or(inner);
        let numbers: Vec<f64> = inner
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<f64>()
                    .map_err(|_| format!("`{s}` is not a number"))
            })
            .collect::<Result<_, _>>()?;
        let [x1, y1, x2, y2] = <[f64; 4]>::try_from(numbers.as_slice())
            .map_err(|_| format!("a box needs 4 numbers, got {}", numbers.len()))?;
        let (w, h) = (self.image.width as f64, self.image.height as f64);
        let (x1, x2) = (x1.clamp(0.0, w), x2.clamp(0.0, w));
        let (y1, y2) = (y1.clamp(0.0, h), y2.clamp(0.0, h));
        if x2 <= x1 || y2 <= y1 {
            return Err(format!(
                "the box [{x1}, {y1}, {x2}, {y2}] has no area inside the {w}x{h} image"
            ));
        }
        let grow = |lo: f64, hi: f64, size: f64| {
            let min = (self.min_size as f64).min(size);
            if hi - lo >= min {
                return (lo, hi);
            }
            let centre = (lo + hi) / 2.0;
            let lo = (centre - min / 2.0).clamp(0.0, size - min);
            (lo, lo + min)
        };
        let (x1, x2) = grow(x1, x2, w);
        let (y1, y2) = grow(y1, y2, h);
        Ok([
            x1.floor() as usize,
            y1.floor() as usize,
            x2.ceil() as usize,
            y2.ceil() as usize,
        ])
    }
}

impl Tool for CropTool {
    fn stop_strings(&self) -> &[String] {
        &self.stops
    }

    fn call(&self, turn_text: &str) -> ToolReply {
        match self.resolve(turn_text) {
            Ok([x1, y1, x2, y2]) => ToolReply {
                image: self.image.crop(x1, y1, x2 - x1, y2 - y1),
                text: format!("Region [{x1}, {y1}, {x2}, {y2}]. Now answer."),
                valid: true,
            },
            Err(why) => ToolReply {
                image: None,
                text: format!(
                    "Invalid crop ({why}); write <crop>[x1, y1, x2, y2]</crop> or answer."
                ),
                valid: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool() -> CropTool {
        CropTool::new(RgbImage::new(100, 50, vec![7; 100 * 50 * 3]).unwrap(), 20)
    }

    #[test]
    fn boxes_are_clamped_grown_and_bad_calls_explained() {
        let t = tool();
        assert_eq!(
            t.resolve("<crop>[10, 5, 60, 45]</crop>"),
            Ok([10, 5, 60, 45])
        );
        assert_eq!(
            t.resolve("<crop>[-5, 0, 500, 80]</crop>"),
            Ok([0, 0, 100, 50])
        );
        // 4 px wide at x = 98..100 grows to 20 px, kept inside the image.
        assert_eq!(
            t.resolve("<crop>[96, 10, 100, 40]</crop>"),
            Ok([80, 10, 100, 40])
        );
        let reply = t.call("<crop>[1, 2, 3]</crop>");
        assert!(!reply.valid && reply.image.is_none());
        assert!(reply.text.contains("4 numbers"), "{}", reply.text);
        let reply = t.call("<crop>[50, 10, 40, 20]</crop>");
        assert!(reply.text.contains("no area"), "{}", reply.text);
        let reply = t.call("<crop>[0, 0, 30, 30]</crop>");
        assert!(reply.valid);
        let img = reply.image.unwrap();
        assert_eq!((img.width, img.height), (30, 30));
    }
}
