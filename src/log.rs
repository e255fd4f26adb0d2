//! Progress on stderr. On a terminal, long phases show a live progress line; elsewhere (cron,
//! CI, pipes) every step is one plain, timestamped line. `--quiet` silences both.

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Log {
    pub quiet: bool,
    terminal: bool,
    start: Instant,
}

impl Log {
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        Self { quiet, terminal: std::io::stderr().is_terminal(), start: Instant::now() }
    }

    pub fn step(&self, message: impl Display) {
        if !self.quiet {
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
            eprintln!("[{now} +{:.1}s] {message}", self.start.elapsed().as_secs_f64());
        }
    }

    pub fn warn(&self, message: impl Display) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// A counter for a long phase of `total` units; on a terminal a line shows it live.
    pub fn progress(&self, what: &'static str, total: u64) -> Progress {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let painter = (self.terminal && !self.quiet).then(|| {
            let (done, stop) = (done.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut stderr = std::io::stderr();
                while !stop.load(Ordering::Relaxed) {
                    let n = done.load(Ordering::Relaxed);
                    let pct = n.saturating_mul(100).checked_div(total).unwrap_or(100);
                    let _ = write!(stderr, "\r{what}: {pct:>3}% ({n} of {total})");
                    let _ = stderr.flush();
                    std::thread::sleep(Duration::from_millis(150));
                }
                let _ = write!(stderr, "\r\x1b[2K");
            })
        });
        Progress { done, stop, painter }
    }
}

/// Shared by the worker threads of a phase; finishing (or dropping) it clears the live line.
#[derive(Debug)]
pub struct Progress {
    done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    painter: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(painter) = self.painter.take() {
            let _ = painter.join();
        }
    }
}
