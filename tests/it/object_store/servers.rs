//! The emulators the object-store tests run against, started and stopped by the tests: moto in
//! server mode for the S3 API (`PyPI` `moto[server]`) and Azurite for Azure Blob Storage (npm
//! `azurite`), each bound to 127.0.0.1 on a free port. `.ci/run` installs both. Under `CI=true`
//! a missing emulator fails the test; elsewhere the test says so and passes without running.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::ObjectStoreExt;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::path::Path as ObjectPath;

use crate::support::segcalc;

/// Azurite's well-known development account (public, the same in every installation).
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
const AZURITE_KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// The bucket (S3) or container (Azure) every test uses; tests keep apart by prefix.
pub const BUCKET: &str = "segcalc-test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    S3,
    Azure,
}

/// A running emulator.
pub struct Server {
    pub kind: Kind,
    pub port: u16,
    child: Option<Child>,
    /// Azurite's files: kept across a restart, so a stopped server comes back with its data.
    data: tempfile::TempDir,
}

impl Server {
    /// Starts an emulator, or `None` (outside CI only) when it is not installed.
    pub fn start(kind: Kind) -> Option<Self> {
        let program = match kind {
            Kind::S3 => "moto_server",
            Kind::Azure => "azurite-blob",
        };
        if !on_path(program) {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "`{program}` is not installed: CI must run the object-store tests (.ci/run installs it)"
            );
            eprintln!("skipped: `{program}` is not on PATH (pip install 'moto[server]'; npm install -g azurite)");
            return None;
        }
        let mut server = Self { kind, port: free_port(), child: None, data: tempfile::tempdir().unwrap() };
        server.launch();
        server.make_bucket();
        Some(server)
    }

    fn launch(&mut self) {
        let port = self.port.to_string();
        let mut command = match self.kind {
            Kind::S3 => {
                let mut c = Command::new("moto_server");
                c.args(["-H", "127.0.0.1", "-p", &port]);
                c
            }
            Kind::Azure => {
                let mut c = Command::new("azurite-blob");
                c.args([
                    "--blobHost",
                    "127.0.0.1",
                    "--blobPort",
                    &port,
                    "--silent",
                    "--skipApiVersionCheck",
                    "--loose",
                ]);
                c.arg("--location").arg(self.data.path());
                c
            }
        };
        let child = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "{:?} did not start listening on port {}", self.kind, self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn make_bucket(&self) {
        match self.kind {
            // moto does not check signatures: a plain PUT creates the bucket.
            Kind::S3 => {
                let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
                write!(
                    stream,
                    "PUT /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut answer = String::new();
                stream.read_to_string(&mut answer).unwrap();
                assert!(answer.starts_with("HTTP/1.1 200"), "creating the bucket: {answer}");
            }
            Kind::Azure => {
                let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/azurite_container.py");
                let status =
                    Command::new("python3").arg(script).arg(self.port.to_string()).arg(BUCKET).status().unwrap();
                assert!(status.success(), "creating the container");
            }
        }
    }

    /// Stops the server (as a crash would: killed).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (Azurite keeps its data; moto starts empty).
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// The URL of `prefix` in the test bucket.
    pub fn url(&self, prefix: &str) -> String {
        match self.kind {
            Kind::S3 => format!("s3://{BUCKET}/{prefix}"),
            Kind::Azure => format!("az://{BUCKET}/{prefix}"),
        }
    }

    /// The store's standard environment variables (SPEC §7) for this server, at `port`
    /// (another port: a proxy in front of it).
    pub fn env_at(&self, port: u16) -> Vec<(&'static str, String)> {
        match self.kind {
            Kind::S3 => vec![
                ("AWS_ACCESS_KEY_ID", "test".into()),
                ("AWS_SECRET_ACCESS_KEY", "test".into()),
                ("AWS_REGION", "us-east-1".into()),
                ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
                ("AWS_ALLOW_HTTP", "true".into()),
            ],
            Kind::Azure => vec![
                ("AZURE_STORAGE_ACCOUNT_NAME", AZURITE_ACCOUNT.into()),
                ("AZURE_STORAGE_ACCOUNT_KEY", AZURITE_KEY.into()),
                ("AZURE_STORAGE_ENDPOINT", format!("http://127.0.0.1:{port}/{AZURITE_ACCOUNT}")),
                ("AZURE_ALLOW_HTTP", "true".into()),
            ],
        }
    }

    /// `segcalc` with this server's environment.
    pub fn segcalc(&self) -> Command {
        let mut command = segcalc();
        command.envs(self.env_at(self.port));
        command
    }

    /// A client of the test bucket for the test's own reads and writes (configured directly,
    /// not by segcalc's code).
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        let endpoint = format!("http://127.0.0.1:{}", self.port);
        match self.kind {
            Kind::S3 => Arc::new(
                AmazonS3Builder::new()
                    .with_endpoint(endpoint)
                    .with_allow_http(true)
                    .with_bucket_name(BUCKET)
                    .with_access_key_id("test")
                    .with_secret_access_key("test")
                    .with_region("us-east-1")
                    .build()
                    .unwrap(),
            ),
            Kind::Azure => Arc::new(
                MicrosoftAzureBuilder::new()
                    .with_account(AZURITE_ACCOUNT)
                    .with_access_key(AZURITE_KEY)
                    .with_endpoint(format!("{endpoint}/{AZURITE_ACCOUNT}"))
                    .with_allow_http(true)
                    .with_container_name(BUCKET)
                    .build()
                    .unwrap(),
            ),
        }
    }

    /// Uploads the local folder `local` to `prefix`, one object per file.
    pub fn upload_dir(&self, local: &Path, prefix: &str) {
        let store = self.store();
        let mut files = Vec::new();
        walk(local, &mut files);
        block_on(async {
            for file in files {
                let relative = file.strip_prefix(local).unwrap().to_str().unwrap().replace('\\', "/");
                let key = ObjectPath::parse(format!("{prefix}/{relative}")).unwrap();
                store.put(&key, std::fs::read(&file).unwrap().into()).await.unwrap();
            }
        });
    }

    /// Every key under `prefix`, relative to it, sorted.
    pub fn keys(&self, prefix: &str) -> Vec<String> {
        let store = self.store();
        let root = ObjectPath::parse(prefix).unwrap();
        let mut keys: Vec<String> = block_on(store.list(Some(&root)).try_collect::<Vec<_>>())
            .unwrap()
            .into_iter()
            .map(|meta| meta.location.as_ref().strip_prefix(&format!("{prefix}/")).unwrap_or_default().to_owned())
            .collect();
        keys.sort();
        keys
    }

    /// The bytes at `key`, or `None`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let store = self.store();
        let path = ObjectPath::parse(key).unwrap();
        block_on(async {
            match store.get(&path).await {
                Ok(got) => Some(got.bytes().await.unwrap().to_vec()),
                Err(object_store::Error::NotFound { .. }) => None,
                Err(e) => panic!("reading {key}: {e}"),
            }
        })
    }

    /// Copies the output folder at `prefix` into a local folder shaped like a local output
    /// folder (`current` a link to the run `current.json` names), for the local readers.
    pub fn download_output(&self, prefix: &str, local: &Path) {
        let store = self.store();
        for key in self.keys(prefix) {
            let target = local.join(&key);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            let path = ObjectPath::parse(format!("{prefix}/{key}")).unwrap();
            let bytes = block_on(async { store.get(&path).await.unwrap().bytes().await.unwrap() });
            std::fs::write(target, bytes).unwrap();
        }
        if let Some(current) = self.current_run(prefix) {
            std::os::unix::fs::symlink(format!("runs/{current}"), local.join("current")).unwrap();
        }
    }

    /// The run id `<prefix>/current.json` names.
    pub fn current_run(&self, prefix: &str) -> Option<String> {
        let bytes = self.get(&format!("{prefix}/current.json"))?;
        let current: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        Some(current["run_id"].as_str().unwrap().to_owned())
    }

    /// The run ids under `<prefix>/runs/`, complete or not, sorted.
    pub fn runs(&self, prefix: &str) -> Vec<String> {
        let mut runs: Vec<String> = self
            .keys(&format!("{prefix}/runs"))
            .into_iter()
            .filter_map(|key| key.split('/').next().map(str::to_owned))
            .collect();
        runs.dedup();
        runs
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { walk(&path, out) } else { out.push(path) }
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A port free on 127.0.0.1 now.
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}
