//! Conformance tables for the task-specific verifiers against the public references they
//! name: `rewardmap` (fscdc/RewardMap `reason_map.py`, commit 15428ac3), `vicrit_relaxed`
//! (potate4/ViCrit `score.py`, commit eba2faad), `visionthink` (dvlab-research/VisionThink
//! `general_qa_tool.py` and `ray_trainer.py`, commit 42afd8c3) and `geovista` (ekonwang/GeoVista
//! `search_agent.py` with `utils_geo.py`, commit df320371).
//!
//! Every expected value was worked out from the reference's formula (the comments say how);
//! the reference functions were also run on every row as a cross-check, with their LLM judge
//! stubbed. Rows marked DEVIATION are where ours departs on purpose (see the module's
//! Deviations list); their comment gives the reference's value.

use ocellus_rewards::geovista::{GeoRule, GeoVista};
use ocellus_rewards::rewardmap::{MapAnswer, RewardMap};
use ocellus_rewards::text::StringMatch;
use ocellus_rewards::verdict::VerdictKind::{self, *};
use ocellus_rewards::vicrit::{RelaxedRule, ViCrit, ViCritMode};
use ocellus_rewards::visionthink::{group_accuracy, GroupSample, VisionThink};
use ocellus_rewards::{AnswerSource, Gold, Verifier};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

// ---------------------------------------------------------------------------------------------
// rewardmap
// ---------------------------------------------------------------------------------------------

/// One transfer allowed, middle city: w = 1.2 + 0.5 = 1.7. A correct route is Line 2 from
/// Xizhimen to Guloudajie, then Line 8 to Anhuaqiao.
const G_T1: &str = r#"{"type": "planning", "difficulty": "middle", "station1": "Xizhimen",
  "station2": "Anhuaqiao", "transfer_count": 1, "lines": {
  "Line 2": ["Xizhimen", "Jishuitan", "Guloudajie (Transfer Station)", "Andingmen",
             "Yonghegong Lama Temple", "Dongzhimen"],
  "Line 8": ["Olympic Park", "Asian Games Village", "Anhuaqiao", "Guloudajie", "Shichahai"]}}"#;

/// No transfer, easy city: w = 1.
const G_T0: &str = r#"{"type": "planning", "difficulty": "easy", "station1": "Xizhimen",
  "station2": "Dongzhimen", "transfer_count": 0, "lines": {
  "Line 2": ["Xizhimen", "Jishuitan", "Guloudajie (Transfer Station)", "Andingmen",
             "Yonghegong Lama Temple", "Dongzhimen"],
  "Line 8": ["Olympic Park", "Asian Games Village", "Anhuaqiao", "Guloudajie", "Shichahai"]}}"#;

/// Three transfers allowed, hard city: w = 1.5 + 0.5 = 2.
const G_T3: &str = r#"{"type": "planning", "difficulty": "hard", "station1": "Xizhimen",
  "station2": "Shichahai", "transfer_count": 3, "lines": {
  "Line 2": ["Xizhimen", "Jishuitan", "Guloudajie (Transfer Station)", "Andingmen"],
  "Line 8": ["Olympic Park", "Asian Games Village", "Anhuaqiao", "Guloudajie", "Shichahai"]}}"#;

/// Names that exercise `clean_string`, no transfer, easy.
const G_NAMES: &str = r#"{"type": "planning", "difficulty": "easy", "station1": "Tsinghua Univ.",
  "station2": "Asian Games Village", "transfer_count": 0, "lines": {
  "Line 15": ["Tsinghua Univ.", "Tian'anmen West", "Asian Games Village"]}}"#;

/// Chinese names, the 八通/大兴 renamings; no transfer, easy.
const G_CN: &str = r#"{"type": "planning", "difficulty": "easy", "station1": "四惠东",
  "station2": "通州北苑", "transfer_count": 0, "lines": {
  "Line 1": ["苹果园", "四惠东", "高碑店", "通州北苑"],
  "大兴线": ["四惠东", "通州北苑"]}}"#;

/// G_T0 in the field names of ReasonMap's rows (`reason_map_compute_score`'s arguments).
const G_REF_FIELDS: &str = r#"{"type_reasonmap": "planning", "difficulty_city": "easy",
  "station_1": "Xizhimen", "station_2": "Dongzhimen", "question_transfer_count": 0,
  "ground_truth": 0, "metro_data": {"Line 2": ["Xizhimen", "Andingmen", "Dongzhimen"]}}"#;

/// A planning type other than exactly "planning": acc only, no detail.
const G_PLAN_V2: &str = r#"{"type": "planning_v2", "difficulty": "easy", "station1": "Xizhimen",
  "station2": "Dongzhimen", "transfer_count": 0, "lines": {
  "Line 2": ["Xizhimen", "Andingmen", "Dongzhimen"]}}"#;

const G_TORF_YES: &str = r#"{"type": "TorF1", "difficulty": "middle", "answer": 1}"#;
const G_TORF_NO: &str = r#"{"type": "TorF2", "difficulty": "hard", "answer": 0}"#;
const G_COUNT7: &str = r#"{"type": "Counting2", "difficulty": "easy", "answer": 7}"#;
const G_COUNT10: &str = r#"{"type": "Counting3", "difficulty": "middle", "answer": 10}"#;
const G_CHOICE_B: &str = r#"{"type": "Counting1", "difficulty": "hard", "answer": 1}"#;

const ROUTE_T1: &str = "Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Guloudajie\n\
                        --\nRoute Name: Line 8\nDeparture Stop: Guloudajie\nArrival Stop: Anhuaqiao";
const ROUTE_T0: &str = "Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Dongzhimen";

