//! Object stores for inputs and outputs: `s3://bucket/key` (AWS S3 and S3-compatible stores:
//! MinIO, Ceph, R2, moto, ...) and `gs://bucket/key` (Google Cloud Storage), through the
//! `object_store` crate. Reads are streamed (an object is read chunk by chunk as the reader
//! asks, never held whole); uploads put a whole object at once, so readers never see a part.
//!
//! Configuration is the stores' usual environment: `AWS_ENDPOINT_URL` (S3-compatible
//! endpoints; `http://` ones are allowed), `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
//! `AWS_SESSION_TOKEN`, `AWS_REGION` (default `us-east-1`); without credentials requests go
//! unsigned (public buckets). GCS reads `GOOGLE_SERVICE_ACCOUNT` / `GOOGLE_APPLICATION_CREDENTIALS`.
//! `s3://commoncrawl/...` with no S3 credentials and no endpoint is read from Common Crawl's
//! public https mirror instead (see `stages::warc::open_input`).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;

/// A store request that failed; each names the URL or local file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Not an `s3://` or `gs://` URL.
    #[error("\"{url}\" is not an s3:// or gs:// URL")]
    NotAStoreUrl { url: String },
    /// The store refused or failed a request (or its client could not be built).
    #[error("object store \"{url}\": {source}")]
    Store {
        url: String,
        #[source]
        source: object_store::Error,
    },
    /// Reading the object's bytes failed mid-stream.
    #[error("cannot read \"{url}\": {source}")]
    Read {
        url: String,
        #[source]
        source: io::Error,
    },
    /// A local file to upload or download into could not be read or written.
    #[error("cannot read or write \"{}\": {source}", path.display())]
    Local {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// `s3://` or `gs://`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    S3,
    Gcs,
}

/// A parsed object-store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    pub scheme: Scheme,
    pub bucket: String,
    pub key: String,
}

impl StoreUrl {
    pub fn parse(url: &str) -> Option<StoreUrl> {
        let (scheme, rest) = if let Some(r) = url.strip_prefix("s3://") {
            (Scheme::S3, r)
        } else if let Some(r) = url.strip_prefix("gs://") {
            (Scheme::Gcs, r)
        } else {
            return None;
        };
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        Some(StoreUrl {
            scheme,
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// `s3://bucket/` or `gs://bucket/`: the prefix for keys listed relative to the bucket.
    pub fn bucket_root(&self) -> String {
        format!("{}{}/", self.scheme_prefix(), self.bucket)
    }

    fn scheme_prefix(&self) -> &'static str {
        match self.scheme {
            Scheme::S3 => "s3://",
            Scheme::Gcs => "gs://",
        }
    }

    fn display(&self) -> String {
        format!("{}{}", self.bucket_root(), self.key)
    }
}

/// True when S3 is configured here (credentials or an endpoint in the environment).
pub fn s3_configured() -> bool {
    ["AWS_ENDPOINT_URL", "AWS_ENDPOINT", "AWS_ACCESS_KEY_ID"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("seapile-store")
            .enable_all()
            .build()
            .expect("a tokio runtime for object-store I/O")
    })
}

fn fetch_err(url: &StoreUrl, source: object_store::Error) -> StoreError {
    StoreError::Store {
        url: url.display(),
        source,
    }
}

fn local_err(path: &Path) -> impl Fn(io::Error) -> StoreError + '_ {
    move |source| StoreError::Local {
        path: path.to_path_buf(),
        source,
    }
}

type Clients = Mutex<HashMap<(Scheme, String), Arc<dyn ObjectStore>>>;

/// One client per (scheme, bucket), built from the environment on first use.
fn store(url: &StoreUrl) -> Result<Arc<dyn ObjectStore>, StoreError> {
    static STORES: OnceLock<Clients> = OnceLock::new();
    let mut stores = STORES
        .get_or_init(Default::default)
        .lock()
        .expect("no panics hold this lock");
    if let Some(s) = stores.get(&(url.scheme, url.bucket.clone())) {
        return Ok(s.clone());
    }
    let built: Arc<dyn ObjectStore> = match url.scheme {
        Scheme::S3 => {
            let mut b = AmazonS3Builder::from_env().with_bucket_name(&url.bucket);
            let endpoint = std::env::var("AWS_ENDPOINT_URL")
                .or_else(|_| std::env::var("AWS_ENDPOINT"))
                .unwrap_or_default();
            if !endpoint.is_empty() {
                b = b.with_endpoint(&endpoint);
                if endpoint.starts_with("http://") {
                    b = b.with_allow_http(true);
                }
            }
            if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err()
            {
                b = b.with_region("us-east-1");
            }
            if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
                b = b.with_skip_signature(true);
            }
            Arc::new(b.build().map_err(|e| fetch_err(url, e))?)
        }
        Scheme::Gcs => Arc::new(
            GoogleCloudStorageBuilder::from_env()
                .with_bucket_name(&url.bucket)
                .build()
                .map_err(|e| fetch_err(url, e))?,
        ),
    };
    stores.insert((url.scheme, url.bucket.clone()), built.clone());
    Ok(built)
}

