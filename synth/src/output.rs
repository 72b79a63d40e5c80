//! What a Magpie run leaves in `OUT/`:
//!
//! * `data/train-00000-of-00001.parquet` — one kept pair per row: `id`, `messages`
//!   (`[{role, content}]`), `language` (ISO 639-3), `model`, `template_hash`, `sampling` (JSON),
//!   `seed`, token counts and the language-ID signals; `conversations` (ShareGPT) on request;
//!   the same as `.jsonl` on request;
//! * `rejected/rejected.jsonl` — every dropped pair with its `reason`;
//! * `stats.json` — the [`RunReport`]; `README.md` — the dataset card.
//!
//! Outputs are rebuilt from the request cache on every run, each file written atomically.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder, StructBuilder};
use arrow_array::{
    Array, ArrayRef, Float32Array, Int32Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Fields, Schema};

use crate::magpie::{MagpieConfig, Pair, RunReport};

pub const DATA_FILE: &str = "data/train-00000-of-00001.parquet";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn write_err(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> OutputError {
    OutputError::Write {
        path: path.to_path_buf(),
        source: Box::new(e),
    }
}

fn atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    pipeline::fs::write_atomic(path, bytes).map_err(|e| write_err(path, e))
}

/// Write everything for a finished run.
pub fn write_all(
    out: &Path,
    config: &MagpieConfig,
    pairs: &[Pair],
    report: &RunReport,
) -> Result<(), OutputError> {
    let kept: Vec<&Pair> = pairs.iter().filter(|p| p.reason.is_none()).collect();
    let path = out.join(DATA_FILE);
    atomic(
        &path,
        &parquet_bytes(config, report, &kept).map_err(|source| OutputError::Write {
            path: path.clone(),
            source,
        })?,
    )?;
    if config.output.jsonl {
        let mut text = String::new();
        for p in &kept {
            text += &serde_json::to_string(&row_json(config, report, p)).expect("json");
            text.push('\n');
        }
        atomic(
            &out.join("data/train-00000-of-00001.jsonl"),
            text.as_bytes(),
        )?;
    }
    let mut rejected = String::new();
    for p in pairs.iter().filter(|p| p.reason.is_some()) {
        rejected += &serde_json::to_string(p).expect("json");
        rejected.push('\n');
    }
    atomic(&out.join("rejected/rejected.jsonl"), rejected.as_bytes())?;
    let stats = serde_json::to_string_pretty(report).expect("json");
    atomic(&out.join("stats.json"), stats.as_bytes())?;
    atomic(&out.join("README.md"), card(config, report).as_bytes())?;
    Ok(())
}

