//! The portable Roaring encoder on sparse ids (a segment of a million people spread over every
//! 64K container, a dozen ids each: what `--sparse-ids` runs write) and on dense ids, reported
//! as ids per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use segcalc::engine::portable::PortableBitmap;

/// `count` ascending ids, `step` apart on average, from a fixed linear congruential sequence.
fn ids(count: u32, step: u32) -> Vec<u32> {
    let mut state = 0x9E37_79B9u32;
    let mut at = 0u32;
    (0..count)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            at += 1 + (state >> 8) % (2 * step - 1);
            at
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    for (name, set) in [("sparse", ids(1_000_000, 4000)), ("dense", ids(1_000_000, 3))] {
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_function(format!("{name}/1M"), |b| b.iter(|| PortableBitmap::from_sorted(&set)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
