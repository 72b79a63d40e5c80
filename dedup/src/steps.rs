//! The four MinHash LSH steps — signatures → buckets → clusters → filter — each runnable as
//! shard `i` of `n` on any machine that sees the output directory. The design decision
//! (datatrove's): steps talk only through files under `OUT/.dedup/`, each written under a
//! temporary name and renamed when complete, so a Slurm array or an indexed job runs every
//! step as `n` independent tasks and a later step checks that the earlier one finished.
//!
//! Documents are numbered `file << 40 | row` in input order; every choice (the kept
//! document is the smallest number of its cluster, which is also its `cluster_id`) depends
//! only on that number, so any sharding gives the same kept set.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use docs_io::extsort::{read_or_end, Merge, RunWriter, SortRecord};
use docs_io::filter::{filter_file, Decision};
use docs_io::{for_each_row, Format};
use pipeline::fs::temp_path as tmp_path;

use crate::minhash::MinHasher;
use crate::params::MinhashConfig;
use crate::stats::{DedupStats, FileStats};
use crate::{content_hash, io_err, DedupError};

/// One sortable record: a 128-bit key (band value or content hash) and a document number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Record {
    pub key: u128,
    pub doc: u64,
}

/// Bytes of a [`Record`] on disk (and its share of the sort buffer).
pub const RECORD_BYTES: usize = 24;

impl SortRecord for Record {
    type Key = Record;
    fn key(&self) -> Record {
        *self
    }
    fn size(&self) -> usize {
        RECORD_BYTES
    }
    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(&self.key.to_le_bytes())?;
        out.write_all(&self.doc.to_le_bytes())
    }
    fn read_from(input: &mut impl Read) -> std::io::Result<Option<Self>> {
        let mut b = [0u8; RECORD_BYTES];
        if !read_or_end(input, &mut b)? {
            return Ok(None);
        }
        let (key, doc) = b.split_at(16);
        Ok(Some(Record {
            key: u128::from_le_bytes(key.try_into().unwrap_or_default()),
            doc: u64::from_le_bytes(doc.try_into().unwrap_or_default()),
        }))
    }
}

/// Which passes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Exact (normalised content hash) and near (MinHash LSH).
    #[default]
    Both,
    ExactOnly,
    NearOnly,
}

/// Everything the later steps need to know about the signatures step, stored in
/// `OUT/.dedup/params.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub inputs: Vec<PathBuf>,
    pub config: MinhashConfig,
    pub mode: Mode,
    /// How many shards the signatures step was split into.
    pub signature_shards: usize,
}

/// One task: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const ONE: Shard = Shard { index: 0, count: 1 };

    pub fn new(index: usize, count: usize) -> Result<Shard, DedupError> {
        if count == 0 || index >= count {
            return Err(DedupError::Config(format!(
                "shard {index} of {count}: the index must be below the number of shards"
            )));
        }
        Ok(Shard { index, count })
    }

    fn owns(&self, k: usize) -> bool {
        k % self.count == self.index
    }
}

const ROW_BITS: u32 = 40;

fn doc_key(file: usize, row: u64) -> u64 {
    ((file as u64) << ROW_BITS) | row
}

fn file_of(doc: u64) -> usize {
    (doc >> ROW_BITS) as usize
}

/// Paths inside `OUT/.dedup/`.
struct Work {
    out: PathBuf,
    root: PathBuf,
}

