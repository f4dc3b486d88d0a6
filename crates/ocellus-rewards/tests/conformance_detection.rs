//! Conformance of the detection verifiers with the reference code they name:
//! `od_ap`, `od_ap50`, `od_length`, `det_weighted_sum` (VLM-R1 @ 90052f47,
//! `src/open-r1-multimodal/src/open_r1/grpo_jsonl.py`: `od_reward`, `odLength_reward`,
//! `calculate_map` with its vendored pycocotools, `detection_score` via `accuracy_reward`'s
//! `weighted_sum` branch) and `vtriune_detection` (V-Triune @ 39bcf0d0,
//! `reward_server/verify.py::DetectionVerifier`, `reward_server/utils/det_helper.py`).
//!
//! Every expected value below was worked out from the reference's formula (the comment on a
//! row says how); the reference functions were also run on every row as a cross-check
//! (outside this repository). The first column says what that run gave:
//! - `Same`: the reference returns the expected value (to 1e-12);
//! - `Differs`: a deliberate deviation, named by its number in the `detection` module docs;
//!   the reference returns something else, the row tests our value;
//! - `Crashes`: the reference raises on this input (a reference bug); the row tests ours.
//!
//! Answers are wrapped as VLM-R1 and V-Triune expect them: VLM-R1 rows as
//! `<answer>```json\n{list}\n```</answer>` (`None` as `<answer>None</answer>`, a `RAW:` value
//! without the fence), V-Triune rows as `<answer>\n{list}\n</answer>`; gold answers alike.
//! All coordinates are in one frame (0-1000), so no conversion happens.
//!
//! COCO recall points are `np.linspace(0, 1, 101)`, i.e. `i * 0.01` (the last 1.0); ten of
//! them lie just above `i / 100` (i = 35, 41, 47, 57, 69, 70, 82, 83, 94, 95), so a class
//! with 10 (or 20) gold boxes of which 7 (or 7, 14, 19) are found reaches one recall point
//! fewer than `i / 100` would give. IoU thresholds are `np.linspace(.5, .95, 10)`, the ninth
//! being 0.8999999999999999. pycocotools' precision `tp / (tp + fp + 2^-52)` makes a perfect
//! AP `1 - 2^-52`; the tolerance 1e-12 absorbs that.

use ocellus_rewards::detection::{
    IouThreshold, LabelMatch, VTriuneDetection, VTriuneRatios, VlmR1Detection, VlmR1Method,
};
use ocellus_rewards::{CoordFrame, Gold, IouConvention, Verdict, VerdictKind, Verifier};

/// What running the reference function on the row gave.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ref {
    Same,
    Differs,
    Crashes,
}
use Ref::*;

const F: CoordFrame = CoordFrame::Normalized1000;
const TOL: f64 = 1e-12;

/// One `dog` box, `A = [0, 0, 100, 100]`.
const G1: &str = r#"[{"bbox_2d":[0,0,100,100],"label":"dog"}]"#;

/// `A` dog and `B = [200, 0, 300, 100]` cat.
const G2: &str =
    r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,100],"label":"cat"}]"#;

/// `A` and `B`, both dogs.
const G2_DOGS: &str =
    r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,100],"label":"dog"}]"#;

/// `A` and the overlapping `[0, 0, 100, 90]`, both dogs.
const AB_DOGS: &str =
    r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,90],"label":"dog"}]"#;

/// The answer `None` (VLM-R1's no-object answer).
const NONE: &str = r#"None"#;

/// One `sky` box of area 2e10, above COCO's area range.
const HUGE_SKY: &str = r#"[{"bbox_2d":[0,0,200000,100000],"label":"sky"}]"#;

/// The huge `sky` box and `A` as a cat.
const HUGE_SKY_CAT: &str =
    r#"[{"bbox_2d":[0,0,200000,100000],"label":"sky"},{"bbox_2d":[0,0,100,100],"label":"cat"}]"#;

/// Two fenced lists in one answer: a far box, then `A`.
const TWO_FENCES: &str = r#"RAW:```json [{"bbox_2d":[500,500,600,600],"label":"dog"}] ``` ```json [{"bbox_2d":[0,0,100,100],"label":"dog"}] ```"#;

/// Ten 50x50 `cat` boxes in a row, 10 units apart.
const G10: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"}]"#;

/// The same ten boxes as predictions.
const P10: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"}]"#;

/// The first seven of `G10`, exactly.
const P7: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"}]"#;

/// The first three of `G10`, exactly.
const P3: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"}]"#;

/// `P7` followed by three copies of a far `cat` box.
const P7_FP3: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[900,900,950,950],"label":"cat"},{"bbox_2d":[900,900,950,950],"label":"cat"},{"bbox_2d":[900,900,950,950],"label":"cat"}]"#;

/// A far `cat` box followed by `P7`.
const FP_P7: &str = r#"[{"bbox_2d":[900,900,950,950],"label":"cat"},{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"}]"#;

