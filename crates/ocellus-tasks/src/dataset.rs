//! Dataset export and import: one JSONL file of rows plus PNG files, in the row layout verl
//! and EasyR1 train on.
//!
//! **Source of the layout.** verl's `examples/data_preprocess/geo3k.py` (volcengine/verl) writes
//! rows `{data_source, prompt: [{role, content}], images, ability, reward_model: {style: "rule",
//! ground_truth}, extra_info: {split, index, …}}`; verl's `RLHFDataset._build_messages`
//! (`verl/utils/dataset/rl_dataset.py`) splits each message's `content` on `<image>` and pairs
//! the placeholders with `images` in order, and its `compute_score(data_source, solution_str,
//! ground_truth, extra_info)` receives the last three columns. EasyR1 (hiyouga/EasyR1,
//! `verl/trainer/config.py` `DataConfig`) reads a plain-string prompt, an answer and an image
//! list through `data.prompt_key` / `answer_key` / `image_key`; the `problem` and `answer`
//! columns below serve it (`data.prompt_key=problem`).
//!
//! **On disk**, for a dataset named `NAME` in directory `DIR`:
//! ```text
//! DIR/NAME.jsonl                      one row per line
//! DIR/images/NAME/000000_0.png        image k of row i: images/NAME/{i:06}_{k}.png (RGB 8-bit)
//! ```
//! One row (keys sorted as written; image paths are relative to `DIR`):
//! ```json
//! {"ability": "counting",
//!  "answer": "3",
//!  "data_source": "ocellus/counting",
//!  "extra_info": {"gold": {"answer": "3", "answer_frame": null, "gold_frame": null,
//!                          "training_progress": null, "options": []},
//!                 "id": "counting-d2-s0-0", "index": 0, "params": {"task": "counting", …},
//!                 "reference_answer": "3", "split": "train", "verifier": "numeric"},
//!  "images": ["images/counting_train/000000_0.png"],
//!  "problem": "<image>\nHow many red circles are there in the image? …",
//!  "prompt": [{"role": "user", "content": "<image>\nHow many red circles …"}],
//!  "reward_model": {"ground_truth": "3", "style": "rule"}}
//! ```
//! `extra_info.gold` is the full [`ocellus_rewards::Gold`] (answer, coordinate frames, options)
//! and `extra_info.verifier` its `ocellus-rewards` registry name, so a verl `compute_score` or
//! `ocellus rewards score` can grade without guessing frames. verl reads parquet: convert with
//! `pandas.read_json("NAME.jsonl", lines=True).to_parquet("NAME.parquet")` and make the image
//! paths absolute (or run from `DIR`); for EasyR1 pass `data.image_dir=DIR`.
//!
//! **Safety.** [`DatasetWriter`] writes the JSONL to a hidden temporary file (`.NAME.jsonl.tmp`)
//! and the PNGs to a hidden staging directory (`images/.NAME.staging/`); only
//! [`DatasetWriter::finish`] swaps the staging directory in (the previous images move to
//! `images/.NAME.old/` for the duration of the swap) and renames the JSONL over `NAME.jsonl`.
//! An export that stops before `finish` leaves the existing dataset, rows and pixels, as it
//! was; the swap itself is three renames, during which an old dataset's images sit in
//! `images/.NAME.old/`. Reading reports every problem with the file, the 1-based line number
//! and the field.
//!
//! ```
//! use ocellus_tasks::{dataset, task, Difficulty, Spec};
//! let dir = std::env::temp_dir().join(format!("ocellus-tasks-doc-{}", std::process::id()));
//! let gen = task("rotation").unwrap();
//! let samples: Vec<_> = (0..3)
//!     .map(|i| gen.generate(&Spec::new(1, i, Difficulty::new(1).unwrap())))
//!     .collect();
//! let path = dataset::write_dataset(&dir, "rotation_train", "train", &samples).unwrap();
//! let back = dataset::read_samples(&path).unwrap();
//! assert_eq!(back, samples); // prompts, gold, parameters and pixels
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use crate::error::DatasetError;
use crate::{Sample, IMAGE_PLACEHOLDER};
use ocellus_render::Sketch;
use ocellus_rewards::{registry, Gold};
use serde_json::{json, Map, Value};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Component, Path, PathBuf};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DatasetError + '_ {
    move |source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}

/// Encodes a sketch as an 8-bit RGB PNG.
pub fn encode_png(image: &Sketch) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, image.width() as u32, image.height() as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header()?;
        w.write_image_data(&image.to_hwc())?;
        w.finish()?;
    }
    Ok(out)
}