impl Work {
    fn new(out: &Path) -> Work {
        Work {
            out: out.to_path_buf(),
            root: out.join(".dedup"),
        }
    }
    fn dir(&self, name: &str) -> Result<PathBuf, DedupError> {
        let d = self.root.join(name);
        std::fs::create_dir_all(&d).map_err(io_err(&d))?;
        Ok(d)
    }
    fn params(&self) -> PathBuf {
        self.root.join("params.json")
    }
    fn sig_done(&self, s: usize) -> PathBuf {
        self.root.join("sigs").join(format!("s{s}.done"))
    }
    fn signature_file(&self, file: usize) -> PathBuf {
        self.root.join("sigs").join(format!("f{file}.sig"))
    }
    fn edges(&self, unit: usize) -> PathBuf {
        self.root.join("buckets").join(format!("u{unit}.edges"))
    }
    fn clusters(&self, file: usize) -> PathBuf {
        self.root.join("clusters").join(format!("f{file}.bin"))
    }
    fn summary(&self) -> PathBuf {
        self.root.join("clusters").join("summary.json")
    }
    fn file_stats(&self, file: usize) -> PathBuf {
        self.root.join("filter").join(format!("f{file}.json"))
    }
    fn file_ids(&self, file: usize) -> PathBuf {
        self.root.join("filter").join(format!("f{file}.jsonl"))
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DedupError> {
    pipeline::fs::write_atomic(path, bytes).map_err(io_err(path))
}

fn write_json(path: &Path, v: &impl Serialize) -> Result<(), DedupError> {
    let bytes = serde_json::to_vec_pretty(v).map_err(|e| DedupError::Config(e.to_string()))?;
    write_atomic(path, &bytes)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, missing: &str) -> Result<T, DedupError> {
    let bytes = std::fs::read(path).map_err(|_| DedupError::NotReady(missing.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| DedupError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The units of the buckets step: one per band, plus the exact pass as unit `bands`.
fn units(params: &Params) -> Vec<usize> {
    let bands = params.config.bands;
    match params.mode {
        Mode::Both => (0..=bands).collect(),
        Mode::ExactOnly => vec![bands],
        Mode::NearOnly => (0..bands).collect(),
    }
}

fn is_exact_unit(params: &Params, unit: usize) -> bool {
    unit == params.config.bands
}

/// Step 1: for the input files of this shard, the exact hash and the LSH band keys of every
/// document, spilled as sorted runs of at most `max_records` records in memory.
pub fn signatures(
    out: &Path,
    params: &Params,
    shard: Shard,
    max_records: usize,
) -> Result<(), DedupError> {
    params.config.validate()?;
    let work = Work::new(out);
    let sigs = work.dir("sigs")?;
    store_params(&work, params)?;
    remove_matching(&sigs, &format!("-s{}.run", shard.index))?;
    let units = units(params);
    let per_unit = (max_records / units.len()).max(1024);
    let mut writers: BTreeMap<usize, RunWriter<Record>> = units
        .iter()
        .map(|&u| {
            let prefix = sigs.join(format!("u{u}-s{}", shard.index));
            (u, RunWriter::new(prefix, per_unit * RECORD_BYTES))
        })
        .collect();
    let hasher = MinHasher::new(&params.config);
    let exact_unit = params.config.bands;
    let mut done = SigDone::default();
    let no_words = vec![u32::MAX; params.config.num_hashes()];
    for (k, input) in params.inputs.iter().enumerate() {
        if !shard.owns(k) {
            continue;
        }
        let sig_path = work.signature_file(k);
        let sig_tmp = tmp_path(&sig_path);
        let mut sig_out = BufWriter::new(File::create(&sig_tmp).map_err(io_err(&sig_tmp))?);
        for_each_row(
            input,
            Some(&["id", "text"]),
            |r| -> Result<(), DedupError> {
                r.require("id")?;
                r.require("text")?;
                r.id()?.ok_or_else(|| r.missing("id"))?;
                let text = r.str("text")?.unwrap_or_default();
                let text = text.as_ref();
                let doc = doc_key(k, r.index);
                done.docs += 1;
                if let Some(w) = writers.get_mut(&exact_unit) {
                    w.push(Record {
                        key: content_hash(text),
                        doc,
                    })?;
                }
                if params.mode != Mode::ExactOnly {
                    let sig = hasher.signature(text);
                    match &sig {
                        Some(sig) => {
                            for (band, key) in hasher.band_keys(sig).into_iter().enumerate() {
                                if let Some(w) = writers.get_mut(&band) {
                                    w.push(Record { key, doc })?;
                                }
                            }
                        }
                        None => done.no_words += 1,
                    }
                    let bytes: Vec<u8> = (sig.as_ref().unwrap_or(&no_words).iter())
                        .flat_map(|v| v.to_le_bytes())
                        .collect();
                    sig_out.write_all(&bytes).map_err(io_err(&sig_tmp))?;
                }
                Ok(())
            },
        )?;
        sig_out.flush().map_err(io_err(&sig_tmp))?;
        drop(sig_out);
        std::fs::rename(&sig_tmp, &sig_path).map_err(io_err(&sig_path))?;
    }
    for w in writers.into_values() {
        done.runs += w.finish()?.len();
    }
    write_json(&work.sig_done(shard.index), &done)
}

/// Completion marker of a signatures shard.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SigDone {
    docs: u64,
    no_words: u64,
    runs: usize,
}

/// Every shard writes the same parameters; a different set means a stale directory.
fn store_params(work: &Work, params: &Params) -> Result<(), DedupError> {
    let path = work.params();
    if let Ok(bytes) = std::fs::read(&path) {
        if let Ok(old) = serde_json::from_slice::<Params>(&bytes) {
            if &old != params {
                return Err(DedupError::Config(format!(
                    "\"{}\" was written for other inputs or parameters; use a new output \
                     directory or remove \"{}\"",
                    path.display(),
                    work.root.display()
                )));
            }
            return Ok(());
        }
    }
    write_json(&path, params)
}

fn remove_matching(dir: &Path, needle: &str) -> Result<(), DedupError> {
    for e in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let p = e.map_err(io_err(dir))?.path();
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(needle))
        {
            std::fs::remove_file(&p).map_err(io_err(&p))?;
        }
    }
    Ok(())
}

/// Reads `OUT/.dedup/params.json`, written by the signatures step.
pub fn load_params(out: &Path) -> Result<Params, DedupError> {
    let work = Work::new(out);
    read_json(
        &work.params(),
        &format!(
            "no signatures in \"{}\": run the signatures step first",
            out.display()
        ),
    )
}

/// Step 2: for the bands of this shard, merge the sorted runs of every signatures shard and
/// link each document of a bucket to the bucket's first document (`OUT/.dedup/buckets/`).
pub fn buckets(out: &Path, shard: Shard) -> Result<(), DedupError> {
    let work = Work::new(out);
    let params = load_params(out)?;
    for s in 0..params.signature_shards {
        if !work.sig_done(s).exists() {
            return Err(DedupError::NotReady(format!(
                "signatures shard {s} of {} has not finished",
                params.signature_shards
            )));
        }
    }
    let sigs = work.dir("sigs")?;
    work.dir("buckets")?;
    let mut verifier = Verifier::new(&work, &params);
    for (pos, &unit) in units(&params).iter().enumerate() {
        if shard.owns(pos) {
            let check = (!is_exact_unit(&params, unit)).then_some(&mut verifier);
            bucket_unit(&sigs, unit, &work.edges(unit), check)?;
        }
    }
    Ok(())
}

/// At most this many distinct representatives are kept per bucket when verifying.
const MAX_REPS: usize = 16;

/// Reads signatures back (random access by document number) to check band candidates.
struct Verifier {
    files: HashMap<usize, (PathBuf, File)>,
    dir: PathBuf,
    hashes: usize,
    threshold: f64,
}

impl Verifier {
    fn new(work: &Work, params: &Params) -> Verifier {
        Verifier {
            files: HashMap::new(),
            dir: work.root.join("sigs"),
            hashes: params.config.num_hashes(),
            threshold: params.config.verify_threshold,
        }
    }

    fn signature(&mut self, doc: u64) -> Result<Vec<u32>, DedupError> {
        use std::collections::hash_map::Entry;
        use std::os::unix::fs::FileExt;
        let k = file_of(doc);
        let (path, file) = match self.files.entry(k) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let path = self.dir.join(format!("f{k}.sig"));
                let f = File::open(&path).map_err(io_err(&path))?;
                e.insert((path, f))
            }
        };
        let row = doc & ((1 << ROW_BITS) - 1);
        let mut bytes = vec![0u8; self.hashes * 4];
        let at = row * bytes.len() as u64;
        file.read_exact_at(&mut bytes, at).map_err(io_err(path))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// Links of one bucket (sorted documents): each document to the first representative
    /// whose signature agrees enough; one that matches none becomes a representative.
    fn links(
        &mut self,
        bucket: &[u64],
        mut emit: impl FnMut(u64, u64) -> Result<(), DedupError>,
    ) -> Result<(), DedupError> {
        if self.threshold <= 0.0 {
            return bucket[1..].iter().try_for_each(|&d| emit(bucket[0], d));
        }
        let mut reps: Vec<(u64, Vec<u32>)> = Vec::new();
        for &d in bucket {
            let sig = self.signature(d)?;
            let hit = reps
                .iter()
                .find(|(_, r)| crate::minhash::estimate_jaccard(r, &sig) >= self.threshold);
            match hit {
                Some((r, _)) => emit(*r, d)?,
                None if reps.len() < MAX_REPS => reps.push((d, sig)),
                None => {}
            }
        }
        Ok(())
    }
}

fn runs_of(sigs: &Path, unit: usize) -> Result<Vec<PathBuf>, DedupError> {
    let prefix = format!("u{unit}-s");
    let mut runs = Vec::new();
    for e in std::fs::read_dir(sigs).map_err(io_err(sigs))? {
        let p = e.map_err(io_err(sigs))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(&prefix) && name.contains(".run") {
            runs.push(p);
        }
    }
    runs.sort();
    Ok(runs)
}

fn bucket_unit(
    sigs: &Path,
    unit: usize,
    edges: &Path,
    mut verifier: Option<&mut Verifier>,
) -> Result<(), DedupError> {
    let mut merge = Merge::<Record>::open(&runs_of(sigs, unit)?)?;
    let tmp = tmp_path(edges);
    let mut w = BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?);
    let mut emit = |a: u64, b: u64| -> Result<(), DedupError> {
        w.write_all(&a.to_le_bytes()).map_err(io_err(&tmp))?;
        w.write_all(&b.to_le_bytes()).map_err(io_err(&tmp))
    };
    let mut bucket: Vec<u64> = Vec::new();
    let mut key = None;
    loop {
        let r = merge.next_record()?;
        if r.map(|r| r.key) != key {
            if bucket.len() > 1 {
                match verifier.as_deref_mut() {
                    Some(v) => v.links(&bucket, &mut emit)?,
                    None => bucket[1..].iter().try_for_each(|&d| emit(bucket[0], d))?,
                }
            }
            bucket.clear();
        }
        let Some(r) = r else { break };
        key = Some(r.key);
        bucket.push(r.doc);
    }
    w.flush().map_err(io_err(&tmp))?;
    drop(w);
    std::fs::rename(&tmp, edges).map_err(io_err(edges))
}

