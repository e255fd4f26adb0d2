//! [`RemotePlace`]: a prefix of an object store named by a URL (SPEC §7), with the store client
//! built from the store's own standard environment variables.
//!
//! Decisions where SPEC §7 is silent: conditional writes are always on for S3 (`If-Match` /
//! `If-None-Match`, which S3 has had since 2024), whatever `AWS_CONDITIONAL_PUT` says, so that a
//! publish is never unsafe by configuration; a server without them fails the publish (exit 1)
//! rather than publishing without the guarantee. Requests are retried with exponential backoff
//! for up to `SEGCALC_RETRY_SECONDS` (default 60 s) before the run fails naming the URL.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ObjectStore, RetryConfig};

use crate::error::{Error, Result, StoreProblem};

/// The URL schemes segcalc reads and writes, and the store each names.
const SCHEMES: &[(&str, Scheme)] = &[
    ("s3", Scheme::S3),
    ("s3a", Scheme::S3),
    ("gs", Scheme::Gcs),
    ("az", Scheme::Azure),
    ("azure", Scheme::Azure),
    ("abfs", Scheme::Azure),
    ("abfss", Scheme::Azure),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    S3,
    Gcs,
    Azure,
}

/// How long a failing request is retried before the run fails (`SEGCALC_RETRY_SECONDS`).
const DEFAULT_RETRY: Duration = Duration::from_mins(1);

/// A prefix of one bucket or container: the store's client and the prefix's object path.
#[derive(Debug, Clone)]
pub struct RemotePlace {
    pub store: Arc<dyn ObjectStore>,
    /// `scheme://bucket`, for messages.
    base: String,
    /// The prefix inside the bucket (empty for the bucket's root).
    pub path: ObjectPath,
}

impl RemotePlace {
    /// Whether `text` is an object-store URL segcalc knows (`s3://`, `gs://`, `az://`, …).
    #[must_use]
    pub fn is_url(text: &str) -> bool {
        text.split_once("://").is_some_and(|(scheme, _)| SCHEMES.iter().any(|(s, _)| scheme.eq_ignore_ascii_case(s)))
    }

    /// The place `url` names, its store configured from the environment.
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |reason: String| Error::Store { url: url.to_owned(), problem: StoreProblem::BadUrl { reason } };
        let parsed = url::Url::parse(url).map_err(|e| bad(format!("{e}")))?;
        let scheme = SCHEMES
            .iter()
            .find(|(s, _)| parsed.scheme().eq_ignore_ascii_case(s))
            .map(|(_, scheme)| *scheme)
            .ok_or_else(|| bad("the scheme is none of s3, gs, az, abfs".into()))?;
        let bucket = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("it names no bucket".into()))?;
        // abfs://container@account.dfs.core.windows.net/path: the container is the user part.
        let container = if parsed.username().is_empty() { bucket } else { parsed.username() };
        let prefix = parsed.path().trim_matches('/');
        let path = ObjectPath::from_url_path(prefix).map_err(|e| bad(format!("{e}")))?;
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(5),
                base: 2.0,
            },
            max_retries: 12,
            retry_timeout: retry_budget(),
        };
        let config = |source| Error::Store { url: url.to_owned(), problem: StoreProblem::Config { source } };
        let store: Arc<dyn ObjectStore> = match scheme {
            Scheme::S3 => Arc::new(
                AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_conditional_put(S3ConditionalPut::ETagMatch)
                    .with_retry(retry)
                    .build()
                    .map_err(config)?,
            ),
            Scheme::Gcs => Arc::new(
                GoogleCloudStorageBuilder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry)
                    .build()
                    .map_err(config)?,
            ),
            Scheme::Azure => Arc::new(
                MicrosoftAzureBuilder::from_env()
                    .with_container_name(container)
                    .with_retry(retry)
                    .build()
                    .map_err(config)?,
            ),
        };
        let base = format!("{}://{}", parsed.scheme(), parsed.authority());
        Ok(Self { store, base, path })
    }

    /// The place `url` names in `store`, a client configured by the caller (tests give one
    /// configured directly, to check segcalc's own configuration against).
    pub fn with_store(store: Arc<dyn ObjectStore>, url: &str) -> Result<Self> {
        let bad = |reason: String| Error::Store { url: url.to_owned(), problem: StoreProblem::BadUrl { reason } };
        let parsed = url::Url::parse(url).map_err(|e| bad(format!("{e}")))?;
        let path = ObjectPath::from_url_path(parsed.path().trim_matches('/')).map_err(|e| bad(format!("{e}")))?;
        Ok(Self { store, base: format!("{}://{}", parsed.scheme(), parsed.authority()), path })
    }

    /// `name` (which may hold `/`) under this place.
    #[must_use]
    pub fn join(&self, name: &str) -> Self {
        let mut path = self.path.clone();
        for part in name.split('/').filter(|p| !p.is_empty()) {
            path = path.join(part);
        }
        Self { store: Arc::clone(&self.store), base: self.base.clone(), path }
    }

    /// The place of `path`, an object of the same store.
    #[must_use]
    pub fn at(&self, path: ObjectPath) -> Self {
        Self { store: Arc::clone(&self.store), base: self.base.clone(), path }
    }

    /// The URL, for messages.
    #[must_use]
    pub fn url(&self) -> String {
        if self.path.as_ref().is_empty() { self.base.clone() } else { format!("{}/{}", self.base, self.path) }
    }

    /// The URL as a path, the form most messages take (`Error::Read { path }`, …).
    #[must_use]
    pub fn message_path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(self.url())
    }

    /// The error for a request about this place that failed.
    #[must_use]
    pub fn failed(&self, source: object_store::Error) -> Error {
        Error::Store { url: self.url(), problem: StoreProblem::Request { source } }
    }
}

/// `SEGCALC_RETRY_SECONDS`, or the default when unset or not a number.
fn retry_budget() -> Duration {
    seconds_from_env("SEGCALC_RETRY_SECONDS", 0.0).unwrap_or(DEFAULT_RETRY)
}

/// The environment variable `name` as seconds, when it is a number of at least `at_least`.
#[must_use]
pub fn seconds_from_env(name: &str, at_least: f64) -> Option<Duration> {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= at_least && *s < 1e9)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_store_urls_and_nothing_else() {
        for url in ["s3://b/p", "S3://b", "gs://b/x", "az://c/p", "abfss://c@a.dfs.core.windows.net/p"] {
            assert!(RemotePlace::is_url(url), "{url}");
        }
        for path in ["data/sample", "/abs/path", "file:///tmp/x", "http://host/x", "s3:/b", "weird://b"] {
            assert!(!RemotePlace::is_url(path), "{path}");
        }
    }

    #[test]
    fn parses_bucket_and_prefix_and_joins_names() {
        let place = RemotePlace::parse("s3://bucket/some/prefix/").unwrap();
        assert_eq!(place.url(), "s3://bucket/some/prefix");
        assert_eq!(place.join("runs/x/manifest.json").url(), "s3://bucket/some/prefix/runs/x/manifest.json");
        assert_eq!(RemotePlace::parse("s3://bucket").unwrap().join("a").url(), "s3://bucket/a");
        let Err(Error::Store { problem: StoreProblem::BadUrl { .. }, url }) = RemotePlace::parse("s3:///no-bucket")
        else {
            panic!("a URL without a bucket is refused");
        };
        assert_eq!(url, "s3:///no-bucket");
    }
}
