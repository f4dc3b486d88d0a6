//! Boxes, points and JSON embedded in free text.
//!
//! One linear pre-pass pairs brackets (`[]`, `{}`, `()`), skipping double-quoted strings (a
//! string ends at its closing quote or at a newline, since JSON strings cannot span lines and a
//! stray quote in prose must not hide the rest). Then, left to right, each outermost bracket
//! group is read as:
//!
//! 1. JSON (`serde_json`), and if that fails, JSON after replacing `'` with `"` (models often
//!    print Python dicts; V-Triune's `det_helper.py::extract_bbox` does the same replacement).
//!    Inside the value: an object with a `bbox_2d` / `bbox` / `box` key holding 4 numbers is a
//!    box (with its `label` if it is a string); `point_2d` / `point` with 2 numbers is a point;
//!    an array of 4 numbers is a box, of 2 numbers a point; other arrays and objects are walked.
//! 2. Otherwise, for `[…]` and `(…)`, a plain comma-separated list of numbers: 4 make a box,
//!    2 a point (`(120, 45)`, `[10, 20, 30, 40]`).
//! 3. Otherwise the scan continues inside the group.
//!
//! A group read successfully is not read again from inside, so `[{"bbox_2d": [1,2,3,4]}]` is one
//! box, not two. Qwen2-VL's special tokens `<|box_start|>(x1,y1),(x2,y2)<|box_end|>` are read
//! first; when present they are the only boxes taken, labelled by a directly preceding
//! `<|object_ref_start|>label<|object_ref_end|>`.
//!
//! Coordinates come back **without a frame** ([`ParsedBox`], [`ParsedPoint`]): the caller says
//! which frame they are in with [`ParsedBox::in_frame`] before any comparison is possible.
//!
//! ```
//! use ocellus_rewards::shapes::scan;
//! let s = scan(r#"Found: ```json
//! [{"bbox_2d": [10, 20, 110, 220], "label": "dog"}, {'bbox_2d': [5, 5, 9, 9], 'label': 'cat'}]
//! ``` and the click (300, 400)."#);
//! assert_eq!(s.boxes.len(), 2);
//! assert_eq!(s.boxes[0].label.as_deref(), Some("dog"));
//! assert_eq!(s.boxes[1].coords, [5.0, 5.0, 9.0, 9.0]);
//! assert_eq!((s.points[0].x, s.points[0].y), (300.0, 400.0));
//! ```

use crate::error::{snippet, ParseError};
use crate::frame::{BBox, CoordFrame, Point};
use serde_json::Value;

/// A box as written in the text, before its frame is declared.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedBox {
    /// `[x1, y1, x2, y2]` as written.
    pub coords: [f64; 4],
    /// The label, if the box came with one.
    pub label: Option<String>,
}

impl ParsedBox {
    /// The box in `frame` (validated: finite, `x1 <= x2`, `y1 <= y2`).
    pub fn in_frame(&self, frame: CoordFrame) -> Result<BBox, ParseError> {
        BBox::new(self.coords, frame)
    }
}

/// A point as written in the text, before its frame is declared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParsedPoint {
    /// x as written.
    pub x: f64,
    /// y as written.
    pub y: f64,
}

impl ParsedPoint {
    /// The point in `frame` (validated: finite).
    pub fn in_frame(&self, frame: CoordFrame) -> Result<Point, ParseError> {
        Point::new(self.x, self.y, frame)
    }
}

/// Everything [`scan`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shapes {
    /// Boxes in order of appearance.
    pub boxes: Vec<ParsedBox>,
    /// Points in order of appearance.
    pub points: Vec<ParsedPoint>,
    /// Whether an empty JSON array `[]` appeared (an explicit "no objects" answer).
    pub saw_empty_list: bool,
}

