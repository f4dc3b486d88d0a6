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
use crate::jigsaw::{Jigsaw, JigsawCredit, Ssl4rlJigsaw, SslOption};
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
    /// The public code whose value the default settings reproduce on well-formed answers
    /// (repository, file, function, commit read), or `"none (ocellus)"`. Every deliberate
    /// difference is listed in the module docs and in `docs/rewards.md`.
    pub reference: &'static str,
    /// The convention the default settings use where references or readings differ, and the
    /// options that select another.
    pub defaults: &'static str,
    make: fn() -> Box<dyn Verifier>,
}

impl VerifierInfo {
    /// A new instance with the default settings.
    pub fn build(&self) -> Box<dyn Verifier> {
        (self.make)()
    }
}

macro_rules! entry {
    ($name:literal, $summary:literal, $reference:literal, $defaults:literal, $make:expr) => {
        VerifierInfo {
            name: $name,
            summary: $summary,
            reference: $reference,
            defaults: $defaults,
            make: || Box::new($make),
        }
    };
}

static REGISTRY: &[VerifierInfo] = &[
    entry!(
        "exact",
        "exact string match after trimming",
        "CLS-RL src/cls-rl/src/open_r1/grpo_direct.py accuracy_reward (0dc42e0), with source = whole",
        "byte equality of the trimmed answer; options: StringMatch.rule, source",
        StringMatch::exact()
    ),
    entry!(
        "normalized",
        "SQuAD v1.1 normalize_answer match (Python's Unicode rules)",
        "SQuAD v1.1 evaluate-v1.1.py normalize_answer",
        "lower, drop ASCII punctuation, remove a/an/the words (Python \\w), Python whitespace; an empty normalised gold is unparseable",
        StringMatch::normalized()
    ),
    entry!(
        "cls_rl",
        "case-insensitive <answer> match (CLS-RL grpo.py string branch)",
        "minglllli/CLS-RL src/cls-rl/src/open_r1/grpo.py accuracy_reward (0dc42e0)",
        "Python strip().lower() equality; its math_verify branch is not run",
        StringMatch::cls_rl()
    ),
    entry!(
        "numeric",
        "number within 1e-9 (VLM-R1 numeric path); ints, floats, fractions, %, thousands separators",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py default_accuracy_reward, numeric_reward (90052f4)",
        "|a - b| <= 1e-9 + 1e-9 |b|, 1 or 0 (no fuzzy credit); hex, inf, nan rejected; option: Tolerance (EXACT = float ==)",
        Numeric::new(Tolerance::default())
    ),
    entry!(
        "multiple_choice",
        "option letter or option text (VLM-R1 mcq; hedges malformed)",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py mcq_reward, extract_choice (90052f4)",
        "letter, (B), B), B. or option text; the pronoun I is not a letter; two letters malformed",
        MultipleChoice::default()
    ),
    entry!(
        "yes_no",
        "whole-word yes/no (VLM-R1 yes_no, without its neither-side bug)",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py yes_no_reward (90052f4)",
        "whole words yes/no (and true/false); both words malformed; neither is malformed, not 1",
        YesNo::default()
    ),
    entry!(
        "format",
        "strict <think>…</think><answer>…</answer>, one block each",
        "none (ocellus; stricter than the references' regex, see format_regex)",
        "exactly one think and one non-empty answer block, only whitespace around",
        FormatReward {
            rule: FormatRule::ThinkAnswer
        }
    ),
    entry!(
        "format_regex",
        "VLM-R1/CLS-RL format regex, re.fullmatch",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py format_reward (90052f4); minglllli/CLS-RL src/cls-rl/src/open_r1/grpo.py format_reward (0dc42e0)",
        "re.fullmatch(r\"<think>.*?</think>\\s*<answer>.*?</answer>\", DOTALL), no strip, Python's \\s",
        FormatReward {
            rule: FormatRule::ThinkAnswerRegex
        }
    ),
    entry!(
        "format_regex_first",
        "Jigsaw-R1 format regex: the first match must be the whole completion",
        "zifuwanggg/Jigsaw-R1 utils/reward.py format_reward (781ebd4)",
        "re.search(...).group(0) == completion (stricter than fullmatch on repeated blocks); its answer-content check is not a format rule",
        FormatReward {
            rule: FormatRule::ThinkAnswerRegexFirst
        }
    ),
    entry!(
        "format_answer_only",
        "one <answer> block, no think (fast templates)",
        "none (ocellus)",
        "exactly one non-empty answer block, only whitespace around",
        FormatReward {
            rule: FormatRule::AnswerOnly
        }
    ),
    entry!(
        "format_gta1",
        "GTA1 click format, re.fullmatch after strip (arXiv 2507.05791)",
        "Yan98/GTA1 src/grpo_grounding.py format_reward (81f0c4c)",
        "re.fullmatch on content.strip(), the answer (\\d+,\\s*\\d+) with Unicode digits",
        FormatReward {
            rule: FormatRule::Gta1Click
        }
    ),
    entry!(
        "iou",
        "IoU of one box, continuous COCO/torchvision convention (not VLM-R1's: see iou_vlmr1)",
        "pytorch/vision torchvision/ops/boxes.py box_iou (01b12c6)",
        "width x2 - x1, 0 on a zero union (torchvision: NaN); several boxes malformed; options: convention, threshold, multi_box",
        BoxIou::default()
    ),
    entry!(
        "iou_pixel_inclusive",
        "IoU of one box, pixel-inclusive (VOC) convention",
        "PASCAL VOC devkit (width x2 - x1 + 1)",
        "width x2 - x1 + 1; several boxes malformed",
        BoxIou {
            convention: IouConvention::PixelInclusive,
            ..BoxIou::default()
        }
    ),
    entry!(
        "iou_vlmr1",
        "IoU of one box, VLM-R1 REC reward (qwen_module.py iou())",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/vlm_modules/qwen_module.py iou_reward, iou (90052f4)",
        "VLM-R1's iou(): overlaps of at most one unit per axis count as none; several boxes malformed (MultiBox::First = VLM-R1)",
        BoxIou {
            convention: IouConvention::VlmR1,
            ..BoxIou::default()
        }
    ),
    entry!(
        "iou_threshold",
        "1[continuous IoU >= 0.5] of one box (REC Acc@0.5)",
        "none (ocellus); VLM-R1's evaluation uses iou_vlmr1 > 0.5 (BoxIou::threshold_strict)",
        "continuous IoU >= 0.5",
        BoxIou {
            threshold: Some(0.5),
            ..BoxIou::default()
        }
    ),
    entry!(
        "iou_vlmr1_threshold",
        "1[VLM-R1 IoU > 0.5] of one box (VLM-R1 test_rec_r1.py Acc@0.5)",
        "om-ai-lab/VLM-R1 src/eval/test_rec_r1.py (90052f4)",
        "VLM-R1's iou(), strictly above 0.5",
        BoxIou {
            convention: IouConvention::VlmR1,
            threshold: Some(0.5),
            threshold_strict: true,
            ..BoxIou::default()
        }
    ),
    entry!(
        "vtriune_detection",
        "V-Triune: max-IoU-first match at dynamic ε, 0.7 IoU + 0.3 completeness, x 0.6^|ΔN| (arXiv 2505.18129)",
        "MiniMax-AI/One-RL-to-See-Them-All reward_server/verify.py DetectionVerifier, utils/det_helper.py (39bcf0d)",
        "dynamic ε from training_progress, ratios {iou_max_iou_first: 1}, w_c 0.3, continuous IoU; its last-pair matching bug not copied",
        VTriuneDetection {
            threshold: IouThreshold::Dynamic,
            ..VTriuneDetection::default()
        }
    ),
    entry!(
        "od_ap",
        "COCO mAP@[.5:.95] of one image, pycocotools to the bit (VLM-R1 od_ap)",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py od_reward, calculate_map + pycocotools 2.0 (90052f4)",
        "recall points np.linspace(0, 1, 101), IoU thresholds np.linspace(.5, .95, 10), maxDets 100; labels trimmed and lower-cased (LabelMatch::Exact = VLM-R1)",
        VlmR1Detection::new(VlmR1Method::OdAp)
    ),
    entry!(
        "od_ap50",
        "COCO AP@.5 of one image, pycocotools to the bit (VLM-R1 od_ap50)",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py od_reward score_type=1 (90052f4)",
        "as od_ap at IoU 0.5",
        VlmR1Detection::new(VlmR1Method::OdAp50)
    ),
    entry!(
        "od_length",
        "COCO mAP x min(1, N_gt/N_pred) (VLM-R1 odLength)",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py odLength_reward (90052f4)",
        "as od_ap; N_pred counts every box read, off-category ones too",
        VlmR1Detection::new(VlmR1Method::OdLength)
    ),
    entry!(
        "det_weighted_sum",
        "0.7 position + 0.3 completeness, VLM-R1 iou() matching at 0.5 (VLM-R1 weighted_sum)",
        "om-ai-lab/VLM-R1 src/open-r1-multimodal/src/open_r1/grpo_jsonl.py detection_score (90052f4)",
        "VLM-R1's iou(), max-IoU-first at 0.5; its unlabelled-prediction crash not copied; options: convention, labels",
        VlmR1Detection::new(VlmR1Method::WeightedSum)
    ),
    entry!(
        "gta1_click",
        "one (x, y) click inside any gold box, GTA1's truncated test (arXiv 2507.05791)",
        "Yan98/GTA1 src/grpo_grounding.py parse_coordinates, click_reward (81f0c4c)",
        "whole completion, GTA1's click regex + int(), exactly one click; gold boxes moved into the answer frame and truncated, borders inside; options: ClickParse, ClickTest, source",
        Gta1Click::default()
    ),
    entry!(
        "gui_g1",
        "hit + 0.25 IoU + 0.125 box closeness (GUI-G1, arXiv 2505.15810)",
        "Yuqi-Zhou/GUI-G1 src/open-r1-multimodal/src/open_r1/grpo_rec.py hit/iou/box rewards (e581fe9)",
        "whole completion; VLM-R1's iou(); W, H of the gold frame; closeness <= 0 gives 0; several boxes malformed (MultiBox::First = GUI-G1)",
        GuiG1::default()
    ),
    entry!(
        "jigsaw",
        "fraction of patch ids in place (Jigsaw-R1 score_jigsaw_patches)",
        "zifuwanggg/Jigsaw-R1 utils/reward.py score_jigsaw_patches (781ebd4)",
        "exactly N ASCII-digit ids in range, else malformed; 0- or 1-based from the gold; option: grid",
        Jigsaw::default()
    ),
    entry!(
        "jigsaw_adjacency",
        "fraction of internal adjacencies kept (Jigsaw-R1 score_jigsaw_connections)",
        "zifuwanggg/Jigsaw-R1 utils/reward.py score_jigsaw_connections forward (781ebd4)",
        "kept pairs / (2mn - m - n); grid square, a prime count one row, else set grid",
        Jigsaw {
            credit: JigsawCredit::Adjacency,
            ..Jigsaw::default()
        }
    ),
    entry!(
        "ssl4rl",
        "answer exactly equals one comma-separated option, case-sensitive (SSL4RL ssl4rl.py)",
        "PKU-ML/SSL4RL verl/utils/reward_score/ssl4rl.py compute_score (57c830a)",
        "Python strip(), case-sensitive equality; option: SslMatch::Loose (ignore case, one trailing .)",
        SslOption::default()
    ),
    entry!(
        "ssl4rl_jigsaw",
        "comma-separated order, 1/N per matching position, any length (SSL4RL jigsaw.py)",
        "PKU-ML/SSL4RL verl/utils/reward_score/jigsaw.py compute_score (57c830a)",
        "split on commas, Python int() per piece, wrong lengths get partial credit; full marks exactly 1",
        Ssl4rlJigsaw::default()
    ),
    entry!(
        "vicrit",
        "normalised exact corrupted span (ViCrit, arXiv 2506.10128; no public training reward)",
        "none (ViCrit's training reward is not public)",
        "SQuAD-normalised equality with the corrupted span",
        ViCrit::default()
    ),
    entry!(
        "vicrit_relaxed",
        "first changed token a substring of the first \\boxed{} or last line (ViCrit score.py)",
        "potate4/ViCrit score.py relaxed_correctness, extract_answer (eba2faa; a copy of the official scorer)",
        "lower-cased captions split on Python whitespace; option: RelaxedRule::NormalizedWord (whole normalised word)",
        ViCrit {
            mode: ViCritMode::RelaxedFirstToken,
            ..ViCrit::default()
        }
    ),
    entry!(
        "geovista",
        "4/2/1 for city/state/country named in the answer, GeoVista's rule-based check (arXiv 2511.15705)",
        "ekonwang/GeoVista verl/utils/reward_score/search_agent.py compure_score_search, utils_geo.py (df32037; LLM judge not called)",
        "GeoVista's normaliser and whole-term match on the answer only, at most 4 parts; option: GeoRule::Reference (search the last turn)",
        GeoVista::default()
    ),
    entry!(
        "rewardmap",
        "w_city (10 acc + 0.5 route detail), reason_map.py's parsing and clean_string (RewardMap, arXiv 2510.02240)",
        "fscdc/RewardMap verl/utils/reward_score/reason_map.py reason_map_compute_score (15428ac)",
        "the reference's parsing and score; detail floored at -10; option: MapAnswer::Tagged",
        RewardMap::default()
    ),
    entry!(
        "visionthink",
        "(1 - 0.1 tool call) acc + 0.5 format over tool/answer turns, acc = normalised match (VisionThink)",
        "dvlab-research/VisionThink verl/utils/reward_score/general_qa_tool.py compute_score, format_reward (42afd8c; LLM judge replaced by a verifier)",
        "acc from the normalized verifier; turns cut at </tool_call>",
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
            assert!(
                !e.reference.is_empty() && !e.defaults.is_empty(),
                "{}",
                e.name
            );
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = by_name("iuo").err().unwrap();
        assert!(err.to_string().contains("iou"));
    }
}