fn read_edges(path: &Path, mut f: impl FnMut(u64, u64)) -> Result<(), DedupError> {
    let mut r = BufReader::new(File::open(path).map_err(io_err(path))?);
    let mut b = [0u8; 16];
    loop {
        match r.read_exact(&mut b) {
            Ok(()) => {
                let (x, y) = b.split_at(8);
                f(
                    u64::from_le_bytes(x.try_into().unwrap_or_default()),
                    u64::from_le_bytes(y.try_into().unwrap_or_default()),
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(io_err(path)(e)),
        }
    }
}

/// Union-find over document numbers; the root of a set is its smallest member.
#[derive(Default)]
struct UnionFind {
    parent: HashMap<u64, u64>,
}

impl UnionFind {
    fn find(&mut self, x: u64) -> u64 {
        let mut x = x;
        loop {
            let p = *self.parent.entry(x).or_insert(x);
            if p == x {
                return x;
            }
            let gp = *self.parent.entry(p).or_insert(p);
            self.parent.insert(x, gp);
            x = gp;
        }
    }

    fn union(&mut self, a: u64, b: u64) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent.insert(ra.max(rb), ra.min(rb));
        }
    }
}

/// A document that belongs to a cluster of two or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Member {
    doc: u64,
    root: u64,
    size: u32,
    exact: bool,
}