/// `P10` followed by ten far `cat` boxes.
const P10_FP10: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"},{"bbox_2d":[900,900,950,950],"label":"cat"},{"bbox_2d":[901,900,950,950],"label":"cat"},{"bbox_2d":[902,900,950,950],"label":"cat"},{"bbox_2d":[903,900,950,950],"label":"cat"},{"bbox_2d":[904,900,950,950],"label":"cat"},{"bbox_2d":[905,900,950,950],"label":"cat"},{"bbox_2d":[906,900,950,950],"label":"cat"},{"bbox_2d":[907,900,950,950],"label":"cat"},{"bbox_2d":[908,900,950,950],"label":"cat"},{"bbox_2d":[909,900,950,950],"label":"cat"}]"#;

/// Twenty 50x50 `cat` boxes in two rows.
const G20: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"},{"bbox_2d":[0,100,50,150],"label":"cat"},{"bbox_2d":[60,100,110,150],"label":"cat"},{"bbox_2d":[120,100,170,150],"label":"cat"},{"bbox_2d":[180,100,230,150],"label":"cat"},{"bbox_2d":[240,100,290,150],"label":"cat"},{"bbox_2d":[300,100,350,150],"label":"cat"},{"bbox_2d":[360,100,410,150],"label":"cat"},{"bbox_2d":[420,100,470,150],"label":"cat"},{"bbox_2d":[480,100,530,150],"label":"cat"},{"bbox_2d":[540,100,590,150],"label":"cat"}]"#;

/// The first seven of `G20`.
const P7OF20: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"}]"#;

/// The first fourteen of `G20`.
const P14OF20: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"},{"bbox_2d":[0,100,50,150],"label":"cat"},{"bbox_2d":[60,100,110,150],"label":"cat"},{"bbox_2d":[120,100,170,150],"label":"cat"},{"bbox_2d":[180,100,230,150],"label":"cat"}]"#;

/// The first nineteen of `G20`.
const P19OF20: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"},{"bbox_2d":[0,100,50,150],"label":"cat"},{"bbox_2d":[60,100,110,150],"label":"cat"},{"bbox_2d":[120,100,170,150],"label":"cat"},{"bbox_2d":[180,100,230,150],"label":"cat"},{"bbox_2d":[240,100,290,150],"label":"cat"},{"bbox_2d":[300,100,350,150],"label":"cat"},{"bbox_2d":[360,100,410,150],"label":"cat"},{"bbox_2d":[420,100,470,150],"label":"cat"},{"bbox_2d":[480,100,530,150],"label":"cat"}]"#;

/// `G10` plus one `dog` box.
const G10_DOG: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[420,0,470,50],"label":"cat"},{"bbox_2d":[480,0,530,50],"label":"cat"},{"bbox_2d":[540,0,590,50],"label":"cat"},{"bbox_2d":[0,500,100,600],"label":"dog"}]"#;

/// `P7` plus the `dog` box.
const P7_DOG: &str = r#"[{"bbox_2d":[0,0,50,50],"label":"cat"},{"bbox_2d":[60,0,110,50],"label":"cat"},{"bbox_2d":[120,0,170,50],"label":"cat"},{"bbox_2d":[180,0,230,50],"label":"cat"},{"bbox_2d":[240,0,290,50],"label":"cat"},{"bbox_2d":[300,0,350,50],"label":"cat"},{"bbox_2d":[360,0,410,50],"label":"cat"},{"bbox_2d":[0,500,100,600],"label":"dog"}]"#;

/// 100 copies of a far `dog` box, then the gold box `[0, 0, 100, 100]` (101st).
const FP100_A: &str = r#"[{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#;

/// 99 copies of a far `dog` box, then the gold box (100th).
const FP99_A: &str = r#"[{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#;

/// VLM-R1's answer layout: the list in a `json` fence inside `<answer>`.
fn vlm_wrap(s: &str) -> String {
    if s == "None" {
        "<answer>None</answer>".to_string()
    } else if let Some(raw) = s.strip_prefix("RAW:") {
        format!("<answer>{raw}</answer>")
    } else {
        format!("<answer>```json\n{s}\n```</answer>")
    }
}

/// V-Triune's answer layout.
fn vt_wrap(s: &str) -> String {
    format!("<answer>\n{s}\n</answer>")
}

/// A row of the mAP table: expected `od_ap`, `od_ap50`, `od_length`.
struct MapRow {
    r: Ref,
    pred: &'static str,
    gold: &'static str,
    ap: f64,
    ap50: f64,
    len: f64,
}

fn m(r: Ref, pred: &'static str, gold: &'static str, ap: f64, ap50: f64, len: f64) -> MapRow {
    MapRow {
        r,
        pred,
        gold,
        ap,
        ap50,
        len,
    }
}

