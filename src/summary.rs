//! What a run prints at its end: the one-screen summary, or one task's progress.

use std::fmt::Write;

use run::{PartResult, RunReport};

/// Print how a task of a run ended (the summary when the run is complete).
pub fn part_done(result: &PartResult, task: &usize, tasks: usize) {
    let json = crate::progress::json_log();
    match result {
        PartResult::Complete(report) if json => crate::progress::log_event(
            "run_done",
            serde_json::json!({"out": report.out_dir, "skipped": report.skipped,
                               "stats": report.stats}),
        ),
        PartResult::Complete(report) => eprint!("{}", render(report)),
        PartResult::Incomplete {
            ran,
            complete,
            total,
        } if json => crate::progress::log_event(
            "task_done",
            serde_json::json!({"task": task, "tasks": tasks, "ran": ran,
                               "complete": complete, "total": total,
                               // the older names of task and tasks
                               "shard": task, "num_shards": tasks}),
        ),
        PartResult::Incomplete {
            ran,
            complete,
            total,
        } => eprintln!(
            "task {task} of {tasks}: ran {ran} input files; {complete} of {total} complete \
             (the last task or `seapile run --finalize` writes the card)"
        ),
    }
}

pub fn render(report: &RunReport) -> String {
    let s = &report.stats;
    let mut out = String::new();
    let wall = s.wall_seconds.max(1e-9);
    let html_docs = s.stages.first().map(|i| i.kept).unwrap_or(0);
    let _ = writeln!(out, "seapile run -> {}", report.out_dir.display());
    let _ = writeln!(
        out,
        "  input files {} ({} skipped as already complete), {} threads, {:.1} MB in, {:.2} s wall",
        s.shards,
        report.skipped,
        report.threads,
        s.bytes_in as f64 / 1e6,
        s.wall_seconds
    );
    if report.skipped < s.shards as usize {
        let _ = writeln!(out, "  {:.0} HTML docs/s overall", html_docs as f64 / wall);
    }
    if let Some(ingest) = s.stages.first().filter(|i| i.skipped_total() > 0) {
        let mut skipped: Vec<String> = ingest
            .skipped
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        skipped.sort();
        let _ = writeln!(
            out,
            "  {} WARC records were not documents and were skipped ({})",
            ingest.skipped_total(),
            skipped.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n  {:<10} {:>9} {:>9} {:>9} {:>8}  top drop reasons",
        "stage", "in", "kept", "dropped", "s"
    );
    for st in &s.stages {
        let mut reasons: Vec<(&String, &u64)> = st.dropped.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = reasons
            .iter()
            .take(3)
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  {:<10} {:>9} {:>9} {:>9} {:>8.2}  {}",
            st.name,
            st.docs_in,
            st.kept,
            st.dropped_total(),
            st.seconds,
            top.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n  {:<6} {:>8} {:>12} {:>12} {:>9} {:>9}",
        "lang", "docs", "tokens", "chars", "tok/char", "tok/word"
    );
    for (lang, l) in &s.langs {
        let _ = writeln!(
            out,
            "  {:<6} {:>8} {:>12} {:>12} {:>9.3} {:>9.2}",
            lang,
            l.docs,
            l.tokens,
            l.chars,
            l.tokens_per_char(),
            l.tokens_per_word()
        );
    }
    let _ = writeln!(out, "  {:<6} {:>8} {:>12}", "total", s.docs_out, s.tokens());
    let _ = writeln!(
        out,
        "\n  data: {}/data/   card: {}/README.md   stats: {}/stats.json",
        report.out_dir.display(),
        report.out_dir.display(),
        report.out_dir.display()
    );
    let html = report.out_dir.join("report.html");
    if html.exists() {
        let _ = writeln!(out, "  report: {} (open it in a browser)", html.display());
    }
    out
}
