//! Progress lines on stderr: timestamped, one line per step, so they read well both on a
//! terminal and in a cron mail. `--quiet` silences them.

use std::fmt::Display;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Log {
    pub quiet: bool,
    start: Instant,
}

impl Log {
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        Self { quiet, start: Instant::now() }
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
}
