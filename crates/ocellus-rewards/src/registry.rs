//! Verifiers by name, so a CLI or a dataset row (`"reward": "iou"`) can pick one.
//!
//! Each entry builds the verifier with the defaults its paper or reference code uses; build
//! the struct yourself for other settings.
//!
//! ```
//! use ocellus_rewards::{registry, Gold};
//! let v = registry::by_name("numeric").unwrap();
//! assert_eq!(v.verify("<answer>3</answer>", &Gold::new("3")).score(), 1.0);
//! assert!(registry::by_name("nope").is_err());
//! assert!(registry::names().contains(&"gta1_click"));
//! ```

use crate::detection::{IouThreshold, VTriuneDetection, VlmR1Detection, VlmR1Method};
use crate::error::RewardError;
use crate::format::{FormatReward, FormatRule};
use crate::geovista::GeoVista;
use crate::grounding::{BoxIou, Gta1Click, GuiG1};
use crate::iou::IouConvention;
use crate::jigsaw::{Jigsaw, JigsawCredit, SslOption};
use crate::number::Tolerance;
use crate::rewardmap::RewardMap;
use crate::text::{MultipleChoice, Numeric, StringMatch, YesNo};
use crate::verifier::Verifier;
use crate::vicrit::{ViCrit, ViCritMode};
use crate::visionthink::VisionThink;

/// One registered verifier.
pub struct VerifierInfo {
    /// The registry name (equal to the verifier's [`Verifier::name`]).
    pub name: &'static str,
    /// One line: what it grades and where the formula comes from.
    pub summary: &'static str,
    make: fn() -> Box<dyn Verifier>,
}

impl VerifierInfo {
    /// A new instance with the default settings.
    pub fn build(&self) -> Box<dyn Verifier> {
        (self.make)()
    }
}

macro_rules! entry {
    ($name:literal, $summary:literal, $make:expr) => {
        VerifierInfo {
            name: $name,
            summary: $summary,
            make: || Box::new($make),
        }
    };
}