#[rustfmt::skip]
fn map_rows() -> Vec<MapRow> {
    vec![
        // --- One gold box, IoU at and around the COCO thresholds. IoU of a box inside
        // `[0, 0, 100, 100]` and sharing three edges is its area / 10000; it passes threshold t
        // iff IoU >= t (evaluateImg skips only `ious < iou`). Passing n of the 10 thresholds
        // gives AP 1 at those (precision 1/(1+eps) at recall 1) and 0 elsewhere: mAP n/10.
        m(Same, G1, G1, 1.0, 1.0, 1.0),
        m(Same, r#"[{"bbox_2d":[0,0,100,50],"label":"dog"}]"#, G1, 0.1, 1.0, 0.1), // IoU 0.5: only t = 0.5
        m(Same, r#"[{"bbox_2d":[0,0,100,49],"label":"dog"}]"#, G1, 0.0, 0.0, 0.0), // IoU 0.49: none
        m(Same, r#"[{"bbox_2d":[0,0,100,75],"label":"dog"}]"#, G1, 0.6, 1.0, 0.6), // IoU 0.75: 0.5..0.75, six
        m(Same, r#"[{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, G1, 0.7, 1.0, 0.7), // IoU 0.8: seven
        m(Same, r#"[{"bbox_2d":[0,0,100,85],"label":"dog"}]"#, G1, 0.8, 1.0, 0.8), // IoU 0.85 == linspace's 0.85: eight
        m(Same, r#"[{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, G1, 0.9, 1.0, 0.9), // IoU 0.9 >= 0.8999999999999999: nine
        m(Same, r#"[{"bbox_2d":[0,0,100,94],"label":"dog"}]"#, G1, 0.9, 1.0, 0.9), // IoU 0.94 < 0.95: nine
        m(Same, r#"[{"bbox_2d":[0,0,100,95],"label":"dog"}]"#, G1, 1.0, 1.0, 1.0), // IoU 0.95 == 0.95: all ten
        // IoU exactly 0.8999999999999999 (w = 1, h = that double, union (h + 1) - h = 1): it
        // passes the ninth threshold, which is that same double; a decimal 0.9 would give 0.8.
        m(Same, r#"[{"bbox_2d":[0,0,1,0.8999999999999999],"label":"a"}]"#, r#"[{"bbox_2d":[0,0,1,1],"label":"a"}]"#, 0.9, 1.0, 0.9),
        // Shifted by 10: 9000 / (20000 - 9000) = 9/11 = 0.818: seven thresholds.
        m(Same, r#"[{"bbox_2d":[10,0,110,100],"label":"dog"}]"#, G1, 0.7, 1.0, 0.7),
        // --- Empty lists (map_reward: both empty 1, one empty 0; od_reward: both "None" 1).
        m(Same, r#"[]"#, G1, 0.0, 0.0, 0.0),
        m(Same, r#"[]"#, r#"[]"#, 1.0, 1.0, 1.0),
        m(Same, G1, r#"[]"#, 0.0, 0.0, 0.0),
        m(Same, NONE, NONE, 1.0, 1.0, 1.0),
        m(Same, NONE, G1, 0.0, 0.0, 0.0),
        // --- 10 and 20 gold boxes of one class, k found exactly, in order: precision 1 up to
        // recall k/n, so AP = (number of recall points i*0.01 <= k/n) / 101. The points 0.35,
        // 0.70 and 0.95 are linspace values just above k/n for (k, n) = (7, 20), (7, 10) or
        // (14, 20), (19, 20): they are not reached, unlike i/100.
        m(Same, P7, G10, 70.0 / 101.0, 70.0 / 101.0, 70.0 / 101.0), // recall 0.7: points 0..0.69, 70 of them
        m(Same, P10, G10, 1.0, 1.0, 1.0),
        m(Same, P3, G10, 31.0 / 101.0, 31.0 / 101.0, 31.0 / 101.0), // recall 0.3 == 30 * 0.01: 31 points
        m(Same, P7OF20, G20, 35.0 / 101.0, 35.0 / 101.0, 35.0 / 101.0), // recall 0.35 < 35 * 0.01: 35 points
        m(Same, P14OF20, G20, 70.0 / 101.0, 70.0 / 101.0, 70.0 / 101.0), // recall 0.7: 70 points
        m(Same, P19OF20, G20, 95.0 / 101.0, 95.0 / 101.0, 95.0 / 101.0), // recall 0.95 < 95 * 0.01: 95 points
        // Trailing false positives leave the curve up to recall 0.7 alone; odLength: 10 <= 10.
        m(Same, P7_FP3, G10, 70.0 / 101.0, 70.0 / 101.0, 70.0 / 101.0),
        // A false positive first: precision k/(k+1) at the k-th hit, made non-increasing from
        // the right it is 7/8 everywhere up to recall 0.7 (recall point 0 reads index 0).
        m(Same, FP_P7, G10, 70.0 * 7.0 / 8.0 / 101.0, 70.0 * 7.0 / 8.0 / 101.0, 70.0 * 7.0 / 8.0 / 101.0),
        // --- Duplicates, order, several and off categories, labels.
        m(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G1, 1.0, 1.0, 0.5), // duplicate is a trailing FP; odLength 1/2
        m(Same, r#"[{"bbox_2d":[500,500,600,600],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G1, 0.5, 0.5, 0.25), // FP then TP: precision 1/2 at every recall point
        m(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G2, 0.5, 0.5, 0.5), // dog 1, cat 0 (gold, no prediction): mean 1/2
        m(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,100],"label":"zebra"}]"#, G1, 1.0, 1.0, 0.5), // zebra dropped from mAP, counted by odLength
        m(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"zebra"}]"#, G1, 0.0, 0.0, 0.0), // nothing left: calculate_map returns 0
        m(Same, r#"[{"bbox_2d":[0,0,100,100]}]"#, G1, 0.0, 0.0, 0.0), // unlabelled: dropped (KeyError in the bare except)
        m(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,100]}]"#, G1, 1.0, 1.0, 0.5),
        m(Same, P7_DOG, G10_DOG, (70.0 / 101.0 + 1.0) / 2.0, (70.0 / 101.0 + 1.0) / 2.0, (70.0 / 101.0 + 1.0) / 2.0), // cat 70/101, dog 1: mean over (t, r, k)
        m(Differs, r#"[{"bbox_2d":[0,0,100,100],"label":"Dog"}]"#, G1, 1.0, 1.0, 1.0), // deviation 3: folded labels (VLM-R1: "Dog" is off-category, 0)
        m(Differs, r#"[{"bbox_2d":[0,0,100,100],"label":" dog "}]"#, G1, 1.0, 1.0, 1.0), // deviation 3 (VLM-R1: 0)
        m(Differs, r#"[{'bbox_2d':[0,0,100,100],'label':'dog'}]"#, G1, 1.0, 1.0, 1.0), // deviation 2: Python quotes read (json.loads fails there: 0)
        // --- Matching rules of evaluateImg.
        // Tie: p0 = [1,0,11,10] has IoU 90/110 with both gold boxes; the later one (B) wins
        // (`<` only skips worse), so p1 = A matches A. t <= 0.8: both TP, AP 1 (7 thresholds);
        // t >= 0.85: p0 (9/11) misses, [FP, TP] with 2 golds: precision 1/2 up to recall 1/2,
        // i.e. 51 recall points: 25.5/101 (3 thresholds).
        m(Same, r#"[{"bbox_2d":[1,0,11,10],"label":"a"},{"bbox_2d":[0,0,10,10],"label":"a"}]"#, r#"[{"bbox_2d":[0,0,10,10],"label":"a"},{"bbox_2d":[2,0,12,10],"label":"a"}]"#, (7.0 + 3.0 * 25.5 / 101.0) / 10.0, 1.0, (7.0 + 3.0 * 25.5 / 101.0) / 10.0),
        // Per prediction in order, not max-IoU-first: p0 = [0,0,100,95] takes A (0.95 beats
        // 9000/9500 with B); p1 = A is left with B at IoU 0.9: TP for nine thresholds, a FP at
        // 0.95, where [TP, FP] gives precision 1 up to recall 1/2: 51/101.
        m(Same, r#"[{"bbox_2d":[0,0,100,95],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, (9.0 + 51.0 / 101.0) / 10.0, 1.0, (9.0 + 51.0 / 101.0) / 10.0),
        // --- Area range "all" = [0, 1e10] and maxDets = 100.
        m(Same, HUGE_SKY_CAT, HUGE_SKY_CAT, 1.0, 1.0, 1.0), // sky gold area 2e10: ignored, category left out; cat 1
        m(Differs, HUGE_SKY, HUGE_SKY, 0.0, 0.0, 0.0), // deviation 7: every gold ignored, pycocotools -1
        // An unmatched prediction of area 2e10 is ignored, not a false positive: AP 1, not 1/2.
        m(Same, r#"[{"bbox_2d":[1000,1000,201000,101000],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G1, 1.0, 1.0, 0.5),
        m(Same, FP100_A, G1, 0.0, 0.0, 0.0), // the hit is the 101st prediction: cut by maxDets
        // The hit is the 100th: precision 1/100 at recall 1, carried left to every recall point;
        // odLength x 1/100.
        m(Same, FP99_A, G1, 0.01, 0.01, 0.0001),
    ]
}

/// A row of the weighted-sum table.
struct WsRow {
    r: Ref,
    pred: &'static str,
    gold: &'static str,
    want: f64,
}

fn w(r: Ref, pred: &'static str, gold: &'static str, want: f64) -> WsRow {
    WsRow {
        r,
        pred,
        gold,
        want,
    }
}

#[rustfmt::skip]
fn weighted_sum_rows() -> Vec<WsRow> {
    vec![
        // score = 0.7 position + 0.3 completeness, position = Σ IoU / N_gt, completeness =
        // 1 - (miss + false_alarm) / 2; VLM-R1's iou(): intersection counted only when
        // max(x1) < min(x2) - 1 (likewise y), then equal to the continuous one.
        w(Same, G1, G1, 1.0),
        w(Same, r#"[{"bbox_2d":[0,0,100,50],"label":"dog"}]"#, G1, 0.7 * 0.5 + 0.3), // (99-0+1)(49-0+1)/10000 = 0.5 >= 0.5
        w(Same, r#"[{"bbox_2d":[0,0,100,49],"label":"dog"}]"#, G1, 0.0), // 0.49: no match, miss 1, false alarm 1
        // Width-1 boxes: min(x2) - 1 = 0 is not > max(x1) = 0, so even identical boxes have
        // IoU 0 (the continuous IoU is 1).
        w(Same, r#"[{"bbox_2d":[0,0,1,10],"label":"a"}]"#, r#"[{"bbox_2d":[0,0,1,10],"label":"a"}]"#, 0.0),
        w(Same, r#"[{"bbox_2d":[0,0,2,10],"label":"a"}]"#, r#"[{"bbox_2d":[0,0,2,10],"label":"a"}]"#, 1.0), // width 2: max(x1) = 0 < min(x2) - 1 = 1: 20 / 20
        // One-unit overlap in x: continuous 100/200 = 0.5 would match; VLM-R1 counts none.
        w(Same, r#"[{"bbox_2d":[1,0,2,100],"label":"a"}]"#, r#"[{"bbox_2d":[0,0,2,100],"label":"a"}]"#, 0.0),
        w(Same, r#"[{"bbox_2d":[0.5,0.5,10.5,10.5],"label":"a"}]"#, r#"[{"bbox_2d":[0.5,0.5,10.5,10.5],"label":"a"}]"#, 1.0), // (9.5-0.5+1)^2 / 100
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"cat"}]"#, G1, 0.3), // matched with IoU 0, completeness 1
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"Dog"}]"#, G1, 1.0), // lower-cased on both sides
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"zebra"}]"#, G1, 0.3), // off-category: a wrong label
        w(Differs, r#"[{"bbox_2d":[0,0,100,100],"label":" dog"}]"#, G1, 1.0), // deviation 3: trimmed (VLM-R1: 0.3)
        w(Crashes, r#"[{"bbox_2d":[0,0,100,100]}]"#, G1, 0.3), // deviation 9: UnboundLocalError there; ours a mismatch
        // Deviation 9: the second match reuses the first one's label "dog" there (score 1);
        // ours: IoU 1 + 0 over 2 golds, completeness 1.
        w(Differs, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,100]}]"#, G2_DOGS, 0.7 * 0.5 + 0.3),
        // --- Empty and "none".
        w(Same, r#"[]"#, r#"[]"#, 1.0),
        w(Same, G1, r#"[]"#, 0.0),
        w(Same, r#"[]"#, G1, 0.0),
        w(Same, NONE, NONE, 1.0),
        w(Same, NONE, G1, 0.0),
        w(Differs, r#"[]"#, NONE, 1.0), // deviation 10: only the literal "none" pays there (0)
        // --- Counts.
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"}]"#, G1, 0.7 + 0.3 * 0.75), // false alarm 1/2
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G1, 0.7 + 0.3 * 0.75), // a duplicate is a false alarm
        w(Same, P7, G10, 0.7 * 0.7 + 0.3 * (1.0 - 0.3 / 2.0)), // position 7/10, miss 3/10
        w(Same, P7OF20, G20, 0.7 * 0.35 + 0.3 * (1.0 - 0.65 / 2.0)), // position 7/20, miss 13/20
        w(Same, P10_FP10, G10, 0.7 + 0.3 * 0.75), // all found, false alarm 10/20
        // --- Matching order.
        // Max-IoU-first: (p1, B) at IoU 1 first, then (p0, A) at 0.8: position 0.9. (Per
        // prediction in order, p0 would take B at 8/9 and p1 A at 0.9.)
        w(Same, r#"[{"bbox_2d":[0,0,100,80],"label":"dog"},{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, 0.7 * 0.9 + 0.3),
        // Tie between gold boxes (IoU 90/110 with both): the lower gold index, labelled x,
        // wins: a mismatch, IoU 0; miss 1/2, false alarm 0.
        w(Same, r#"[{"bbox_2d":[1,0,11,10],"label":"y"}]"#, r#"[{"bbox_2d":[0,0,10,10],"label":"x"},{"bbox_2d":[2,0,12,10],"label":"y"}]"#, 0.3 * 0.75),
        // Tie between predictions: the lower prediction index (label y) wins: IoU 0; the x box
        // is a false alarm.
        w(Same, r#"[{"bbox_2d":[0,0,10,10],"label":"y"},{"bbox_2d":[0,0,10,10],"label":"x"}]"#, r#"[{"bbox_2d":[0,0,10,10],"label":"x"}]"#, 0.3 * 0.75),
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"cat"},{"bbox_2d":[200,0,300,100],"label":"dog"}]"#, G2, 0.3), // labels swapped: both IoU 0
        w(Same, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,50],"label":"cat"}]"#, G2, 0.7 * 0.75 + 0.3), // IoUs 1 and 0.5
        // --- Reading (deviation 2): Python quotes, a bare-box gold (which VLM-R1 cannot index,
        // IoU 0 there), two fenced blocks (VLM-R1 takes the first, a far box: 0).
        w(Differs, r#"[{'bbox_2d':[0,0,100,100],'label':'dog'}]"#, G1, 1.0),
        w(Differs, G1, r#"[[0,0,100,100]]"#, 1.0),
        w(Differs, TWO_FENCES, G1, 0.7 + 0.3 * 0.75),
    ]
}

/// A row of the V-Triune table: threshold and ratio specs (see the table's first comment).
struct VtRow {
    r: Ref,
    threshold: &'static str,
    ratios: &'static str,
    pred: &'static str,
    gold: &'static str,
    want: f64,
}

fn v(
    r: Ref,
    threshold: &'static str,
    ratios: &'static str,
    pred: &'static str,
    gold: &'static str,
    want: f64,
) -> VtRow {
    VtRow {
        r,
        threshold,
        ratios,
        pred,
        gold,
        want,
    }
}

#[rustfmt::skip]
fn vtriune_rows() -> Vec<VtRow> {
    vec![
        // weighted = 0.7 mean_iou + 0.3 completeness (w_c = 0.3), x 0.6^|N_pred - N_gt|;
        // continuous IoU. Thresholds: a number is fixed; "dyn:r" is the dynamic schedule at
        // progress r (0.85 if r <= 0.1, 0.95 if r <= 0.25, else 0.99); "average" is the mean
        // over the 11 of VTRIUNE_THRESHOLDS. Ratios: "iou" = {iou_max_iou_first: 1}, "label" =
        // {iou_max_label_first: 1}, "map" / "map50" / "map75" = that term alone, "mix" =
        // {iou_max_iou_first: 0.5, map: 0.5}.
        v(Same, "0.5", "iou", G1, G1, 1.0),
        v(Same, "dyn:0.05", "iou", r#"[{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, G1, 0.7 * 0.9 + 0.3), // eps 0.85
        v(Same, "dyn:0.1", "iou", r#"[{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, G1, 0.7 * 0.9 + 0.3), // 0.1 <= 0.1: 0.85
        v(Same, "dyn:0.2", "iou", r#"[{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, G1, 0.0), // eps 0.95: miss 1, false alarm 1
        v(Same, "dyn:0.25", "iou", r#"[{"bbox_2d":[0,0,100,95],"label":"dog"}]"#, G1, 0.7 * 0.95 + 0.3), // IoU 0.95 >= 0.95
        v(Same, "dyn:0.2500001", "iou", r#"[{"bbox_2d":[0,0,100,95],"label":"dog"}]"#, G1, 0.0), // eps 0.99
        v(Same, "dyn:0.5", "iou", r#"[{"bbox_2d":[0,0,100,99],"label":"dog"}]"#, G1, 0.7 * 0.99 + 0.3),
        v(Same, "dyn:0.5", "iou", r#"[{"bbox_2d":[0,0,100,98],"label":"dog"}]"#, G1, 0.0), // 0.98 < 0.99
        v(Same, "0.99", "iou", r#"[{"bbox_2d":[0,0,100,99],"label":"dog"}]"#, G1, 0.7 * 0.99 + 0.3),
        v(Same, "average", "iou", r#"[{"bbox_2d":[0,0,100,90],"label":"dog"}]"#, G1, 9.0 * (0.7 * 0.9 + 0.3) / 11.0), // matched at 0.5..0.9
        v(Same, "average", "iou", G1, G1, 1.0),
        v(Same, "average", "iou", r#"[{"bbox_2d":[0,0,100,50],"label":"dog"}]"#, G1, (0.7 * 0.5 + 0.3) / 11.0), // only at 0.5
        // --- Size penalty and completeness.
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"}]"#, G1, (0.7 + 0.3 * 0.75) * 0.6),
        v(Same, "average", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"}]"#, G1, (0.7 + 0.3 * 0.75) * 0.6),
        // Miss 1/2. Deviation 11: there the lone prediction is paired with the last gold box
        // (B, a cat) and scores IoU 0: 0.3 x 0.75 x 0.6 = 0.135.
        v(Differs, "0.5", "iou", G1, G2, (0.7 * 0.5 + 0.3 * 0.75) * 0.6),
        // False alarm 1/3. Deviation 11: there X (last) is paired with B and credited 1, then
        // the B prediction (now last) with A, IoU 0: (0.7 x 0.5 + 0.3 x 5/6) x 0.6 = 0.36.
        v(Differs, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[200,0,300,100],"label":"cat"},{"bbox_2d":[500,500,600,600],"label":"cat"}]"#, G2, (0.7 + 0.3 * (1.0 - 1.0 / 6.0)) * 0.6),
        // --- De-duplication by exact position, on both sides, first kept.
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G1, 1.0),
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"cat"}]"#, G1, 1.0),
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"cat"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G1, 0.3), // cat kept: IoU 0
        v(Same, "0.5", "iou", G1, r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, 1.0),
        // --- Labels (V-Triune lower-cases both answers).
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"cat"}]"#, G1, 0.3),
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"DOG"}]"#, G1, 1.0),
        v(Differs, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100]}]"#, G1, 0.3), // deviation 13: kept, a mismatch (dropped there: 0)
        // --- Max-IoU-first and its reference bug (deviation 11).
        v(Same, "0.5", "iou", G2, G2, 1.0), // the last-last pair is also the best pair here
        // The first round pairs the last prediction (far X) with the last gold (B), credited
        // IoU 1 there (score 1). Ours: A matched, X a false alarm, B a miss.
        v(Differs, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,100],"label":"dog"},{"bbox_2d":[500,500,600,600],"label":"dog"}]"#, G2_DOGS, 0.7 * 0.5 + 0.3 * 0.5),
        // Reversed order: there the pair (A dog, B cat) is taken with IoU 0 and then nothing
        // (0.15); ours matches both.
        v(Differs, "0.5", "iou", r#"[{"bbox_2d":[200,0,300,100],"label":"cat"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G2, 1.0),
        // (p0, B) at 1 then (p1, A) at 0.8: mean 0.9 (there: 1 and then 0.9 credited, 0.965).
        v(Differs, "0.5", "iou", r#"[{"bbox_2d":[0,0,100,90],"label":"dog"},{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, AB_DOGS, 0.7 * 0.9 + 0.3),
        // --- Max-label-first: gold A takes its best same-label prediction p0 (0.9), gold B
        // then p1 (8000/9000).
        v(Same, "0.5", "label", r#"[{"bbox_2d":[0,0,100,90],"label":"dog"},{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, AB_DOGS, 0.7 * (0.9 + 8.0 / 9.0) / 2.0 + 0.3),
        v(Same, "0.5", "label", r#"[{"bbox_2d":[0,0,100,100],"label":"cat"}]"#, G1, 0.0), // no same-label candidate: miss 1, false alarm 1
        v(Same, "0.5", "label", r#"[{"bbox_2d":[200,0,300,100],"label":"cat"},{"bbox_2d":[0,0,100,100],"label":"dog"}]"#, G2, 1.0),
        // --- mAP terms (pycocotools; IoU 0.8 passes 7 of 10 thresholds).
        v(Same, "0.5", "map", r#"[{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, G1, 0.7),
        v(Same, "0.5", "map50", r#"[{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, G1, 1.0),
        v(Same, "0.5", "map75", r#"[{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, G1, 1.0),
        v(Same, "0.5", "map75", r#"[{"bbox_2d":[0,0,100,70],"label":"dog"}]"#, G1, 0.0), // 0.7 < 0.75
        v(Same, "0.5", "mix", r#"[{"bbox_2d":[0,0,100,80],"label":"dog"}]"#, G1, ((0.7 * 0.8 + 0.3) * 0.5 + 0.7 * 0.5) / 1.0),
        v(Same, "0.5", "map50", P7, G10, 70.0 / 101.0 * 0.6 * 0.6 * 0.6), // recall 0.7: 70 points; |7 - 10| = 3
        v(Same, "0.5", "map50", P7OF20, G20, 35.0 / 101.0 * 0.0013060694016), // 0.6^13 = 6^13 / 10^13
        v(Same, "0.5", "map", r#"[{"bbox_2d":[0,0,100,100],"label":"zebra"}]"#, G1, 0.0), // no prediction in a gold category
        // --- Reading.
        v(Same, "0.5", "iou", r#"[{'bbox_2d':[0,0,100,100],'label':'dog'}]"#, G1, 1.0), // quotes replaced there too
        v(Same, "0.5", "iou", r#"[{"bbox_2d":[100,0,0,100],"label":"dog"}]"#, G1, 0.0), // inverted: malformed here, dropped there
        v(Same, "0.5", "iou", r#"[]"#, G1, 0.0),
        v(Same, "0.5", "iou", G1, r#"[]"#, 0.0), // gold unparseable here; "Check GT!" and 0 there
        v(Differs, "0.5", "iou", r#"[[0,0,100,100]]"#, r#"[[0,0,100,100]]"#, 1.0), // deviation 2: "[[" -> "[" breaks bare lists there (0)
    ]
}

fn check(name: &str, i: usize, r: Ref, got: &Verdict, want: f64, failures: &mut Vec<String>) {
    let ok = got.kind() != VerdictKind::Internal
        && got.score().is_finite()
        && (got.score() - want).abs() <= TOL;
    if !ok {
        failures.push(format!("{name} row {i} ({r:?}): want {want}, got {got}"));
    }
}

#[test]
fn vlmr1_map_table() {
    let rows = map_rows();
    assert!(rows.len() >= 30);
    let mut failures = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let gold = Gold::new(vlm_wrap(row.gold)).with_frame(F);
        let c = vlm_wrap(row.pred);
        for (method, want, name) in [
            (VlmR1Method::OdAp, row.ap, "od_ap"),
            (VlmR1Method::OdAp50, row.ap50, "od_ap50"),
            (VlmR1Method::OdLength, row.len, "od_length"),
        ] {
            let got = VlmR1Detection::new(method).verify(&c, &gold);
            check(name, i, row.r, &got, want, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn vlmr1_weighted_sum_table() {
    let rows = weighted_sum_rows();
    assert!(rows.len() >= 30);
    let v = VlmR1Detection::new(VlmR1Method::WeightedSum);
    let mut failures = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let gold = Gold::new(vlm_wrap(row.gold)).with_frame(F);
        let got = v.verify(&vlm_wrap(row.pred), &gold);
        check("det_weighted_sum", i, row.r, &got, row.want, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn vtriune_for(threshold: &str, ratios: &str) -> (VTriuneDetection, Option<f64>) {
    let (th, progress) = match threshold {
        "average" => (IouThreshold::Average, None),
        t => match t.strip_prefix("dyn:") {
            Some(p) => (IouThreshold::Dynamic, Some(p.parse::<f64>().unwrap())),
            None => (IouThreshold::Fixed(t.parse().unwrap()), None),
        },
    };
    let zero = VTriuneRatios {
        iou_max_iou_first: 0.0,
        iou_max_label_first: 0.0,
        map: 0.0,
        map50: 0.0,
        map75: 0.0,
    };
    let ratios = match ratios {
        "iou" => VTriuneRatios::default(),
        "label" => VTriuneRatios {
            iou_max_label_first: 1.0,
            ..zero
        },
        "map" => VTriuneRatios { map: 1.0, ..zero },
        "map50" => VTriuneRatios { map50: 1.0, ..zero },
        "map75" => VTriuneRatios { map75: 1.0, ..zero },
        "mix" => VTriuneRatios {
            iou_max_iou_first: 0.5,
            map: 0.5,
            ..zero
        },
        other => panic!("unknown ratio spec {other}"),
    };
    let v = VTriuneDetection {
        threshold: th,
        ratios,
        ..VTriuneDetection::default()
    };
    (v, progress)
}

#[test]
fn vtriune_table() {
    let rows = vtriune_rows();
    assert!(rows.len() >= 30);
    let mut failures = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let (v, progress) = vtriune_for(row.threshold, row.ratios);
        let mut gold = Gold::new(vt_wrap(row.gold)).with_frame(F);
        if let Some(p) = progress {
            gold = gold.with_progress(p);
        }
        let got = v.verify(&vt_wrap(row.pred), &gold);
        check("vtriune_detection", i, row.r, &got, row.want, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The options that reproduce the reference where the defaults deliberately differ.
#[test]
fn reference_conventions_are_options() {
    let gold = Gold::new(vlm_wrap(G1)).with_frame(F);
    let upper = vlm_wrap(r#"[{"bbox_2d":[0,0,100,100],"label":"Dog"}]"#);
    // VLM-R1's mAP compares labels exactly: "Dog" is off-category there.
    let exact = VlmR1Detection {
        labels: LabelMatch::Exact,
        ..VlmR1Detection::new(VlmR1Method::OdAp)
    };
    assert_eq!(exact.verify(&upper, &gold).score(), 0.0);
    assert!(VlmR1Detection::new(VlmR1Method::OdAp)
        .verify(&upper, &gold)
        .is_correct());
    // VLM-R1 and V-Triune lower-case without trimming: " dog" is a wrong label there.
    let spaced = r#"[{"bbox_2d":[0,0,100,100],"label":" dog"}]"#;
    let lower = VlmR1Detection {
        labels: LabelMatch::Lowercase,
        ..VlmR1Detection::new(VlmR1Method::WeightedSum)
    };
    assert!((lower.verify(&vlm_wrap(spaced), &gold).score() - 0.3).abs() < TOL);
    let vt = VTriuneDetection {
        threshold: IouThreshold::Fixed(0.5),
        labels: LabelMatch::Lowercase,
        ..VTriuneDetection::default()
    };
    let vgold = Gold::new(vt_wrap(G1)).with_frame(F);
    assert!((vt.verify(&vt_wrap(spaced), &vgold).score() - 0.3).abs() < TOL);
    // The weighted sum's IoU convention is an option: with the continuous IoU, identical
    // width-1 boxes match (IoU 1) where VLM-R1's iou() gives 0.
    let thin = vlm_wrap(r#"[{"bbox_2d":[0,0,1,10],"label":"a"}]"#);
    let thin_gold = Gold::new(thin.clone()).with_frame(F);
    let ws = VlmR1Detection::new(VlmR1Method::WeightedSum);
    assert_eq!(ws.convention, IouConvention::VlmR1);
    assert_eq!(ws.verify(&thin, &thin_gold).score(), 0.0);
    let cont = VlmR1Detection {
        convention: IouConvention::Continuous,
        ..ws
    };
    assert!(cont.verify(&thin, &thin_gold).is_correct());
}
