//! Rule kernels over one batch column: people per second for the commonest condition shapes.
//! Inputs are built here from a fixed seed (no downloads).

use std::ops::Bound;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Decimal128Array, DictionaryArray, Int32Array, Int64Array, StringArray, StringViewArray};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use segcalc::rule::TypeFamily;
use segcalc::rule::condition::{ColumnCondition, NumberRange, Test, TextOp};
use segcalc::rule::value::Exact;
use segcalc::rule::{Column, kernel};

const ROWS: usize = 64 * 1024;

/// A tiny deterministic generator (xorshift), so the bench inputs never change.
fn numbers(seed: u64) -> impl Iterator<Item = u64> {
    let mut x = seed;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    })
}

fn text_condition(op: TextOp, needle: &str) -> ColumnCondition {
    ColumnCondition {
        column: 0,
        test: Test::Text { op, needles: vec![needle.to_owned()] },
        null_matches: false,
        negate: false,
    }
}

fn bench(c: &mut Criterion) {
    let industries = ["Healthcare", "Technology", "Retail", "Finance", "Média", "HEALTHCARE", "Energy"];
    let picks: Vec<usize> = numbers(7).take(ROWS).map(|n| (n % industries.len() as u64) as usize).collect();
    let keys = Int32Array::from(picks.iter().map(|&i| i as i32).collect::<Vec<_>>());
    let dictionary: ArrayRef =
        Arc::new(DictionaryArray::<Int32Type>::new(keys, Arc::new(StringArray::from(industries.to_vec()))));
    let emails: ArrayRef = Arc::new(
        numbers(11)
            .take(ROWS)
            .map(|n| Some(format!("user{}@{}", n % 1_000_000, ["gmail.com", "acme.io"][(n % 2) as usize])))
            .collect::<StringViewArray>(),
    );
    let scores: ArrayRef =
        Arc::new(numbers(13).take(ROWS).map(|n| Some((n % 130) as i64 - 10)).collect::<Int64Array>());

    let mut group = c.benchmark_group("kernel");
    group.throughput(Throughput::Elements(ROWS as u64));
    let dict_column = Column::new(&dictionary, TypeFamily::Text).unwrap();
    let equals = text_condition(TextOp::Equals, "healthcare");
    group.bench_function(format!("text_is_dictionary/{ROWS}"), |b| {
        b.iter(|| kernel::evaluate(&equals, &dict_column).unwrap());
    });
    let view_column = Column::new(&emails, TypeFamily::Text).unwrap();
    let ends = text_condition(TextOp::EndsWith, "@gmail.com");
    group.bench_function(format!("text_ends_with_view/{ROWS}"), |b| {
        b.iter(|| kernel::evaluate(&ends, &view_column).unwrap());
    });
    let contains = text_condition(TextOp::Contains, "@");
    group.bench_function(format!("text_contains_view/{ROWS}"), |b| {
        b.iter(|| kernel::evaluate(&contains, &view_column).unwrap());
    });
    let number_column = Column::new(&scores, TypeFamily::Number).unwrap();
    let at_least = ColumnCondition {
        column: 0,
        test: Test::Number(vec![NumberRange {
            lo: Bound::Included(Exact::parse("80").unwrap()),
            hi: Bound::Unbounded,
        }]),
        null_matches: false,
        negate: false,
    };
    group.bench_function(format!("number_at_least/{ROWS}"), |b| {
        b.iter(|| kernel::evaluate(&at_least, &number_column).unwrap());
    });
    let scores32: ArrayRef =
        Arc::new(numbers(13).take(ROWS).map(|n| Some((n % 130) as i32 - 10)).collect::<Int32Array>());
    let number32_column = Column::new(&scores32, TypeFamily::Number).unwrap();
    group.bench_function(format!("number_at_least_int32/{ROWS}"), |b| {
        b.iter(|| kernel::evaluate(&at_least, &number32_column).unwrap());
    });
    let revenue: ArrayRef = Arc::new(
        numbers(17)
            .take(ROWS)
            .map(|n| Some(i128::from(n % 1_000_000_000)))
            .collect::<Decimal128Array>()
            .with_precision_and_scale(18, 2)
            .unwrap(),
    );
    let decimal_column = Column::new(&revenue, TypeFamily::Number).unwrap();
    group.bench_function(format!("number_at_least_decimal/{ROWS}"), |b| {
        b.iter(|| kernel::evaluate(&at_least, &decimal_column).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
