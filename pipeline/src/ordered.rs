//! One shard's documents on several threads, with the output of one thread.
//!
//! Design decision: **parallel between order points, sequential at them**. A reader thread
//! pulls items from the shard's input (ingest: WARC parsing, gzip, charset decoding) and
//! numbers them; worker threads, each with its own fork of the chain, run the stages of an
//! item up to the next stage that is [`Stage::ordered`] (exact dedup: whether a document is a
//! duplicate depends on the documents before it); the calling thread runs those ordered
//! stages in input order on its own fork, hands the item back to the workers for the rest of
//! the chain, and emits finished items strictly in input order. So a shard run on N threads
//! writes the same rows, in the same order, with the same counters (seconds aside), as on one
//! thread. At most [`IN_FLIGHT_PER_WORKER`] items per worker are between the reader and the
//! output, so memory does not grow with the shard.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::stage::{Chain, Outcome, Step};
use crate::{Doc, StageError, StageStats};

/// Items allowed between the reader and the output, per worker thread.
pub const IN_FLIGHT_PER_WORKER: usize = 8;

/// One item of a shard's input.
// Documents move by value through the threads, as `Outcome` carries them; boxing them
// would add an allocation per document for no saving.
#[allow(clippy::large_enum_variant)]
pub enum Input<P> {
    /// A document for the chain.
    Doc(Doc),
    /// Something decided before the chain (a record ingest skipped or dropped) that only has
    /// to keep its place in the output order.
    Pass(P),
}