#[test]
fn rewardmap_matches_reason_map_compute_score() {
    let default = RewardMap::default();
    let baseline = RewardMap {
        difficulty_aware: false,
        ..RewardMap::default()
    };
    let tagged = RewardMap {
        answer: MapAnswer::Tagged(AnswerSource::Auto),
        ..RewardMap::default()
    };
    // (completion, gold, verifier: D default / B baseline / T tagged, expected, kind)
    // Planning detail terms: +2 ends right; per section i: -5 if i > tc; known line: +3 (tc > 0)
    // or +4 (tc = 0 and the line has both ends); +1 if stops on the line, a next section with
    // the same departure, and i <= tc. R = w * (10 acc + 0.5 min(detail, 10)).
    let table: &[(&str, &str, &str, f64, VerdictKind)] = &[
        // table rewardmap
        // acc; detail 2 + (3 + 1) + (-5 + 3) = 4; 1.7 * (10 + 2) = 20.4.
        (ROUTE_T1, G_T1, "D", 20.4, Correct),
        // Same in baseline mode: w = 1: 12.
        (ROUTE_T1, G_T1, "B", 12.0, Correct),
        // `Station` and `(Line 8)` and case are cleaned away; same 20.4.
        ("Route Name: Line 2\nDeparture Stop: xizhimen station\nArrival Stop: Guloudajie (Line 8)\n--\nRoute Name: Line 8\nDeparture Stop: GULOUDAJIE\nArrival Stop: Anhuaqiao Station",
         G_T1, "D", 20.4, Correct),
        // Reasoning before the route and `--` in it change nothing (sections without keys
        // are skipped): 20.4.
        ("<think>Line 2 -- then Line 8.</think>\nRoute Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Guloudajie\n--\nRoute Name: Line 8\nDeparture Stop: Guloudajie\nArrival Stop: Anhuaqiao",
         G_T1, "D", 20.4, Correct),
        // The arrival runs to the end of the section: "anhuaqiaototal:5stops" is not station 2,
        // so no acc and no detail: 0.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Guloudajie\n--\nRoute Name: Line 8\nDeparture Stop: Guloudajie\nArrival Stop: Anhuaqiao\nTotal: 5 stops",
         G_T1, "D", 0.0, Incorrect),
        // Section 2's departure has no line break after it: no departure (the reference's
        // "Wrong"). acc false; detail 2 + 3 (no +1: next departure differs) - 5 + 3 = 3;
        // 1.7 * 1.5 = 2.55.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Guloudajie\n--\nRoute Name: Line 8\nDeparture Stop: Guloudajie Arrival Stop: Anhuaqiao",
         G_T1, "D", 2.55, Partial),
        // Transfer at the wrong stop (Jishuitan, then departing Guloudajie): acc false;
        // detail 2 + 3 - 5 + 3 = 3: 2.55.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Jishuitan\n--\nRoute Name: Line 8\nDeparture Stop: Guloudajie\nArrival Stop: Anhuaqiao",
         G_T1, "D", 2.55, Partial),
        // Unknown second line: acc false; detail 2 + 3 + 1 - 5 = 1: 0.85.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Guloudajie\n--\nRoute Name: Line 13\nDeparture Stop: Guloudajie\nArrival Stop: Anhuaqiao",
         G_T1, "D", 0.85, Partial),
        // Line names are matched exactly: "line 2" is unknown. detail 2 + 0 - 5 + 3 = 0: 0.
        ("Route Name: line 2\nDeparture Stop: Xizhimen\nArrival Stop: Guloudajie\n--\nRoute Name: Line 8\nDeparture Stop: Guloudajie\nArrival Stop: Anhuaqiao",
         G_T1, "D", 0.0, Incorrect),
        // One section where a transfer is needed: Anhuaqiao is not on Line 2; detail 2 + 3 = 5
        // (section 1 <= 1 transfer, no -5); 1.7 * 2.5 = 4.25.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Anhuaqiao",
         G_T1, "D", 4.25, Partial),
        // Direct route: acc; detail 2 - 5 + 4 = 1; 10 + 0.5 = 10.5.
        (ROUTE_T0, G_T0, "D", 10.5, Correct),
        // The same with CRLF line ends (`\r` is stripped / cleaned): 10.5.
        ("Route Name: Line 2\r\nDeparture Stop: Xizhimen\r\nArrival Stop: Dongzhimen",
         G_T0, "D", 10.5, Correct),
        // Extra spaces around the values: stripped / cleaned: 10.5.
        ("Route Name:   Line 2  \nDeparture Stop:    Xizhimen  \nArrival Stop:   Dongzhimen  ",
         G_T0, "D", 10.5, Correct),
        // No space after `Route Name:`: the name regex needs one, so the line is unknown;
        // acc false; detail 2 - 5 = -3: -1.5.
        ("Route Name:Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Dongzhimen",
         G_T0, "D", -1.5, Incorrect),
        // A needless change on the same line: acc (the transfer is consistent); detail
        // 2 + (-5 + 4) + (-5 + 4) = 0 (no +1: section 1 > 0 transfers): 10.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Andingmen\n--\nRoute Name: Line 2\nDeparture Stop: Andingmen\nArrival Stop: Dongzhimen",
         G_T0, "D", 10.0, Correct),
        // Keys in lower case: the accuracy test skips the section; the detail test takes it but
        // its fields are read with the exact keys, so no departure: 0.
        ("route name: Line 2\ndeparture stop: Xizhimen\narrival stop: Dongzhimen",
         G_T0, "D", 0.0, Incorrect),
        // Only `route name:` in lower case: no acc; detail: ends right (+2), -5, no line: -1.5.
        ("route name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Dongzhimen",
         G_T0, "D", -1.5, Incorrect),
        // No section at all: the reference scores 0; ours is malformed (also 0).
        ("Take Line 2 from Xizhimen to Dongzhimen.", G_T0, "D", 0.0, Malformed),
        // Wrong origin: no acc, no detail: 0.
        ("Route Name: Line 2\nDeparture Stop: Jishuitan\nArrival Stop: Dongzhimen",
         G_T0, "D", 0.0, Incorrect),
        // Three valid sections with 3 transfers allowed: detail 2 + 4 + 4 + 3 = 13, capped at
        // 10; w = 2: 2 * (10 + 5) = 30, the maximum.
        ("Route Name: Line 2\nDeparture Stop: Xizhimen\nArrival Stop: Jishuitan\n--\nRoute Name: Line 2\nDeparture Stop: Jishuitan\nArrival Stop: Guloudajie\n--\nRoute Name: Line 8\nDeparture Stop: Guloudajie\nArrival Stop: Shichahai",
         G_T3, "D", 30.0, Correct),
        // clean_string: "Tsinghua University" and the gold "Tsinghua Univ." both become
        // "tsinghuauniversityersity"; "Yayuncun" is "Asian Games Village": acc; detail 1: 10.5.
        ("Route Name: Line 15\nDeparture Stop: Tsinghua University\nArrival Stop: Yayuncun",
         G_NAMES, "D", 10.5, Correct),
        // "Tsinghua Univ" cleans to "tsinghuauniversity", not the gold's: no acc, no detail.
        ("Route Name: Line 15\nDeparture Stop: Tsinghua Univ\nArrival Stop: Asian Games Village",
         G_NAMES, "D", 0.0, Incorrect),
        // An apostrophe is dropped, so "Tiananmen West" is the gold's "Tian'anmen West": a
        // two-section route through it is acc; detail 2 + (-5 + 4) + (-5 + 4) = 0: 10.
        ("Route Name: Line 15\nDeparture Stop: Tsinghua Univ.\nArrival Stop: Tiananmen West\n--\nRoute Name: Line 15\nDeparture Stop: Tian'anmen West\nArrival Stop: Asian Games Village",
         G_NAMES, "D", 10.0, Correct),
        // 八通 in a line name means Line 1; a trailing 站 is dropped: acc; detail 1: 10.5.
        ("Route Name: 八通线\nDeparture Stop: 四惠东站\nArrival Stop: 通州北苑",
         G_CN, "D", 10.5, Correct),
        // 大兴 means Line 4, even though the gold has a line called 大兴线: unknown line;
        // detail 2 - 5 = -3: -1.5.
        ("Route Name: 大兴线\nDeparture Stop: 四惠东\nArrival Stop: 通州北苑",
         G_CN, "D", -1.5, Incorrect),
        // The reference's field names: as ROUTE_T0 on G_T0: 10.5.
        (ROUTE_T0, G_REF_FIELDS, "D", 10.5, Correct),
        // type "planning_v2": acc only (detail is for type == "planning"): 10.
        (ROUTE_T0, G_PLAN_V2, "D", 10.0, Correct),
        // TorF, gold 1 = yes, middle: w 1.2: 12.
        (r"\boxed{Yes}", G_TORF_YES, "D", 12.0, Correct),
        // "The answer is" is split off, then the first ". " ends the answer: "yes": 12.
        ("Looking at the map, The answer is yes. Line 2 is a loop.", G_TORF_YES, "D", 12.0, Correct),
        // A bare answer: the whole completion is the answer ("yes." then rstrip('.')): 12.
        ("Yes.", G_TORF_YES, "D", 12.0, Correct),
        // Several boxes: only the last one counts: 12.
        (r"\boxed{No}, wait: \boxed{yes}", G_TORF_YES, "D", 12.0, Correct),
        // `\text{yes}` leaves "{yes}" (only `\text` is removed): not yes/no; 0.
        (r"\boxed{\text{yes}}", G_TORF_YES, "D", 0.0, Malformed),
        // An answer block keeps its tags under the reference's rule: "<answer>yes</answer>": 0.
        ("<answer>yes</answer>", G_TORF_YES, "D", 0.0, Malformed),
        // ... and is read with the Tagged option: 12.
        ("<answer>yes</answer>", G_TORF_YES, "T", 12.0, Correct),
        // Gold 0 means no; hard: w 1.5: 15. `NO` is lower-cased.
        (r"\boxed{NO}", G_TORF_NO, "D", 15.0, Correct),
        (r"\boxed{yes}", G_TORF_NO, "D", 0.0, Incorrect),
        // Counting2, gold 7, easy: 10.
        (r"\boxed{7}", G_COUNT7, "D", 10.0, Correct),
        // int("07") = 7: 10.
        (r"\boxed{07}", G_COUNT7, "D", 10.0, Correct),
        // int("7.0") raises: acc false: 0.
        (r"\boxed{7.0}", G_COUNT7, "D", 0.0, Malformed),
        // The part after "=" and without spaces: "7": 10.
        (r"\boxed{x = 7}", G_COUNT7, "D", 10.0, Correct),
        // "units" and "$" are removed: "7": 10 each.
        (r"\boxed{7 units}", G_COUNT7, "D", 10.0, Correct),
        (r"\boxed{$7$}", G_COUNT7, "D", 10.0, Correct),
        // "7stations" is not an integer: 0.
        (r"\boxed{7 stations}", G_COUNT7, "D", 0.0, Malformed),
        // No box: the text after "the answer is", "7." then rstrip('.'): 10.
        ("There are 7 stops, so the answer is 7.", G_COUNT7, "D", 10.0, Correct),
        // Counting3, gold 10, middle: int("1_0") = 10; 12.
        (r"\boxed{1_0}", G_COUNT10, "D", 12.0, Correct),
        (r"\boxed{11}", G_COUNT10, "D", 0.0, Incorrect),
        // Counting1: letter b is option 1; hard: 15.
        (r"\boxed{B}", G_CHOICE_B, "D", 15.0, Correct),
        (r"\boxed{C}", G_CHOICE_B, "D", 0.0, Incorrect),
        // "(b)" is not one of a-d: 0.
        (r"\boxed{(B)}", G_CHOICE_B, "D", 0.0, Malformed),
        // end rewardmap
    ];
    assert!(table.len() >= 30);
    for (i, &(completion, gold, which, want, kind)) in table.iter().enumerate() {
        let v = match which {
            "B" => baseline,
            "T" => tagged,
            _ => default,
        };
        let r = v.verify(completion, &Gold::new(gold));
        assert!(
            close(r.score(), want) && r.kind() == kind,
            "row {i}: {completion:?}: got {r}, want {want} {kind:?}"
        );
    }
}

