//! The five datasets of real Parquet writers each give exactly `expected-membership.csv` and
//! `expected-access.csv`.

use crate::support::{FIXTURES, access_lines, csv_lines, data_dir, membership_lines, run_fixture, stderr};

#[test]
fn every_writer_gives_the_expected_membership() {
    let expected = csv_lines(&data_dir().join("fixtures").join("expected-membership.csv"));
    let expected_access = csv_lines(&data_dir().join("fixtures").join("expected-access.csv"));
    assert!(expected.len() > 1000, "the expectation is not empty");
    for name in FIXTURES {
        let (out, output) = run_fixture(name);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let actual = membership_lines(out.path());
        let missing: Vec<_> = expected.iter().filter(|l| !actual.contains(l)).take(5).collect();
        let extra: Vec<_> = actual.iter().filter(|l| !expected.contains(l)).take(5).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{name}: missing {missing:?}, extra {extra:?}");
        assert_eq!(actual.len(), expected.len(), "{name}");
        assert_eq!(access_lines(out.path()), expected_access, "{name}: access.parquet");
    }
}
