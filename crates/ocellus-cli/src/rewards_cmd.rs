//! `ocellus rewards ...`: list the verifiers and score model completions against a dataset
//! written by `ocellus tasks generate` (or any file in the same row layout).
//!
//! **Completions file** (JSONL, one completion per line; several lines may name the same row,
//! e.g. a GRPO group):
//! ```text
//! {"id": "counting-d1-s0-17", "completion": "<think>…</think><answer>3</answer>"}
//! {"index": 17, "completion": "…"}                        (only when --data is one file)
//! {"file": "counting_train.jsonl", "index": 17, "completion": "…"}
//! ```
//! `id` is the row's `extra_info.id`; `index` its `extra_info.index`; `file` the JSONL file's
//! name inside `--data`. **Output** (`--out`, JSONL): one line per input line, in order:
//! `{"line", "id", "file", "index", "verifier", "score", "verdict", "reason"}`, or
//! `{"line", "error"}` for a line that could not be scored. Unreadable lines and unknown rows
//! are printed with their line numbers and make the command fail (exit 2) unless
//! `--allow-bad-lines`; a completion the verifier cannot parse is not a bad line: it is scored
//! (verdict `malformed`, score 0).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use ocellus_rewards::{registry, VerdictKind, Verifier};
use ocellus_tasks::dataset::{read_rows, Row};
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum RewardsCommand {
    /// List the registered verifiers, with the reference each reproduces and its default
    /// conventions.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Score completions against a dataset's gold answers with each row's verifier.
    Score(ScoreArgs),
}

#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// The dataset: a directory (every *.jsonl in it) or one .jsonl file.
    #[arg(long)]
    pub data: PathBuf,
    /// Completions JSONL: {"id" | "index" [+ "file"], "completion"} per line.
    #[arg(long)]
    pub completions: PathBuf,
    /// Where to write one scored line per completion line.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Succeed even if some completion lines could not be matched or read.
    #[arg(long)]
    pub allow_bad_lines: bool,
}

