//! Verifiable-reward parsers and graders for vision-language policies trained with GRPO-family
//! objectives (the VLM-R1 / V-Triune / GUI-G1 / Jigsaw-R1 family).
//!
//! A [`Verifier`] reads a model completion and a [`Gold`] answer and returns a [`Verdict`]: a
//! score **and** a reason, with unreadable completions ([`Verdict::Malformed`]) and unreadable
//! dataset rows ([`Verdict::GoldUnparseable`]) kept apart from wrong answers, so a parser bug
//! cannot hide as a reward of 0 (STYLE §7.4). Verifiers never panic on any input and always
//! return a finite score inside their [`Verifier::score_range`] (property-tested).
//!
//! | module | what |
//! |---|---|
//! | [`extract`] | `<think>`/`<answer>` tags, `\boxed{}` |
//! | [`shapes`] | boxes, points and JSON embedded in text (Qwen `bbox_2d`, box tokens) |
//! | [`frame`] | coordinate frames (original/resized pixels, 0–1, 0–1000) and conversions |
//! | [`iou`](mod@iou) | IoU with the continuous, pixel-inclusive and VLM-R1 conventions |
//! | [`number`] | numbers (fractions, %, thousands separators) and tolerance |
//! | [`text`] | exact / SQuAD-normalised / CLS-RL match, numeric, multiple choice, yes/no |
//! | [`format`](mod@format) | format rewards |
//! | [`grounding`] | box IoU, GTA1 click-in-box, GUI-G1 |
//! | [`detection`] | COCO mAP, VLM-R1 `odLength` / weighted sum, V-Triune dynamic IoU |
//! | [`jigsaw`] | Jigsaw-R1 position and adjacency credit, SSL4RL jigsaw and option answers |
//! | [`vicrit`], [`geovista`], [`rewardmap`], [`visionthink`] | task-specific rewards |
//! | [`paco`] | PaCo-RL log-tamed multi-reward aggregation (batch level) |
//! | [`registry`] | verifiers by name |
//!
//! The formulas, their sources (paper, repository, file, function, commit) and every deviation
//! are in each module's header; `docs/rewards.md` tabulates, per verifier, the reference it
//! reproduces, the default convention, the options and every deliberate difference, and
//! `tests/conformance_*.rs` check each against hand-computed values from the reference's formula.
//!
//! ```
//! use ocellus_rewards::{registry, CoordFrame, Gold, VerdictKind};
//! let iou = registry::by_name("iou").unwrap();
//! // Qwen2-VL answers in 0-1000; the annotation is in pixels of a 640x480 image.
//! let gold = Gold::new(r#"{"bbox_2d": [64, 48, 320, 240], "label": "dog"}"#).with_frames(
//!     CoordFrame::Normalized1000,
//!     CoordFrame::AbsoluteOriginal { width: 640.0, height: 480.0 },
//! );
//! let v = iou.verify("<think>the dog</think><answer>[100, 100, 500, 500]</answer>", &gold);
//! assert!(v.is_correct());
//! let v = iou.verify("<think>the dog</think>", &gold);
//! assert_eq!((v.kind(), v.score()), (VerdictKind::Malformed, 0.0));
//! println!("{v}"); // malformed (score 0): [unparseable answer] no <answer> tag
//! ```
#![deny(missing_docs)]

pub mod detection;
pub mod error;
pub mod extract;
pub mod format;
pub mod frame;
pub mod geovista;
pub mod grounding;
pub mod group;
pub mod iou;
pub mod jigsaw;
pub mod number;
pub mod paco;
pub mod registry;
pub mod rewardmap;
pub mod shapes;
pub mod text;
pub mod verdict;
pub mod verifier;
pub mod vicrit;
pub mod visionthink;

pub use error::{FrameError, ParseError, RewardError};
pub use extract::AnswerSource;
pub use frame::{BBox, CoordFrame, Point};
pub use iou::{iou, IouConvention};
pub use verdict::{Verdict, VerdictKind};
pub use verifier::{Gold, Verifier};