/// One item of the output, in input order.
// Documents move by value through the threads, as `Outcome` carries them; boxing them
// would add an allocation per document for no saving.
#[allow(clippy::large_enum_variant)]
pub enum Emitted<P> {
    /// A document the chain kept or dropped (with the name of the stage that dropped it).
    Doc(Outcome, Option<&'static str>),
    Pass(P),
}

/// What the reader thread hands back when the input is exhausted.
pub struct ReaderDone<I> {
    /// The input iterator, exhausted (or stopped at its first error).
    pub input: I,
    /// Time spent inside the iterator's `next` (reading, decompressing, decoding).
    pub busy: Duration,
}

/// Run `chain` over `input` on `workers` threads (plus a reader thread), calling `emit` on the
/// calling thread for every item in input order. Returns the chain's merged counters and the
/// reader's. The first error (the input's, a stage's or `emit`'s) stops the run.
pub fn process_ordered<I, P, E>(
    chain: &Chain,
    workers: usize,
    input: I,
    mut emit: impl FnMut(Emitted<P>) -> Result<(), E>,
) -> Result<(Vec<StageStats>, ReaderDone<I>), E>
where
    I: Iterator<Item = Result<Input<P>, E>> + Send,
    P: Send,
    E: From<StageError> + Send,
{
    let workers = workers.max(1);
    let permits = Permits::new(workers * IN_FLIGHT_PER_WORKER);
    let (job_tx, job_rx) = channel::<Job<P>>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (res_tx, res_rx) = channel::<Msg<P, E>>();
    std::thread::scope(|scope| {
        let reader = {
            let job_tx = job_tx.clone();
            let res_tx = res_tx.clone();
            let permits = &permits;
            scope.spawn(move || read_all(input, job_tx, res_tx, permits))
        };
        let mut forks = Vec::new();
        for _ in 0..workers {
            let rx = Arc::clone(&job_rx);
            let tx = res_tx.clone();
            let mut fork = chain.fork();
            forks.push(scope.spawn(move || {
                work(&mut fork, &rx, &tx);
                fork
            }));
        }
        drop(res_tx);
        let mut own = chain.fork();
        let result = commit(&mut own, &job_tx, &res_rx, &permits, &mut emit);
        // Stop everyone: no more jobs; the reader wakes up (closed permits) and ends.
        drop(job_tx);
        permits.close();
        drop(res_rx);
        let done = reader.join().expect("the reader thread does not panic");
        let mut stats = own.finish().map_err(E::from);
        for f in forks {
            let fork = f.join().expect("a worker thread does not panic");
            match (&mut stats, fork.finish()) {
                (Ok(total), Ok(part)) => {
                    for (t, p) in total.iter_mut().zip(&part) {
                        t.merge(p);
                    }
                }
                (Ok(_), Err(e)) => stats = Err(E::from(e)),
                (Err(_), _) => {}
            }
        }
        result?;
        Ok((stats?, done))
    })
}

/// Work for a worker: run the chain on `doc` from stage `from`, or pass an item through.
// Documents move by value through the threads, as `Outcome` carries them; boxing them
// would add an allocation per document for no saving.
#[allow(clippy::large_enum_variant)]
enum Job<P> {
    Run { seq: u64, doc: Doc, from: usize },
    Pass { seq: u64, item: P },
}

/// What reaches the committing thread.
// Documents move by value through the threads, as `Outcome` carries them; boxing them
// would add an allocation per document for no saving.
#[allow(clippy::large_enum_variant)]
enum Msg<P, E> {
    /// Item `seq` ran up to an ordered stage or to its end.
    Step {
        seq: u64,
        step: Result<Step, StageError>,
    },
    Pass {
        seq: u64,
        item: P,
    },
    /// The reader is done: `count` items were read; `error` when the input failed.
    End {
        count: u64,
        error: Option<E>,
    },
}

fn read_all<I, P, E>(
    mut input: I,
    jobs: Sender<Job<P>>,
    results: Sender<Msg<P, E>>,
    permits: &Permits,
) -> ReaderDone<I>
where
    I: Iterator<Item = Result<Input<P>, E>>,
{
    let mut busy = Duration::ZERO;
    let mut seq = 0u64;
    let mut error = None;
    loop {
        if !permits.acquire() {
            break;
        }
        let start = Instant::now();
        let next = input.next();
        busy += start.elapsed();
        let job = match next {
            None => break,
            Some(Err(e)) => {
                error = Some(e);
                break;
            }
            Some(Ok(Input::Doc(doc))) => Job::Run { seq, doc, from: 0 },
            Some(Ok(Input::Pass(item))) => Job::Pass { seq, item },
        };
        if jobs.send(job).is_err() {
            break;
        }
        seq += 1;
    }
    let _ = results.send(Msg::End { count: seq, error });
    ReaderDone { input, busy }
}

fn work<P, E>(chain: &mut Chain, jobs: &Mutex<Receiver<Job<P>>>, results: &Sender<Msg<P, E>>) {
    loop {
        // The lock is held only to take one job.
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let msg = match job {
            Err(_) => return,
            Ok(Job::Run { seq, doc, from }) => Msg::Step {
                seq,
                step: chain.run_from(doc, from),
            },
            Ok(Job::Pass { seq, item }) => Msg::Pass { seq, item },
        };
        if results.send(msg).is_err() {
            return;
        }
    }
}

/// Where an item read from the input is.
// Documents move by value through the threads, as `Outcome` carries them; boxing them
// would add an allocation per document for no saving.
#[allow(clippy::large_enum_variant)]
enum State<P> {
    /// With a worker, running from this stage on.
    Running(usize),
    /// Waiting for its turn at the ordered stage `at`.
    Waiting(Doc, usize),
    Done(Emitted<P>),
}

fn commit<P, E>(
    chain: &mut Chain,
    jobs: &Sender<Job<P>>,
    results: &Receiver<Msg<P, E>>,
    permits: &Permits,
    emit: &mut impl FnMut(Emitted<P>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<StageError>,
{
    let mut pending: BTreeMap<u64, State<P>> = BTreeMap::new();
    let mut next = 0u64;
    let mut total: Option<u64> = None;
    loop {
        if total.is_some_and(|t| next >= t) {
            return Ok(());
        }
        let Ok(msg) = results.recv() else {
            return Ok(());
        };
        match msg {
            Msg::End { count, error } => {
                if let Some(e) = error {
                    return Err(e);
                }
                total = Some(count);
            }
            Msg::Pass { seq, item } => {
                pending.insert(seq, State::Done(Emitted::Pass(item)));
            }
            Msg::Step { seq, step } => {
                let state = match step.map_err(E::from)? {
                    Step::Finished(outcome, by) => State::Done(Emitted::Doc(outcome, by)),
                    Step::Ordered(doc, at) => State::Waiting(doc, at),
                };
                pending.insert(seq, state);
            }
        }
        advance_ordered(chain, jobs, &mut pending, next)?;
        while let Some(entry) = pending.first_entry() {
            if *entry.key() != next || !matches!(entry.get(), State::Done(_)) {
                break;
            }
            let State::Done(item) = entry.remove() else {
                unreachable!("checked above")
            };
            emit(item)?;
            permits.release();
            next += 1;
        }
    }
}

/// Run every waiting item whose turn has come at its ordered stage: an item may pass ordered
/// stage `at` only when no earlier item can still reach `at` (one still running from a stage
/// at or before `at`, one waiting at an earlier or the same stage, or one not back yet).
fn advance_ordered<P, E>(
    chain: &mut Chain,
    jobs: &Sender<Job<P>>,
    pending: &mut BTreeMap<u64, State<P>>,
    next: u64,
) -> Result<(), E>
where
    E: From<StageError>,
{
    let mut blocked = usize::MAX;
    let seqs: Vec<u64> = pending.keys().copied().collect();
    for (expected, seq) in (next..).zip(seqs) {
        if seq != expected {
            return Ok(()); // an item not back from its first run: it may reach any stage
        }
        let state = pending.get_mut(&seq).expect("listed above");
        match state {
            State::Done(_) => {}
            State::Running(from) => blocked = blocked.min(*from),
            State::Waiting(_, at) if *at >= blocked => {}
            State::Waiting(..) => {
                let State::Waiting(doc, at) = std::mem::replace(state, State::Running(0)) else {
                    unreachable!("matched above")
                };
                *state = match chain.run_at(doc, at)? {
                    Step::Finished(outcome, by) => State::Done(Emitted::Doc(outcome, by)),
                    Step::Ordered(doc, from) => {
                        if jobs.send(Job::Run { seq, doc, from }).is_err() {
                            return Ok(());
                        }
                        blocked = blocked.min(from);
                        State::Running(from)
                    }
                };
            }
        }
    }
    Ok(())
}

/// A counting semaphore that can be closed (then `acquire` fails at once).
struct Permits {
    state: Mutex<(usize, bool)>,
    cv: Condvar,
}

impl Permits {
    fn new(n: usize) -> Self {
        Permits {
            state: Mutex::new((n, false)),
            cv: Condvar::new(),
        }
    }

    /// Take a permit, waiting for one; `false` once closed.
    fn acquire(&self) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        loop {
            if s.1 {
                return false;
            }
            if s.0 > 0 {
                s.0 -= 1;
                return true;
            }
            s = match self.cv.wait(s) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
    }

    fn release(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.0 += 1;
            self.cv.notify_one();
        }
    }

    fn close(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.1 = true;
            self.cv.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Outcome, Stage};
    use std::collections::HashSet;

    /// Drops a document whose text was seen before in this shard (order-dependent).
    #[derive(Clone, Default)]
    struct SeenBefore(HashSet<String>);
    impl Stage for SeenBefore {
        fn name(&self) -> &'static str {
            "seen"
        }
        fn ordered(&self) -> bool {
            true
        }
        fn process(&mut self, doc: Doc) -> Result<Outcome, StageError> {
            if self.0.insert(doc.text.clone()) {
                Ok(Outcome::Keep(doc))
            } else {
                Ok(Outcome::drop(doc, "duplicate"))
            }
        }
    }

    /// Uneven work, so workers finish out of order; drops texts with a 7 in them.
    #[derive(Clone)]
    struct Slow;
    impl Stage for Slow {
        fn name(&self) -> &'static str {
            "slow"
        }
        fn process(&mut self, mut doc: Doc) -> Result<Outcome, StageError> {
            let n: u64 = doc.text.parse().unwrap_or(0);
            std::thread::sleep(Duration::from_micros((n * 7919) % 300));
            if doc.text.contains('7') {
                return Ok(Outcome::drop(doc, "seven"));
            }
            doc.title = Some(format!("t{n}"));
            Ok(Outcome::Keep(doc))
        }
    }

