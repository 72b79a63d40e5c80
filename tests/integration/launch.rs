//! `seapile slurm` and `seapile k8s`: the sbatch scripts are valid bash and, run as the array
//! tasks Slurm would start, reproduce a single run; the Job manifest parses as YAML and
//! validates against the Kubernetes 1.37 batch/v1 Job schema (`kubernetes-validate` from PyPI).

use std::path::Path;
use std::process::Command;

use crate::common::*;
use crate::kill::{assert_same, clean_run, ids};

fn write_config(dir: &Path, inputs: &[std::path::PathBuf], out: &Path) -> std::path::PathBuf {
    let paths: Vec<String> = inputs
        .iter()
        .map(|p| format!("{:?}", p.display().to_string()))
        .collect();
    let config = dir.join("run.toml");
    std::fs::write(
        &config,
        format!(
            "[input]\npaths = [{}]\n\n[output]\ndir = {:?}\n",
            paths.join(", "),
            out.display().to_string()
        ),
    )
    .unwrap();
    config
}

fn bash(script: &Path, task: Option<usize>) {
    let mut c = Command::new("bash");
    c.arg(script).env("SEAPILE_CACHE", cache());
    if let Some(t) = task {
        c.env("SLURM_ARRAY_TASK_ID", t.to_string());
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{} (task {task:?}): {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn slurm_scripts_are_valid_and_their_tasks_reproduce_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = clean_run(tmp.path());
    let out = tmp.path().join("slurm/run");
    let config = write_config(tmp.path(), &clean.inputs, &out);
    let dir = tmp.path().join("job scripts");
    let printed = run_ok(
        seapile()
            .arg("slurm")
            .arg(&config)
            .args([
                "--tasks",
                "4",
                "--partition",
                "batch",
                "--cpus",
                "2",
                "--mem",
                "4G",
                "--time",
                "00:30:00",
                "--no-submit",
                "--dir",
            ])
            .arg(&dir),
    );
    let stdout = String::from_utf8_lossy(&printed.stdout).to_string();
    let array = dir.join("seapile-array.sbatch");
    let finalize = dir.join("seapile-finalize.sbatch");
    assert!(stdout.contains(&array.display().to_string()), "{stdout}");
    assert!(stdout.contains("--dependency=afterok:"), "{stdout}");
    let text = std::fs::read_to_string(&array).unwrap();
    for line in [
        "#SBATCH --array=0-3",
        "#SBATCH --partition=batch",
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --mem=4G",
        "#SBATCH --time=00:30:00",
        "--task \"$SLURM_ARRAY_TASK_ID\" --tasks 4",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert!(std::fs::read_to_string(&finalize)
        .unwrap()
        .contains("--finalize"));
    for script in [&array, &finalize] {
        let syntax = Command::new("bash").arg("-n").arg(script).output().unwrap();
        assert!(
            syntax.status.success(),
            "bash -n {}: {}",
            script.display(),
            String::from_utf8_lossy(&syntax.stderr)
        );
    }
    // Run the tasks the way the array would (out of order), then the dependent job.
    for task in [3, 1, 0, 2] {
        bash(&array, Some(task));
    }
    std::fs::remove_file(out.join("README.md")).unwrap();
    bash(&finalize, None);
    assert_same(&clean.snapshot, &out, "slurm array tasks + finalize");
}

const CHECK_JOB: &str = r#"
import sys, yaml, kubernetes_validate
doc = yaml.safe_load(open(sys.argv[1]))
kubernetes_validate.validate(doc, "1.37.0", strict=True)
spec = doc["spec"]
c = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e for e in c["env"]}
print(doc["apiVersion"], doc["kind"], spec["completionMode"], spec["completions"],
      spec["parallelism"], spec["template"]["spec"]["restartPolicy"], c["image"],
      " ".join(c["command"] + c["args"]),
      env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"],
      c["resources"]["limits"]["cpu"], c["resources"]["limits"]["memory"],
      c["volumeMounts"][0]["mountPath"],
      spec["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"])
"#;

#[test]
fn k8s_manifest_is_a_valid_indexed_job() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tmp.path().join("job.yaml");
    run_ok(
        seapile()
            .args([
                "k8s",
                "/config/cc-sea.toml",
                "--tasks",
                "8",
                "--parallelism",
                "4",
                "--image",
                "ghcr.io/example/seapile:0.1.0",
                "--cpu",
                "4",
                "--memory",
                "16Gi",
                "--volume",
                "crawl-data:/data",
                "--output",
            ])
            .arg(&manifest),
    );
    let got = run_python(CHECK_JOB, &[manifest.to_str().unwrap()]);
    assert_eq!(
        got.trim(),
        "batch/v1 Job Indexed 8 4 OnFailure ghcr.io/example/seapile:0.1.0 \
         seapile run /config/cc-sea.toml --quiet --threads 4 --task $(JOB_COMPLETION_INDEX) \
         --tasks 8 metadata.annotations['batch.kubernetes.io/job-completion-index'] \
         4 16Gi /data crawl-data"
    );
    // The schema check is real: a manifest with a misspelt field is rejected.
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("completionMode", "completionMod")).unwrap();
    let bad = Command::new(python())
        .arg("-c")
        .arg(CHECK_JOB)
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        !bad.status.success(),
        "strict schema rejects unknown fields"
    );
}

