//! Pointing: "Click the SAVE button" on a synthetic 500 × 250 application window (GUI
//! grounding as in GTA1 and GUI-G1; graded by the `gta1_click` verifier: one point inside the
//! button's box).
//!
//! The window has a title bar and labelled buttons (the 5 × 7 font) laid out in rows with
//! random horizontal and vertical gaps; button labels are distinct. The gold box is the target button in absolute
//! pixels; the policy answers one point `(x, y)` in the frame of [`crate::Coords`] (exact in
//! 0–1000 since 1000/500 and 1000/250 are whole). Button corners and sizes are even, so the
//! reference click (the centre) is a whole pixel.
//!
//! **Difficulty**
//! | level | buttons | font scale | look |
//! |---|---|---|---|
//! | 1 | 2–3 | 2 | dark text on distinct button colours |
//! | 2 | 4–6 | 2 | same |
//! | 3 | 6–9 | 2 | one button colour for all |
//! | 4 | 9–13 | 1 | one colour, smaller text |
//! | 5 | 12–16 | 1 | one low-contrast colour, near-duplicate labels (SAVE / SAVE AS) |

use crate::random::{choose, int, shuffle};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_render::{Rgb, Sketch};
use ocellus_rewards::{CoordFrame, Gold};
use serde_json::json;

/// Window width, pixels.
pub const WIDTH: usize = 500;
/// Window height, pixels.
pub const HEIGHT: usize = 250;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "pointing",
    summary: "click a labelled button on a synthetic screen",
    difficulty: "more buttons, smaller text, uniform low-contrast buttons, near-duplicate \
                 labels",
    verifier: "gta1_click",
    ability: "gui_grounding",
    uses_coords: true,
    generate,
};

const LABELS: [&str; 24] = [
    "OK", "CANCEL", "SAVE", "OPEN", "CLOSE", "HELP", "PRINT", "EDIT", "COPY", "PASTE", "DELETE",
    "UNDO", "REDO", "SEARCH", "SEND", "NEXT", "BACK", "EXIT", "LOGIN", "SHARE", "APPLY", "RESET",
    "UPLOAD", "EXPORT",
];

/// Near-duplicates added at level 5, each next to its base label.
const NEAR: [(&str, &str); 6] = [
    ("SAVE", "SAVE AS"),
    ("COPY", "COPY ALL"),
    ("OPEN", "OPEN FILE"),
    ("CLOSE", "CLOSE ALL"),
    ("SEND", "RESEND"),
    ("EXPORT", "EXPORT PDF"),
];

const BUTTON_COLOURS: [Rgb; 5] = [
    [0.70, 0.82, 0.95],
    [0.75, 0.92, 0.75],
    [0.98, 0.85, 0.65],
    [0.90, 0.78, 0.95],
    [0.95, 0.75, 0.75],
];

/// One drawn button: its label and integer pixel box.
#[derive(Clone, Debug, serde::Serialize)]
struct Button {
    label: String,
    #[serde(rename = "box")]
    bbox: [i64; 4],
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let d = spec.difficulty;
    let mut rng = spec.rng();
    let (lo, hi) = d.pick([(2, 3), (4, 6), (6, 9), (9, 13), (12, 16)]);
    let scale = d.pick([2usize, 2, 2, 1, 1]);
    let n = int(&mut rng, lo, hi) as usize;
    let mut labels: Vec<String> = Vec::new();
    let mut pool = LABELS;
    shuffle(&mut rng, &mut pool);
    if d.level() == 5 {
        for (base, near) in NEAR.iter().take(2 + rng.below(2) as usize) {
            labels.push(base.to_string());
            labels.push(near.to_string());
        }
    }
    for l in pool {
        if labels.len() >= n {
            break;
        }
        if !labels.iter().any(|x| x == l) {
            labels.push(l.to_owned());
        }
    }
    shuffle(&mut rng, &mut labels);

