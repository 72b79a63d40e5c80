//! One integration-test binary for the `seapile` command line, over real data fetched by
//! `seapile assets fetch` (run by `scripts/test`): a genuine Common Crawl WARC, the UDHR pages,
//! lid.176 and the Llama 3 tokenizer. Fixtures are built here from those assets.

mod bad_inputs;
mod commands;
mod common;
mod decontam;
mod dedup;
mod hub;
mod kill;
mod launch;
mod magpie;
mod mix;
mod report;
mod run;
mod store;
