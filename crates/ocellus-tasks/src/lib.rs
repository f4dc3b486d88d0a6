//! Seeded synthetic visual tasks with verifiable answers, and their export as the JSONL + PNG
//! rows that verl and EasyR1 train on.
//!
//! Each generator draws one [`Sample`] from a [`Spec`] (base seed, sample index, difficulty,
//! coordinate convention): image(s) drawn with [`ocellus_render::Sketch`], a prompt that states
//! the answer format and coordinate frame, the [`Gold`] answer with its frames, and the name of
//! the `ocellus-rewards` verifier that grades it. Generation is exactly deterministic: the same
//! spec gives the same pixels, prompt and answer on every run.
//!
//! | task | what the policy does | verifier | source of the task |
//! |---|---|---|---|
//! | [`counting`] | count shapes of one colour and kind | `numeric` | V-Triune / CLS-RL counting |
//! | [`grounding`] | box a described shape | `iou` | VLM-R1 REC, UniVG-R1 |
//! | [`pointing`] | click a labelled button on a synthetic screen | `gta1_click` | GTA1, GUI-G1 |
//! | [`jigsaw`] | restore 2×2 / 3×3 shuffled tiles | `jigsaw` | Jigsaw-R1, SSL4RL |
//! | [`rotation`] | name the rotation 0/90/180/270 | `ssl4rl` | SSL4RL |
//! | [`position`] | say which cell a crop came from | `ssl4rl` | SSL4RL |
//! | [`difference`] | box the one change between two images | `iou` | spot-the-difference |
//! | [`chart`] | read values off a bar chart | `numeric` | V-Triune chart QA |
//! | [`caption`] | find the one wrong word in a caption | `vicrit` | ViCrit |
//! | [`zoom_shape`] | name one small shape in a large image | `cls_rl` | MGPO, V* (high-resolution perception) |
//!
//! Every generator has a [`Difficulty`] from 1 to 5; what it changes is listed in the module's
//! docs and in [`TaskInfo::difficulty`]. [`dataset`] writes and reads the row layout.
//!
//! ```
//! use ocellus_rewards::registry;
//! use ocellus_tasks::{task, Difficulty, Spec};
//!
//! let counting = task("counting").unwrap();
//! let sample = counting.generate(&Spec::new(7, 0, Difficulty::new(2).unwrap()));
//! assert_eq!(sample.images.len(), 1);
//! assert!(sample.prompt.contains("<answer>"));
//! // The gold answer, written as the policy must write it, earns full credit.
//! let verifier = registry::by_name(sample.verifier).unwrap();
//! assert!(verifier.verify(&sample.reference_completion(), &sample.gold).is_correct());
//! // The same spec draws the same sample.
//! assert_eq!(sample, counting.generate(&Spec::new(7, 0, Difficulty::new(2).unwrap())));
//! ```
#![deny(missing_docs)]

pub mod caption;
pub mod chart;
pub mod counting;
pub mod dataset;
pub mod difference;
mod error;
pub mod figure;
pub mod grounding;
pub mod jigsaw;
pub mod pointing;
pub mod position;
mod random;
pub mod rotation;
pub mod zoom_shape;

pub use error::{DatasetError, TaskError};

use ocellus_core::{derive_seed, RandomState};
use ocellus_render::Sketch;
use ocellus_rewards::{CoordFrame, Gold};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The instruction every prompt ends with: think, then answer in `<answer>` tags.
pub const THINK_THEN_ANSWER: &str = "First think step by step inside <think> </think>, then \
     give only the final answer inside <answer> </answer>.";

/// The image placeholder verl and EasyR1 split prompts on (one per image, in order).
pub const IMAGE_PLACEHOLDER: &str = "<image>";

/// One generated task instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// A stable id: `<task>-d<difficulty>-s<seed>-<index>` (plus `-n1000` for 0-1000 coordinates).
    pub id: String,
    /// The images, in the order of the `<image>` placeholders of the prompt.
    pub images: Vec<Sketch>,
    /// The user prompt, with exactly one [`IMAGE_PLACEHOLDER`] per image. It states the answer
    /// format and, for coordinates, the frame.
    pub prompt: String,
    /// The gold answer, its coordinate frames and options, as the verifier reads it.
    pub gold: Gold,
    /// The gold answer written as the policy must write it (in the answer frame), without
    /// tags: what [`Sample::reference_completion`] wraps.
    pub reference_answer: String,
    /// The `ocellus-rewards` registry name of the verifier that grades this task.
    pub verifier: &'static str,
    /// `ocellus/<task>`.
    pub data_source: String,
    /// The generator's parameters and scene description, enough to reproduce and audit the
    /// sample (`task`, `seed`, `index`, `difficulty`, `coords`, plus per-task fields).
    pub extra: serde_json::Value,
}

