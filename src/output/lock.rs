//! `<out>/.lock`: one writer per output folder. The OS lock dies with its process, so a lock
//! file left by a killed run never blocks the next one; the file's text (pid, start time) only
//! serves the message of the run that finds it held.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::output::layout::Layout;
use crate::output::publish::check_out;

/// Held for the whole run; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    pub fn acquire(out: &Path, started: &chrono::DateTime<chrono::Utc>) -> Result<Self> {
        check_out(out)?;
        std::fs::create_dir_all(out).map_err(|source| Error::Write { path: out.to_owned(), source })?;
        let path = Layout::lock().on(out);
        let err = |source| Error::Write { path: path.clone(), source };
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder's text only serves the message; unreadable, it is "unknown".
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "holder unknown".to_owned() } else { holder.to_owned() };
                return Err(Error::Locked { path, holder });
            }
            Err(TryLockError::Error(source)) => return Err(err(source)),
        }
        file.set_len(0).map_err(err)?;
        file.seek(SeekFrom::Start(0)).map_err(err)?;
        write!(file, "pid {} since {}", std::process::id(), started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .map_err(err)?;
        Ok(Self { _file: file })
    }
}