#[test]
fn rewardmap_detail_floor_is_a_deviation() {
    // DEVIATION 1: thirteen copies of the direct route: acc false (the arrival Dongzhimen is not
    // the next departure Xizhimen); detail 2 + 13 * (-5 + 4) = -11, which the reference keeps
    // (-5.5) and we floor at -10: -5.
    let spam = [ROUTE_T0; 13].join("\n--\n");
    let r = RewardMap::default().verify(&spam, &Gold::new(G_T0));
    assert!(close(r.score(), -5.0), "{r}");
    // Twelve copies: 2 - 12 = -10, not below the floor: -5 in both.
    let spam = [ROUTE_T0; 12].join("\n--\n");
    assert!(close(
        RewardMap::default().verify(&spam, &Gold::new(G_T0)).score(),
        -5.0
    ));
}

// ---------------------------------------------------------------------------------------------
// vicrit_relaxed
// ---------------------------------------------------------------------------------------------

/// First changed token (of the lower-cased captions): "blue".
const C_COLOUR: &str = r#"{"original_caption": "A red car is parked next to two tall trees.",
  "changed_caption": "A blue car is parked next to two tall trees."}"#;
/// "three".
const C_COUNT: &str = r#"{"original_caption": "There are two dogs, one cat and a bird.",
  "changed_caption": "There are three dogs, one cat and a bird."}"#;
