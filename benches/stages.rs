//! One criterion bench per pipeline stage — load (decode the rule columns), classify (load plus
//! every rule), bitmaps, write (one workspace's membership file) — on a dataset from
//! `segcalc generate`, reported as people per second.
//!
//! `SEGCALC_BENCH_PEOPLE` sets the size (default 200,000).

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use segcalc::engine::{Members, PartitionCodes};
use segcalc::generate::{GenerateOptions, generate};
use segcalc::inputs::{DatasetPaths, load};
use segcalc::log::Log;
use segcalc::output::file_writer::with_file_writer;
use segcalc::output::membership::{visible_segmentations, write_workspace};
use segcalc::people::ScanColumns;
use segcalc::rule::value::instant_nanos;
use segcalc::run::{parse_as_of, prepare};

fn bench(c: &mut Criterion) {
    let people: u64 = std::env::var("SEGCALC_BENCH_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("dataset");
    generate(&GenerateOptions { people, seed: 7, out: dataset.clone(), files: 1, sparse_ids: false }).unwrap();
    let paths = DatasetPaths::local(&dataset);
    let as_of = parse_as_of(Some("2026-11-01T12:00:00Z"), chrono::Utc::now()).unwrap();
    let log = Log::new(true);

    let mut group = c.benchmark_group("stage");
    group.sample_size(10);
    group.throughput(Throughput::Elements(people));

    let inputs = load(&paths, instant_nanos(&as_of)).unwrap();
    let model = &inputs.model;
    group.bench_function(format!("load/{people}"), |b| {
        b.iter(|| {
            let columns =
                ScanColumns { id: &model.id_column, partition: &model.partition_column, attributes: &model.columns };
            inputs.source.scan(&columns, |raw| Ok(raw.ids.len())).unwrap()
        });
    });
    group.bench_function(format!("classify/{people}"), |b| b.iter(|| prepare(&paths, as_of, true, &log).unwrap()));

    let prepared = prepare(&paths, as_of, true, &log).unwrap();
    let codes = PartitionCodes::new(&prepared.inputs.model);
    group.bench_function(format!("bitmaps/{people}"), |b| {
        b.iter(|| Members::build(&prepared.inputs.model, &codes, &prepared.table, &prepared.per_code));
    });

    let visible = visible_segmentations(&prepared.inputs.model, 0);
    let file = dir.path().join("membership.parquet");
    group.bench_function(format!("write_membership/{people}"), |b| {
        b.iter(|| write(&file, &prepared, &codes, &visible));
    });
    group.finish();
}

fn write(file: &Path, prepared: &segcalc::run::Prepared, codes: &PartitionCodes, visible: &[usize]) -> u64 {
    with_file_writer(|files| write_workspace(files, file, &prepared.inputs.model, codes, &prepared.table, 0, visible))
        .unwrap()
}

criterion_group!(benches, bench);
criterion_main!(benches);