/// Decodes a PNG (RGB, RGBA, grey or grey-alpha, any bit depth; alpha is dropped) into a
/// sketch.
pub fn decode_png(bytes: &[u8]) -> Result<Sketch, String> {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("image too large for memory")?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let (w, h) = (info.width as usize, info.height as usize);
    if w == 0 || h == 0 {
        return Err("empty image".into());
    }
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Indexed => return Err("palette PNG not expanded".into()),
    };
    let px = &buf[..info.buffer_size()];
    let mut rgb = Vec::with_capacity(w * h * 3);
    for p in px.chunks_exact(channels) {
        match channels {
            1 | 2 => rgb.extend_from_slice(&[p[0]; 3]),
            _ => rgb.extend_from_slice(&p[..3]),
        }
    }
    Ok(sketch_from_rgb(w, h, &rgb))
}

/// A sketch holding exactly the interleaved RGB bytes `rgb` (`[H, W, 3]`).
///
/// `Sketch` has no raw-pixel constructor, so this starts from the first pixel's colour and
/// pastes one solid sketch per maximal row run of another colour (a solid sketch of byte
/// colour `b` stores exactly `b`; tested for all 256 bytes).
pub fn sketch_from_rgb(width: usize, height: usize, rgb: &[u8]) -> Sketch {
    assert_eq!(
        rgb.len(),
        width * height * 3,
        "rgb buffer of {width}x{height}"
    );
    let colour = |p: &[u8]| [p[0], p[1], p[2]].map(|b| f32::from(b) / 255.0);
    let mut out = Sketch::new(width, height, colour(&rgb[..3]));
    for y in 0..height {
        let row = &rgb[y * width * 3..(y + 1) * width * 3];
        let mut x = 0;
        while x < width {
            let c = &row[x * 3..x * 3 + 3];
            let mut end = x + 1;
            while end < width && &row[end * 3..end * 3 + 3] == c {
                end += 1;
            }
            if c != &rgb[..3] {
                out.paste(&Sketch::new(end - x, 1, colour(c)), x, y);
            }
            x = end;
        }
    }
    out
}

/// The relative path of image `k` of row `index` in dataset `name`.
pub fn image_path(name: &str, index: usize, k: usize) -> String {
    format!("images/{name}/{index:06}_{k}.png")
}

/// The JSON row of `sample` at position `index` of split `split` of dataset `name`.
pub fn row_json(sample: &Sample, name: &str, split: &str, index: usize) -> Value {
    let ability = sample
        .extra
        .get("task")
        .and_then(Value::as_str)
        .and_then(|t| crate::task(t).ok())
        .map_or("visual", |t| t.ability);
    let images: Vec<String> = (0..sample.images.len())
        .map(|k| image_path(name, index, k))
        .collect();
    json!({
        "data_source": sample.data_source,
        "prompt": [{"role": "user", "content": sample.prompt}],
        "images": images,
        "ability": ability,
        "reward_model": {"style": "rule", "ground_truth": sample.gold.answer},
        "extra_info": {
            "index": index,
            "split": split,
            "id": sample.id,
            "verifier": sample.verifier,
            "gold": sample.gold,
            "reference_answer": sample.reference_answer,
            "params": sample.extra,
        },
        "problem": sample.prompt,
        "answer": sample.gold.answer,
    })
}

/// Streams samples into `DIR/NAME.jsonl` + `DIR/images/NAME/`; see the module docs.
#[derive(Debug)]
pub struct DatasetWriter {
    name: String,
    split: String,
    path: PathBuf,
    tmp: PathBuf,
    images: PathBuf,
    staging: PathBuf,
    out: BufWriter<File>,
    rows: usize,
}

