//! Caption-error localisation: a scene, its true caption with exactly one word corrupted, and
//! the policy names the corrupted word (ViCrit, arXiv 2506.10128; graded by the `vicrit`
//! verifier: normalised exact match of the span).
//!
//! The caption lists the groups of shapes ("one red circle, two blue squares and three green
//! triangles") and, from level 4, spatial relations between single shapes ("The red circle is
//! to the left of the blue square."). One word is replaced so that the caption becomes false:
//! a colour by a colour with no such shape, a kind by a kind with no such shape, a count by
//! another count (plural counts only, so grammar gives nothing away), a relation by its
//! opposite. The corrupted span is always one word and never an article (ViCrit's normaliser
//! drops articles). `extra` keeps the original and the corrupted caption, so the
//! `vicrit_relaxed` gold (`{"original_caption", "changed_caption"}`) can be built from it.
//!
//! **Difficulty**
//! | level | groups | counts | relations | corruptions |
//! |---|---|---|---|---|
//! | 1 | 2 | 1–3 | no | colour |
//! | 2 | 3 | 1–3 | no | colour, kind |
//! | 3 | 3 | 1–4 | no | colour, kind, count |
//! | 4 | 4 | 1–4 | 1 | colour, kind, count, relation |
//! | 5 | 5 | 1–4 | 2 | same, smaller shapes |

use crate::figure::{Colour, Figure, Kind, Layout, PAPER};
use crate::random::{choose, int, shuffle};
use crate::{answer_like, Sample, Spec, TaskInfo};
use ocellus_core::RandomState;
use ocellus_render::Sketch;
use ocellus_rewards::Gold;
use serde_json::json;

/// Image side, pixels.
pub const SIZE: usize = 250;

/// Registry entry.
pub const INFO: TaskInfo = TaskInfo {
    name: "caption",
    summary: "find the one wrong word in a caption of the image",
    difficulty: "more shape groups, larger counts, relation sentences; corruptions go from \
                 colours to kinds, counts and spatial relations",
    verifier: "vicrit",
    ability: "caption_critique",
    uses_coords: false,
    generate,
};

const NUMBERS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// A caption as words, with each word's role so one can be corrupted.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Plain,
    Count(usize),
    Colour(usize),
    Kind(usize),
    Relation,
}

struct Group {
    kind: Kind,
    colour: Colour,
    count: usize,
}

fn push(words: &mut Vec<(String, Role)>, text: &str, role: Role) {
    words.push((text.to_owned(), role));
}

fn scene(rng: &mut RandomState, level: u8) -> (Vec<Group>, Vec<Figure>) {
    let n_groups = [2, 3, 3, 4, 5][usize::from(level - 1)];
    let max_count = if level <= 2 { 3 } else { 4 };
    let radius = if level == 5 {
        (9.0, 13.0)
    } else {
        (12.0, 17.0)
    };
    let layout = Layout {
        width: SIZE,
        height: SIZE,
        margin: 4.0,
        gap: 6.0,
    };
    loop {
        let mut looks: Vec<(Kind, Colour)> = Vec::new();
        while looks.len() < n_groups {
            let l = (choose(rng, &Kind::ALL), choose(rng, &Colour::ALL));
            if !looks.contains(&l) {
                looks.push(l);
            }
        }
        let groups: Vec<Group> = looks
            .iter()
            .map(|&(kind, colour)| Group {
                kind,
                colour,
                count: int(rng, 1, max_count) as usize,
            })
            .collect();
        let wanted: Vec<_> = groups
            .iter()
            .flat_map(|g| std::iter::repeat_n((g.kind, g.colour), g.count))
            .collect();
        let mut figures = Vec::new();
        if layout.place(rng, &wanted, radius, &mut figures) == wanted.len() {
            return (groups, figures);
        }
    }
}