const MEMBER_BYTES: usize = 21;

/// Step 3: union-find over all bucket links. Every shard builds the whole graph (it holds
/// only documents that have a duplicate) and writes the members of its input files, sorted,
/// to `OUT/.dedup/clusters/f<file>.bin`; shard 0 also writes the cluster summary.
pub fn clusters(out: &Path, shard: Shard) -> Result<(), DedupError> {
    let work = Work::new(out);
    let params = load_params(out)?;
    let mut uf = UnionFind::default();
    let mut exact_dups = HashSet::new();
    for unit in units(&params) {
        let path = work.edges(unit);
        if !path.exists() {
            return Err(DedupError::NotReady(format!(
                "buckets for unit {unit} (\"{}\") are missing: run the buckets step first",
                path.display()
            )));
        }
        let exact = is_exact_unit(&params, unit);
        read_edges(&path, |a, b| {
            uf.union(a, b);
            if exact {
                exact_dups.insert(b);
            }
        })?;
    }
    let members = members(&mut uf, &exact_dups);
    work.dir("clusters")?;
    if shard.index == 0 {
        write_json(&work.summary(), &summarize(&members))?;
    }
    let mut by_file: BTreeMap<usize, Vec<Member>> = BTreeMap::new();
    for m in members {
        by_file.entry(file_of(m.doc)).or_default().push(m);
    }
    for k in (0..params.inputs.len()).filter(|&k| shard.owns(k)) {
        let list = by_file.remove(&k).unwrap_or_default();
        write_members(&work.clusters(k), &list)?;
    }
    Ok(())
}

