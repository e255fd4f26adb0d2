//! A people file the engine may not read (SPEC §6): an I/O error naming the file.

use std::fs;

use super::case::{check, run};

/// A people file without read permission is an I/O error naming the file. Root reads it anyway:
/// then there is nothing to test.
#[test]
fn unreadable_people_file() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = tempfile::tempdir().unwrap();
        let file = probe.path().join("people.parquet");
        fs::write(&file, b"x").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&file).is_ok() {
            eprintln!("unreadable_people_file: skipped, this user reads files without permission (root)");
            return;
        }
        check(&[run("people_file_without_read_permission")
            .setup(|ctx| {
                let path = ctx.ds.join("people.parquet");
                fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
                Vec::new()
            })
            .exit(1)
            .line(&["people.parquet", "ermission denied"])]);
    }
}