impl DatasetWriter {
    /// Starts dataset `name` (a file-name stem: no `/`, `\` or leading `.`) of split `split`
    /// in `dir`, creating the directories.
    pub fn create(dir: &Path, name: &str, split: &str) -> Result<DatasetWriter, DatasetError> {
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return Err(DatasetError::Invalid {
                what: format!("dataset name {name:?} must be a plain file-name stem"),
            });
        }
        let images = dir.join("images").join(name);
        let staging = dir.join("images").join(format!(".{name}.staging"));
        if staging.exists() {
            // Left by an export that never finished: nothing refers to it.
            fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
        }
        fs::create_dir_all(&staging).map_err(io_err(&staging))?;
        let path = dir.join(format!("{name}.jsonl"));
        let tmp = tmp_path(&path);
        let file = File::create(&tmp).map_err(io_err(&tmp))?;
        Ok(DatasetWriter {
            name: name.to_owned(),
            split: split.to_owned(),
            path,
            tmp,
            images,
            staging,
            out: BufWriter::new(file),
            rows: 0,
        })
    }

    /// Writes the sample's PNGs and appends its row.
    pub fn push(&mut self, sample: &Sample) -> Result<(), DatasetError> {
        let placeholders = sample.prompt.matches(IMAGE_PLACEHOLDER).count();
        if placeholders != sample.images.len() {
            return Err(DatasetError::Invalid {
                what: format!(
                    "sample {}: {placeholders} <image> placeholders for {} images",
                    sample.id,
                    sample.images.len()
                ),
            });
        }
        for (k, image) in sample.images.iter().enumerate() {
            let path = self.staging.join(format!("{:06}_{k}.png", self.rows));
            let bytes = encode_png(image).map_err(|e| DatasetError::Encode {
                path: path.clone(),
                why: e.to_string(),
            })?;
            fs::write(&path, &bytes).map_err(io_err(&path))?;
        }
        let row = row_json(sample, &self.name, &self.split, self.rows);
        serde_json::to_writer(&mut self.out, &row).map_err(|e| DatasetError::Io {
            path: self.tmp.clone(),
            source: e.into(),
        })?;
        self.out.write_all(b"\n").map_err(io_err(&self.tmp))?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Flushes, syncs and renames the JSONL into place; returns its path.
    pub fn finish(self) -> Result<PathBuf, DatasetError> {
        let file = self.out.into_inner().map_err(|e| DatasetError::Io {
            path: self.tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io_err(&self.tmp))?;
        // Swap the image directory, then commit with the JSONL rename.
        let old = self.images.with_file_name(format!(".{}.old", self.name));
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        if self.images.exists() {
            fs::rename(&self.images, &old).map_err(io_err(&self.images))?;
        }
        fs::rename(&self.staging, &self.images).map_err(io_err(&self.images))?;
        fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        Ok(self.path)
    }
}

/// Writes all `samples` as dataset `name` of split `split` in `dir`; returns the JSONL path.
pub fn write_dataset(
    dir: &Path,
    name: &str,
    split: &str,
    samples: &[Sample],
) -> Result<PathBuf, DatasetError> {
    let mut w = DatasetWriter::create(dir, name, split)?;
    for s in samples {
        w.push(s)?;
    }
    w.finish()
}

/// One parsed row, without its pixels (cheap: what scoring needs).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based line number in the file.
    pub line: usize,
    /// `extra_info.index`.
    pub index: u64,
    /// `extra_info.split`.
    pub split: String,
    /// `extra_info.id`.
    pub id: String,
    /// `data_source`.
    pub data_source: String,
    /// The user message (`prompt[0].content`).
    pub prompt: String,
    /// Image paths, relative to the file's directory.
    pub images: Vec<String>,
    /// `ability`.
    pub ability: String,
    /// `extra_info.verifier`, resolved in the `ocellus-rewards` registry.
    pub verifier: &'static str,
    /// `extra_info.gold`.
    pub gold: Gold,
    /// `extra_info.reference_answer`.
    pub reference_answer: String,
    /// `extra_info.params`.
    pub params: Value,
}

struct LineCtx<'a> {
    path: &'a Path,
    line: usize,
}