fn generate(spec: &Spec, info: &TaskInfo) -> Sample {
    let level = spec.difficulty.level();
    let mut rng = spec.rng();
    let (groups, figures) = scene(&mut rng, level);

    // The true caption.
    let mut words: Vec<(String, Role)> = Vec::new();
    push(&mut words, "The", Role::Plain);
    push(&mut words, "picture", Role::Plain);
    push(&mut words, "shows", Role::Plain);
    for (i, g) in groups.iter().enumerate() {
        if i > 0 && i + 1 == groups.len() {
            push(&mut words, "and", Role::Plain);
        }
        push(&mut words, NUMBERS[g.count], Role::Count(i));
        push(&mut words, g.colour.name(), Role::Colour(i));
        let mut noun = g.kind.noun_for(g.count);
        if i + 2 < groups.len() {
            noun.push(',');
        } else if i + 1 == groups.len() {
            noun.push('.');
        }
        push(&mut words, &noun, Role::Kind(i));
    }
    // Relations between single shapes that are clearly apart on one axis.
    let n_relations = match level {
        4 => 1,
        5 => 2,
        _ => 0,
    };
    let singles: Vec<usize> = (0..groups.len())
        .filter(|&i| groups[i].count == 1)
        .collect();
    let mut relations = Vec::new();
    let center = |g: usize| {
        figures
            .iter()
            .find(|f| (f.kind, f.colour) == (groups[g].kind, groups[g].colour))
            .expect("every group is drawn")
            .center
    };
    let mut pairs: Vec<(usize, usize)> = singles
        .iter()
        .flat_map(|&a| singles.iter().map(move |&b| (a, b)))
        .filter(|(a, b)| a < b)
        .collect();
    shuffle(&mut rng, &mut pairs);
    for (a, b) in pairs.into_iter().take(n_relations) {
        let (ca, cb) = (center(a), center(b));
        let (dx, dy) = (cb[0] - ca[0], cb[1] - ca[1]);
        let word = if dx.abs() >= dy.abs() {
            if dx > 0.0 {
                "left"
            } else {
                "right"
            }
        } else if dy > 0.0 {
            "above"
        } else {
            "below"
        };
        if dx.abs().max(dy.abs()) < 40.0 {
            continue;
        }
        relations.push((a, b, word));
        push(&mut words, "The", Role::Plain);
        push(&mut words, groups[a].colour.name(), Role::Plain);
        push(&mut words, groups[a].kind.noun(), Role::Plain);
        push(&mut words, "is", Role::Plain);
        if word == "left" || word == "right" {
            for w in ["to", "the"] {
                push(&mut words, w, Role::Plain);
            }
            push(&mut words, word, Role::Relation);
            push(&mut words, "of", Role::Plain);
        } else {
            push(&mut words, word, Role::Relation);
        }
        push(&mut words, "the", Role::Plain);
        push(&mut words, groups[b].colour.name(), Role::Plain);
        push(
            &mut words,
            &format!("{}.", groups[b].kind.noun()),
            Role::Plain,
        );
    }

    // Pick a corruptible word and corrupt it so that the caption is false.
    let allowed = |r: Role| match r {
        Role::Colour(_) => true,
        Role::Kind(_) => level >= 2,
        Role::Count(i) => level >= 3 && groups[i].count >= 2,
        Role::Relation => level >= 4,
        Role::Plain => false,
    };
    let candidates: Vec<usize> = (0..words.len()).filter(|&i| allowed(words[i].1)).collect();
    let pos = choose(&mut rng, &candidates);
    let has = |k: Kind, c: Colour| groups.iter().any(|g| g.kind == k && g.colour == c);
    let (old, role) = words[pos].clone();
    let punct: String = old.chars().filter(|c| c.is_ascii_punctuation()).collect();
    let new_word = match role {
        Role::Colour(i) => loop {
            let c = choose(&mut rng, &Colour::ALL);
            if !has(groups[i].kind, c) {
                break c.name().to_owned();
            }
        },
        Role::Kind(i) => loop {
            let k = choose(&mut rng, &Kind::ALL);
            if !has(k, groups[i].colour) {
                break format!("{}{punct}", k.noun_for(groups[i].count));
            }
        },
        Role::Count(i) => loop {
            let c = int(&mut rng, 2, 6) as usize;
            if c != groups[i].count {
                break NUMBERS[c].to_owned();
            }
        },
        _ => match old.as_str() {
            "left" => "right".to_owned(),
            "right" => "left".to_owned(),
            "above" => "below".to_owned(),
            _ => "above".to_owned(),
        },
    };
    let original: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    let original = original.join(" ");
    words[pos].0 = new_word.clone();
    let changed: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    let changed = changed.join(" ");
    let span = new_word.trim_end_matches([',', '.']).to_owned();

    let mut image = Sketch::new(SIZE, SIZE, PAPER);
    for f in &figures {
        f.draw(&mut image);
    }
    let prompt = format!(
        "<image>\nThis caption describes the image, but exactly one word in it is wrong:\n\
         \"{changed}\"\nWhich word is wrong? Answer with that single word exactly as it appears \
         in the caption. {}",
        answer_like("green")
    );
    let groups_json: Vec<_> = groups
        .iter()
        .map(|g| json!({"kind": g.kind, "colour": g.colour, "count": g.count}))
        .collect();
    let relations_json: Vec<_> = relations
        .iter()
        .map(|(a, b, w)| json!({"subject": a, "object": b, "relation": w}))
        .collect();
    spec.sample(
        info,
        vec![image],
        prompt,
        Gold::new(span.clone()),
        span,
        json!({
            "original_caption": original,
            "changed_caption": changed,
            "corrupted_word_index": pos,
            "groups": groups_json,
            "relations": relations_json,
            "figures": figures,
        }),
    )
}
