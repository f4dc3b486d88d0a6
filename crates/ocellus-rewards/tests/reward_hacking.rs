//! Emitting many boxes (or points, or place names) must never score more than one correct
//! answer, and blanket guesses must score far less. The VLM-R1 paper's "OD aha moment" ablation
//! (arXiv 2504.07615) found plain AP rewards let the policy pad its answer with boxes.

use ocellus_rewards::{registry, CoordFrame, Gold};

const F: CoordFrame = CoordFrame::Normalized1000;

fn one_correct_box() -> String {
    r#"<think>the dog is on the left</think><answer>[{"bbox_2d": [100, 200, 300, 500], "label": "dog"}]</answer>"#.into()
}

/// The correct box followed by `n - 1` boxes tiling the image.
fn correct_plus_spam(n: usize) -> String {
    let mut items = vec![r#"{"bbox_2d": [100, 200, 300, 500], "label": "dog"}"#.to_string()];
    for k in 1..n {
        let (x, y) = ((k % 10) as f64 * 100.0, (k / 10 % 10) as f64 * 100.0);
        items.push(format!(
            r#"{{"bbox_2d": [{x}, {y}, {}, {}], "label": "dog"}}"#,
            x + 100.0,
            y + 100.0
        ));
    }
    format!("<think>many</think><answer>[{}]</answer>", items.join(", "))
}

/// A grid of boxes of several sizes over the whole image, without knowing where the dog is.
fn blanket_guess() -> String {
    let mut items = Vec::new();
    for size in [100.0, 200.0, 300.0, 400.0] {
        let mut y = 0.0;
        while y + size <= 1000.0 {
            let mut x = 0.0;
            while x + size <= 1000.0 {
                items.push(format!(
                    r#"{{"bbox_2d": [{x}, {y}, {}, {}], "label": "dog"}}"#,
                    x + size,
                    y + size
                ));
                x += size / 2.0;
            }
            y += size / 2.0;
        }
    }
    format!(
        "<think>cover everything</think><answer>[{}]</answer>",
        items.join(", ")
    )
}

#[test]
fn many_boxes_never_beat_one_correct_box() {
    let gold = Gold::new(r#"[{"bbox_2d": [100, 200, 300, 500], "label": "dog"}]"#)
        .with_frame(F)
        .with_progress(0.5);
    let box_verifiers = [
        "iou",
        "iou_pixel_inclusive",
        "iou_vlmr1",
        "iou_threshold",
        "gui_g1",
        "vtriune_detection",
        "od_ap",
        "od_ap50",
        "od_length",
        "det_weighted_sum",
    ];
    let blanket = blanket_guess();
    for name in box_verifiers {
        let v = registry::by_name(name).unwrap();
        let one = v.verify(&one_correct_box(), &gold);
        assert!(one.is_correct(), "{name}: {one}");
        for n in [2, 5, 20, 100] {
            let spam = v.verify(&correct_plus_spam(n), &gold);
            assert!(spam.score() <= one.score(), "{name} n={n}: {spam} vs {one}");
        }
        let b = v.verify(&blanket, &gold);
        assert!(b.score() < one.score(), "{name}: blanket {b}");
        println!(
            "{name:>20}: one {:.3}, +99 spam {:.3}, blanket {:.3}",
            one.score(),
            v.verify(&correct_plus_spam(100), &gold).score(),
            b.score()
        );
    }
}

#[test]
fn length_aware_detection_rewards_punish_padding_hard() {
    let gold = Gold::new(r#"[{"bbox_2d": [100, 200, 300, 500], "label": "dog"}]"#)
        .with_frame(F)
        .with_progress(0.5);
    let blanket = blanket_guess();
    // Plain AP pays full credit for a padded answer when the right box comes first; that is
    // the hack odLength, V-Triune's size penalty and the completeness term exist to remove.
    let ap = registry::by_name("od_ap").unwrap();
    assert!(ap.verify(&correct_plus_spam(20), &gold).score() > 0.99);
    for name in ["od_length", "vtriune_detection"] {
        let v = registry::by_name(name).unwrap();
        let padded = v.verify(&correct_plus_spam(20), &gold).score();
        assert!(padded < 0.1, "{name}: padded answer scored {padded}");
        let b = v.verify(&blanket, &gold).score();
        assert!(b < 0.05, "{name}: blanket guess scored {b}");
    }
    // VLM-R1's weighted sum only ever takes back the completeness weight: a padded answer
    // keeps 0.7 (position) + 0.3 x (1 - false_alarm/2) >= 0.85. It never beats the single
    // correct box, but its penalty is bounded (a documented weakness of the formula).
    let ws = registry::by_name("det_weighted_sum").unwrap();
    let padded = ws.verify(&correct_plus_spam(20), &gold).score();
    assert!(
        (padded - (0.7 + 0.3 * (1.0 - 19.0 / 20.0 / 2.0))).abs() < 1e-12,
        "{padded}"
    );
    assert!(ws.verify(&blanket, &gold).score() < 0.7);
}

#[test]
fn many_clicks_and_many_places_are_malformed() {
    let gold = Gold::new("[100, 100, 200, 200]").with_frame(F);
    let v = registry::by_name("gta1_click").unwrap();
    assert!(v.verify("<answer>(150, 150)</answer>", &gold).is_correct());
    let clicks: Vec<String> = (0..100)
        .map(|k| format!("({}, {})", k * 10, k * 10))
        .collect();
    let spam = format!("<answer>{}</answer>", clicks.join(" "));
    assert_eq!(v.verify(&spam, &gold).score(), 0.0);

    let geo = registry::by_name("geovista").unwrap();
    let gold = Gold::new(r#"{"city": "Lyon", "country": "France"}"#);
    let many = "<answer>Paris, Lyon, Marseille, Nice, Lille, France</answer>";
    assert_eq!(geo.verify(many, &gold).score(), 0.0);

    let nums = registry::by_name("numeric").unwrap();
    assert_eq!(
        nums.verify("<answer>3 4 5 6 7</answer>", &Gold::new("5"))
            .score(),
        0.0
    );
    let mc = registry::by_name("multiple_choice").unwrap();
    assert_eq!(
        mc.verify("<answer>A B C D</answer>", &Gold::new("C"))
            .score(),
        0.0
    );
}
