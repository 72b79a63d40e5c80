//! seapile's per-document stages and their I/O: WARC ingest with charset decoding
//! ([`warc`]), main-text extraction ([`extract`]), token counting ([`tokens`]) and the
//! Parquet/JSONL writers ([`sink`]).
//!
//! Each stage is a [`pipeline::Stage`]: built once from its config (loading models,
//! validating), then called per document, dropping bad input with a stable reason.

pub mod extract;
pub mod quality;
pub mod sink;
pub mod tokens;
pub mod warc;