impl LineCtx<'_> {
    fn err(&self, field: &str, why: impl Into<String>) -> DatasetError {
        DatasetError::Field {
            path: self.path.to_path_buf(),
            line: self.line,
            field: field.to_owned(),
            why: why.into(),
        }
    }

    fn get<'v>(
        &self,
        obj: &'v Map<String, Value>,
        prefix: &str,
        key: &str,
    ) -> Result<&'v Value, DatasetError> {
        obj.get(key)
            .ok_or_else(|| self.err(&format!("{prefix}{key}"), "missing"))
    }

    fn obj<'v>(&self, v: &'v Value, field: &str) -> Result<&'v Map<String, Value>, DatasetError> {
        v.as_object()
            .ok_or_else(|| self.err(field, format!("expected an object, found {}", kind(v))))
    }

    fn str<'v>(
        &self,
        obj: &'v Map<String, Value>,
        prefix: &str,
        key: &str,
    ) -> Result<&'v str, DatasetError> {
        let v = self.get(obj, prefix, key)?;
        v.as_str().ok_or_else(|| {
            self.err(
                &format!("{prefix}{key}"),
                format!("expected a string, found {}", kind(v)),
            )
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses one line (1-based `line`) of `path`.
pub fn parse_row(path: &Path, line: usize, text: &str) -> Result<Row, DatasetError> {
    let cx = LineCtx { path, line };
    let v: Value = serde_json::from_str(text).map_err(|e| DatasetError::Json {
        path: path.to_path_buf(),
        line,
        msg: e.to_string(),
    })?;
    let row = v.as_object().ok_or_else(|| DatasetError::Json {
        path: path.to_path_buf(),
        line,
        msg: format!("found {}", kind(&v)),
    })?;
    let data_source = cx.str(row, "", "data_source")?.to_owned();
    let ability = cx.str(row, "", "ability")?.to_owned();

    let messages = cx
        .get(row, "", "prompt")?
        .as_array()
        .ok_or_else(|| cx.err("prompt", "expected a list of chat messages"))?;
    let [message] = messages.as_slice() else {
        return Err(cx.err(
            "prompt",
            format!(
                "expected exactly one (user) message, found {}",
                messages.len()
            ),
        ));
    };
    let message = cx.obj(message, "prompt[0]")?;
    let role = cx.str(message, "prompt[0].", "role")?;
    if role != "user" {
        return Err(cx.err(
            "prompt[0].role",
            format!("expected \"user\", found {role:?}"),
        ));
    }
    let prompt = cx.str(message, "prompt[0].", "content")?.to_owned();

    let images: Vec<String> = cx
        .get(row, "", "images")?
        .as_array()
        .ok_or_else(|| cx.err("images", "expected a list of relative paths"))?
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let field = format!("images[{k}]");
            let s = p
                .as_str()
                .ok_or_else(|| cx.err(&field, format!("expected a string, found {}", kind(p))))?;
            let rel = Path::new(s);
            if s.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
                return Err(cx.err(&field, format!("{s:?} is not a plain relative path")));
            }
            Ok(s.to_owned())
        })
        .collect::<Result<_, _>>()?;
    let placeholders = prompt.matches(IMAGE_PLACEHOLDER).count();
    if placeholders != images.len() {
        return Err(cx.err(
            "prompt[0].content",
            format!(
                "{placeholders} <image> placeholders for {} images",
                images.len()
            ),
        ));
    }

    let rm = cx.obj(cx.get(row, "", "reward_model")?, "reward_model")?;
    let style = cx.str(rm, "reward_model.", "style")?;
    if style != "rule" {
        return Err(cx.err(
            "reward_model.style",
            format!("expected \"rule\", found {style:?}"),
        ));
    }
    let ground_truth = cx.str(rm, "reward_model.", "ground_truth")?;

    let ei = cx.obj(cx.get(row, "", "extra_info")?, "extra_info")?;
    let index_v = cx.get(ei, "extra_info.", "index")?;
    let index = index_v.as_u64().ok_or_else(|| {
        cx.err(
            "extra_info.index",
            format!("expected a non-negative integer, found {index_v}"),
        )
    })?;
    let split = cx.str(ei, "extra_info.", "split")?.to_owned();
    let id = cx.str(ei, "extra_info.", "id")?.to_owned();
    let verifier_name = cx.str(ei, "extra_info.", "verifier")?;
    let verifier = registry::names()
        .into_iter()
        .find(|n| *n == verifier_name)
        .ok_or_else(|| {
            cx.err(
                "extra_info.verifier",
                format!(
                    "unknown verifier {verifier_name:?} (known: {})",
                    registry::names().join(", ")
                ),
            )
        })?;
    let gold: Gold = serde_json::from_value(cx.get(ei, "extra_info.", "gold")?.clone())
        .map_err(|e| cx.err("extra_info.gold", e.to_string()))?;
    if gold.answer != ground_truth {
        return Err(cx.err(
            "reward_model.ground_truth",
            format!(
                "{ground_truth:?} differs from extra_info.gold.answer {:?}",
                gold.answer
            ),
        ));
    }
    let reference_answer = cx.str(ei, "extra_info.", "reference_answer")?.to_owned();
    let params = cx.get(ei, "extra_info.", "params")?.clone();
    Ok(Row {
        line,
        index,
        split,
        id,
        data_source,
        prompt,
        images,
        ability,
        verifier,
        gold,
        reference_answer,
        params,
    })
}

/// Reads and checks every row of a JSONL file (images are not opened). Blank lines are
/// errors too: a row is never skipped silently.
pub fn read_rows(path: &Path) -> Result<Vec<Row>, DatasetError> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut rows = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let text = line.map_err(io_err(path))?;
        rows.push(parse_row(path, i + 1, &text)?);
    }
    Ok(rows)
}

/// Reads the images of `row`, resolved against `dir` (the JSONL file's directory).
pub fn read_images(path: &Path, row: &Row) -> Result<Vec<Sketch>, DatasetError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    row.images
        .iter()
        .map(|rel| {
            let image = dir.join(rel);
            let err = |why: String| DatasetError::Image {
                path: path.to_path_buf(),
                line: row.line,
                image: image.clone(),
                why,
            };
            let bytes = fs::read(&image).map_err(|e| err(e.to_string()))?;
            decode_png(&bytes).map_err(err)
        })
        .collect()
}

/// Reads a dataset back into samples, pixels included.
pub fn read_samples(path: &Path) -> Result<Vec<Sample>, DatasetError> {
    read_rows(path)?
        .into_iter()
        .map(|row| {
            let images = read_images(path, &row)?;
            Ok(Sample {
                id: row.id,
                images,
                prompt: row.prompt,
                gold: row.gold,
                reference_answer: row.reference_answer,
                verifier: row.verifier,
                data_source: row.data_source,
                extra: row.params,
            })
        })
        .collect()
}
