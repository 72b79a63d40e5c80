//! `seapile slurm` and `seapile k8s`: job files for clusters. Both run the same command as a
//! local run, split with `--task i --tasks n` (input file k goes to task
//! `k % n == i`); the design decision is that a task is stateless and idempotent, so the
//! scheduler may retry or pre-empt it freely: completed shards are skipped on a rerun and the
//! card is written by whichever task finds every shard complete (Slurm adds a dependent
//! `--finalize` job so the card exists even if the last task raced another one).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::{ClusterConfig, Config, RunError};

/// Why job files cannot be written or submitted.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    Run(#[from] RunError),
    /// A value the job needs is missing or wrong; the message says which flag fixes it.
    #[error("{0}")]
    Invalid(String),
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `sbatch` could not run, failed, or printed no job id.
    #[error("sbatch {}: {message}", script.display())]
    Sbatch { script: PathBuf, message: String },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LaunchError + '_ {
    move |source| LaunchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

type Result<T> = std::result::Result<T, LaunchError>;

/// `seapile slurm CONFIG --tasks N` (its flags, with the `clap` feature).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SlurmArgs {
    /// Run config (TOML) with inputs and output; made absolute in the script.
    pub config: PathBuf,
    /// Array tasks (shards are dealt round-robin over them); else `[cluster] tasks`.
    #[cfg_attr(feature = "clap", arg(long))]
    pub tasks: Option<usize>,
    /// Submit with `sbatch` (array, then the finalize job with `afterok` on it). This is the
    /// default when `sbatch` is on the PATH; with this flag a missing `sbatch` is an error.
    #[cfg_attr(feature = "clap", arg(long, conflicts_with = "no_submit"))]
    pub submit: bool,
    /// Only write the scripts and print the command that submits them.
    #[cfg_attr(feature = "clap", arg(long))]
    pub no_submit: bool,
    /// Slurm partition (default: the cluster's default partition).
    #[cfg_attr(feature = "clap", arg(long))]
    pub partition: Option<String>,
    /// CPUs per task (also `--threads` of each task) [default: `[cluster] cpus`, else 2].
    #[cfg_attr(feature = "clap", arg(long))]
    pub cpus: Option<usize>,
    /// Memory per task, Slurm syntax [default: `[cluster] mem`, else 8G].
    #[cfg_attr(feature = "clap", arg(long))]
    pub mem: Option<String>,
    /// Wall time per task, Slurm syntax [default: `[cluster] time`, else 04:00:00].
    #[cfg_attr(feature = "clap", arg(long))]
    pub time: Option<String>,
    /// Folder for the scripts and the task logs.
    #[cfg_attr(feature = "clap", arg(long, default_value = "slurm"))]
    pub dir: PathBuf,
    /// Then deduplicate the run's output into this folder: the four `seapile dedup` steps
    /// (signatures, buckets, clusters, filter), each an array of `--tasks` tasks that starts
    /// when the step before it has succeeded.
    #[cfg_attr(feature = "clap", arg(long))]
    pub dedup: Option<PathBuf>,
}

/// The image a Job runs when neither `--image` nor `[cluster] image` names one.
pub const DEFAULT_IMAGE: &str = "seapile:latest";

/// The `seapile dedup` steps, in order.
pub const DEDUP_STEPS: [&str; 4] = ["signatures", "buckets", "clusters", "filter"];