fn messages(p: &Pair) -> [(&'static str, &str); 2] {
    [("user", &p.instruction), ("assistant", &p.response)]
}

fn row_json(config: &MagpieConfig, report: &RunReport, p: &Pair) -> serde_json::Value {
    let mut row = serde_json::json!({
        "id": p.id,
        "messages": messages(p).iter().map(|(r, c)| serde_json::json!({"role": r, "content": c})).collect::<Vec<_>>(),
        "language": p.language,
        "model": report.model,
        "template_hash": report.template_hash,
        "sampling": sampling_json(config),
        "seed": p.seed,
        "instruction_tokens": p.instruction_tokens,
        "response_tokens": p.response_tokens,
        "instruction_lang_score": p.instruction_lang_score,
        "response_lang_score": p.response_lang_score,
    });
    if config.output.sharegpt {
        row["conversations"] = serde_json::json!([
            {"from": "human", "value": p.instruction},
            {"from": "gpt", "value": p.response},
        ]);
    }
    row
}

fn sampling_json(config: &MagpieConfig) -> String {
    serde_json::json!({
        "instruction": config.instruction,
        "response": config.response,
        "steering": config.steering,
    })
    .to_string()
}

fn turn_list(pairs: &[&Pair], names: (&str, &str), roles: (&str, &str)) -> (ArrayRef, DataType) {
    let fields = Fields::from(vec![
        Field::new(names.0, DataType::Utf8, false),
        Field::new(names.1, DataType::Utf8, false),
    ]);
    let mut list = ListBuilder::new(StructBuilder::from_fields(fields.clone(), 2));
    for p in pairs {
        for (i, content) in [&p.instruction, &p.response].into_iter().enumerate() {
            let role = if i == 0 { roles.0 } else { roles.1 };
            let item = list.values();
            item.field_builder::<StringBuilder>(0)
                .expect("string field")
                .append_value(role);
            item.field_builder::<StringBuilder>(1)
                .expect("string field")
                .append_value(content);
            item.append(true);
        }
        list.append(true);
    }
    let array = list.finish();
    let dt = array.data_type().clone();
    (Arc::new(array), dt)
}

fn parquet_bytes(
    config: &MagpieConfig,
    report: &RunReport,
    kept: &[&Pair],
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let n = kept.len();
    let strings = |f: &dyn Fn(&Pair) -> String| -> ArrayRef {
        Arc::new(StringArray::from(
            kept.iter().map(|p| f(p)).collect::<Vec<_>>(),
        ))
    };
    let (messages, messages_type) = turn_list(kept, ("role", "content"), ("user", "assistant"));
    let mut columns: Vec<(&str, ArrayRef, DataType)> = vec![
        ("id", strings(&|p| p.id.clone()), DataType::Utf8),
        ("messages", messages, messages_type),
        (
            "language",
            strings(&|p| p.language.to_string()),
            DataType::Utf8,
        ),
        ("model", strings(&|_| report.model.clone()), DataType::Utf8),
        (
            "template_hash",
            strings(&|_| report.template_hash.clone()),
            DataType::Utf8,
        ),
        (
            "sampling",
            strings(&|_| sampling_json(config)),
            DataType::Utf8,
        ),
        (
            "seed",
            Arc::new(UInt64Array::from(
                kept.iter().map(|p| p.seed).collect::<Vec<_>>(),
            )),
            DataType::UInt64,
        ),
        (
            "instruction_tokens",
            Arc::new(Int32Array::from(
                kept.iter()
                    .map(|p| p.instruction_tokens as i32)
                    .collect::<Vec<_>>(),
            )),
            DataType::Int32,
        ),
        (
            "response_tokens",
            Arc::new(Int32Array::from(
                kept.iter()
                    .map(|p| p.response_tokens as i32)
                    .collect::<Vec<_>>(),
            )),
            DataType::Int32,
        ),
        (
            "instruction_lang_score",
            Arc::new(Float32Array::from(
                kept.iter()
                    .map(|p| p.instruction_lang_score)
                    .collect::<Vec<_>>(),
            )),
            DataType::Float32,
        ),
        (
            "response_lang_score",
            Arc::new(Float32Array::from(
                kept.iter()
                    .map(|p| p.response_lang_score)
                    .collect::<Vec<_>>(),
            )),
            DataType::Float32,
        ),
    ];
    if config.output.sharegpt {
        let (conv, conv_type) = turn_list(kept, ("from", "value"), ("human", "gpt"));
        columns.push(("conversations", conv, conv_type));
    }
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _, dt)| Field::new(*name, dt.clone(), false))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect())?;
    debug_assert_eq!(batch.num_rows(), n);
    Ok(docs_io::sink::parquet_bytes(&batch)?)
}

/// The dataset card (`data_cards::render_magpie`) from the config and the run's report.
pub fn card(config: &MagpieConfig, report: &RunReport) -> String {
    let sampling = |s: &crate::engine::Sampling| data_cards::Sampling {
        temperature: s.temperature,
        top_p: s.top_p,
        max_tokens: s.max_tokens,
    };
    data_cards::render_magpie(&data_cards::MagpieCardInput {
        pretty_name: config.output.pretty_name.clone(),
        license: config.output.license.clone(),
        model: report.model.clone(),
        engine: report.engine.clone(),
        template: report.template.clone(),
        template_hash: report.template_hash.clone(),
        stops: report.stops.clone(),
        steering: report.steering.clone(),
        pre_query: report.pre_query.clone(),
        samples: report.samples,
        kept: report.kept,
        languages: report
            .per_language
            .iter()
            .map(|(code, r)| {
                let l = data_cards::MagpieLanguage {
                    samples: r.samples,
                    kept: r.kept,
                    instruction_tokens: r.instruction_tokens,
                    response_tokens: r.response_tokens,
                    dropped: r.dropped.clone(),
                };
                (code.clone(), l)
            })
            .collect(),
        reasons: crate::filters::ALL.iter().map(|r| r.name).collect(),
        instruction: sampling(&config.instruction),
        response: sampling(&config.response),
        seed: config.seed,
        requests_sent: report.requests_sent,
        cache_hits: report.cache_hits,
        generated_tokens: report.generated_tokens,
        generation_seconds: report.generation_seconds,
        sharegpt: config.output.sharegpt,
    })
}
