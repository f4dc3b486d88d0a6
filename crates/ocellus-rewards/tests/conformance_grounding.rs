//! Conformance of the grounding verifiers with the reference code they name.
//!
//! Every expected value below was worked out by hand from the reference's formula (the
//! comment on each non-trivial row shows the arithmetic), then cross-checked by running the
//! reference Python functions themselves on the same rows (a scratch script, not in the repo):
//! - `iou_vlmr1`: VLM-R1 `src/open-r1-multimodal/src/open_r1/vlm_modules/qwen_module.py`,
//!   `Qwen2VLModule.iou_reward` and its `iou()` (om-ai-lab/VLM-R1 @ 90052f4);
//! - `iou`: torchvision `torchvision/ops/boxes.py::box_iou` (pytorch/vision @ 01b12c6), the
//!   continuous COCO convention (pycocotools `maskUtils.iou` agrees to 1e-12 on these rows);
//! - `gta1_click`: GTA1 `src/grpo_grounding.py`, `parse_coordinates` + `click_reward`
//!   (Yan98/GTA1 @ 81f0c4c), gold boxes in 0-1000, `solution = [box, h / 1000, w / 1000]`;
//! - `gui_g1`: GUI-G1 `src/open-r1-multimodal/src/open_r1/grpo_rec.py`, `hit_reward` +
//!   `iou_reward` + `box_reward` (Yuqi-Zhou/GUI-G1 @ e581fe9), `W`, `H` = the image size.
//!
//! Each row also says what the reference gives: [`Ref::Same`] (our score, a malformed verdict
//! counting as the reference's 0), [`Ref::Differs`] (a deliberate departure listed in the
//! module docs of `grounding.rs`; the test checks that it really differs), [`Ref::Fails`] (the
//! reference has no finite value) or [`Ref::Ours`] (input the reference never sees: another
//! frame, a gold row it could not load).

use ocellus_rewards::grounding::{BoxIou, ClickParse, ClickTest, Gta1Click, GuiG1, MultiBox};
use ocellus_rewards::{CoordFrame, Gold, IouConvention, VerdictKind, Verifier};

/// What our verifier must return.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// A scored verdict with this score (Correct at full credit, Incorrect at 0, else Partial).
    S(f64),
    /// [`VerdictKind::Malformed`] (reward 0).
    M,
    /// [`VerdictKind::GoldUnparseable`] (reward 0, skipped by `score_or_skip`).
    G,
}
use Want::*;