fn members(uf: &mut UnionFind, exact_dups: &HashSet<u64>) -> Vec<Member> {
    let docs: Vec<u64> = uf.parent.keys().copied().collect();
    let roots: Vec<(u64, u64)> = docs.iter().map(|&d| (d, uf.find(d))).collect();
    let mut sizes: HashMap<u64, u32> = HashMap::new();
    for &(_, r) in &roots {
        *sizes.entry(r).or_default() += 1;
    }
    let mut out: Vec<Member> = roots
        .into_iter()
        .map(|(doc, root)| Member {
            doc,
            root,
            size: sizes[&root],
            exact: exact_dups.contains(&doc),
        })
        .collect();
    out.sort_unstable();
    out
}

/// Cluster count and size histogram (clusters of two or more documents).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub clusters: u64,
    pub docs_in_clusters: u64,
    /// Size bucket (`2`, `3-4`, `5-8`, ...) → clusters.
    pub size_histogram: BTreeMap<String, u64>,
}

fn summarize(members: &[Member]) -> ClusterSummary {
    let mut s = ClusterSummary::default();
    let mut sizes: Vec<(u64, u32)> = members.iter().map(|m| (m.root, m.size)).collect();
    sizes.sort_unstable();
    sizes.dedup();
    s.docs_in_clusters = members.len() as u64;
    s.clusters = sizes.len() as u64;
    for (_, size) in sizes {
        *s.size_histogram.entry(size_bucket(size)).or_default() += 1;
    }
    s
}

/// The histogram bucket of a cluster size: `2`, `3-4`, `5-8`, `9-16`, ... (powers of two).
pub fn size_bucket(size: u32) -> String {
    if size <= 2 {
        return size.to_string();
    }
    let hi = size.next_power_of_two();
    format!("{}-{hi}", hi / 2 + 1)
}

fn write_members(path: &Path, list: &[Member]) -> Result<(), DedupError> {
    let mut bytes = Vec::with_capacity(list.len() * MEMBER_BYTES);
    for m in list {
        bytes.extend_from_slice(&m.doc.to_le_bytes());
        bytes.extend_from_slice(&m.root.to_le_bytes());
        bytes.extend_from_slice(&m.size.to_le_bytes());
        bytes.push(m.exact as u8);
    }
    write_atomic(path, &bytes)
}

fn read_members(path: &Path) -> Result<Vec<Member>, DedupError> {
    let bytes = std::fs::read(path).map_err(|_| {
        DedupError::NotReady(format!(
            "\"{}\" is missing: run the clusters step first",
            path.display()
        ))
    })?;
    let u64_at =
        |c: &[u8], i: usize| u64::from_le_bytes(c[i..i + 8].try_into().unwrap_or_default());
    Ok(bytes
        .chunks_exact(MEMBER_BYTES)
        .map(|c| Member {
            doc: u64_at(c, 0),
            root: u64_at(c, 8),
            size: u32::from_le_bytes(c[16..20].try_into().unwrap_or_default()),
            exact: c[20] == 1,
        })
        .collect())
}

/// One line of `OUT/clusters.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterLine {
    pub id: String,
    pub cluster_id: u64,
    pub cluster_size: u32,
    pub kept: bool,
    /// `exact` or `near` for a removed document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<String>,
}