impl Sample {
    /// The reference answer as a complete, well-formed completion
    /// (`<think>…</think><answer>…</answer>`): the verifier gives it full credit.
    pub fn reference_completion(&self) -> String {
        format!(
            "<think>reference solution</think><answer>{}</answer>",
            self.reference_answer
        )
    }
}

/// How hard a sample is: 1 (easiest) to 5. Each generator documents what the levels change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Difficulty(u8);

impl Difficulty {
    /// The easiest level.
    pub const MIN: u8 = 1;
    /// The hardest level.
    pub const MAX: u8 = 5;

    /// A level in `1..=5`.
    pub fn new(level: u8) -> Result<Difficulty, TaskError> {
        if (Self::MIN..=Self::MAX).contains(&level) {
            Ok(Difficulty(level))
        } else {
            Err(TaskError::Difficulty { level })
        }
    }

    /// The level, in `1..=5`.
    pub fn level(self) -> u8 {
        self.0
    }

    /// All levels, easiest first.
    pub fn all() -> impl Iterator<Item = Difficulty> {
        (Self::MIN..=Self::MAX).map(Difficulty)
    }

    /// `values[level - 1]`: a per-level table lookup.
    pub(crate) fn pick<T: Copy>(self, values: [T; 5]) -> T {
        values[usize::from(self.0 - 1)]
    }
}

impl TryFrom<u8> for Difficulty {
    type Error = TaskError;
    fn try_from(level: u8) -> Result<Self, TaskError> {
        Difficulty::new(level)
    }
}

impl From<Difficulty> for u8 {
    fn from(d: Difficulty) -> u8 {
        d.0
    }
}

/// The coordinate convention the policy must answer in (grounding, pointing, difference).
///
/// Gold boxes are always stored in absolute pixels of the generated image
/// ([`CoordFrame::AbsoluteOriginal`]); this picks the **answer** frame declared in [`Gold`]
/// and stated in the prompt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coords {
    /// Integer pixels of the image as generated (Qwen2.5-VL style when the image is not resized).
    #[default]
    Pixels,
    /// Relative coordinates in 0–1000 (Qwen2-VL / Qwen3-VL style).
    Norm1000,
}

impl Coords {
    /// The answer frame for an image of `width × height` pixels.
    pub fn frame(self, width: usize, height: usize) -> CoordFrame {
        match self {
            Coords::Pixels => CoordFrame::AbsoluteOriginal {
                width: width as f64,
                height: height as f64,
            },
            Coords::Norm1000 => CoordFrame::Normalized1000,
        }
    }

    /// The sentence of the prompt that states the frame.
    pub fn describe(self, width: usize, height: usize) -> String {
        match self {
            Coords::Pixels => format!(
                "Coordinates are integer pixels of the {width}x{height} image: x from 0 at the \
                 left edge to {width} at the right edge, y from 0 at the top edge to {height} at \
                 the bottom edge."
            ),
            Coords::Norm1000 => "Coordinates are relative, from 0 to 1000 on each axis: (0, 0) \
                 is the top-left corner and (1000, 1000) the bottom-right corner of the image."
                .to_owned(),
        }
    }

    /// Converts an x pixel coordinate of a `size`-pixel axis into this convention, rounded to an
    /// integer (exact when `1000 / size` is a whole number, as for every generator here).
    pub(crate) fn map(self, pixels: f64, size: usize) -> i64 {
        match self {
            Coords::Pixels => pixels.round() as i64,
            Coords::Norm1000 => (pixels * 1000.0 / size as f64).round() as i64,
        }
    }

    /// A pixel box `[x1, y1, x2, y2]` written in this convention: `[a, b, c, d]`.
    pub(crate) fn write_box(self, b: [i64; 4], width: usize, height: usize) -> String {
        let [x1, y1, x2, y2] = b.map(|v| v as f64);
        format!(
            "[{}, {}, {}, {}]",
            self.map(x1, width),
            self.map(y1, height),
            self.map(x2, width),
            self.map(y2, height)
        )
    }

