//! Per-stage benchmarks over the bundled corpus: ingest, normalize, segment, extract
//! (table reconstruction and agency reading included), serialize, and the whole pipeline
//! with and without diacritic restoration. Throughput is reported in bytes of source text
//! per second. `agencies` reads every line of the corpus as agency names, the hot spot of
//! extraction; `tables` rebuilds every table node. `extract_clean` and `tables_clean` run
//! over the plans with clean text only (those normalization does not restore, so not the
//! OCR'd scan 001), on which the batch figures of clean text depend.
//!
//! `cargo bench --bench pipeline` (add `-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kehoach::{ingest, normalize, segment, Options, Rules};
use std::hint::black_box;

mod common;
use common::corpus;

fn stages(c: &mut Criterion) {
    let rules = Rules::embedded();
    let opts = Options::default();
    let docs = corpus();
    let total: u64 = docs.iter().map(|(_, b)| b.len() as u64).sum();

    // Every stage over the whole corpus, so the figures compare across stages.
    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(total));
    g.bench_function("ingest", |b| {
        b.iter(|| {
            for (name, bytes) in &docs {
                black_box(ingest::ingest_bytes(name, bytes).expect("corpus ingests"));
            }
        })
    });
    let sources: Vec<_> = docs.iter().map(|(n, b)| ingest::ingest_bytes(n, b).expect("ingest")).collect();
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(normalize::normalize(s, &opts.normalize));
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
    let trees: Vec<_> = norms.iter().map(|n| segment::segment(n, rules)).collect();
    g.bench_function("extract", |b| {
        b.iter(|| {
            for ((s, n), t) in sources.iter().zip(&norms).zip(&trees) {
                black_box(kehoach::extract::extract(s, n, t, rules));
            }
        })
    });
    // The plans with clean text (no OCR'd scan): extraction and its table reconstruction.
    let clean: Vec<usize> = (0..docs.len()).filter(|&i| !norms[i].restored).collect();
    let clean_bytes: u64 = clean.iter().map(|&i| docs[i].1.len() as u64).sum();
    let tables = |only: &[usize]| {
        for &i in only {
            let (n, t) = (&norms[i], &trees[i]);
            for k in t.of_kind(segment::NodeKind::Table) {
                let node = &t.nodes[k];
                black_box(segment::table::reconstruct(n, node.first_line, node.last_line, rules));
            }
        }
    };
    let all: Vec<usize> = (0..docs.len()).collect();
    g.bench_function("tables", |b| b.iter(|| tables(&all)));
    g.throughput(Throughput::Bytes(clean_bytes));
    g.bench_function("extract_clean", |b| {
        b.iter(|| {
            for &i in &clean {
                black_box(kehoach::extract::extract(&sources[i], &norms[i], &trees[i], rules));
            }
        })
    });
    g.bench_function("tables_clean", |b| b.iter(|| tables(&clean)));
    g.throughput(Throughput::Bytes(total));
    g.bench_function("serialize", |b| {
        let out: Vec<_> = sources.iter().map(|s| kehoach::extract(s, rules, &opts).expect("extract")).collect();
        b.iter(|| {
            for d in &out {
                black_box(serde_json::to_vec_pretty(d).expect("json"));
            }
        })
    });
    let never = Options { normalize: normalize::NormalizeOptions { restore: normalize::RestoreMode::Never, ..opts.normalize } };
    g.bench_function("pipeline_restore_never", |b| {
        b.iter(|| {
            for (name, bytes) in &docs {
                let s = ingest::ingest_bytes(name, bytes).expect("ingest");
                let d = kehoach::extract(&s, rules, &never).expect("extract");
                black_box(serde_json::to_vec_pretty(&d).expect("json"));
            }
        })
    });
    g.bench_function("agencies", |b| {
        let lines: Vec<&str> = norms.iter().flat_map(|n| n.text.lines()).collect();
        b.iter(|| {
            for l in &lines {
                black_box(rules.agencies.resolve(l));
            }
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            for (name, bytes) in &docs {
                let s = ingest::ingest_bytes(name, bytes).expect("ingest");
                let d = kehoach::extract(&s, rules, &opts).expect("extract");
                black_box(serde_json::to_vec_pretty(&d).expect("json"));
            }
        })
    });
    g.finish();

    // The whole pipeline per document, to see which kind of plan is slow.
    let mut g = c.benchmark_group("document");
    for (name, bytes) in &docs {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(&name[..3]), bytes, |b, bytes| {
            b.iter(|| {
                let s = ingest::ingest_bytes(name, bytes).expect("ingest");
                black_box(kehoach::extract(&s, rules, &opts).expect("extract"))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