static REGISTRY: &[VerifierInfo] = &[
    entry!(
        "exact",
        "exact string match after trimming",
        StringMatch::exact()
    ),
    entry!(
        "normalized",
        "SQuAD-normalised string match (CLS-RL, arXiv 2503.16188)",
        StringMatch::normalized()
    ),
    entry!(
        "numeric",
        "number within tolerance; ints, floats, fractions, %, thousands separators",
        Numeric::new(Tolerance::default())
    ),
    entry!(
        "multiple_choice",
        "option letter or option text (VLM-R1 mcq)",
        MultipleChoice::default()
    ),
    entry!(
        "yes_no",
        "whole-word yes/no (VLM-R1 yes_no)",
        YesNo::default()
    ),
    entry!(
        "format",
        "strict <think>…</think><answer>…</answer>, one block each",
        FormatReward {
            rule: FormatRule::ThinkAnswer
        }
    ),
    entry!(
        "format_regex",
        "VLM-R1/CLS-RL format regex, full match",
        FormatReward {
            rule: FormatRule::ThinkAnswerRegex
        }
    ),
    entry!(
        "format_answer_only",
        "one <answer> block, no think (fast templates)",
        FormatReward {
            rule: FormatRule::AnswerOnly
        }
    ),
    entry!(
        "format_gta1",
        "GTA1 click format (arXiv 2507.05791)",
        FormatReward {
            rule: FormatRule::Gta1Click
        }
    ),
    entry!(
        "iou",
        "IoU of one box, continuous convention (VLM-R1 REC value)",
        BoxIou::default()
    ),
    entry!(
        "iou_pixel_inclusive",
        "IoU of one box, pixel-inclusive (VOC) convention",
        BoxIou {
            convention: IouConvention::PixelInclusive,
            ..BoxIou::default()
        }
    ),
    entry!(
        "iou_vlmr1",
        "IoU of one box, VLM-R1's qwen_module.py iou()",
        BoxIou {
            convention: IouConvention::VlmR1,
            ..BoxIou::default()
        }
    ),
    entry!(
        "iou_threshold",
        "1[IoU >= 0.5] of one box",
        BoxIou {
            threshold: Some(0.5),
            ..BoxIou::default()
        }
    ),
    entry!(
        "vtriune_detection",
        "V-Triune dynamic-IoU detection score x 0.6^|ΔN| (arXiv 2505.18129)",
        VTriuneDetection {
            threshold: IouThreshold::Dynamic,
            ..VTriuneDetection::default()
        }
    ),
    entry!(
        "od_ap",
        "COCO mAP@[.5:.95], single image (VLM-R1 od_ap)",
        VlmR1Detection::new(VlmR1Method::OdAp)
    ),
    entry!(
        "od_ap50",
        "COCO AP@.5, single image (VLM-R1 od_ap50)",
        VlmR1Detection::new(VlmR1Method::OdAp50)
    ),
    entry!(
        "od_length",
        "mAP x min(1, N_gt/N_pred) (VLM-R1 odLength)",
        VlmR1Detection::new(VlmR1Method::OdLength)
    ),
    entry!(
        "det_weighted_sum",
        "0.7 position + 0.3 completeness (VLM-R1 weighted_sum)",
        VlmR1Detection::new(VlmR1Method::WeightedSum)
    ),
    entry!(
        "gta1_click",
        "one click inside any gold box (GTA1)",
        Gta1Click::default()
    ),
    entry!(
        "gui_g1",
        "hit + 0.25 IoU + 0.125 box closeness (GUI-G1, arXiv 2505.15810)",
        GuiG1::default()
    ),
    entry!(
        "jigsaw",
        "fraction of patches in place (Jigsaw-R1, SSL4RL)",
        Jigsaw::default()
    ),
    entry!(
        "jigsaw_adjacency",
        "fraction of adjacencies kept (Jigsaw-R1 connections)",
        Jigsaw {
            credit: JigsawCredit::Adjacency,
            ..Jigsaw::default()
        }
    ),
    entry!(
        "ssl4rl",
        "answer equals one comma-separated option (SSL4RL rotation/position)",
        SslOption::default()
    ),
    entry!(
        "vicrit",
        "normalised exact corrupted span (ViCrit, arXiv 2506.10128)",
        ViCrit::default()
    ),
    entry!(
        "vicrit_relaxed",
        "first changed token in the answer (ViCrit benchmark scorer)",
        ViCrit {
            mode: ViCritMode::RelaxedFirstToken,
            ..ViCrit::default()
        }
    ),
    entry!(
        "geovista",
        "4/2/1 for city/state/country (GeoVista, arXiv 2511.15705)",
        GeoVista::default()
    ),
    entry!(
        "rewardmap",
        "difficulty-weighted acc + route detail (RewardMap, arXiv 2510.02240)",
        RewardMap::default()
    ),
    entry!(
        "visionthink",
        "(1 - 0.1 resize) acc + 0.5 format, acc = normalised match (VisionThink)",
        VisionThink::new(Box::new(StringMatch::normalized()))
    ),
];

/// All registered verifiers.
pub fn verifiers() -> &'static [VerifierInfo] {
    REGISTRY
}

/// The registered names.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}

/// The verifier registered as `name`, with default settings.
pub fn by_name(name: &str) -> Result<Box<dyn Verifier>, RewardError> {
    REGISTRY
        .iter()
        .find(|e| e.name == name)
        .map(VerifierInfo::build)
        .ok_or_else(|| RewardError::UnknownVerifier {
            name: name.to_owned(),
            known: names().join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_match_the_verifiers() {
        let mut seen = std::collections::HashSet::new();
        for e in verifiers() {
            assert!(seen.insert(e.name), "duplicate {}", e.name);
            let v = e.build();
            assert_eq!(v.name(), e.name);
            let (lo, hi) = v.score_range();
            assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{}", e.name);
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = by_name("iuo").err().unwrap();
        assert!(err.to_string().contains("iou"));
    }
}