/// `seapile k8s CONFIG --tasks N --image IMG` (its flags, with the `clap` feature).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct K8sArgs {
    /// Run config path as the container sees it.
    pub config: String,
    /// Completions (one per index; shards are dealt round-robin over them); else
    /// `[cluster] tasks` of the config when it exists here.
    #[cfg_attr(feature = "clap", arg(long))]
    pub tasks: Option<usize>,
    /// Container image with the `seapile` binary on its PATH; else `[cluster] image`.
    #[cfg_attr(feature = "clap", arg(long))]
    pub image: Option<String>,
    /// Pods running at once (default: all).
    #[cfg_attr(feature = "clap", arg(long))]
    pub parallelism: Option<usize>,
    /// CPU request and limit per pod (also `--threads`) [default: `[cluster] cpus`, else 2].
    #[cfg_attr(feature = "clap", arg(long))]
    pub cpu: Option<usize>,
    /// Memory request and limit per pod, Kubernetes syntax [default: `[cluster] memory`,
    /// else 8Gi].
    #[cfg_attr(feature = "clap", arg(long))]
    pub memory: Option<String>,
    /// A PersistentVolumeClaim to mount: `CLAIM:/mount/path` (repeatable; else `[cluster]
    /// volumes`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub volume: Vec<String>,
    /// Job name (default: seapile-<config stem>).
    #[cfg_attr(feature = "clap", arg(long))]
    pub name: Option<String>,
    /// Manifest path to write.
    #[cfg_attr(feature = "clap", arg(long, short, default_value = "seapile-job.yaml"))]
    pub output: PathBuf,
}

fn cluster_of(config: &Path) -> Result<ClusterConfig> {
    Ok(Config::from_file(config).map_err(RunError::from)?.cluster)
}

/// One task per input shard of the config: the default task count.
fn shard_count(config: &Path) -> Result<usize> {
    let c = Config::from_file(config).map_err(RunError::from)?;
    let inputs =
        stages::warc::expand_inputs(&c.input.paths, c.input.prefix.as_deref()).map_err(|e| {
            LaunchError::Invalid(format!(
                "counting the input shards of \"{}\": {e}",
                config.display()
            ))
        })?;
    if inputs.is_empty() {
        return Err(LaunchError::Invalid(format!(
            "the config \"{}\" names no input; give --tasks N or [cluster] tasks",
            config.display()
        )));
    }
    Ok(inputs.len())
}