#[test]
fn k8s_rejects_a_malformed_volume() {
    let tmp = tempfile::tempdir().unwrap();
    let out = seapile()
        .args([
            "k8s", "c.toml", "--tasks", "2", "--image", "i", "--volume", "nopath",
        ])
        .arg("--output")
        .arg(tmp.path().join("j.yaml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--volume \"nopath\""));
}

/// States of the given jobs (array tasks listed one by one), as `squeue` reports them.
fn job_states(ids: &[&str]) -> Vec<(String, String)> {
    let out = Command::new("squeue")
        .args([
            "-h",
            "--states=all",
            "-r",
            "-o",
            "%i %T",
            "-j",
            &ids.join(","),
        ])
        .output()
        .expect("squeue");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(i, s)| (i.to_string(), s.to_string()))
        .collect()
}

#[test]
fn a_four_task_array_on_a_real_local_slurm_matches_a_single_run() {
    let up = Command::new("sinfo").args(["-h", "-o", "%T"]).output();
    assert!(
        up.as_ref().is_ok_and(|o| o.status.success()),
        "no Slurm answers here: scripts/test starts a one-node Slurm (scripts/slurm-local) \
         and exports SLURM_CONF"
    );
    let tmp = tempfile::tempdir().unwrap();
    let clean = clean_run(tmp.path());
    let out = tmp.path().join("slurm/run");
    let config = write_config(tmp.path(), &clean.inputs, &out);
    let dir = tmp.path().join("jobs");
    let dedup_out = tmp.path().join("slurm/dedup");
    let printed = run_ok(
        seapile()
            .arg("slurm")
            .arg(&config)
            .args([
                "--tasks", "4", "--cpus", "1", "--mem", "1G", "--time", "00:20:00",
            ])
            .args(["--submit", "--dedup"])
            .arg(&dedup_out)
            .arg("--dir")
            .arg(&dir),
    );
    let stdout = String::from_utf8_lossy(&printed.stdout).to_string();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("submitted array job"))
        .unwrap_or_else(|| panic!("no job ids in: {stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut jobs = vec![words[3].trim_end_matches(','), words[6]];
    let line = stdout
        .lines()
        .find(|l| l.starts_with("submitted dedup jobs"))
        .unwrap_or_else(|| panic!("no dedup job ids in: {stdout}"));
    jobs.extend(line.split_whitespace().skip(3).take(4));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(900);
    let states = loop {
        let states = job_states(&jobs);
        let done = |s: &str| {
            [
                "COMPLETED",
                "FAILED",
                "CANCELLED",
                "TIMEOUT",
                "OUT_OF_MEMORY",
            ]
            .contains(&s)
        };
        // 4 array tasks + the finalize job + 4 tasks of each of the 4 dedup steps, finished.
        if states.len() == 21 && states.iter().all(|(_, s)| done(s)) {
            break states;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Slurm jobs not done in 15 min: {states:?}"
        );
        std::thread::sleep(std::time::Duration::from_secs(1));
    };
    let logs: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .map(|p| format!("{}:\n{}", p.display(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    assert!(
        states.iter().all(|(_, s)| s == "COMPLETED"),
        "{states:?}\n{}",
        logs.join("\n")
    );
    assert_eq!(logs.len(), 21, "one log per task");
    assert_same(&clean.snapshot, &out, "a 4-task Slurm array + finalize job");
    // The dedup chain keeps what a local `seapile dedup` of the same run keeps; the run has
    // the same UDHR pages in several shards, so some go.
    let local = tmp.path().join("local-dedup");
    run_ok(
        seapile()
            .arg("dedup")
            .arg("--input")
            .arg(out.join("data"))
            .arg("--output")
            .arg(&local),
    );
    let (mut ours, mut theirs, all) = (ids(&dedup_out), ids(&local), ids(&out));
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs, "Slurm dedup chain vs local dedup");
    assert!(
        !ours.is_empty() && ours.len() < all.len(),
        "dedup removed the cross-shard copies: {} of {}",
        ours.len(),
        all.len()
    );
}

#[test]
fn cluster_resources_come_from_the_config_and_flags_override_them() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("cluster.toml");
    std::fs::write(
        &config,
        "[input]\npaths = [\"a.warc\"]\n\n[output]\ndir = \"out\"\n\n[cluster]\ntasks = 3\n\
         partition = \"long\"\ncpus = 4\nmem = \"16G\"\ntime = \"01:00:00\"\n\
         image = \"ghcr.io/example/seapile:1\"\nmemory = \"12Gi\"\nvolumes = [\"cc:/data\"]\n",
    )
    .unwrap();
    let dir = tmp.path().join("jobs");
    run_ok(
        seapile()
            .arg("slurm")
            .arg(&config)
            .args(["--mem", "2G", "--no-submit", "--dir"])
            .arg(&dir),
    );
    let text = std::fs::read_to_string(dir.join("seapile-array.sbatch")).unwrap();
    for line in [
        "#SBATCH --array=0-2",
        "#SBATCH --partition=long",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem=2G",
        "#SBATCH --time=01:00:00",
        "--threads 4 --task \"$SLURM_ARRAY_TASK_ID\" --tasks 3",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    let manifest = tmp.path().join("job.yaml");
    run_ok(
        seapile()
            .arg("k8s")
            .arg(&config)
            .args(["--tasks", "5", "-o"])
            .arg(&manifest),
    );
    let printed = run_python(CHECK_JOB, &[manifest.to_str().unwrap()]);
    for word in [
        "Indexed 5 5",
        "ghcr.io/example/seapile:1",
        "12Gi",
        "/data cc",
    ] {
        assert!(printed.contains(word), "{word} missing from: {printed}");
    }

    // No task count anywhere: one task per input shard; no image: the default one.
    let (a, b) = (tmp.path().join("a.warc"), tmp.path().join("b.warc"));
    std::fs::write(&a, "").unwrap();
    std::fs::write(&b, "").unwrap();
    let bare = tmp.path().join("bare.toml");
    std::fs::write(
        &bare,
        format!(
            "[input]\npaths = [{:?}, {:?}]\n",
            a.display().to_string(),
            b.display().to_string()
        ),
    )
    .unwrap();
    let bare_dir = tmp.path().join("bare-jobs");
    run_ok(
        seapile()
            .arg("slurm")
            .arg(&bare)
            .args(["--no-submit", "--dir"])
            .arg(&bare_dir),
    );
    let text = std::fs::read_to_string(bare_dir.join("seapile-array.sbatch")).unwrap();
    assert!(text.contains("#SBATCH --array=0-1"), "{text}");
    let bare_job = tmp.path().join("bare.yaml");
    run_ok(seapile().arg("k8s").arg(&bare).arg("-o").arg(&bare_job));
    let check = "import sys, yaml, kubernetes_validate\n\
                 doc = yaml.safe_load(open(sys.argv[1]))\n\
                 kubernetes_validate.validate(doc, '1.37.0', strict=True)\n\
                 print(doc['spec']['completions'], doc['spec']['template']['spec']['containers'][0]['image'])";
    let printed = run_python(check, &[bare_job.to_str().unwrap()]);
    assert_eq!(printed.trim(), "2 seapile:latest");
    // A config naming a missing input: the error names it.
    std::fs::write(&bare, "[input]\npaths = [\"/no/such.warc\"]\n").unwrap();
    let out = seapile().arg("slurm").arg(&bare).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("/no/such.warc"),
        "{err}"
    );
}