pub fn run(cmd: RewardsCommand) -> Result<()> {
    match cmd {
        RewardsCommand::List { json } => {
            if json {
                let rows: Vec<_> = registry::verifiers()
                    .iter()
                    .map(|v| {
                        let (lo, hi) = v.build().score_range();
                        json!({
                            "name": v.name,
                            "summary": v.summary,
                            "score_range": [lo, hi],
                            "reference": v.reference,
                            "defaults": v.defaults,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!("{:<20} {:<14} summary", "verifier", "score range");
                for v in registry::verifiers() {
                    let (lo, hi) = v.build().score_range();
                    println!(
                        "{:<20} {:<14} {}",
                        v.name,
                        format!("[{lo}, {hi}]"),
                        v.summary
                    );
                    println!("{:<35} reference: {}", "", v.reference);
                    println!("{:<35} default:   {}", "", v.defaults);
                }
                println!("\nEvery difference from a reference: docs/rewards.md");
            }
            Ok(())
        }
        RewardsCommand::Score(args) => score(&args),
    }
}

/// The dataset rows, addressable by id and by (file, index).
struct Data {
    rows: Vec<(String, Row)>,
    by_id: HashMap<String, usize>,
    by_file_index: HashMap<(String, u64), usize>,
    files: Vec<String>,
}

fn load(data: &Path) -> Result<Data> {
    let files: Vec<PathBuf> = if data.is_dir() {
        let mut f: Vec<PathBuf> = std::fs::read_dir(data)
            .with_context(|| format!("listing {}", data.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl") && p.is_file())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        f.sort();
        f
    } else {
        vec![data.to_path_buf()]
    };
    if files.is_empty() {
        bail!("no .jsonl dataset files in {}", data.display());
    }
    let mut d = Data {
        rows: Vec::new(),
        by_id: HashMap::new(),
        by_file_index: HashMap::new(),
        files: Vec::new(),
    };
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rows =
            read_rows(path).with_context(|| format!("reading dataset {}", path.display()))?;
        for row in rows {
            let k = d.rows.len();
            if let Some(&prev) = d.by_id.get(&row.id) {
                let (pf, pr) = &d.rows[prev];
                bail!(
                    "duplicate id {:?}: {}:{} and {}:{} (use different --seed per split)",
                    row.id,
                    pf,
                    pr.line,
                    name,
                    row.line
                );
            }
            d.by_id.insert(row.id.clone(), k);
            d.by_file_index.insert((name.clone(), row.index), k);
            d.rows.push((name.clone(), row));
        }
        d.files.push(name);
    }
    Ok(d)
}

/// Finds the row a completion line refers to.
fn resolve(d: &Data, v: &serde_json::Map<String, Value>) -> Result<usize, String> {
    if let Some(id) = v.get("id") {
        let id = id.as_str().ok_or("field `id` must be a string")?;
        return d
            .by_id
            .get(id)
            .copied()
            .ok_or_else(|| format!("unknown id {id:?}"));
    }
    let Some(index) = v.get("index") else {
        return Err("needs an `id` or an `index` field".into());
    };
    let index = index
        .as_u64()
        .ok_or("field `index` must be a non-negative integer")?;
    let file = match v.get("file") {
        Some(f) => f
            .as_str()
            .ok_or("field `file` must be a string")?
            .to_owned(),
        None if d.files.len() == 1 => d.files[0].clone(),
        None => {
            return Err(format!(
                "`index` without `file` is ambiguous: the data has {} files ({})",
                d.files.len(),
                d.files.join(", ")
            ))
        }
    };
    d.by_file_index
        .get(&(file.clone(), index))
        .copied()
        .ok_or_else(|| format!("no row with index {index} in {file}"))
}

#[derive(Default)]
struct Tally {
    n: usize,
    sum: f64,
    kinds: BTreeMap<VerdictKind, usize>,
}

const KINDS: [VerdictKind; 6] = VerdictKind::ALL;

fn score(args: &ScoreArgs) -> Result<()> {
    let data = load(&args.data)?;
    let input = File::open(&args.completions)
        .with_context(|| format!("opening {}", args.completions.display()))?;
    let mut out = match &args.out {
        Some(p) => Some(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let mut verifiers: HashMap<&'static str, Box<dyn Verifier>> = HashMap::new();
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut bad: Vec<(usize, String)> = Vec::new();
    let cpath = args.completions.display();
    for (i, line) in BufReader::new(input).lines().enumerate() {
        let lineno = i + 1;
        let text = line.with_context(|| format!("reading {cpath}:{lineno}"))?;
        let scored: Result<Value, String> = (|| {
            let v: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
            let obj = v.as_object().ok_or("not a JSON object")?;
            let completion = obj
                .get("completion")
                .ok_or("missing field `completion`")?
                .as_str()
                .ok_or("field `completion` must be a string")?;
            let k = resolve(&data, obj)?;
            let (file, row) = &data.rows[k];
            let verifier = verifiers.entry(row.verifier).or_insert_with(|| {
                registry::by_name(row.verifier).expect("row verifiers are checked on load")
            });
            let verdict = verifier.verify(completion, &row.gold);
            let t = tallies.entry(row.verifier).or_default();
            t.n += 1;
            t.sum += verdict.score();
            *t.kinds.entry(verdict.kind()).or_default() += 1;
            Ok(json!({
                "line": lineno,
                "id": row.id,
                "file": file,
                "index": row.index,
                "verifier": row.verifier,
                "score": verdict.score(),
                "verdict": verdict.kind().as_str(),
                "reason": verdict.reason(),
            }))
        })();
        let record = match scored {
            Ok(r) => r,
            Err(e) => {
                bad.push((lineno, e.clone()));
                json!({"line": lineno, "error": e})
            }
        };
        if let Some(w) = out.as_mut() {
            serde_json::to_writer(&mut *w, &record)?;
            w.write_all(b"\n")?;
        }
    }
    if let Some(mut w) = out {
        w.flush().context("writing the scores")?;
    }

    println!(
        "{:<16} {:>6} {:>8}  {}",
        "verifier",
        "n",
        "mean",
        KINDS.map(|k| format!("{:>9}", k.as_str())).join(" ")
    );
    let mut total = Tally::default();
    for (name, t) in &tallies {
        let counts = KINDS.map(|k| format!("{:>9}", t.kinds.get(&k).copied().unwrap_or(0)));
        println!(
            "{:<16} {:>6} {:>8.4}  {}",
            name,
            t.n,
            t.sum / t.n as f64,
            counts.join(" ")
        );
        total.n += t.n;
        total.sum += t.sum;
        for (k, c) in &t.kinds {
            *total.kinds.entry(*k).or_default() += c;
        }
    }
    if tallies.len() > 1 {
        let counts = KINDS.map(|k| format!("{:>9}", total.kinds.get(&k).copied().unwrap_or(0)));
        println!(
            "{:<16} {:>6} {:>8.4}  {}",
            "all",
            total.n,
            total.sum / total.n.max(1) as f64,
            counts.join(" ")
        );
    }
    if let Some(p) = &args.out {
        println!("scores written to {}", p.display());
    }
    if !bad.is_empty() {
        for (line, e) in bad.iter().take(20) {
            eprintln!("{cpath}:{line}: {e}");
        }
        if bad.len() > 20 {
            eprintln!("... and {} more", bad.len() - 20);
        }
        let msg = format!("{} completion line(s) could not be scored", bad.len());
        if args.allow_bad_lines {
            eprintln!("warning: {msg}");
        } else {
            bail!("{msg} (see above; --allow-bad-lines to accept)");
        }
    }
    Ok(())
}
