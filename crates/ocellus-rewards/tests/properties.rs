//! Property tests: every parser and every registered verifier, on arbitrary strings and
//! numbers, never panics and scores finitely inside its documented range.

use ocellus_rewards::detection::{coco_map, greedy_match, LabeledBox, COCO_IOU_THRESHOLDS};
use ocellus_rewards::extract::{answer_tag, boxed, extract_answer, think_tag, AnswerSource};
use ocellus_rewards::format::{check_format, FormatRule};
use ocellus_rewards::jigsaw::{adjacency_credit, parse_ids, position_credit};
use ocellus_rewards::number::{answer_number, find_numbers, parse_number};
use ocellus_rewards::paco::{log_tame_aggregate, RewardColumn, TameThreshold};
use ocellus_rewards::text::{choice_letter, normalize_text, yes_no};
use ocellus_rewards::{iou, registry, shapes, BBox, CoordFrame, Gold, IouConvention, Verdict};
use proptest::prelude::*;

#[path = "../examples/support/corpus.rs"]
mod corpus;
use corpus::FRAGMENTS;

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..48).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), soup(), "\\PC{0,200}"]
}

/// Gold answers of every shape the verifiers read, plus junk.
fn gold_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("3".to_string()),
        Just("B".to_string()),
        Just("yes".to_string()),
        Just("[10, 20, 300, 400]".to_string()),
        Just(r#"[{"bbox_2d": [0, 0, 100, 100], "label": "dog"}, {"bbox_2d": [50, 50, 200, 220], "label": "cat"}]"#.to_string()),
        Just("[]".to_string()),
        Just("1 2 3 4".to_string()),
        Just("3 1 2 5 4 6 9 8 7".to_string()),
        Just("top-left, upper left".to_string()),
        Just("blue car".to_string()),
        Just(r#"{"original_caption": "a red car", "changed_caption": "a blue car"}"#.to_string()),
        Just(r#"{"city": "Lyon", "state": "ARA", "country": "France"}"#.to_string()),
        Just(r#"{"type": "planning", "difficulty": "hard", "station1": "A", "station2": "D", "transfer_count": 1, "lines": {"Line 1": ["A", "B", "C"], "Line 2": ["C", "D"]}}"#.to_string()),
        Just(r#"{"type": "counting", "difficulty": "easy", "answer": "7"}"#.to_string()),
        any_text(),
    ]
}

fn frame() -> impl Strategy<Value = Option<CoordFrame>> {
    prop_oneof![
        Just(None),
        Just(Some(CoordFrame::Normalized01)),
        Just(Some(CoordFrame::Normalized1000)),
        Just(Some(CoordFrame::Unspecified)),
        (0.0f64..4000.0, 0.0f64..4000.0).prop_map(|(w, h)| Some(CoordFrame::AbsoluteOriginal {
            width: w,
            height: h
        })),
        (
            1.0f64..2000.0,
            1.0f64..2000.0,
            1.0f64..4000.0,
            1.0f64..4000.0
        )
            .prop_map(|(w, h, ow, oh)| Some(CoordFrame::AbsoluteResized {
                width: w,
                height: h,
                original_width: ow,
                original_height: oh
            })),
    ]
}

fn gold() -> impl Strategy<Value = Gold> {
    (
        gold_text(),
        frame(),
        frame(),
        prop::option::of(-1.0f64..2.0),
        prop::collection::vec(any_text(), 0..4),
    )
        .prop_map(|(answer, af, gf, p, options)| Gold {
            answer,
            answer_frame: af,
            gold_frame: gf,
            training_progress: p,
            options,
        })
}

fn check_verdict(name: &str, range: (f64, f64), v: &Verdict) -> Result<(), TestCaseError> {
    let s = v.score();
    prop_assert!(s.is_finite(), "{name}: non-finite score {s}");
    prop_assert!(
        v.kind() != ocellus_rewards::VerdictKind::Internal,
        "{name}: a formula produced a non-finite score: {v}"
    );
    prop_assert!(
        s >= range.0 - 1e-9 && s <= range.1 + 1e-9,
        "{name}: score {s} outside {range:?}: {v}"
    );
    if matches!(v, Verdict::Malformed(_) | Verdict::GoldUnparseable(_)) {
        prop_assert_eq!(s, 0.0);
    }
    prop_assert!(!v.reason().is_empty(), "{name}: empty reason");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, .. ProptestConfig::default() })]

    #[test]
    fn every_verifier_on_arbitrary_completions(completion in any_text(), gold in gold()) {
        for info in registry::verifiers() {
            let v = info.build();
            let verdict = v.verify(&completion, &gold);
            check_verdict(info.name, v.score_range(), &verdict)?;
        }
    }

    #[test]
    fn every_verifier_on_answer_shaped_completions(inner in any_text(), think in any_text(), gold in gold()) {
        let completion = format!("<think>{think}</think>\n<answer>{inner}</answer>");
        for info in registry::verifiers() {
            let v = info.build();
            check_verdict(info.name, v.score_range(), &v.verify(&completion, &gold))?;
        }
    }

    #[test]
    fn extraction_never_panics_and_returns_substrings(s in any_text()) {
        for src in [AnswerSource::Auto, AnswerSource::AnswerTag, AnswerSource::Boxed, AnswerSource::Whole] {
            if let Ok(a) = extract_answer(&s, src) {
                prop_assert!(!a.is_empty());
                prop_assert!(s.contains(a));
            }
        }
        let _ = (answer_tag(&s), think_tag(&s), boxed(&s));
        for rule in [FormatRule::ThinkAnswer, FormatRule::ThinkAnswerRegex, FormatRule::AnswerOnly, FormatRule::Gta1Click] {
            let _ = check_format(&s, rule);
        }
    }

    #[test]
    fn text_parsers_never_panic(s in any_text(), opts in prop::collection::vec(any_text(), 0..30)) {
        let _ = (parse_number(&s), find_numbers(&s), answer_number(&s), parse_ids(&s), yes_no(&s));
        let _ = (choice_letter(&s, &opts), normalize_text(&s));
        for n in find_numbers(&s) {
            prop_assert!(n.value.is_finite());
        }
    }

    #[test]
    fn shape_scanner_never_panics(s in any_text()) {
        let found = shapes::scan(&s);
        // Boxes that validate are usable in any frame.
        for b in found.boxes {
            if let Ok(bb) = b.in_frame(CoordFrame::Normalized1000) {
                let v = iou(&bb, &bb, IouConvention::Continuous).unwrap();
                prop_assert!((0.0..=1.0).contains(&v));
            }
        }
        let _ = shapes::first_json(&s);
    }

    #[test]
    fn numbers_round_trip(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
        let n = parse_number(&format!("{v}")).unwrap();
        prop_assert_eq!(n.value, v);
        let e = parse_number(&format!("{v:e}")).unwrap();
        prop_assert_eq!(e.value, v);
    }

    #[test]
    fn thousands_separators_round_trip(v in 0u64..10_000_000_000) {
        let digits = v.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        prop_assert_eq!(parse_number(&grouped).unwrap().value, v as f64);
        prop_assert_eq!(find_numbers(&format!("about {grouped} items")).len(), 1);
    }

    #[test]
    fn frame_conversions_round_trip(
        x1 in 0.0f64..1.0, y1 in 0.0f64..1.0, w in 0.0f64..1.0, h in 0.0f64..1.0,
        ow in 1.0f64..5000.0, oh in 1.0f64..5000.0, s in 0.1f64..2.0,
    ) {
        let frames = [
            CoordFrame::Normalized01,
            CoordFrame::Normalized1000,
            CoordFrame::AbsoluteOriginal { width: ow, height: oh },
            CoordFrame::AbsoluteResized { width: ow * s, height: oh * s, original_width: ow, original_height: oh },
        ];
        let unit = BBox::new([x1, y1, x1 + w, y1 + h], CoordFrame::Normalized01).unwrap();
        for a in frames {
            let in_a = unit.to_frame(a).unwrap();
            for b in frames {
                let back = in_a.to_frame(b).unwrap().to_frame(CoordFrame::Normalized01).unwrap();
                for (p, q) in back.coords().iter().zip(unit.coords()) {
                    prop_assert!((p - q).abs() < 1e-9, "{a} -> {b}");
                }
            }
        }
    }

    #[test]
    fn iou_is_bounded_and_symmetric(
        a in prop::array::uniform4(-1e6f64..1e6), b in prop::array::uniform4(-1e6f64..1e6),
    ) {
        let sort = |c: [f64; 4]| [c[0].min(c[2]), c[1].min(c[3]), c[0].max(c[2]), c[1].max(c[3])];
        let f = CoordFrame::AbsoluteOriginal { width: 1e6, height: 1e6 };
        let (a, b) = (BBox::new(sort(a), f).unwrap(), BBox::new(sort(b), f).unwrap());
        for conv in [IouConvention::Continuous, IouConvention::PixelInclusive, IouConvention::VlmR1] {
            let ab = iou(&a, &b, conv).unwrap();
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert_eq!(ab, iou(&b, &a, conv).unwrap());
        }
        let [x1, y1, x2, y2] = a.coords();
        if x2 > x1 && y2 > y1 {
            prop_assert!((iou(&a, &a, IouConvention::Continuous).unwrap() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn detection_scores_are_bounded(
        preds in prop::collection::vec((prop::array::uniform4(0.0f64..1000.0), 0u8..3), 0..30),
        golds in prop::collection::vec((prop::array::uniform4(0.0f64..1000.0), 0u8..3), 0..10),
        thr in 0.0f64..1.0,
    ) {
        let mk = |v: &[([f64; 4], u8)]| -> Vec<LabeledBox> {
            v.iter().map(|(c, l)| LabeledBox {
                bbox: BBox::new([c[0].min(c[2]), c[1].min(c[3]), c[0].max(c[2]), c[1].max(c[3])], CoordFrame::Normalized1000).unwrap(),
                label: Some(format!("c{l}")),
            }).collect()
        };
        let (p, g) = (mk(&preds), mk(&golds));
        let m = greedy_match(&p, &g, thr, IouConvention::Continuous).unwrap();
        prop_assert!(m.len() <= p.len().min(g.len()));
        if let Some(ap) = coco_map(&p, &g, &COCO_IOU_THRESHOLDS).unwrap() {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&ap), "{ap}");
        }
    }

    #[test]
    fn jigsaw_credit_is_bounded(perm in Just((1..=9usize).collect::<Vec<_>>()).prop_shuffle(), pred in prop::collection::vec(1usize..=9, 9)) {
        for (r, c) in [(3, 3), (1, 9), (9, 1)] {
            let pos = position_credit(&pred, &perm);
            let adj = adjacency_credit(&pred, &perm, r, c);
            prop_assert!((0.0..=1.0).contains(&pos) && (0.0..=1.0).contains(&adj));
            prop_assert_eq!(adjacency_credit(&perm, &perm, r, c), 1.0);
        }
        prop_assert_eq!(position_credit(&perm, &perm), 1.0);
    }

    #[test]
    fn paco_aggregation_is_finite(
        cols in prop::collection::vec((0.0f64..5.0, prop::collection::vec(-0.99f64..100.0, 8)), 1..5),
        fixed in -1.0f64..3.0,
    ) {
        let cols: Vec<RewardColumn> = cols.into_iter().enumerate()
            .map(|(i, (w, v))| RewardColumn { name: format!("r{i}"), weight: w, values: v })
            .collect();
        for t in [TameThreshold::Mean, TameThreshold::Median, TameThreshold::Fixed(fixed)] {
            let agg = log_tame_aggregate(&cols, t).unwrap();
            prop_assert!(agg.rewards.iter().all(|r| r.is_finite()));
        }
    }
}