fn sbatch_on_path() -> bool {
    Command::new("sbatch")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

impl SlurmArgs {
    /// Fill what the flags leave unset from the config's `[cluster]` table, then defaults.
    /// Returns the notes to show (e.g. that `sbatch` is missing and scripts are only written).
    pub fn resolve(mut self) -> Result<(SlurmArgs, Vec<String>)> {
        let mut notes = Vec::new();
        let c = cluster_of(&self.config)?;
        self.tasks = self.tasks.or(c.tasks);
        self.partition = self.partition.or(c.partition);
        self.cpus = Some(self.cpus.or(c.cpus).unwrap_or(2));
        self.mem = Some(self.mem.or(c.mem).unwrap_or_else(|| "8G".into()));
        self.time = Some(self.time.or(c.time).unwrap_or_else(|| "04:00:00".into()));
        if self.tasks.is_none() {
            self.tasks = Some(shard_count(&self.config)?);
        }
        if !self.submit && !self.no_submit {
            self.submit = sbatch_on_path();
            if !self.submit {
                notes.push("sbatch is not on the PATH: writing the scripts only".to_string());
            }
        }
        match self.tasks {
            Some(0) => Err(LaunchError::Invalid(
                "--tasks 0: need at least one array task".into(),
            )),
            _ => Ok((self, notes)),
        }
    }
    fn n(&self) -> usize {
        self.tasks.unwrap_or(1)
    }
    fn cpus(&self) -> usize {
        self.cpus.unwrap_or(2)
    }
}

impl K8sArgs {
    /// Fill what the flags leave unset from `[cluster]` (when the config exists here).
    /// Returns the notes to show (e.g. the default image in use).
    pub fn resolve(mut self) -> Result<(K8sArgs, Vec<String>)> {
        let mut notes = Vec::new();
        let path = Path::new(&self.config);
        let c = if path.is_file() {
            cluster_of(path)?
        } else {
            Default::default()
        };
        self.tasks = self.tasks.or(c.tasks);
        self.image = self.image.or(c.image);
        self.cpu = Some(self.cpu.or(c.cpus).unwrap_or(2));
        self.memory = Some(self.memory.or(c.memory).unwrap_or_else(|| "8Gi".into()));
        if self.volume.is_empty() {
            self.volume = c.volumes;
        }
        if self.tasks.is_none() {
            if !path.is_file() {
                return Err(LaunchError::Invalid(format!(
                    "how many completions? give --tasks N (the config \"{}\" is not here to count its shards)",
                    self.config
                )));
            }
            self.tasks = Some(shard_count(path)?);
        }
        if self.image.is_none() {
            notes.push(format!(
                "no --image and no [cluster] image: using \"{DEFAULT_IMAGE}\""
            ));
            self.image = Some(DEFAULT_IMAGE.into());
        }
        Ok((self, notes))
    }
}

/// The two scripts `seapile slurm` writes.
pub struct SlurmScripts {
    pub array: PathBuf,
    pub finalize: PathBuf,
}

/// Write the array and finalize scripts; with `submit`, queue both. Returns the lines to
/// print (paths, then job ids or the commands to submit by hand).
pub fn slurm(args: &SlurmArgs, exe: &Path) -> Result<Vec<String>> {
    let config = std::fs::canonicalize(&args.config).map_err(io_err(&args.config))?;
    std::fs::create_dir_all(&args.dir).map_err(io_err(&args.dir))?;
    let dir = std::fs::canonicalize(&args.dir).map_err(io_err(&args.dir))?;
    let scripts = SlurmScripts {
        array: dir.join("seapile-array.sbatch"),
        finalize: dir.join("seapile-finalize.sbatch"),
    };
    std::fs::write(&scripts.array, slurm_array_script(args, exe, &config, &dir))
        .map_err(io_err(&scripts.array))?;
    std::fs::write(
        &scripts.finalize,
        slurm_finalize_script(args, exe, &config, &dir),
    )
    .map_err(io_err(&scripts.finalize))?;
    let mut dedup_scripts = Vec::new();
    if let Some(dedup_out) = &args.dedup {
        let run_config = Config::from_file(&config).map_err(RunError::from)?;
        let Some(run_out) = run_config.output.dir else {
            return Err(LaunchError::Invalid(format!(
                "--dedup: the config \"{}\" sets no [output] dir to deduplicate",
                config.display()
            )));
        };
        let cwd = std::env::current_dir().map_err(io_err(Path::new(".")))?;
        let (run_out, dedup_out) = (cwd.join(run_out), cwd.join(dedup_out));
        for step in DEDUP_STEPS {
            let path = dir.join(format!("seapile-dedup-{step}.sbatch"));
            std::fs::write(
                &path,
                slurm_dedup_script(args, exe, step, &run_out, &dedup_out, &dir),
            )
            .map_err(io_err(&path))?;
            dedup_scripts.push(path);
        }
    }
    let mut lines = vec![
        scripts.array.display().to_string(),
        scripts.finalize.display().to_string(),
    ];
    lines.extend(dedup_scripts.iter().map(|p| p.display().to_string()));
    if args.submit {
        let array_id = sbatch(&[], &scripts.array)?;
        let dep = format!("--dependency=afterok:{array_id}");
        let fin_id = sbatch(&[&dep], &scripts.finalize)?;
        lines.push(format!(
            "submitted array job {array_id}, finalize job {fin_id}"
        ));
        if !dedup_scripts.is_empty() {
            let mut after = fin_id;
            let mut ids = Vec::new();
            for script in &dedup_scripts {
                after = sbatch(&[&format!("--dependency=afterok:{after}")], script)?;
                ids.push(after.clone());
            }
            lines.push(format!(
                "submitted dedup jobs {} ({})",
                ids.join(" "),
                DEDUP_STEPS.join(", ")
            ));
        }
    } else {
        let q = |p: &Path| shell_quote(&p.display().to_string());
        let mut submit = format!(
            "submit: id=$(sbatch --parsable {}) && id=$(sbatch --parsable --dependency=afterok:$id {})",
            q(&scripts.array),
            q(&scripts.finalize)
        );
        for script in &dedup_scripts {
            submit.push_str(&format!(
                " && id=$(sbatch --parsable --dependency=afterok:$id {})",
                q(script)
            ));
        }
        lines.push(submit);
    }
    Ok(lines)
}

/// One dedup step as an array: task `$SLURM_ARRAY_TASK_ID` of `--tasks`.
pub fn slurm_dedup_script(
    args: &SlurmArgs,
    exe: &Path,
    step: &str,
    run_out: &Path,
    dedup_out: &Path,
    dir: &Path,
) -> String {
    let mut s = sbatch_header(
        args,
        &format!("seapile-dedup-{step}"),
        &dir.join(format!("seapile-dedup-{step}-%A_%a.log")),
    );
    s.push_str(&format!("#SBATCH --array=0-{}\n", args.n() - 1));
    let q = |p: &Path| shell_quote(&p.display().to_string());
    let inputs = if step == "signatures" {
        format!("--input {} ", q(&run_out.join("data")))
    } else {
        String::new()
    };
    s.push_str(&format!(
        "set -euo pipefail\nexec {} dedup {step} {inputs}--output {} \
         --task \"$SLURM_ARRAY_TASK_ID\" --tasks {}\n",
        q(exe),
        q(dedup_out),
        args.n()
    ));
    s
}

fn sbatch_header(args: &SlurmArgs, name: &str, log: &Path) -> String {
    let mut s = format!(
        "#!/usr/bin/env bash\n#SBATCH --job-name={name}\n#SBATCH --cpus-per-task={}\n\
         #SBATCH --mem={}\n#SBATCH --time={}\n#SBATCH --output={}\n",
        args.cpus(),
        args.mem.as_deref().unwrap_or("8G"),
        args.time.as_deref().unwrap_or("04:00:00"),
        log.display()
    );
    if let Some(p) = &args.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    s
}

/// The array script: task `$SLURM_ARRAY_TASK_ID` runs its shards of the config's inputs.
pub fn slurm_array_script(args: &SlurmArgs, exe: &Path, config: &Path, dir: &Path) -> String {
    let mut s = sbatch_header(args, "seapile", &dir.join("seapile-%A_%a.log"));
    s.push_str(&format!("#SBATCH --array=0-{}\n", args.n() - 1));
    s.push_str(&format!(
        "set -euo pipefail\nexec {} run {} --quiet --threads {} \
         --task \"$SLURM_ARRAY_TASK_ID\" --tasks {}\n",
        shell_quote(&exe.display().to_string()),
        shell_quote(&config.display().to_string()),
        args.cpus(),
        args.n()
    ));
    s
}

/// The finalize script: merged stats and the card once every shard is complete.
pub fn slurm_finalize_script(args: &SlurmArgs, exe: &Path, config: &Path, dir: &Path) -> String {
    let mut s = sbatch_header(
        args,
        "seapile-finalize",
        &dir.join("seapile-finalize-%j.log"),
    );
    s.push_str(&format!(
        "set -euo pipefail\nexec {} run {} --quiet --finalize\n",
        shell_quote(&exe.display().to_string()),
        shell_quote(&config.display().to_string())
    ));
    s
}

/// `sbatch --parsable [extra] script` → the job id (`123` or `123;cluster`).
fn sbatch(extra: &[&str], script: &Path) -> Result<String> {
    let err = |message: String| LaunchError::Sbatch {
        script: script.to_path_buf(),
        message,
    };
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(extra)
        .arg(script)
        .output()
        .map_err(|e| err(format!("cannot run sbatch (is Slurm installed here?): {e}")))?;
    if !out.status.success() {
        return Err(err(format!(
            "failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    parse_job_id(&text).ok_or_else(|| err(format!("printed no job id: \"{}\"", text.trim())))
}

/// The job id in `sbatch --parsable` output.
pub fn parse_job_id(text: &str) -> Option<String> {
    let id = text.trim().split(';').next()?.trim();
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
}

/// Single-quote for sh when the word has anything but safe characters.
pub fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Write the Indexed Job manifest; returns its path.
pub fn k8s(args: &K8sArgs) -> Result<PathBuf> {
    let manifest = k8s_job(args)?;
    std::fs::write(&args.output, data_cards::yaml::to_yaml(&manifest))
        .map_err(io_err(&args.output))?;
    Ok(args.output.clone())
}

/// The Job as a JSON value: `completionMode: Indexed`, the completion index passed as
/// `--task $(JOB_COMPLETION_INDEX)`.
pub fn k8s_job(args: &K8sArgs) -> Result<Value> {
    let invalid = |m: &str| LaunchError::Invalid(m.to_string());
    let tasks = match args.tasks {
        None => {
            return Err(invalid(
                "how many completions? give --tasks N or [cluster] tasks in the config",
            ))
        }
        Some(0) => return Err(invalid("--tasks 0: need at least one completion")),
        Some(n) => n,
    };
    let cpu = args.cpu.unwrap_or(2);
    let memory = args.memory.as_deref().unwrap_or("8Gi");
    let image = args
        .image
        .as_deref()
        .ok_or_else(|| invalid("which image? give --image IMG or [cluster] image in the config"))?;
    let mut mounts = Vec::new();
    let mut volumes = Vec::new();
    for (i, spec) in args.volume.iter().enumerate() {
        let (claim, path) = spec
            .split_once(':')
            .filter(|(c, p)| !c.is_empty() && p.starts_with('/'))
            .ok_or_else(|| {
                LaunchError::Invalid(format!("--volume \"{spec}\": expected CLAIM:/mount/path"))
            })?;
        let name = format!("data-{i}");
        mounts.push(json!({"name": name, "mountPath": path}));
        volumes.push(json!({"name": name, "persistentVolumeClaim": {"claimName": claim}}));
    }
    let resources = json!({"cpu": cpu.to_string(), "memory": memory});
    let container = json!({
        "name": "seapile",
        "image": image,
        "command": ["seapile"],
        "args": ["run", args.config, "--quiet", "--threads", cpu.to_string(),
                 "--task", "$(JOB_COMPLETION_INDEX)", "--tasks", tasks.to_string()],
        "env": [{"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {"fieldPath":
            "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}],
        "resources": {"requests": resources, "limits": resources},
        "volumeMounts": mounts,
    });
    Ok(json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": args.name.clone().unwrap_or_else(|| job_name(&args.config))},
        "spec": {
            "completionMode": "Indexed",
            "completions": tasks,
            "parallelism": args.parallelism.unwrap_or(tasks),
            "backoffLimit": tasks * 3,
            "template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [container],
                "volumes": volumes,
            }},
        },
    }))
}

/// `seapile-<config stem>` as a DNS-1123 label.
fn job_name(config: &str) -> String {
    let stem = Path::new(config)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = format!("seapile-{}", clean.trim_matches('-'));
    name[..name.len().min(63)].trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_from_sbatch_parsable() {
        assert_eq!(parse_job_id("4242\n").as_deref(), Some("4242"));
        assert_eq!(parse_job_id("17;cluster-a\n").as_deref(), Some("17"));
        assert_eq!(parse_job_id("Submitted batch job 5"), None);
        assert_eq!(parse_job_id(""), None);
    }

    #[test]
    fn shell_quote_keeps_paths_and_quotes_the_rest() {
        assert_eq!(shell_quote("/a/b.toml"), "/a/b.toml");
        assert_eq!(shell_quote("my dir/it's"), "'my dir/it'\\''s'");
    }

    #[test]
    fn job_name_is_a_dns_label() {
        assert_eq!(job_name("/cfg/CC Main_2024.toml"), "seapile-cc-main-2024");
    }
}