/// "wolves," with its comma: the scorer keeps punctuation in tokens.
const C_COMMA: &str = r#"{"original_caption": "Two dogs, one cat.",
  "changed_caption": "Two wolves, one cat."}"#;
/// Only "truck" changes once both are lower-cased ("Red" and "red" are the same token).
const C_CASE: &str = r#"{"original_caption": "The Red Car is parked.",
  "changed_caption": "The red truck is parked."}"#;
/// An insertion: prefix "a", suffix "dog on grass": "small".
const C_INSERT: &str = r#"{"original_caption": "a dog on grass",
  "changed_caption": "a small dog on grass"}"#;
/// A deletion: prefix "a", suffix "dog on grass" (3 = the most that does not overlap the
/// prefix): no changed token, so the scorer's `gt_diff[0]` raises.
const C_DELETE: &str = r#"{"original_caption": "a small dog on grass",
  "changed_caption": "a dog on grass"}"#;
/// Two changed tokens, "dog lay"; only the first counts.
const C_TWO: &str = r#"{"original_caption": "the cat sat on the mat",
  "changed_caption": "the dog lay on the mat"}"#;
/// The changed token is "a": a substring of nearly everything.
const C_ARTICLE: &str = r#"{"original_caption": "the cat sat on one mat",
  "changed_caption": "the cat sat on a mat"}"#;
/// The scorer's own field names.
const C_PHRASES: &str =
    r#"{"original_noun_phrases": "red car", "changed_noun_phrases": "blue car"}"#;
/// Nothing changed: no token.
const C_SAME: &str = r#"{"original_caption": "a red car", "changed_caption": "a red car"}"#;
/// Non-ASCII, lower-cased as Python does: "école".
const C_ACCENT: &str = r#"{"original_caption": "the SCHOOL is red",
  "changed_caption": "the ÉCOLE is red"}"#;
/// U+001F separates tokens for Python's `str.split()` (not for Rust's `split_whitespace`): "blue".
const C_SEPARATOR: &str =
    r#"{"original_caption": "red\u001fcar", "changed_caption": "blue\u001fcar"}"#;