    fn chain() -> Chain {
        Chain::new(vec![
            Box::new(Slow),
            Box::new(SeenBefore::default()),
            Box::new(Slow),
            Box::new(SeenBefore::default()),
        ])
    }

    fn inputs() -> impl Iterator<Item = Result<Input<u64>, StageError>> + Send {
        (0..400u64).map(|i| {
            Ok(if i % 13 == 0 {
                Input::Pass(i)
            } else {
                Input::Doc(Doc::from_text(i.to_string(), "s", (i % 150).to_string()))
            })
        })
    }

    fn run(workers: usize) -> (Vec<String>, Vec<StageStats>) {
        let mut out = Vec::new();
        let (stats, done) = process_ordered(&chain(), workers, inputs(), |e| {
            out.push(match e {
                Emitted::Doc(Outcome::Keep(d), _) => format!("keep {} {:?}", d.id, d.title),
                Emitted::Doc(Outcome::Drop { doc, reason }, by) => {
                    format!("drop {} {reason} {by:?}", doc.id)
                }
                Emitted::Pass(i) => format!("pass {i}"),
            });
            Ok::<_, StageError>(())
        })
        .unwrap();
        assert!(done.busy < Duration::from_secs(60));
        let stats = stats
            .into_iter()
            .map(|mut s| {
                s.seconds = 0.0;
                s
            })
            .collect();
        (out, stats)
    }

    #[test]
    fn many_workers_give_the_output_and_counters_of_one() {
        let (one, one_stats) = run(1);
        assert_eq!(one.len(), 400);
        assert!(one.iter().any(|l| l.contains("duplicate")));
        for workers in [2, 3, 8] {
            let (many, stats) = run(workers);
            assert_eq!(many, one, "{workers} workers");
            assert_eq!(stats, one_stats, "{workers} workers");
        }
        // The same as the plain sequential chain.
        let mut seq = chain();
        let mut plain = Vec::new();
        for item in inputs() {
            match item.unwrap() {
                Input::Pass(i) => plain.push(format!("pass {i}")),
                Input::Doc(d) => plain.push(match seq.process(d).unwrap() {
                    (Outcome::Keep(d), _) => format!("keep {} {:?}", d.id, d.title),
                    (Outcome::Drop { doc, reason }, by) => {
                        format!("drop {} {reason} {by:?}", doc.id)
                    }
                }),
            }
        }
        assert_eq!(plain, one);
    }

    #[test]
    fn an_input_error_stops_the_run_and_is_returned() {
        let bad = (0..100u64).map(|i| {
            if i == 50 {
                Err(StageError::Io(std::io::Error::other("disk gone")))
            } else {
                Ok(Input::<u64>::Doc(Doc::from_text(i.to_string(), "s", "x")))
            }
        });
        let mut emitted = 0;
        let r = process_ordered(&chain(), 3, bad, |_| {
            emitted += 1;
            Ok::<_, StageError>(())
        });
        assert!(matches!(r, Err(StageError::Io(_))));
        assert!(emitted <= 50);
    }
}
