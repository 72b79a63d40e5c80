//! `seapile slurm` and `seapile k8s`: the sbatch scripts are valid bash and, run as the array
//! tasks Slurm would start, reproduce a single run; the Job manifest parses as YAML and
//! validates against the Kubernetes 1.37 batch/v1 Job schema (`kubernetes-validate` from PyPI).

use std::path::Path;
use std::process::Command;

use crate::common::*;
use crate::kill::{assert_same, clean_run};

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
        "--shard \"$SLURM_ARRAY_TASK_ID\" --num-shards 4",
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
         seapile run /config/cc-sea.toml --quiet --threads 4 --shard $(JOB_COMPLETION_INDEX) \
         --num-shards 8 metadata.annotations['batch.kubernetes.io/job-completion-index'] \
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