    // Window chrome.
    let mut s = Sketch::new(WIDTH, HEIGHT, [0.93, 0.93, 0.93]);
    s.rect([0.0, 0.0], [WIDTH as f64, 22.0], [0.25, 0.30, 0.40]);
    let title = choose(&mut rng, &["SETTINGS", "EDITOR", "MAIL", "FILES", "REPORT"]);
    s.text([8, 4], title, 2, [1.0, 1.0, 1.0]);
    for (k, c) in [[0.9, 0.3, 0.3], [0.9, 0.8, 0.3], [0.3, 0.8, 0.4]]
        .into_iter()
        .enumerate()
    {
        s.disc([WIDTH as f64 - 14.0 - 16.0 * k as f64, 11.0], 5.0, c);
    }

    // Buttons: rows from the top, random gaps; even corners and sizes.
    let pad_x = 4 * scale as i64;
    let h = 7 * scale as i64 + 10;
    let h = h + h % 2;
    let mut buttons: Vec<Button> = Vec::new();
    let (mut x, mut y) = (
        2 * int(&mut rng, 4, 20) as i64,
        2 * int(&mut rng, 17, 30) as i64,
    );
    let uniform = d.level() >= 3;
    let base_colour = if d.level() == 5 {
        [0.86, 0.86, 0.88]
    } else {
        choose(&mut rng, &BUTTON_COLOURS)
    };
    for label in &labels {
        let text_w = (label.len() * Sketch::GLYPH_ADVANCE * scale) as i64 - scale as i64;
        let w = text_w + 2 * pad_x;
        let w = w + w % 2;
        if x + w > WIDTH as i64 - 8 {
            x = 2 * int(&mut rng, 4, 20) as i64;
            y += h + 2 * int(&mut rng, 5, 20) as i64;
        }
        if y + h > HEIGHT as i64 - 6 {
            break; // no room: fewer buttons (the target is chosen among those drawn)
        }
        let bbox = [x, y, x + w, y + h];
        let fill = if uniform {
            base_colour
        } else {
            choose(&mut rng, &BUTTON_COLOURS)
        };
        s.rect(
            [x as f64, y as f64],
            [(x + w) as f64, (y + h) as f64],
            [0.35; 3],
        );
        s.rect(
            [x as f64 + 1.0, y as f64 + 1.0],
            [(x + w) as f64 - 1.0, (y + h) as f64 - 1.0],
            fill,
        );
        let text_rgb = if d.level() == 5 { [0.35; 3] } else { [0.05; 3] };
        let ty = y as usize + ((h as usize - 7 * scale) / 2);
        s.text([(x + pad_x) as usize, ty], label, scale, text_rgb);
        buttons.push(Button {
            label: label.clone(),
            bbox,
        });
        x += w + 2 * int(&mut rng, 4, 24) as i64;
    }
    let target = rng.below(buttons.len() as u32) as usize;
    let b = buttons[target].bbox;
    let pixels = CoordFrame::AbsoluteOriginal {
        width: WIDTH as f64,
        height: HEIGHT as f64,
    };
    let gold = Gold::new(format!("[{}, {}, {}, {}]", b[0], b[1], b[2], b[3]))
        .with_frames(spec.coords.frame(WIDTH, HEIGHT), pixels);
    let center = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
    let example = spec.coords.write_point([120, 64], WIDTH, HEIGHT);
    let prompt = format!(
        "<image>\nThis is a screenshot of an application window. Click the button labelled \
         \"{}\": give exactly one point (x, y) inside it. {} {}",
        buttons[target].label,
        spec.coords.describe(WIDTH, HEIGHT),
        answer_like(&example)
    );
    spec.sample(
        info,
        vec![s],
        prompt,
        gold,
        spec.coords.write_point(center, WIDTH, HEIGHT),
        json!({
            "target": target,
            "target_label": buttons[target].label,
            "buttons": buttons,
            "font_scale": scale,
        }),
    )
}