    /// A pixel point written in this convention: `(x, y)`.
    pub(crate) fn write_point(self, p: [i64; 2], width: usize, height: usize) -> String {
        format!(
            "({}, {})",
            self.map(p[0] as f64, width),
            self.map(p[1] as f64, height)
        )
    }
}

/// What to generate: a sample is a pure function of its spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The base seed of the run.
    pub seed: u64,
    /// The sample's index; sample `i` draws from `RandomState::new(derive_seed(seed, i))`.
    pub index: u64,
    /// How hard.
    pub difficulty: Difficulty,
    /// The answer's coordinate convention (only read by tasks that answer in coordinates).
    pub coords: Coords,
}

impl Spec {
    /// A spec with pixel coordinates.
    pub fn new(seed: u64, index: u64, difficulty: Difficulty) -> Spec {
        Spec {
            seed,
            index,
            difficulty,
            coords: Coords::Pixels,
        }
    }

    /// The same spec answering in `coords`.
    pub fn with_coords(mut self, coords: Coords) -> Spec {
        self.coords = coords;
        self
    }

    /// This sample's random stream.
    pub(crate) fn rng(&self) -> RandomState {
        RandomState::new(derive_seed(self.seed, self.index))
    }

    /// Assembles the sample: id, data source and the common generator parameters are added
    /// to `extra` (which must be a JSON object).
    pub(crate) fn sample(
        &self,
        info: &TaskInfo,
        images: Vec<Sketch>,
        prompt: String,
        gold: Gold,
        reference_answer: String,
        mut extra: serde_json::Value,
    ) -> Sample {
        let d = self.difficulty.level();
        let mut id = format!("{}-d{d}-s{}-{}", info.name, self.seed, self.index);
        if info.uses_coords && self.coords == Coords::Norm1000 {
            id.push_str("-n1000");
        }
        let common = json!({
            "task": info.name,
            "seed": self.seed,
            "index": self.index,
            "difficulty": d,
            "coords": self.coords,
        });
        if let (Some(e), serde_json::Value::Object(c)) = (extra.as_object_mut(), common) {
            for (k, v) in c {
                e.insert(k, v);
            }
        }
        debug_assert_eq!(
            prompt.matches(IMAGE_PLACEHOLDER).count(),
            images.len(),
            "one placeholder per image"
        );
        Sample {
            id,
            images,
            prompt,
            gold,
            reference_answer,
            verifier: info.verifier,
            data_source: format!("ocellus/{}", info.name),
            extra,
        }
    }
}

/// One registered generator.
#[derive(Debug)]
pub struct TaskInfo {
    /// The task name (`counting`, …).
    pub name: &'static str,
    /// One line: what the policy must do.
    pub summary: &'static str,
    /// What the difficulty knob changes, level by level.
    pub difficulty: &'static str,
    /// The verifier's registry name in `ocellus-rewards`.
    pub verifier: &'static str,
    /// The `ability` column of the dataset row (verl's task family tag).
    pub ability: &'static str,
    /// Whether the answer is in coordinates (then [`Spec::coords`] matters).
    pub uses_coords: bool,
    generate: fn(&Spec, &TaskInfo) -> Sample,
}

impl TaskInfo {
    /// Draws the sample described by `spec`.
    pub fn generate(&self, spec: &Spec) -> Sample {
        (self.generate)(spec, self)
    }
}

static TASKS: &[TaskInfo] = &[
    counting::INFO,
    grounding::INFO,
    pointing::INFO,
    jigsaw::INFO,
    rotation::INFO,
    position::INFO,
    difference::INFO,
    chart::INFO,
    caption::INFO,
    zoom_shape::INFO,
];

/// All generators.
pub fn tasks() -> &'static [TaskInfo] {
    TASKS
}

/// The generator named `name`.
pub fn task(name: &str) -> Result<&'static TaskInfo, TaskError> {
    TASKS
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| TaskError::UnknownTask {
            name: name.to_owned(),
            known: TASKS.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
        })
}

/// `<answer>` instruction with an example, e.g. `Answer like <answer>3</answer>.`
pub(crate) fn answer_like(example: &str) -> String {
    format!("{THINK_THEN_ANSWER} Write the answer like <answer>{example}</answer>.")
}
