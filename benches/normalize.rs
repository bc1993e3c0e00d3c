//! The normalize and segment stages on the clean plans (corpus 000, 002, 003, 004: the
//! text most plans are), and the parts of normalize: line cleaning and the clean-text
//! check of diacritic restoration (which decides that nothing is to be restored).
//! Throughput is in bytes of source text per second.
//!
//! `cargo bench --bench normalize` (add `-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kehoach::normalize::{self, layout, restore, ToneStyle};
use kehoach::{ingest, segment, Options, Rules};
use std::hint::black_box;

mod common;
use common::clean_corpus;

fn stages(c: &mut Criterion) {
    let rules = Rules::embedded();
    let opts = Options::default();
    let docs = clean_corpus();
    let total: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();
    let sources: Vec<_> = docs.iter().map(|(n, b)| ingest::ingest_bytes(n, b).expect("ingest")).collect();

    let mut g = c.benchmark_group("clean");
    g.throughput(Throughput::Bytes(total));
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(normalize::normalize(s, &opts.normalize));
            }
        })
    });
    g.bench_function("clean_lines", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(layout::clean_lines(&s.text, ToneStyle::Traditional));
            }
        })
    });
    let lines: Vec<_> = sources.iter().map(|s| layout::clean_lines(&s.text, ToneStyle::Traditional)).collect();
    g.bench_function("restore_detect", |b| {
        b.iter(|| {
            for l in &lines {
                assert!(black_box(restore::clearly_clean(l)));
            }
        })
    });
    let norms: Vec<_> = sources.iter().map(|s| normalize::normalize(s, &opts.normalize)).collect();
    g.bench_function("segment", |b| {
        b.iter(|| {
            for n in &norms {
                black_box(segment::segment(n, rules));
            }
        })
    });
    // Folding (no diacritics, lower case, one space between words) runs in every stage
    // that matches rules: here over every line of the clean plans.
    g.bench_function("fold_lines", |b| {
        let mut buf = String::new();
        b.iter(|| {
            for s in &sources {
                for line in s.text.lines() {
                    kehoach::fold::fold_into(line, &mut buf);
                    black_box(&buf);
                }
            }
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