#[test]
fn vicrit_relaxed_matches_score_py() {
    let scorer = ViCrit {
        mode: ViCritMode::RelaxedFirstToken,
        ..ViCrit::default()
    };
    let word = ViCrit {
        relaxed: RelaxedRule::NormalizedWord,
        ..scorer
    };
    // (completion, gold, rule: S scorer (default) / W NormalizedWord, expected, kind)
    // Scorer: reward = 1 if changed_tokens(lower(orig), lower(changed))[0] is a substring of
    // lower(answer); answer = first \boxed{...} (braces matched), else the last line.
    let table: &[(&str, &str, &str, f64, VerdictKind)] = &[
        // table vicrit
        (r"\boxed{blue car}", C_COLOUR, "S", 1.0, Correct),
        // Reasoning before the box is not read.
        (
            r"<think>The car looks red... no.</think> The error is \boxed{blue}",
            C_COLOUR,
            "S",
            1.0,
            Correct,
        ),
        (r"\boxed{red car}", C_COLOUR, "S", 0.0, Incorrect),
        // Lower-cased: "blue" in "blue".
        (r"\boxed{BLUE}", C_COLOUR, "S", 1.0, Correct),
        // A substring test: "blue" in "blueish".
        (r"\boxed{blueish}", C_COLOUR, "S", 1.0, Correct),
        // "blue" is not in "bluish".
        (r"\boxed{bluish}", C_COLOUR, "S", 0.0, Incorrect),
        // The FIRST box is the answer: "red".
        (
            r"\boxed{red} hmm, no: \boxed{blue}",
            C_COLOUR,
            "S",
            0.0,
            Incorrect,
        ),
        // Nested braces are matched: "\text{blue} car".
        (r"\boxed{\text{blue} car}", C_COLOUR, "S", 1.0, Correct),
        // No box: the last line, "blue car".
        (
            "The corrupted phrase is:\nblue car",
            C_COLOUR,
            "S",
            1.0,
            Correct,
        ),
        // No box and the answer not on the last line: "that is my answer." has no "blue".
        (
            "blue car\nThat is my answer.",
            C_COLOUR,
            "S",
            0.0,
            Incorrect,
        ),
        // A one-line answer block: the whole line is the answer and contains "blue".
        ("<answer>blue car</answer>", C_COLOUR, "S", 1.0, Correct),
        // The last line is empty: the scorer counts it wrong (0); ours is malformed.
        ("blue car\n", C_COLOUR, "S", 0.0, Malformed),
        // An empty box: "" contains no "blue": 0; ours is malformed.
        (r"\boxed{}", C_COLOUR, "S", 0.0, Malformed),
        // DEVIATION 1: `boxed{` without the backslash: the scorer raises; ours is malformed.
        ("boxed{blue}", C_COLOUR, "S", 0.0, Malformed),
        // DEVIATION 2: a box never closed: the scorer reads "blue ca" (the rest minus its last
        // character) and pays 1; ours is malformed.
        (r"\boxed{blue car", C_COLOUR, "S", 0.0, Malformed),
        (r"\boxed{three dogs}", C_COUNT, "S", 1.0, Correct),
        (r"\boxed{3 dogs}", C_COUNT, "S", 0.0, Incorrect),
        (r"\boxed{threefold}", C_COUNT, "S", 1.0, Correct),
        // The token is "wolves," and "wolves" lacks the comma: 0.
        (r"\boxed{wolves}", C_COMMA, "S", 0.0, Incorrect),
        (r"\boxed{two wolves, one cat}", C_COMMA, "S", 1.0, Correct),
        (r"\boxed{truck}", C_CASE, "S", 1.0, Correct),
        (r"\boxed{red}", C_CASE, "S", 0.0, Incorrect),
        (r"\boxed{small}", C_INSERT, "S", 1.0, Correct),
        (r"\boxed{dog}", C_INSERT, "S", 0.0, Incorrect),
        // DEVIATION 3: no changed token: the scorer raises; the gold is unreadable here.
        (r"\boxed{small}", C_DELETE, "S", 0.0, GoldUnparseable),
        (r"\boxed{dog lay}", C_TWO, "S", 1.0, Correct),
        // Only the first changed token, "dog", counts.
        (r"\boxed{lay}", C_TWO, "S", 0.0, Incorrect),
        // "a" is in "the mat".
        (r"\boxed{the mat}", C_ARTICLE, "S", 1.0, Correct),
        // ... but not in "on one".
        (r"\boxed{on one}", C_ARTICLE, "S", 0.0, Incorrect),
        (r"\boxed{Blue car}", C_PHRASES, "S", 1.0, Correct),
        // DEVIATION 3 again: identical captions.
        (r"\boxed{red}", C_SAME, "S", 0.0, GoldUnparseable),
        // "école" in lower("École").
        (r"\boxed{École}", C_ACCENT, "S", 1.0, Correct),
        (r"\boxed{school}", C_ACCENT, "S", 0.0, Incorrect),
        (r"\boxed{blue}", C_SEPARATOR, "S", 1.0, Correct),
        // NormalizedWord (ours, not the scorer): normalised token, whole words, answer by
        // AnswerSource::Auto (the last box or answer block).
        (r"\boxed{wolves}", C_COMMA, "W", 1.0, Correct),
        (r"\boxed{blueish}", C_COLOUR, "W", 0.0, Incorrect),
        (
            r"\boxed{red} hmm, no: \boxed{blue}",
            C_COLOUR,
            "W",
            1.0,
            Correct,
        ),
        (
            "The corrupted phrase is:\nblue car",
            C_COLOUR,
            "W",
            0.0,
            Malformed,
        ),
        // The token "a" normalises to nothing (an article).
        (r"\boxed{the mat}", C_ARTICLE, "W", 0.0, GoldUnparseable),
        // end vicrit
    ];
    assert!(table.iter().filter(|r| r.2 == "S").count() >= 30);
    for (i, &(completion, gold, which, want, kind)) in table.iter().enumerate() {
        let v = if which == "W" { word } else { scorer };
        let r = v.verify(completion, &Gold::new(gold));
        assert!(
            close(r.score(), want) && r.kind() == kind,
            "row {i}: {completion:?}: got {r}, want {want} {kind:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// visionthink
// ---------------------------------------------------------------------------------------------

/// A valid tool-call turn, then (after the separator) the answer turn.
const CALL_TURN: &str = "<think>The text is too small.</think>\n<tool_call>\n{\"name\": \
                         \"resize_image\", \"arguments\": {\"action\": \"resize\"}}\n</tool_call>\n";

#[test]
fn visionthink_matches_general_qa_tool() {
    let default = VisionThink::new(Box::new(StringMatch::normalized()));
    // `ppo_trainer.yaml`'s format weight 1.0 and the use-tool bonus of `general_qa_tool.py`'s
    // own example (0.5).
    let other = VisionThink {
        format_weight: 1.0,
        tool_use_weight: 0.5,
        ..VisionThink::new(Box::new(StringMatch::normalized()))
    };
    let call = |rest: &str| format!("{CALL_TURN}{rest}");
    // (completion, gold "cat", verifier: D default / O other weights, expected, kind)
    // score = (1 - 0.1 * called) * acc + w_format * format + w_tool * called; acc from the
    // normalised match of the answer (the judge's stand-in).
    let rows: Vec<(String, &str, f64, VerdictKind)> = vec![
        // table visionthink
        // One turn, valid: 1 + 0.5.
        ("<think>It is a cat.</think><answer>cat</answer>".into(), "D", 1.5, Correct),
        // `.*` spans line breaks.
        ("<think>\nfur\n</think>\n<answer>\ncat\n</answer>".into(), "D", 1.5, Correct),
        // A single turn is stripped before the test.
        ("  <think>t</think><answer>cat</answer>\n\n".into(), "D", 1.5, Correct),
        // Wrong answer, valid format: 0 + 0.5.
        ("<think>t</think><answer>dog</answer>".into(), "D", 0.5, Partial),
        // No <think>: format 0: 1.
        ("<answer>cat</answer>".into(), "D", 1.0, Partial),
        // Two <think>: format 0.
        ("<think>a</think><think>b</think><answer>cat</answer>".into(), "D", 1.0, Partial),
        // Answer first: does not start with <think>.
        ("<answer>cat</answer><think>t</think>".into(), "D", 1.0, Partial),
        // Text after </answer>.
        ("<think>t</think><answer>cat</answer> Done.".into(), "D", 1.0, Partial),
        // Two answer blocks.
        ("<think>t</think><answer>cat</answer><answer>cat</answer>".into(), "D", 1.0, Partial),
        // One of each tag, but <answer> before </think>: the regex's order fails (and the
        // stand-in judge reads "cat</think>"): 0.
        ("<think>t<answer>cat</think></answer>".into(), "D", 0.0, Incorrect),
        // A boxed answer inside the block: format 1, acc 1.
        (r"<think>t</think><answer>\boxed{cat}</answer>".into(), "D", 1.5, Correct),
        // Tags are case-sensitive: format 0 (our stand-in judge still reads the block).
        ("<THINK>t</THINK><ANSWER>cat</ANSWER>".into(), "D", 1.0, Partial),
        // Tool call, then a valid answer turn: 0.9 * 1 + 0.5.
        (call("<think>Now it reads cat.</think>\n<answer>cat</answer>"), "D", 1.4, Partial),
        // ... wrong answer: 0 + 0.5.
        (call("<think>Now it reads dog.</think>\n<answer>dog</answer>"), "D", 0.5, Partial),
        // The last turn is not stripped: one final line break is allowed by `$` ...
        (call("<think>ok</think><answer>cat</answer>\n"), "D", 1.4, Partial),
        // ... two are not: format 0: 0.9.
        (call("<think>ok</think><answer>cat</answer>\n\n"), "D", 0.9, Partial),
        // The answer turn must start with <think>.
        (call("So: <think>ok</think><answer>cat</answer>"), "D", 0.9, Partial),
        // Any tool is a call (resize_image is the only one offered).
        ("<think>t</think><tool_call>{\"name\": \"crop\"}</tool_call><think>u</think><answer>cat</answer>".into(),
         "D", 1.4, Partial),
        // Text between </think> and <tool_call> is allowed.
        ("<think>t</think>Let me zoom.<tool_call>{}</tool_call><think>u</think><answer>cat</answer>".into(),
         "D", 1.4, Partial),
        // Two calls, three valid turns: format 1, called: 1.4.
        ("<think>a</think><tool_call>{}</tool_call><think>b</think><tool_call>{}</tool_call><think>c</think><answer>cat</answer>".into(),
         "D", 1.4, Partial),
        // A call turn without <think>: called, format 0: 0.9.
        ("<tool_call>{}</tool_call>\n<think>t</think><answer>cat</answer>".into(), "D", 0.9, Partial),
        // A call turn with an answer in it: format 0: 0.9.
        ("<think>t</think><answer>cat</answer><tool_call>{}</tool_call><think>u</think><answer>cat</answer>".into(),
         "D", 0.9, Partial),
        // <tool_call> before </think> in the call turn: format 0.
        ("<think>t<tool_call>{}</think></tool_call><think>u</think><answer>cat</answer>".into(),
         "D", 0.9, Partial),
        // A call never closed: no call; but the tag breaks the answer format: 1.
        ("<think>t</think><tool_call>{}\n<answer>cat</answer>".into(), "D", 1.0, Partial),
        // A stray </tool_call> first: no call (no <tool_call> before it), format 0: 1.
        ("</tool_call><think>t</think><answer>cat</answer>".into(), "D", 1.0, Partial),
        // A bare JSON call is not a tool call: format 0 (text before <think>): 1.
        ("{\"action\": \"resize\"} <think>t</think> <answer>cat</answer>".into(), "D", 1.0, Partial),
        // Other weights: one valid turn: 1 + 1.
        ("<think>t</think><answer>cat</answer>".into(), "O", 2.0, Correct),
        // Called and valid: 0.9 + 1 + 0.5.
        (call("<think>ok</think><answer>cat</answer>"), "O", 2.4, Partial),
        // Called, wrong answer, broken format: 0 + 0 + 0.5.
        (call("The answer: <answer>dog</answer>"), "O", 0.5, Partial),
        // Called, correct, broken format: 0.9 + 0 + 0.5.
        ("<tool_call>{}</tool_call><think>t</think><answer>cat</answer>".into(), "O", 1.4, Partial),
        // end visionthink
    ];
    assert!(rows.len() >= 30);
    let gold = Gold::new("cat");
    for (i, (completion, which, want, kind)) in rows.iter().enumerate() {
        let v = if *which == "O" { &other } else { &default };
        let r = v.verify(completion, &gold);
        assert!(
            close(r.score(), *want) && r.kind() == *kind,
            "row {i}: {completion:?}: got {r}, want {want} {kind:?}"
        );
    }
    // DEVIATION 1: no answer block and no box: our stand-in judge finds no answer (malformed,
    // 0); the reference sends the whole text to its judge, which may pay 1.
    let r = default.verify("<think>t</think>cat", &gold);
    assert_eq!(r.kind(), Malformed);
    // ... and a tool call with no answer turn at all (format 0) is malformed too.
    assert_eq!(
        default
            .verify("<think>t</think><tool_call>{}</tool_call>", &gold)
            .kind(),
        Malformed
    );
}

#[test]
fn visionthink_group_penalty_matches_ray_trainer() {
    let s = |correct, resized| GroupSample { correct, resized };
    let (d, t, w) = (s(true, false), s(true, true), s(false, false));
    // (group, expected accuracy terms); ratio = #correct direct / (#correct + 1e-4); correct
    // direct answers get 1 - 0.1 when 0 < ratio < 0.2.
    let table: Vec<(Vec<GroupSample>, Vec<f64>)> = vec![
        // 1 / 5.0001 = 0.199996 < 0.2: penalised.
        (vec![d, t, t, t, t], vec![0.9, 0.9, 0.9, 0.9, 0.9]),
        // 1 / 4.0001 = 0.249994: not.
        (vec![d, t, t, t], vec![1.0, 0.9, 0.9, 0.9]),
        // 2 / 10.0001 < 0.2: both direct answers penalised.
        (
            [vec![d, d], vec![t; 8]].concat(),
            [vec![0.9, 0.9], vec![0.9; 8]].concat(),
        ),
        // Wrong answers do not count: 1 / 6.0001.
        (
            vec![d, t, t, t, t, t, w],
            vec![0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.0],
        ),
        // All correct answers direct: ratio 0.99998: not.
        (vec![d, d, w], vec![1.0, 1.0, 0.0]),
        // No direct answer correct: ratio 0: not (nothing to penalise).
        (vec![t, t, w], vec![0.9, 0.9, 0.0]),
        // Nothing correct.
        (vec![w, w], vec![0.0, 0.0]),
        // One correct, direct: 1 / 1.0001: not.
        (
            [vec![d], vec![w; 9]].concat(),
            [vec![1.0], vec![0.0; 9]].concat(),
        ),
        // A group of 16 (rollout.n): 3 direct, 13 calls: 3 / 16.0001 = 0.1875: penalised.
        (
            [vec![d; 3], vec![t; 13]].concat(),
            [vec![0.9; 3], vec![0.9; 13]].concat(),
        ),
        // 4 direct, 12 calls: 0.25: not.
        (
            [vec![d; 4], vec![t; 12]].concat(),
            [vec![1.0; 4], vec![0.9; 12]].concat(),
        ),
    ];
    for (i, (group, want)) in table.iter().enumerate() {
        let got = group_accuracy(group, 0.1, 0.1, 0.2);
        assert_eq!(got.len(), want.len());
        assert!(
            got.iter().zip(want).all(|(a, b)| close(*a, *b)),
            "group {i}: {got:?} != {want:?}"
        );
    }
    // A threshold of 0 (the config default) never penalises.
    assert_eq!(group_accuracy(&[d, t, t, t, t], 0.1, 0.1, 0.0)[0], 1.0);
}

// ---------------------------------------------------------------------------------------------
// geovista
// ---------------------------------------------------------------------------------------------

const GEO_LYON: &str =
    r#"{"city": "Lyon", "province_or_state": "Auvergne-Rhône-Alpes", "country": "France"}"#;
const GEO_SF: &str =
    r#"{"city": "San Francisco", "state": "California", "country": "United States"}"#;
const GEO_DC: &str = r#"{"city": "Washington, D.C.", "country": "United States"}"#;
const GEO_ZURICH: &str = r#"{"city": "Zürich", "state": "Zürich", "country": "Switzerland"}"#;
const GEO_NYC: &str =
    r#"{"city": "New York City|NYC", "state": "New York", "country": "United States|USA"}"#;
const GEO_TROMSO: &str = r#"{"city": "Tromsø", "country": "Norway"}"#;
/// An empty `province_or_state` falls back to `state` (Python's `or`).
const GEO_SAO_PAULO: &str =
    r#"{"city": "São Paulo", "province_or_state": "", "state": "São Paulo", "country": "Brazil"}"#;
const GEO_TOKYO: &str = r#"{"city": "Tokyo", "country": "Japan"}"#;
const GEO_ETIENNE: &str = r#"{"city": "Saint-Étienne", "country": "France"}"#;

#[test]
fn geovista_matches_rule_based_check() {
    let parts = GeoVista::default();
    let reference = GeoVista {
        rule: GeoRule::Reference,
        ..GeoVista::default()
    };
    // (completion, gold, rule: P AnswerParts (default) / R Reference, expected, kind)
    // Normalise: NFKD, drop non-ASCII, lower, non-[a-z0-9] -> space, collapse. Score 4 if the
    // normalised city occurs as a whole term, else 2 for the state, else 1 for the country.
    let table: &[(&str, &str, &str, f64, VerdictKind)] = &[
        // table geovista
        ("<answer>Lyon, France</answer>", GEO_LYON, "P", 4.0, Correct),
        (
            "<answer>Lyon, Auvergne-Rhône-Alpes, France</answer>",
            GEO_LYON,
            "P",
            4.0,
            Correct,
        ),
        // "auvergne rhone alpes" either way the state is written.
        (
            "<answer>Grenoble, Auvergne Rhone Alpes, France</answer>",
            GEO_LYON,
            "P",
            2.0,
            Partial,
        ),
        (
            "<answer>Grenoble, Auvergne-Rhone-Alpes, France</answer>",
            GEO_LYON,
            "P",
            2.0,
            Partial,
        ),
        (
            "<answer>Marseille, France</answer>",
            GEO_LYON,
            "P",
            1.0,
            Partial,
        ),
        (
            "<answer>Turin, Italy</answer>",
            GEO_LYON,
            "P",
            0.0,
            Incorrect,
        ),
        ("<answer>LYON</answer>", GEO_LYON, "P", 4.0, Correct),
        // "lyonnais" is not the whole term "lyon".
        (
            "<answer>Lyonnais region, France</answer>",
            GEO_LYON,
            "P",
            1.0,
            Partial,
        ),
        // A whole term anywhere in the answer counts.
        (
            "<answer>Villeurbanne (near Lyon), France</answer>",
            GEO_LYON,
            "P",
            4.0,
            Correct,
        ),
        (
            "<answer>San Francisco Bay Area, California, USA</answer>",
            GEO_SF,
            "P",
            4.0,
            Correct,
        ),
        // No aliases in the gold: "CA" and "USA" are not California and United States.
        (
            "<answer>Oakland, CA, USA</answer>",
            GEO_SF,
            "P",
            0.0,
            Incorrect,
        ),
        (
            "<answer>Los Angeles, California, United States</answer>",
            GEO_SF,
            "P",
            2.0,
            Partial,
        ),
        ("<answer>SanFrancisco</answer>", GEO_SF, "P", 0.0, Incorrect),
        // "washington d c united states" contains the city "washington d c".
        (
            "<answer>Washington, D.C., United States</answer>",
            GEO_DC,
            "P",
            4.0,
            Correct,
        ),
        // "washington dc" does not; no state in the gold; no country named.
        (
            "<answer>Washington DC</answer>",
            GEO_DC,
            "P",
            0.0,
            Incorrect,
        ),
        // ü folds to u.
        (
            "<answer>Zurich, Switzerland</answer>",
            GEO_ZURICH,
            "P",
            4.0,
            Correct,
        ),
        ("<answer>Zuerich</answer>", GEO_ZURICH, "P", 0.0, Incorrect),
        // ø has no decomposition, so the gold city is "troms" and "tromso" misses it.
        (
            "<answer>Tromsø, Norway</answer>",
            GEO_TROMSO,
            "P",
            4.0,
            Correct,
        ),
        (
            "<answer>Tromso, Norway</answer>",
            GEO_TROMSO,
            "P",
            1.0,
            Partial,
        ),
        // The state is São Paulo (empty province_or_state), but so is the city: 4.
        (
            "<answer>Campinas, São Paulo, Brazil</answer>",
            GEO_SAO_PAULO,
            "P",
            4.0,
            Correct,
        ),
        // Fullwidth letters fold to ASCII.
        (
            "<answer>Ｔｏｋｙｏ, Japan</answer>",
            GEO_TOKYO,
            "P",
            4.0,
            Correct,
        ),
        // A JSON answer: its values are searched.
        (
            r#"<answer>{"city": "Lyon", "country": "France"}</answer>"#,
            GEO_LYON,
            "P",
            4.0,
            Correct,
        ),
        (
            r#"<answer>{"city": "Nice", "state": "Provence", "country": "France"}</answer>"#,
            GEO_LYON,
            "P",
            1.0,
            Partial,
        ),
        // ";" separates parts too.
        ("<answer>Lyon; France</answer>", GEO_LYON, "P", 4.0, Correct),
        // "The United States" contains "united states".
        (
            "<answer>The United States</answer>",
            GEO_SF,
            "P",
            1.0,
            Partial,
        ),
        (
            "<answer>Saint Etienne, France</answer>",
            GEO_ETIENNE,
            "P",
            4.0,
            Correct,
        ),
        // U+2010 HYPHEN has no decomposition and is dropped: "saintetienne": country only.
        (
            "<answer>Saint‐Étienne, France</answer>",
            GEO_ETIENNE,
            "P",
            1.0,
            Partial,
        ),
        // DEVIATION 2: the reasoning is not searched (Reference: 4, Lyon is in the think).
        (
            "<think>Not Paris; the river suggests Lyon.</think><answer>Marseille, France</answer>",
            GEO_LYON,
            "P",
            1.0,
            Partial,
        ),
        (
            "<think>Not Paris; the river suggests Lyon.</think><answer>Marseille, France</answer>",
            GEO_LYON,
            "R",
            4.0,
            Correct,
        ),
        // DEVIATION 2: more than 4 parts is malformed (Reference: 4).
        (
            "<answer>Paris, Lyon, Marseille, Nice, France</answer>",
            GEO_LYON,
            "P",
            0.0,
            Malformed,
        ),
        (
            "<answer>Paris, Lyon, Marseille, Nice, France</answer>",
            GEO_LYON,
            "R",
            4.0,
            Correct,
        ),
        // No answer block: malformed (Reference: the whole text, 4).
        ("Lyon, France", GEO_LYON, "P", 0.0, Malformed),
        ("Lyon, France", GEO_LYON, "R", 4.0, Correct),
        ("<answer></answer>", GEO_LYON, "P", 0.0, Malformed),
        // DEVIATION 1: aliases (the reference would read "new york city nyc" as one name).
        ("<answer>NYC, USA</answer>", GEO_NYC, "P", 4.0, Correct),
        (
            "<answer>Brooklyn, New York, USA</answer>",
            GEO_NYC,
            "P",
            2.0,
            Partial,
        ),
        // Reference: the text after the last "assistant" (compure_score_search's own example).
        (
            "system: context...\nassistant I think it's near San Francisco, CA, USA.",
            GEO_SF,
            "R",
            4.0,
            Correct,
        ),
        // ... so a later "assistant" cuts the answer: only " says France" is searched.
        (
            "assistant: Lyon is my guess, the assistant says France",
            GEO_LYON,
            "R",
            1.0,
            Partial,
        ),
        // The tags are searched too ("answer turin italy answer"): 0.
        (
            "<answer>Turin, Italy</answer>",
            GEO_LYON,
            "R",
            0.0,
            Incorrect,
        ),
        (r#"{"city": "Lyon"}"#, GEO_LYON, "R", 4.0, Correct),
        // end geovista
    ];
    assert!(table.len() >= 30);
    for (i, &(completion, gold, which, want, kind)) in table.iter().enumerate() {
        let v = if which == "R" { reference } else { parts };
        let r = v.verify(completion, &Gold::new(gold));
        assert!(
            close(r.score(), want) && r.kind() == kind,
            "row {i}: {completion:?}: got {r}, want {want} {kind:?}"
        );
    }
    // DEVIATION 3: a gold without a country is unreadable.
    for bad in [
        r#"{"city": "Lyon"}"#,
        "Lyon",
        r#"{"city": "Lyon", "country": 7}"#,
    ] {
        assert_eq!(
            parts
                .verify("<answer>Lyon</answer>", &Gold::new(bad))
                .kind(),
            GoldUnparseable,
            "{bad}"
        );
    }
}
