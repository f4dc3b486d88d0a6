//! How close a crop policy's first-turn boxes land to the shape on held-out `zoom_shape`
//! prompts (greedy): the fraction of boxes that contain the shape's centre and the mean distance
//! between box centre and shape centre, against a box at a random place.
//!
//! ```text
//! cargo run --release -p ocellus-rlvr --example crop_hits -- RUN_DIR [PROMPTS]
//! ```
use ocellus_nn::Rng;
use ocellus_policy::{sample_group, SamplingConfig};
use ocellus_rlvr::episode::{Episode, TaskStream};
use ocellus_rlvr::RlvrConfig;
use ocellus_tasks::Difficulty;
use ocellus_vlm::Vlm;

fn main() {
    let run = std::path::PathBuf::from(std::env::args().nth(1).expect("RUN_DIR"));
    let n: u64 = std::env::args()
        .nth(2)
        .map_or(100, |s| s.parse().expect("PROMPTS"));
    let config =
        RlvrConfig::from_toml(&std::fs::read_to_string(run.join("config.toml")).unwrap()).unwrap();
    let ckpt = ocellus_train::checkpoint::latest_checkpoint(&run).unwrap();
    let policy = Vlm::from_dir(&ckpt, tch::Device::Cpu).unwrap();
    let task = ocellus_tasks::task(&config.task.name).unwrap();
    let stream = TaskStream::held_out(task, Difficulty::new(config.task.difficulty).unwrap());
    let cfg = SamplingConfig {
        temperature: 0.0,
        top_p: 1.0,
        max_response_tokens: config.sampling.max_response_tokens,
        max_turns: config.tool.max_turns,
    };
    let (mut hits, mut dist, mut valid, mut rand_hits) = (0, 0.0, 0, 0);
    let mut rng = Rng::new(0, 0);
    for i in 0..n {
        let ep = Episode::with_layout(
            &policy,
            stream.sample(i),
            Some(config.tool.min_size),
            config.model.image_after_text,
        )
        .unwrap();
        let r =
            &sample_group(&policy, &ep.prompt, 1, &cfg, &mut Rng::new(0, 0), ep.tool()).unwrap()[0];
        let c = ep.sample.extra["figures"][0]["center"].as_array().unwrap();
        let (cx, cy) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let side = ep.image.width as f64;
        let rx = rng.uniform() * (side - 96.0);
        let ry = rng.uniform() * (side - 96.0);
        rand_hits += usize::from(cx >= rx && cx <= rx + 96.0 && cy >= ry && cy <= ry + 96.0);
        if let Ok([x1, y1, x2, y2]) = ep.tool.as_ref().unwrap().resolve(&r.turns[0]) {
            valid += 1;
            let (x1, y1, x2, y2) = (x1 as f64, y1 as f64, x2 as f64, y2 as f64);
            hits += usize::from(cx >= x1 && cx <= x2 && cy >= y1 && cy <= y2);
            dist += (((x1 + x2) / 2.0 - cx).powi(2) + ((y1 + y2) / 2.0 - cy).powi(2)).sqrt();
        }
    }
    println!(
        "{}: {valid}/{n} readable crops; {hits} contain the shape ({:.2}); mean centre distance {:.0} px; a random 96-px box contains it {:.2}",
        run.display(), hits as f64 / n as f64, dist / valid.max(1) as f64, rand_hits as f64 / n as f64
    );
}