/// The parsed URL and its bucket's client.
fn connect(url: &str) -> Result<(StoreUrl, Arc<dyn ObjectStore>), StoreError> {
    let u = StoreUrl::parse(url).ok_or_else(|| StoreError::NotAStoreUrl {
        url: url.to_string(),
    })?;
    let s = store(&u)?;
    Ok((u, s))
}

/// An object as a byte stream.
pub fn open(url: &str) -> Result<Box<dyn Read + Send>, StoreError> {
    let (u, s) = connect(url)?;
    let path = ObjectPath::from(u.key.as_str());
    let got = runtime()
        .block_on(s.get(&path))
        .map_err(|e| fetch_err(&u, e))?;
    Ok(Box::new(StreamRead {
        name: u.display(),
        stream: got.into_stream(),
        chunk: Bytes::new(),
    }))
}

/// The keys under `prefix` (a folder-like key prefix), sorted, as full URLs.
pub fn list(url: &str) -> Result<Vec<String>, StoreError> {
    let (u, s) = connect(url)?;
    let prefix = ObjectPath::from(u.key.as_str());
    let metas: Vec<_> = runtime().block_on(async {
        s.list((!u.key.is_empty()).then_some(&prefix))
            .collect::<Vec<_>>()
            .await
    });
    let mut keys = Vec::with_capacity(metas.len());
    for m in metas {
        let m = m.map_err(|e| fetch_err(&u, e))?;
        keys.push(format!("{}{}", u.bucket_root(), m.location));
    }
    keys.sort();
    Ok(keys)
}

/// Upload a local file to `url` (a whole object appears at once: readers never see a part).
/// Files above 16 MiB go up in parts, read from disk a part at a time.
pub fn put_file(url: &str, file: &Path) -> Result<(), StoreError> {
    const PART: usize = 16 << 20;
    let (u, s) = connect(url)?;
    let path = ObjectPath::from(u.key.as_str());
    let read_err = |e| local_err(file)(e);
    let size = std::fs::metadata(file).map_err(read_err)?.len();
    if size <= PART as u64 {
        let bytes = std::fs::read(file).map_err(read_err)?;
        runtime()
            .block_on(s.put(&path, bytes.into()))
            .map_err(|e| fetch_err(&u, e))?;
        return Ok(());
    }
    let mut f = std::fs::File::open(file).map_err(read_err)?;
    runtime().block_on(async {
        let upload = s.put_multipart(&path).await.map_err(|e| fetch_err(&u, e))?;
        let mut w = object_store::WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; PART];
        loop {
            let n = f.read(&mut buf).map_err(read_err)?;
            if n == 0 {
                break;
            }
            w.wait_for_capacity(2).await.map_err(|e| fetch_err(&u, e))?;
            w.write(&buf[..n]);
        }
        w.finish().await.map_err(|e| fetch_err(&u, e))?;
        Ok(())
    })
}

/// Download the object at `url` into a local file.
pub fn get_file(url: &str, file: &Path) -> Result<(), StoreError> {
    let mut r = open(url)?;
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)
        .map_err(|source| StoreError::Read {
            url: url.to_string(),
            source,
        })?;
    std::fs::write(file, bytes).map_err(local_err(file))
}

/// The object's chunks as `Read`: each `read` past the current chunk waits for the next one.
struct StreamRead {
    name: String,
    stream: BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for StreamRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match runtime().block_on(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(b)) => self.chunk = b,
                Some(Err(e)) => {
                    return Err(io::Error::other(format!("reading {}: {e}", self.name)))
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_bucket_and_key() {
        let u =
            StoreUrl::parse("s3://commoncrawl/crawl-data/CC-MAIN-2024-10/warc.paths.gz").unwrap();
        assert_eq!(u.scheme, Scheme::S3);
        assert_eq!(u.bucket, "commoncrawl");
        assert_eq!(u.key, "crawl-data/CC-MAIN-2024-10/warc.paths.gz");
        assert_eq!(u.bucket_root(), "s3://commoncrawl/");
        let g = StoreUrl::parse("gs://b").unwrap();
        assert_eq!(
            (g.scheme, g.bucket.as_str(), g.key.as_str()),
            (Scheme::Gcs, "b", "")
        );
        assert!(StoreUrl::parse("https://x/y").is_none());
    }
}
