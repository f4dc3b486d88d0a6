//! Dataset export/import: round trip (pixels included), bad-line errors that name the file,
//! line and field, and writes that never clobber an existing dataset half-way.

use ocellus_tasks::dataset::{self, DatasetWriter};
use ocellus_tasks::{task, tasks, Coords, DatasetError, Difficulty, Sample, Spec};
use std::fs;
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocellus-tasks-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn samples(name: &str, n: u64) -> Vec<Sample> {
    let t = task(name).unwrap();
    (0..n)
        .map(|i| {
            t.generate(&Spec::new(
                3,
                i,
                Difficulty::new(1 + (i % 5) as u8).unwrap(),
            ))
        })
        .collect()
}

#[test]
fn every_task_round_trips_through_jsonl_and_png() {
    let dir = scratch("roundtrip");
    for t in tasks() {
        let mut s = samples(t.name, 5);
        if t.uses_coords {
            s.push(t.generate(
                &Spec::new(3, 9, Difficulty::new(3).unwrap()).with_coords(Coords::Norm1000),
            ));
        }
        let name = format!("{}_train", t.name);
        let path = dataset::write_dataset(&dir, &name, "train", &s).unwrap();
        assert_eq!(path, dir.join(format!("{name}.jsonl")));
        let back = dataset::read_samples(&path).unwrap();
        assert_eq!(back, s, "{}", t.name);
        let rows = dataset::read_rows(&path).unwrap();
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(
                (r.line, r.index, r.split.as_str()),
                (i + 1, i as u64, "train")
            );
            assert_eq!(r.ability, t.ability);
            assert_eq!(r.images[0], format!("images/{name}/{i:06}_0.png"));
        }
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = walk(&dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    fs::remove_dir_all(&dir).unwrap();
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn rows_have_the_verl_layout() {
    let dir = scratch("layout");
    let s = samples("grounding", 1);
    let path = dataset::write_dataset(&dir, "g", "test", &s).unwrap();
    let line = fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["data_source"], "ocellus/grounding");
    assert_eq!(v["prompt"][0]["role"], "user");
    assert!(v["prompt"][0]["content"]
        .as_str()
        .unwrap()
        .starts_with("<image>"));
    assert_eq!(v["images"][0], "images/g/000000_0.png");
    assert_eq!(v["ability"], "grounding");
    assert_eq!(v["reward_model"]["style"], "rule");
    assert_eq!(v["reward_model"]["ground_truth"], s[0].gold.answer);
    assert_eq!(v["extra_info"]["index"], 0);
    assert_eq!(v["extra_info"]["split"], "test");
    assert_eq!(v["extra_info"]["verifier"], "iou");
    assert_eq!(
        v["extra_info"]["gold"]["gold_frame"]["kind"],
        "absolute_original"
    );
    assert_eq!(v["extra_info"]["params"]["task"], "grounding");
    assert_eq!(v["problem"], v["prompt"][0]["content"]);
    assert_eq!(v["answer"], v["reward_model"]["ground_truth"]);
    // The PNG is a real 8-bit RGB image of the right size.
    let png = fs::read(dir.join("images/g/000000_0.png")).unwrap();
    let img = dataset::decode_png(&png).unwrap();
    assert_eq!((img.width(), img.height()), (250, 250));
    fs::remove_dir_all(&dir).unwrap();
}

/// Rewrites line `line` (1-based) of `path` with `edit` and returns the import error.
fn error_after(
    path: &Path,
    line: usize,
    edit: impl Fn(&mut serde_json::Value) -> Option<String>,
) -> String {
    let text = fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut v: serde_json::Value = serde_json::from_str(&lines[line - 1]).unwrap();
    lines[line - 1] = edit(&mut v).unwrap_or_else(|| v.to_string());
    let bad = path.with_file_name("bad.jsonl");
    fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let err = dataset::read_samples(&bad).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.jsonl"), "{msg}");
    assert!(msg.contains(&format!("bad.jsonl:{line}:")), "{msg}");
    msg
}

/// Rewrites a parsed row in place, or returns a raw replacement line.
type Edit = dyn Fn(&mut serde_json::Value) -> Option<String>;

#[test]
fn bad_lines_name_file_line_and_field() {
    let dir = scratch("badlines");
    let path = dataset::write_dataset(&dir, "c", "train", &samples("counting", 3)).unwrap();
    let cases: Vec<(usize, &str, Box<Edit>)> = vec![
        (
            2,
            "not a JSON object",
            Box::new(|_| Some("{\"data_source\": ".into())),
        ),
        (2, "not a JSON object", Box::new(|_| Some("[1, 2]".into()))),
        (1, "not a JSON object", Box::new(|_| Some(String::new()))),
        (
            3,
            "field `extra_info.gold`: missing",
            Box::new(|v| {
                v["extra_info"].as_object_mut().unwrap().remove("gold");
                None
            }),
        ),
        (
            2,
            "field `extra_info.gold`: unknown field",
            Box::new(|v| {
                v["extra_info"]["gold"]["frame"] = "pixels".into();
                None
            }),
        ),
        (
            2,
            "field `reward_model.ground_truth`",
            Box::new(|v| {
                v["reward_model"]["ground_truth"] = "99".into();
                None
            }),
        ),
        (
            1,
            "field `extra_info.verifier`: unknown verifier \"nope\"",
            Box::new(|v| {
                v["extra_info"]["verifier"] = "nope".into();
                None
            }),
        ),
        (
            3,
            "field `images[0]`",
            Box::new(|v| {
                v["images"][0] = "../../etc/passwd".into();
                None
            }),
        ),
        (
            2,
            "field `prompt[0].content`: 2 <image> placeholders for 1 images",
            Box::new(|v| {
                let c = format!("<image>{}", v["prompt"][0]["content"].as_str().unwrap());
                v["prompt"][0]["content"] = c.into();
                None
            }),
        ),
        (
            1,
            "field `extra_info.index`: expected a non-negative integer",
            Box::new(|v| {
                v["extra_info"]["index"] = (-1).into();
                None
            }),
        ),
        (
            2,
            "field `data_source`: expected a string, found a number",
            Box::new(|v| {
                v["data_source"] = 3.into();
                None
            }),
        ),
        (
            3,
            "image",
            Box::new(|v| {
                v["images"][0] = "images/c/missing.png".into();
                None
            }),
        ),
    ];
    for (line, want, edit) in cases {
        let msg = error_after(&path, line, edit);
        assert!(msg.contains(want), "want {want:?} in {msg:?}");
    }
    // A corrupt PNG names the image.
    fs::write(dir.join("images/c/000001_0.png"), b"not a png").unwrap();
    let err = dataset::read_samples(&path).unwrap_err();
    assert!(matches!(err, DatasetError::Image { line: 2, .. }), "{err}");
    assert!(err.to_string().contains("000001_0.png"));
    // Rows can still be read without opening images.
    assert_eq!(dataset::read_rows(&path).unwrap().len(), 3);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unfinished_export_leaves_the_existing_dataset_intact() {
    let dir = scratch("atomic");
    let first = samples("chart", 2);
    let path = dataset::write_dataset(&dir, "ch", "train", &first).unwrap();
    let before = fs::read(&path).unwrap();
    {
        let mut w = DatasetWriter::create(&dir, "ch", "train").unwrap();
        for s in samples("counting", 3) {
            w.push(&s).unwrap();
        }
        assert_eq!(w.rows(), 3);
        // Dropped without finish(): as if the process died.
    }
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(
        dataset::read_samples(&path).unwrap(),
        first,
        "pixels kept too"
    );
    // Finishing replaces it in one step.
    let second = samples("counting", 3);
    dataset::write_dataset(&dir, "ch", "train", &second).unwrap();
    assert_eq!(dataset::read_samples(&path).unwrap(), second);
    assert!(DatasetWriter::create(&dir, "../x", "train").is_err());
    assert!(DatasetWriter::create(&dir, "", "train").is_err());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_byte_survives_the_png_round_trip() {
    // A 256x3 image holding every byte value in every channel.
    let (w, h) = (256, 3);
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let b = x as u8;
            rgb.extend_from_slice(&match y {
                0 => [b, 0, 255 - b],
                1 => [0, b, 7],
                _ => [b, b, b],
            });
        }
    }
    let s = dataset::sketch_from_rgb(w, h, &rgb);
    assert_eq!(s.to_hwc(), rgb);
    let png = dataset::encode_png(&s).unwrap();
    assert_eq!(dataset::decode_png(&png).unwrap(), s);
}