/// Step 4: for the input files of this shard, write the kept rows to `OUT/data/` with
/// `cluster_id` and `cluster_size`; the last shard to finish writes `OUT/clusters.jsonl` and
/// `OUT/dedup_stats.json`. Returns whether this shard wrote them.
pub fn filter(out: &Path, shard: Shard) -> Result<bool, DedupError> {
    let work = Work::new(out);
    let params = load_params(out)?;
    work.dir("filter")?;
    for (k, input) in params.inputs.iter().enumerate() {
        if shard.owns(k) {
            filter_one(&work, k, input)?;
        }
    }
    finalize(&work, &params)
}

fn filter_one(work: &Work, k: usize, input: &Path) -> Result<(), DedupError> {
    let members = read_members(&work.clusters(k))?;
    let ext = Format::of(input)?.extension();
    let data = work.out.join("data").join(format!("{k:05}.{ext}"));
    let tmp = tmp_path(&data);
    let ids_path = work.file_ids(k);
    let ids_tmp = tmp_path(&ids_path);
    let mut ids = BufWriter::new(File::create(&ids_tmp).map_err(io_err(&ids_tmp))?);
    let mut stats = FileStats::default();
    let mut next = members.iter().peekable();
    filter_file(input, &tmp, |row, id| -> Result<Decision, DedupError> {
        let doc = doc_key(k, row);
        while next.peek().is_some_and(|m| m.doc < doc) {
            next.next();
        }
        let line = match next.peek().filter(|m| m.doc == doc) {
            Some(m) => member_line(id, m),
            None => ClusterLine {
                id: id.to_string(),
                cluster_id: doc,
                cluster_size: 1,
                kept: true,
                duplicate: None,
            },
        };
        stats.count(&line);
        let json = serde_json::to_string(&line).map_err(|e| DedupError::Config(e.to_string()))?;
        writeln!(ids, "{json}").map_err(io_err(&ids_tmp))?;
        Ok(Decision {
            kept: line.kept,
            cluster_id: line.cluster_id,
            cluster_size: line.cluster_size,
        })
    })?;
    ids.flush().map_err(io_err(&ids_tmp))?;
    drop(ids);
    std::fs::rename(&tmp, &data).map_err(io_err(&data))?;
    std::fs::rename(&ids_tmp, &ids_path).map_err(io_err(&ids_path))?;
    write_json(&work.file_stats(k), &stats)
}

fn member_line(id: &str, m: &Member) -> ClusterLine {
    let kept = m.root == m.doc;
    let duplicate = (!kept).then(|| if m.exact { "exact" } else { "near" }.to_string());
    ClusterLine {
        id: id.to_string(),
        cluster_id: m.root,
        cluster_size: m.size,
        kept,
        duplicate,
    }
}

/// When every file is filtered: concatenate the per-file id maps into `OUT/clusters.jsonl`
/// and sum the stats into `OUT/dedup_stats.json`. Idempotent, so racing shards are harmless.
fn finalize(work: &Work, params: &Params) -> Result<bool, DedupError> {
    let n = params.inputs.len();
    if (0..n).any(|k| !work.file_stats(k).exists()) {
        return Ok(false);
    }
    let summary: ClusterSummary = read_json(&work.summary(), "cluster summary missing")?;
    let mut stats = DedupStats::new(params.mode, &params.config, summary);
    let target = work.out.join("clusters.jsonl");
    let tmp = tmp_path(&target);
    let mut w = BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?);
    for k in 0..n {
        let fs: FileStats = read_json(&work.file_stats(k), "file stats missing")?;
        stats.add(&fs);
        let mut r = File::open(work.file_ids(k)).map_err(io_err(&work.file_ids(k)))?;
        std::io::copy(&mut r, &mut w).map_err(io_err(&tmp))?;
    }
    w.flush().map_err(io_err(&tmp))?;
    drop(w);
    std::fs::rename(&tmp, &target).map_err(io_err(&target))?;
    stats.peak_rss_mb = crate::stats::peak_rss_mb();
    write_json(&work.out.join("dedup_stats.json"), &stats)?;
    Ok(true)
}