/// Pairs brackets in one pass; `partner[i]` is the index of the closing bracket for an opener
/// at `i`, or `usize::MAX`.
fn pair_brackets(b: &[u8]) -> Vec<usize> {
    let mut partner = vec![usize::MAX; b.len()];
    let mut stack: Vec<(usize, u8)> = Vec::new();
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' | b'\n' => in_str = false,
                _ => {}
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'[' | b'{' | b'(' => stack.push((i, c)),
                b']' | b'}' | b')' => {
                    let want = match c {
                        b']' => b'[',
                        b'}' => b'{',
                        _ => b'(',
                    };
                    if let Some(&(j, open)) = stack.last() {
                        if open == want {
                            partner[j] = i;
                            stack.pop();
                        }
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    partner
}

/// Parses a comma-separated list of plain numbers (`1, 2.5, -3`), bailing out at the first
/// character that cannot be part of one. At most 4 numbers are read.
fn number_list(s: &str) -> Option<Vec<f64>> {
    let ok = |c: u8| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E');
    let mut out = Vec::with_capacity(4);
    for part in s.split(',') {
        let t = part.trim();
        if t.is_empty() || !t.bytes().all(ok) || out.len() == 4 {
            return None;
        }
        let v: f64 = t.parse().ok()?;
        out.push(v);
    }
    Some(out)
}

fn as_numbers(v: &Value, n: usize) -> Option<Vec<f64>> {
    let a = v.as_array()?;
    if a.len() != n {
        return None;
    }
    a.iter().map(Value::as_f64).collect()
}

const BOX_KEYS: [&str; 4] = ["bbox_2d", "bbox", "box", "box_2d"];
const POINT_KEYS: [&str; 3] = ["point_2d", "point", "click"];

fn walk(v: &Value, out: &mut Shapes) {
    match v {
        Value::Object(map) => {
            let label = map.get("label").and_then(Value::as_str).map(str::to_owned);
            for k in BOX_KEYS {
                if let Some(n) = map.get(k).and_then(|x| as_numbers(x, 4)) {
                    out.boxes.push(ParsedBox {
                        coords: [n[0], n[1], n[2], n[3]],
                        label,
                    });
                    return;
                }
            }
            for k in POINT_KEYS {
                if let Some(n) = map.get(k).and_then(|x| as_numbers(x, 2)) {
                    out.points.push(ParsedPoint { x: n[0], y: n[1] });
                    return;
                }
            }
            for x in map.values() {
                walk(x, out);
            }
        }
        Value::Array(a) => {
            if a.is_empty() {
                out.saw_empty_list = true;
            } else if let Some(n) = as_numbers(v, 4) {
                out.boxes.push(ParsedBox {
                    coords: [n[0], n[1], n[2], n[3]],
                    label: None,
                });
            } else if let Some(n) = as_numbers(v, 2) {
                out.points.push(ParsedPoint { x: n[0], y: n[1] });
            } else {
                for x in a {
                    walk(x, out);
                }
            }
        }
        _ => {}
    }
}

/// Qwen2-VL box tokens; returns true when any were found.
fn scan_box_tokens(text: &str, out: &mut Shapes) -> bool {
    const START: &str = "<|box_start|>";
    const END: &str = "<|box_end|>";
    const REF_START: &str = "<|object_ref_start|>";
    const REF_END: &str = "<|object_ref_end|>";
    let mut found = false;
    let mut from = 0;
    while let Some(s) = text[from..].find(START).map(|i| i + from) {
        let body_start = s + START.len();
        let Some(e) = text[body_start..].find(END).map(|i| i + body_start) else {
            break;
        };
        let body: String = text[body_start..e]
            .chars()
            .map(|c| if c == '(' || c == ')' { ' ' } else { c })
            .collect();
        let nums: Option<Vec<f64>> = body
            .split(',')
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(|t| t.parse::<f64>().ok())
            .collect();
        if let Some(n) = nums.filter(|n| n.len() == 4) {
            let before = text[..s].trim_end();
            let label = before
                .strip_suffix(REF_END)
                .and_then(|b| b.rfind(REF_START).map(|r| b[r + REF_START.len()..].trim()))
                .map(str::to_owned);
            out.boxes.push(ParsedBox {
                coords: [n[0], n[1], n[2], n[3]],
                label,
            });
            found = true;
        }
        from = e + END.len();
    }
    found
}

/// Finds every box and point in `text` (see the module docs for the rules).
pub fn scan(text: &str) -> Shapes {
    let mut out = Shapes::default();
    if scan_box_tokens(text, &mut out) {
        return out;
    }
    let b = text.as_bytes();
    let partner = pair_brackets(b);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let close = partner[i];
        if !matches!(c, b'[' | b'{' | b'(') || close == usize::MAX {
            i += 1;
            continue;
        }
        // Brackets are ASCII, so both ends are char boundaries.
        let group = &text[i..=close];
        if c != b'(' {
            let parsed = serde_json::from_str::<Value>(group).ok().or_else(|| {
                group
                    .contains('\'')
                    .then(|| serde_json::from_str::<Value>(&group.replace('\'', "\"")).ok())
                    .flatten()
            });
            if let Some(v) = parsed {
                walk(&v, &mut out);
                i = close + 1;
                continue;
            }
        }
        if c != b'{' {
            if let Some(n) = number_list(&text[i + 1..close]) {
                match n.len() {
                    4 => out.boxes.push(ParsedBox {
                        coords: [n[0], n[1], n[2], n[3]],
                        label: None,
                    }),
                    2 => out.points.push(ParsedPoint { x: n[0], y: n[1] }),
                    _ => {}
                }
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// All boxes in `text`; [`ParseError::NoBox`] when there are none.
pub fn boxes(text: &str) -> Result<Vec<ParsedBox>, ParseError> {
    let s = scan(text);
    if s.boxes.is_empty() {
        Err(ParseError::NoBox {
            text: snippet(text),
        })
    } else {
        Ok(s.boxes)
    }
}

/// All points in `text`; [`ParseError::NoPoint`] when there are none.
pub fn points(text: &str) -> Result<Vec<ParsedPoint>, ParseError> {
    let s = scan(text);
    if s.points.is_empty() {
        Err(ParseError::NoPoint {
            text: snippet(text),
        })
    } else {
        Ok(s.points)
    }
}

/// The first JSON object or array embedded in `text` that parses (with the `'` → `"` retry),
/// scanning outermost bracket groups left to right.
pub fn first_json(text: &str) -> Option<Value> {
    let b = text.as_bytes();
    let partner = pair_brackets(b);
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'[' | b'{') && partner[i] != usize::MAX {
            let group = &text[i..=partner[i]];
            if let Ok(v) = serde_json::from_str::<Value>(group) {
                return Some(v);
            }
            if group.contains('\'') {
                if let Ok(v) = serde_json::from_str::<Value>(&group.replace('\'', "\"")) {
                    return Some(v);
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coords(s: &Shapes) -> Vec<[f64; 4]> {
        s.boxes.iter().map(|b| b.coords).collect()
    }

    #[test]
    fn box_formats_table() {
        let table: [(&str, Vec<[f64; 4]>); 9] = [
            ("[10, 20, 30, 40]", vec![[10., 20., 30., 40.]]),
            ("(10,20,30,40)", vec![[10., 20., 30., 40.]]),
            (r#"{"bbox_2d": [1.5, 2, 3, 4], "label": "a"}"#, vec![[1.5, 2., 3., 4.]]),
            (r#"[{"bbox_2d":[1,2,3,4]},{"bbox_2d":[5,6,7,8]}]"#, vec![[1., 2., 3., 4.], [5., 6., 7., 8.]]),
            ("[[1,2,3,4],[5,6,7,8]]", vec![[1., 2., 3., 4.], [5., 6., 7., 8.]]),
            ("{'bbox_2d': [1, 2, 3, 4], 'label': 'it's'}", vec![[1., 2., 3., 4.]]),
            ("<|object_ref_start|>the cat<|object_ref_end|><|box_start|>(100,200),(300,400)<|box_end|>", vec![[100., 200., 300., 400.]]),
            ("no boxes [here] (or here) {nor: here}", vec![]),
            ("[1, 2, 3]", vec![]),
        ];
        for (text, want) in table {
            assert_eq!(coords(&scan(text)), want, "{text:?}");
        }
        let t = scan(
            "<|object_ref_start|>the cat<|object_ref_end|><|box_start|>(1,2),(3,4)<|box_end|>",
        );
        assert_eq!(t.boxes[0].label.as_deref(), Some("the cat"));
    }

    #[test]
    fn points_and_empty_lists() {
        let s = scan(r#"click (12, 34) or {"point_2d": [5, 6]} and [7.5, 8]"#);
        let p: Vec<(f64, f64)> = s.points.iter().map(|p| (p.x, p.y)).collect();
        assert_eq!(p, vec![(12., 34.), (5., 6.), (7.5, 8.)]);
        assert!(scan("```json\n[]\n```").saw_empty_list);
        assert!(boxes("nothing").is_err());
        assert!(points("[1,2,3,4]").is_err());
    }

    #[test]
    fn adversarial_text_does_not_confuse_the_scanner() {
        // Unbalanced openers, stray quotes, deep nesting, huge numbers.
        assert!(scan(&"[".repeat(10_000)).boxes.is_empty());
        assert!(scan(&"(".repeat(5_000)).boxes.is_empty());
        let deep = format!("{}1,2,3,4{}", "[".repeat(300), "]".repeat(300));
        let _ = scan(&deep); // must terminate quickly, without stack overflow
        assert_eq!(
            coords(&scan("he said \"hi\n[1,2,3,4]")),
            vec![[1., 2., 3., 4.]]
        );
        assert_eq!(
            coords(&scan("(1e400, 0, 1, 1)")),
            vec![[f64::INFINITY, 0., 1., 1.]]
        );
        assert!(scan(&coords_str()).boxes.len() == 1);
        assert!(ParsedBox {
            coords: [f64::INFINITY, 0., 1., 1.],
            label: None
        }
        .in_frame(CoordFrame::Normalized01)
        .is_err());
    }

    fn coords_str() -> String {
        "prefix [nan, 1, 2, 3] then [0, 1, 2, 3]".to_string()
    }

    #[test]
    fn first_json_finds_embedded_objects() {
        let v = first_json(r#"answer: {"city": "Paris", "country": "France"} done"#).unwrap();
        assert_eq!(v["city"], "Paris");
        assert!(first_json("none here").is_none());
    }
}