/// What the reference returns on the row.
#[derive(Clone, Copy, Debug)]
enum Ref {
    Same,
    Differs(f64),
    Fails(&'static str),
    Ours,
}
use Ref::*;

type Frames = (CoordFrame, CoordFrame);
type Row = (&'static str, &'static str, Frames, Want, Ref);

fn check(v: &dyn Verifier, rows: &[Row], min_rows: usize) {
    assert!(
        rows.len() >= min_rows,
        "{} has only {} rows",
        v.name(),
        rows.len()
    );
    let full = v.score_range().1;
    for (i, &(completion, gold, (af, gf), want, reference)) in rows.iter().enumerate() {
        let g = Gold::new(gold).with_frames(af, gf);
        let got = v.verify(completion, &g);
        let ctx = format!("{} row {i}: {completion:?} vs {gold:?}: {got}", v.name());
        match want {
            S(s) => {
                let kind = if s >= full - 1e-9 {
                    VerdictKind::Correct
                } else if s <= 1e-9 {
                    VerdictKind::Incorrect
                } else {
                    VerdictKind::Partial
                };
                assert_eq!(got.kind(), kind, "{ctx}");
                assert!((got.score() - s).abs() <= 1e-12, "{ctx}: want {s}");
            }
            M => assert_eq!(got.kind(), VerdictKind::Malformed, "{ctx}"),
            G => assert_eq!(got.kind(), VerdictKind::GoldUnparseable, "{ctx}"),
        }
        match reference {
            Differs(r) => assert!(
                (got.score() - r).abs() > 1e-9,
                "{ctx}: documented departure (reference {r}) not seen"
            ),
            Fails(why) => assert!(got.score().is_finite(), "{ctx}: reference: {why}"),
            Same | Ours => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Frames.

/// One pixel frame for both sides: no rescaling.
const PX: CoordFrame = CoordFrame::AbsoluteOriginal {
    width: 1000.0,
    height: 1000.0,
};
const SAME: Frames = (PX, PX);
/// VLM-R1: the policy answers in pixels of the 840x476 model input, the gold is in pixels of
/// the 1680x952 original: `x / 840 * 1680` is exact for the integers used here.
const R2: Frames = (
    CoordFrame::AbsoluteResized {
        width: 840.0,
        height: 476.0,
        original_width: 1680.0,
        original_height: 952.0,
    },
    CoordFrame::AbsoluteOriginal {
        width: 1680.0,
        height: 952.0,
    },
);
/// VLM-R1 with input size = original size: it still computes `x / 644 * 644`, and
/// `8 / 644 * 644 = 7.999999999999999`, `100 / 644 * 644 = 99.99999999999999`.
const E644: Frames = (
    CoordFrame::AbsoluteResized {
        width: 644.0,
        height: 644.0,
        original_width: 644.0,
        original_height: 644.0,
    },
    CoordFrame::AbsoluteOriginal {
        width: 644.0,
        height: 644.0,
    },
);
const O644: Frames = (E644.1, E644.1);
const N01: Frames = (CoordFrame::Normalized01, CoordFrame::Normalized01);

const A: &str = "<answer>[100, 100, 200, 200]</answer>";

// ---------------------------------------------------------------------------------------------
// iou_vlmr1: qwen_module.py iou(): inter_x1 = max(x1), inter_x2 = min(x2 - 1), counted only
// when inter_x1 < inter_x2 (and y), inter = (inter_x2 - inter_x1 + 1) (...), union = areas
// (x2 - x1)(y2 - y1) summed minus inter. Gold A has area 100 * 100 = 10000.

#[rustfmt::skip]
const VLMR1_ROWS: &[Row] = &[
    ("<answer>[100, 100, 200, 200]</answer>", A, SAME, S(1.0), Same),
    // inter (199-100+1)(149-100+1) = 5000; union 5000 + 10000 - 5000.
    ("<answer>[100, 100, 200, 150]</answer>", A, SAME, S(0.5), Same),
    // One-unit overlap: inter_x1 = 199, inter_x2 = min(298, 199) = 199, not <: none.
    ("<answer>[199, 100, 299, 200]</answer>", A, SAME, S(0.0), Same),
    ("<answer>[100, 199, 200, 299]</answer>", A, SAME, S(0.0), Same),
    // Two units: 198 < 199, inter (199-198+1)(100) = 200; union 19800.
    ("<answer>[198, 100, 298, 200]</answer>", A, SAME, S(200.0 / 19800.0), Same),
    // Touching edge.
    ("<answer>[200, 100, 300, 200]</answer>", A, SAME, S(0.0), Same),
    // Nested 50x30: inter (169-120+1)(159-130+1) = 1500; union 1500 + 10000 - 1500.
    ("<answer>[120, 130, 170, 160]</answer>", A, SAME, S(0.15), Same),
    // Containing 200x200: inter 10000; union 40000 + 10000 - 10000.
    ("<answer>[50, 50, 250, 250]</answer>", A, SAME, S(0.25), Same),
    ("<answer>[300, 300, 400, 400]</answer>", A, SAME, S(0.0), Same),
    // Zero-area prediction: inter_x1 = 150 !< min(149, 199): 0 / (0 + 10000).
    ("<answer>[150, 150, 150, 150]</answer>", A, SAME, S(0.0), Same),
    // inter (199-150+1)^2 = 2500; union 10000 + 10000 - 2500.
    ("<answer>[150, 150, 250, 250]</answer>", A, SAME, S(2500.0 / 17500.0), Same),
    // inter 10000; union 1e6 + 10000 - 10000.
    ("<answer>[0, 0, 1000, 1000]</answer>", A, SAME, S(0.01), Same),
    (r#"<answer>{"bbox_2d": [100, 100, 200, 150], "label": "cup"}</answer>"#, A, SAME, S(0.5), Same),
    ("<think>The cup is on the left.</think>\n<answer>[100, 100, 200, 150]</answer>", A, SAME, S(0.5), Same),
    ("<answer>[100,100,200,150]</answer>", A, SAME, S(0.5), Same),
    // \s* after each comma takes newlines, tabs and Unicode spaces.
    ("<answer>[100,\n100,\t200,  150]</answer>", A, SAME, S(0.5), Same),
    ("<answer>[100,\u{3000}100,\u{a0}200, 150]</answer>", A, SAME, S(0.5), Same),
    ("<answer>The cup is at [100, 100, 200, 150].</answer>", A, SAME, S(0.5), Same),
    ("<answer>\n  [100, 100, 200, 150]\n</answer>", A, SAME, S(0.5), Same),
    // Gold from json.loads may be fractional: inter (199-100.5+1)(100) = 9950; union 10000.
    (A, "<answer>[100.5, 100, 200, 200]</answer>", SAME, S(0.995), Same),
    (A, "[100, 100, 200, 200]", SAME, S(1.0), Same),
    // Inverted: reference inter 0, union (-100)(-100) + 10000, 0.0.
    ("<answer>[200, 200, 100, 100]</answer>", A, SAME, M, Same),
    ("<answer></answer>", A, SAME, M, Same),
    ("[100, 100, 200, 200]", A, SAME, M, Same),
    ("", A, SAME, M, Same),
    ("<answer>somewhere on the left</answer>", A, SAME, M, Same),
    // Rescaled x / 840 * 1680: [200, 200, 400, 400] exactly.
    ("<answer>[100, 100, 200, 200]</answer>", "[200, 200, 400, 400]", R2, S(1.0), Same),
    // -> [200, 200, 400, 300]: inter (399-200+1)(299-200+1) = 20000; union 40000.
    ("<answer>[100, 100, 200, 150]</answer>", "[200, 200, 400, 400]", R2, S(0.5), Same),
    // -> [398, 200, 598, 400]: one resized pixel is two original ones, 398 < 399:
    // inter (399-398+1)(200) = 400; union 40000 + 40000 - 400.
    ("<answer>[199, 100, 299, 200]</answer>", "[200, 200, 400, 400]", R2, S(400.0 / 79600.0), Same),
    // -> [400, 200, 600, 400] against x2 = 401: overlap of exactly one original unit, none.
    ("<answer>[200, 100, 300, 200]</answer>", "[200, 200, 401, 400]", R2, S(0.0), Same),
    // x / 644 * 644: pred [7.999999999999999, 0, 99.99999999999999, 99.99999999999999];
    // 7.999999999999999 < min(98.99999999999999, 8) = 8 now holds:
    // inter (8 - 7.999999999999999 + 1)(98.99999999999999 + 1) = 100.00000000000007,
    // union 9199.999999999998 + 900 - inter = 9999.999999999998.
    ("<answer>[8, 0, 100, 100]</answer>", "[0, 0, 9, 100]", E644, S(0.010000000000000009), Same),
    // One frame for both sides: no rescaling, 8 !< 8, no overlap (deviation 7).
    ("<answer>[8, 0, 100, 100]</answer>", "[0, 0, 9, 100]", O644, S(0.0), Differs(0.010000000000000009)),
    // Deliberate departures.
    // Several boxes: the reference grades the first (re.search), [100,100,200,200] -> 1.
    ("<answer>[100, 100, 200, 200] [0, 0, 1, 1]</answer>", A, SAME, M, Differs(1.0)),
    // Several answer blocks: the reference reads the first, ours the last.
    ("<answer>[100, 100, 200, 200]</answer>\n<answer>[100, 100, 200, 150]</answer>", A, SAME, S(0.5), Differs(1.0)),
    ("<ANSWER>[100, 100, 200, 150]</ANSWER>", A, SAME, S(0.5), Differs(0.0)),
    // Spellings the reference's \[(\d+),\s*(\d+),\s*(\d+),\s*(\d+)] misses (it scores 0):
    // inter (199-100.5+1)(50) = 4975; union 4975 + 10000 - 4975.
    ("<answer>[100.5, 100, 200, 150]</answer>", A, SAME, S(0.4975), Differs(0.0)),
    // inter 100 * 50 = 5000; union 210 * 50 + 10000 - 5000 = 15500.
    ("<answer>[-10, 100, 200, 150]</answer>", A, SAME, S(5000.0 / 15500.0), Differs(0.0)),
    ("<answer>(100, 100, 200, 150)</answer>", A, SAME, S(0.5), Differs(0.0)),
    ("<answer>[ 100, 100, 200, 150]</answer>", A, SAME, S(0.5), Differs(0.0)),
    ("<answer>[100 , 100, 200, 150]</answer>", A, SAME, S(0.5), Differs(0.0)),
    ("<answer><|box_start|>(100,100),(200,150)<|box_end|></answer>", A, SAME, S(0.5), Differs(0.0)),
    // Spellings the reference reads and our scanner does not: Unicode digits (int("١٠٠") =
    // 100) and U+001C as whitespace.
    ("<answer>[\u{661}\u{660}\u{660}, 100, 200, 150]</answer>", A, SAME, M, Differs(0.5)),
    ("<answer>[100,\u{1c}100, 200, 150]</answer>", A, SAME, M, Differs(0.5)),
];

fn vlmr1() -> BoxIou {
    BoxIou {
        convention: IouConvention::VlmR1,
        ..BoxIou::default()
    }
}

#[test]
fn iou_vlmr1_matches_qwen_module_iou_reward() {
    check(&vlmr1(), VLMR1_ROWS, 30);
    // MultiBox::First restores the reference's first-box rule.
    let first = BoxIou {
        multi_box: MultiBox::First,
        ..vlmr1()
    };
    let rows: &[Row] = &[
        (
            "<answer>[100, 100, 200, 200] [0, 0, 1, 1]</answer>",
            A,
            SAME,
            S(1.0),
            Same,
        ),
        (
            "<answer>[100, 100, 200, 150], [100, 100, 200, 200]</answer>",
            A,
            SAME,
            S(0.5),
            Same,
        ),
    ];
    check(&first, rows, 2);
}

// ---------------------------------------------------------------------------------------------
// iou (continuous): torchvision box_iou: inter = max(0, min x2 - max x1) * max(0, min y2 -
// max y1), union = area_a + area_b - inter.

#[rustfmt::skip]
const CONTINUOUS_ROWS: &[Row] = &[
    ("<answer>[100, 100, 200, 200]</answer>", A, SAME, S(1.0), Same),
    ("<answer>[100, 100, 200, 150]</answer>", A, SAME, S(0.5), Same),
    // One-unit overlaps count: 1 * 100 / (10000 + 10000 - 100). (VLM-R1: 0.)
    ("<answer>[199, 100, 299, 200]</answer>", A, SAME, S(100.0 / 19900.0), Same),
    ("<answer>[100, 199, 200, 299]</answer>", A, SAME, S(100.0 / 19900.0), Same),
    // A 1x1 corner: 1 / 19999.
    ("<answer>[199, 199, 299, 299]</answer>", A, SAME, S(1.0 / 19999.0), Same),
    ("<answer>[198, 100, 298, 200]</answer>", A, SAME, S(200.0 / 19800.0), Same),
    ("<answer>[200, 100, 300, 200]</answer>", A, SAME, S(0.0), Same),
    ("<answer>[120, 130, 170, 160]</answer>", A, SAME, S(0.15), Same),
    ("<answer>[50, 50, 250, 250]</answer>", A, SAME, S(0.25), Same),
    ("<answer>[300, 300, 400, 400]</answer>", A, SAME, S(0.0), Same),
    ("<answer>[150, 150, 150, 150]</answer>", A, SAME, S(0.0), Same),
    ("<answer>[150, 150, 250, 250]</answer>", A, SAME, S(2500.0 / 17500.0), Same),
    // inter 99.5 * 49.75 = 4950.125 = the prediction's area; union 10000.
    ("<answer>[100.5, 100.25, 200, 150]</answer>", A, SAME, S(0.4950125), Same),
    (A, "<answer>[100.5, 100, 200, 200]</answer>", SAME, S(0.995), Same),
    // 0-1 coordinates: (0.2 - 0.1)(0.15 - 0.1) / ((0.2 - 0.1)(0.15 - 0.1) + (0.2 - 0.1)^2 -
    // (0.2 - 0.1)(0.15 - 0.1)) = 0.5, in doubles 0.49999999999999983.
    ("<answer>[0.1, 0.1, 0.2, 0.15]</answer>", "[0.1, 0.1, 0.2, 0.2]", N01, S(0.49999999999999983), Same),
    // 0-1000 answer, 2000x1000 gold: x / 1000 * 2000 -> [100, 100, 200, 200].
    ("<answer>[50, 100, 100, 200]</answer>", "[100, 100, 200, 200]",
     (CoordFrame::Normalized1000, CoordFrame::AbsoluteOriginal { width: 2000.0, height: 1000.0 }), S(1.0), Same),
    // 0-1 answer, pixel gold: x * 1000 -> [100, 100, 200, 150].
    ("<answer>[0.1, 0.1, 0.2, 0.15]</answer>", "[100, 100, 200, 200]", (CoordFrame::Normalized01, PX), S(0.5), Same),
    ("<answer>[100, 100, 200, 150]</answer>", "[200, 200, 400, 400]", R2, S(0.5), Same),
    // -> [398, 200, 598, 400]: inter 2 * 200 = 400; union 79600.
    ("<answer>[199, 100, 299, 200]</answer>", "[200, 200, 400, 400]", R2, S(400.0 / 79600.0), Same),
    // -> [400, 200, 600, 400] vs x2 = 401: 1 * 200 / (40000 + 40200 - 200).
    ("<answer>[200, 100, 300, 200]</answer>", "[200, 200, 401, 400]", R2, S(200.0 / 80000.0), Same),
    // Two zero-area boxes: union 0. torchvision gives 0/0 = NaN; ours 0.
    ("<answer>[5, 5, 5, 5]</answer>", "[5, 5, 5, 5]", SAME, S(0.0), Fails("0/0 = NaN")),
    // Parsing is ours (torchvision takes tensors): every spelling the scanner reads.
    (r#"<answer>{"bbox_2d": [100, 100, 200, 150]}</answer>"#, A, SAME, S(0.5), Ours),
    ("<answer>(100, 100, 200, 150)</answer>", A, SAME, S(0.5), Ours),
    ("<answer><|box_start|>(100,100),(200,150)<|box_end|></answer>", A, SAME, S(0.5), Ours),
    ("<ANSWER>[100, 100, 200, 150]</ANSWER>", A, SAME, S(0.5), Ours),
    ("<answer>\\boxed{[100, 100, 200, 150]}</answer>", A, SAME, S(0.5), Ours),
    ("<answer>[0, 0, 1, 1]</answer> <answer>[100, 100, 200, 150]</answer>", A, SAME, S(0.5), Ours),
    ("<answer>[100, 100, 200, 200] [0, 0, 1, 1]</answer>", A, SAME, M, Ours),
    ("<answer>[200, 200, 100, 100]</answer>", A, SAME, M, Ours),
    ("<answer></answer>", A, SAME, M, Ours),
    ("[100, 100, 200, 200]", A, SAME, M, Ours),
    ("", A, SAME, M, Ours),
    ("<answer>[100, 100, 200, 150]", A, SAME, M, Ours),
    ("<answer>top left</answer>", A, SAME, M, Ours),
    ("<answer>[1, 2, 3, 4]</answer>", "[1, 2, 3]", SAME, G, Ours),
    ("<answer>[1, 2, 3, 4]</answer>", "[1, 2, 3, 4]", (CoordFrame::Unspecified, PX), G, Ours),
];

#[test]
fn iou_continuous_matches_torchvision_box_iou() {
    check(&BoxIou::default(), CONTINUOUS_ROWS, 30);
}

#[test]
fn iou_threshold_conventions() {
    // iou_threshold: continuous IoU >= 0.5.
    let thr = BoxIou {
        threshold: Some(0.5),
        ..BoxIou::default()
    };
    // VLM-R1's evaluation (src/eval/test_rec_r1.py): iou_vlmr1 > 0.5.
    let acc50 = BoxIou {
        convention: IouConvention::VlmR1,
        threshold: Some(0.5),
        threshold_strict: true,
        ..BoxIou::default()
    };
    #[rustfmt::skip]
    let rows: [(&str, f64, f64); 6] = [
        // IoU exactly 0.5 in both conventions: passes >=, fails >.
        ("<answer>[100, 100, 200, 150]</answer>", 1.0, 0.0),
        ("<answer>[100, 100, 200, 200]</answer>", 1.0, 1.0),
        // 0.4975 either way.
        ("<answer>[100.5, 100, 200, 150]</answer>", 0.0, 0.0),
        // Continuous 51 * 100 / 10000 = 0.51; VLM-R1 the same (overlap > 1 unit).
        ("<answer>[100, 100, 200, 151]</answer>", 1.0, 1.0),
        // Containing 200x200: 0.25 either way.
        ("<answer>[50, 50, 250, 250]</answer>", 0.0, 0.0),
        ("<answer>[300, 300, 400, 400]</answer>", 0.0, 0.0),
    ];
    assert_eq!(
        (thr.name(), acc50.name()),
        ("iou_threshold", "iou_vlmr1_threshold")
    );
    let g = Gold::new(A).with_frame(PX);
    for (c, want_thr, want_acc) in rows {
        assert_eq!(thr.verify(c, &g).score(), want_thr, "{c}");
        assert_eq!(acc50.verify(c, &g).score(), want_acc, "{c}");
    }
}

// ---------------------------------------------------------------------------------------------
// gta1_click: GTA1 reads every \((-?\d*\.?\d+),\s*(-?\d*\.?\d+)\) of the whole completion
// through int() (a float raises: 0), exactly one or 0; gold x0 = int(x0 * resized_w / 1000)
// etc.; hit iff x0 <= x <= x1 and y0 <= y <= y1.

/// GTA1's setup: clicks in pixels of the 1288x728 model input, gold in 0-1000;
/// ratio_w = 1.288, ratio_h = 0.728.
const GTA: Frames = (
    CoordFrame::AbsoluteResized {
        width: 1288.0,
        height: 728.0,
        original_width: 2576.0,
        original_height: 1456.0,
    },
    CoordFrame::Normalized1000,
);
/// ratio_w = 1.148, ratio_h = 1.092: 750 * 1.148 = 860.9999999999999 in doubles.
const GTA2: Frames = (
    CoordFrame::AbsoluteResized {
        width: 1148.0,
        height: 1092.0,
        original_width: 2296.0,
        original_height: 2184.0,
    },
    CoordFrame::Normalized1000,
);
const SCREEN: CoordFrame = CoordFrame::AbsoluteOriginal {
    width: 1920.0,
    height: 1080.0,
};
/// [500, 500, 600, 600] -> [int(644.0), int(364.0), int(772.8000000000001), int(436.8)]
/// = [644, 364, 772, 436].
const GA: &str = "[500, 500, 600, 600]";
/// -> [int(644.644), int(364.5096), 772, 436] = [644, 364, 772, 436].
const GB: &str = "[500.5, 500.7, 600, 600]";
/// -> [0, 0, int(128.8), int(72.8)] = [0, 0, 128, 72].
const GC: &str = "[0, 0, 100, 100]";
/// -> [int(-12.88), int(-7.279999999999999), 128, 72] = [-12, -7, 128, 72] (toward zero).
const GD: &str = "[-10, -10, 100, 100]";
/// -> [int(860.9999999999999), 0, int(1148.0), int(819.0000000000001)] = [860, 0, 1148, 819].
const GE: &str = "[750, 0, 1000, 750]";
/// Same frame on both sides (ratio 1): [10, 20, 30, 40].
const GF: &str = "[10.6, 20.2, 30.9, 40.99]";

#[rustfmt::skip]
const GTA1_ROWS: &[Row] = &[
    ("(700, 400)", GA, GTA, S(1.0), Same),
    // Corners of [644, 364, 772, 436], borders included.
    ("(644, 364)", GA, GTA, S(1.0), Same),
    ("(772, 436)", GA, GTA, S(1.0), Same),
    ("(773, 400)", GA, GTA, S(0.0), Same),
    ("(700, 437)", GA, GTA, S(0.0), Same),
    ("(643, 400)", GA, GTA, S(0.0), Same),
    // Truncation admits the click 644 on the left edge int(644.644), 364 on int(364.5096).
    ("(644, 364)", GB, GTA, S(1.0), Same),
    ("<think>The OK button.</think><answer>(700, 400)</answer>", GA, GTA, S(1.0), Same),
    // The whole completion is read: a click in the thinking is a second match -> (-1, -1).
    ("<think>Not (100, 100).</think><answer>(700, 400)</answer>", GA, GTA, M, Same),
    ("<think>It is at (700, 400).</think><answer>the OK button</answer>", GA, GTA, S(1.0), Same),
    // int("700.0") raises.
    ("(700.0, 400)", GA, GTA, M, Same),
    ("(-5, 400)", GA, GTA, S(0.0), Same),
    ("(700,400)", GA, GTA, S(1.0), Same),
    // \s* after the comma: Python whitespace, including U+3000 and U+001C, not U+200B.
    ("(700,\t\n 400)", GA, GTA, S(1.0), Same),
    ("(700,\u{3000}400)", GA, GTA, S(1.0), Same),
    ("(700,\u{1c}400)", GA, GTA, S(1.0), Same),
    ("(700,\u{200b}400)", GA, GTA, M, Same),
    // No whitespace allowed before the comma or after "(".
    ("(700 ,400)", GA, GTA, M, Same),
    ("( 700, 400)", GA, GTA, M, Same),
    ("[700, 400]", GA, GTA, M, Same),
    ("", GA, GTA, M, Same),
    ("x=700, y=400", GA, GTA, M, Same),
    ("(0700, 0400)", GA, GTA, S(1.0), Same),
    // \d and int() take any Unicode decimal digit: Arabic-Indic and full-width 700, 400.
    ("(\u{667}\u{660}\u{660}, \u{664}\u{660}\u{660})", GA, GTA, S(1.0), Same),
    ("(\u{ff17}\u{ff10}\u{ff10}, \u{ff14}\u{ff10}\u{ff10})", GA, GTA, S(1.0), Same),
    ("((700, 400))", GA, GTA, S(1.0), Same),
    ("(700, 400, 5)", GA, GTA, M, Same),
    ("(1,2)(700, 400)", GA, GTA, M, Same),
    // ".5" matches -?\d*\.?\d+ but int(".5") raises; "5." does not match at all.
    ("(.5, 400)", GA, GTA, M, Same),
    ("(5., 400)", GA, GTA, M, Same),
    // int("-0") = 0, inside [0, 0, 128, 72].
    ("(-0, 0)", GC, GTA, S(1.0), Same),
    ("(128, 72)", GC, GTA, S(1.0), Same),
    ("(129, 72)", GC, GTA, S(0.0), Same),
    // int() truncates toward zero: [-12, -7, 128, 72], so -13 is outside (a floor would
    // give -13).
    ("(-12, -7)", GD, GTA, S(1.0), Same),
    ("(-13, -7)", GD, GTA, S(0.0), Same),
    // Any gold box counts.
    ("(700, 400)", "[[0, 0, 100, 100], [500, 500, 600, 600]]", GTA, S(1.0), Same),
    ("(50, 50)", "[[0, 0, 100, 100], [500, 500, 600, 600]]", GTA, S(1.0), Same),
    // Multiply-then-truncate in doubles: 750 * 1.148 = 860.9999999999999 -> 860.
    ("(861, 500)", GE, GTA2, S(1.0), Same),
    ("(860, 500)", GE, GTA2, S(1.0), Same),
    ("(859, 500)", GE, GTA2, S(0.0), Same),
    ("(30, 40)", GF, (SCREEN, SCREEN), S(1.0), Same),
    ("(10, 20)", GF, (SCREEN, SCREEN), S(1.0), Same),
    ("(31, 40)", GF, (SCREEN, SCREEN), S(0.0), Same),
    ("(10, 19)", GF, (SCREEN, SCREEN), S(0.0), Same),
    ("(99999999999999999999, 400)", GA, GTA, S(0.0), Same),
    // Reference bug not copied: two clicks make parse_coordinates return (-1, -1), which is
    // inside [-12, -7, 128, 72], so GTA1 pays 1 (deviation 8).
    ("(1, 1) (2, 2)", GD, GTA, M, Differs(1.0)),
    // Gold rows GTA1 could not load, frames it never uses (deviation 9).
    ("(1, 1)", "", GTA, G, Ours),
    ("(1, 1)", "[1, 2, 3]", GTA, G, Ours),
    ("(0, 0)", "[0.1, 0.1, 0.2, 0.2]", N01, G, Ours),
    // Gold in original pixels: ratio = 1288 / 2576 = 0.5, [1001, 601, 1201, 701] ->
    // [int(500.5), int(300.5), int(600.5), int(350.5)] = [500, 300, 600, 350].
    ("(500, 300)", "[1001, 601, 1201, 701]",
     (GTA.0, CoordFrame::AbsoluteOriginal { width: 2576.0, height: 1456.0 }), S(1.0), Ours),
];

#[test]
fn gta1_click_matches_grpo_grounding_click_reward() {
    check(&Gta1Click::default(), GTA1_ROWS, 30);
}

#[test]
fn gta1_continuous_option_is_the_unrounded_test() {
    let c = Gta1Click {
        test: ClickTest::Continuous,
        ..Gta1Click::default()
    };
    #[rustfmt::skip]
    let rows: &[Row] = &[
        // 644 / 1288 * 1000 = 500.0 < 500.5: outside the unrounded box.
        ("(644, 364)", GB, GTA, S(0.0), Ours),
        // 860 / 1148 * 1000 = 749.13 < 750; 861 / 1148 * 1000 = 750.0.
        ("(860, 500)", GE, GTA2, S(0.0), Ours),
        ("(861, 500)", GE, GTA2, S(1.0), Ours),
        // 772 / 1288 * 1000 = 599.38, 436 / 728 * 1000 = 598.90.
        ("(772, 436)", GA, GTA, S(1.0), Ours),
        // Works in 0-1 coordinates.
        ("(0, 0)", "[0, 0, 0.2, 0.2]", N01, S(1.0), Ours),
    ];
    check(&c, rows, 5);
    // The scanner parse also reads fractional and bracketed points.
    let s = Gta1Click {
        parse: ClickParse::Shapes,
        test: ClickTest::Continuous,
        ..Gta1Click::default()
    };
    let rows: &[Row] = &[
        ("(30.5, 40)", GF, (SCREEN, SCREEN), S(1.0), Ours),
        ("[30.95, 40]", GF, (SCREEN, SCREEN), S(0.0), Ours),
    ];
    check(&s, rows, 2);
}

// ---------------------------------------------------------------------------------------------
// gui_g1: R = hit + 0.25 iou + 0.125 * 4 / (1/x1' + 1/x2' + 1/y1' + 1/y2'), with
// x1' = 1 - |x1_gt - x1| / W, y1' = 1 - |y1_gt - y1| / H; W = 1000, H = 500 here; hit iff
// the centre of the prediction is inside the gold box (borders included); iou is VLM-R1's.
// Gold [200, 100, 400, 300], area 40000.

const IMG: CoordFrame = CoordFrame::AbsoluteOriginal {
    width: 1000.0,
    height: 500.0,
};
const GG: Frames = (IMG, IMG);
const GOLD_G: &str = "[200, 100, 400, 300]";

#[rustfmt::skip]
const GUI_G1_ROWS: &[Row] = &[
    (r#"[{"bbox_2d": [200, 100, 400, 300], "label": "Save"}]"#, GOLD_G, GG, S(1.375), Same),
    // Top half: hit; iou (200)(199-100+1) / 40000 = 0.5; y2' = 1 - 100/500 = 0.8:
    // 4 / (1 + 1 + 1 + 1.25).
    (r#"[{"bbox_2d": [200, 100, 400, 200]}]"#, GOLD_G, GG, S(1.0 + 0.125 + 0.125 * (4.0 / 4.25)), Same),
    // Touching on the right: centre (500, 200) outside; iou 0; x1' = x2' = 0.8: 4 / 4.5.
    (r#"[{"bbox_2d": [400, 100, 600, 300]}]"#, GOLD_G, GG, S(0.125 * (4.0 / 4.5)), Same),
    // Centre (400, 200) on the border: hit; iou 100 * 200 / 60000; x' = 0.9.
    (r#"[{"bbox_2d": [300, 100, 500, 300]}]"#, GOLD_G, GG,
     S(1.0 + 0.25 * (20000.0 / 60000.0) + 0.125 * (4.0 / (1.0 / 0.9 + 1.0 / 0.9 + 1.0 + 1.0))), Same),
    // Centre (401, 200): no hit; iou 99 * 200 / 60200; x' = 1 - 101/1000 = 0.899.
    (r#"[{"bbox_2d": [301, 100, 501, 300]}]"#, GOLD_G, GG,
     S(0.25 * (19800.0 / 60200.0) + 0.125 * (4.0 / (1.0 / 0.899 + 1.0 / 0.899 + 1.0 + 1.0))), Same),
    // One-unit overlap: VLM-R1's iou() counts none; x' = 1 - 199/1000 = 0.801.
    (r#"[{"bbox_2d": [399, 100, 599, 300]}]"#, GOLD_G, GG,
     S(0.125 * (4.0 / (1.0 / 0.801 + 1.0 / 0.801 + 1.0 + 1.0))), Same),
    // One-unit shift left: centre (299, 200) hit; iou (398-200+1)(200) / 40200; x' = 0.999.
    (r#"[{"bbox_2d": [199, 100, 399, 300]}]"#, GOLD_G, GG,
     S(1.0 + 0.25 * (39800.0 / 40200.0) + 0.125 * (4.0 / (1.0 / 0.999 + 1.0 / 0.999 + 1.0 + 1.0))), Same),
    // Zero-area point box at the centre: hit; iou 0; x' = 0.9, y' = 1 - 100/500 = 0.8.
    (r#"[{"bbox_2d": [300, 200, 300, 200]}]"#, GOLD_G, GG,
     S(1.0 + 0.125 * (4.0 / (1.0 / 0.9 + 1.0 / 0.9 + 1.0 / 0.8 + 1.0 / 0.8))), Same),
    // Zero-area gold and prediction: union 0, the reference's iou term raises and is 0;
    // hit 1, closeness 1.
    (r#"[{"bbox_2d": [300, 200, 300, 200]}]"#, "[300, 200, 300, 200]", GG, S(1.125), Same),
    // Nested: hit; iou 100 * 100 / 40000; x' = 0.95, y' = 1 - 50/500 = 0.9.
    (r#"[{"bbox_2d": [250, 150, 350, 250]}]"#, GOLD_G, GG,
     S(1.0 + 0.25 * 0.25 + 0.125 * (4.0 / (1.0 / 0.95 + 1.0 / 0.95 + 1.0 / 0.9 + 1.0 / 0.9))), Same),
    // Containing: hit; iou 40000 / 160000; x' = 0.9, y' = 0.8.
    (r#"[{"bbox_2d": [100, 0, 500, 400]}]"#, GOLD_G, GG,
     S(1.0 + 0.25 * 0.25 + 0.125 * (4.0 / (1.0 / 0.9 + 1.0 / 0.9 + 1.0 / 0.8 + 1.0 / 0.8))), Same),
    // The whole image: centre (500, 250) outside; iou 40000 / 500000 = 0.08;
    // x1' = 0.8, x2' = 1 - 600/1000 = 0.4, y1' = 0.8, y2' = 1 - 200/500 = 0.6.
    (r#"[{"bbox_2d": [0, 0, 1000, 500]}]"#, GOLD_G, GG,
     S(0.25 * 0.08 + 0.125 * (4.0 / (1.0 / 0.8 + 1.0 / 0.4 + 1.0 / 0.8 + 1.0 / 0.6))), Same),
    // A closeness of exactly 0 (x2' = 1 - 1000/1000): the reference's box term raises, 0;
    // the centre (0, 250) is inside the whole-image gold: hit 1; iou: -1 !> 0, none.
    (r#"[{"bbox_2d": [0, 0, 0, 500]}]"#, "[0, 0, 1000, 500]", GG, S(1.0), Same),
    // hit; iou (399-200.5+1)(200) / 40000 = 0.9975; x1' = 1 - 0.5/1000 = 0.9995.
    (r#"[{"bbox_2d": [200.5, 100, 400, 300]}]"#, GOLD_G, GG,
     S(1.0 + 0.25 * 0.9975 + 0.125 * (4.0 / (1.0 / 0.9995 + 1.0 + 1.0 + 1.0))), Same),
    ("```json\n[{\"bbox_2d\": [200, 100, 400, 300], \"label\": \"Save\"}]\n```", GOLD_G, GG, S(1.375), Same),
    ("[{'bbox_2d': [200, 100, 400, 300], 'label': 'Save'}]", GOLD_G, GG, S(1.375), Same),
    (" [{\"bbox_2d\": [200, 100, 400, 300]}]\n", GOLD_G, GG, S(1.375), Same),
    // A GUI-R1-3K row (1920x1080 screenshot): hit; iou inter (1350-1208+1)(1079-1025+1) =
    // 7865, union 143 * 55 + 144.0 * 55.08 - 7865 = 7931.5200000000095, 0.9916132090696349;
    // x1' = 1 - 0.32/1920, x2' = 1 - 0.68/1920, y1' = 1 - 0.08/1080, y2' = 1:
    // R_box = 0.9998512555892763.
    (r#"[{"bbox_2d": [1208, 1025, 1351, 1080], "label": "Enhance"}]"#,
     "[1207.68, 1024.9199999999998, 1351.6799999999998, 1080.0]", (SCREEN, SCREEN), S(1.372884709216068), Same),
    // 0-1000 coordinates on both sides: W = H = 1000; centre (400, 200) hit; iou 1/3; x' 0.9.
    (r#"[{"bbox_2d": [300, 100, 500, 300]}]"#, GOLD_G, (CoordFrame::Normalized1000, CoordFrame::Normalized1000),
     S(1.0 + 0.25 * (20000.0 / 60000.0) + 0.125 * (4.0 / (1.0 / 0.9 + 1.0 / 0.9 + 1.0 + 1.0))), Same),
    ("", GOLD_G, GG, M, Same),
    ("I cannot find it.", GOLD_G, GG, M, Same),
    // Deliberate departures. Several elements: the reference grades the first.
    (r#"[{"bbox_2d": [200, 100, 400, 300]}, {"bbox_2d": [0, 0, 10, 10]}]"#, GOLD_G, GG, M, Differs(1.375)),
    // A coordinate 2200 = 2.2 W off (outside the image): x2' = -1.2. The reference's
    // 4 / (1 + 1/(-1.2) + 1 + 1) = 1.846... pays 0.125 * 1.846; ours R_box = 0 (deviation 11).
    // Centre (1400, 200) outside; iou 40000 / (2400 * 200) = 1/12.
    (r#"[{"bbox_2d": [200, 100, 2600, 300]}]"#, GOLD_G, GG, S(0.25 / 12.0),
     Differs(0.25 / 12.0 + 0.125 * (4.0 / (1.0 + 1.0 / -1.2 + 1.0 + 1.0)))),
    // Inverted: ours malformed; the reference pays hit 1 (centre (300, 200)) + iou 0 +
    // closeness with x' = 0.8, y' = 0.6.
    (r#"[{"bbox_2d": [400, 300, 200, 100]}]"#, GOLD_G, GG, M,
     Differs(1.0 + 0.125 * (4.0 / (1.0 / 0.8 + 1.0 / 0.8 + 1.0 / 0.6 + 1.0 / 0.6)))),
    // Spellings the reference's ast.literal_eval(whole completion)[0]['bbox_2d'] cannot read
    // (it scores 0); ours finds the box anywhere.
    ("<think>The Save button.</think>[{\"bbox_2d\": [200, 100, 400, 300]}]", GOLD_G, GG, S(1.375), Differs(0.0)),
    ("<answer>[{\"bbox_2d\": [200, 100, 400, 300]}]</answer>", GOLD_G, GG, S(1.375), Differs(0.0)),
    (r#"{"bbox_2d": [200, 100, 400, 300]}"#, GOLD_G, GG, S(1.375), Differs(0.0)),
    ("[200, 100, 400, 300]", GOLD_G, GG, S(1.375), Differs(0.0)),
    (r#"[{"bbox": [200, 100, 400, 300]}]"#, GOLD_G, GG, S(1.375), Differs(0.0)),
    ("Here: [{'bbox_2d': [200, 100, 400, 300]}]", GOLD_G, GG, S(1.375), Differs(0.0)),
    // Frames the reference never sees: an answer in a 500x250 resize is converted into the
    // gold frame first, [100, 50, 200, 150] -> [200, 100, 400, 300] (deviation 12).
    (r#"[{"bbox_2d": [100, 50, 200, 150]}]"#, GOLD_G,
     (CoordFrame::AbsoluteResized { width: 500.0, height: 250.0, original_width: 1000.0, original_height: 500.0 }, IMG),
     S(1.375), Ours),
    (r#"[{"bbox_2d": [1, 1, 2, 2]}]"#, "[1, 1, 2, 2]", (CoordFrame::Unspecified, CoordFrame::Unspecified), G, Ours),
    ("[0.1, 0.1, 0.2, 0.2]", "[0.1, 0.1, 0.2, 0.2]", N01, G, Ours),
];

#[test]
fn gui_g1_matches_grpo_rec_hit_iou_box() {
    check(&GuiG1::default(), GUI_G1_ROWS, 30);
    let first = GuiG1 {
        multi_box: MultiBox::First,
        ..GuiG1::default()
    };
    let rows: &[Row] = &[(
        r#"[{"bbox_2d": [200, 100, 400, 300]}, {"bbox_2d": [0, 0, 10, 10]}]"#,
        GOLD_G,
        GG,
        S(1.375),
        Same,
    )];
    check(&first, rows, 1);
}
