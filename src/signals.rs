//! SIGINT/SIGTERM: the first signal only raises a flag that shards check between records, so
//! the current shards are abandoned (their temporary files never reach the output) and the
//! run exits non-zero; a second signal exits at once. Either way a rerun resumes, because
//! only completed shards are ever in place.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// Install the handler (once, at start-up of commands that run shards).
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            eprintln!("seapile: second signal, exiting now");
            std::process::exit(130);
        }
        eprintln!("seapile: signal received, abandoning unfinished shards");
    })?;
    Ok(())
}

/// Whether a stop signal arrived.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
