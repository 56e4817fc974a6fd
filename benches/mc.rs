//! Monte Carlo throughput on the uncertain example scenario (50-year term, per-year rent growth
//! draws, two correlations): paths per second with the basis IRR only.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shanglou::mc::{self, Settings, Silent};
use std::hint::black_box;

/// The uncertain renewal example before the v2 rules (see benches/engine.rs).
const UNCERTAIN_V1: &str = include_str!("data/shenzhen-renewal-uncertain-v1.toml");
const UNCERTAIN: &str = include_str!("../scenarios/shenzhen-renewal-uncertain.toml");

fn monte_carlo(c: &mut Criterion) {
    let v1 = shanglou::load(UNCERTAIN_V1, &[]).unwrap();
    let sc = shanglou::load(UNCERTAIN, &[]).unwrap();
    assert_eq!(sc.inputs.project.land_term_years, 50);
    // `cargo test --all-targets` runs each bench once in a debug build: keep that quick
    let paths = if cfg!(debug_assertions) {
        2_000
    } else {
        200_000
    };
    let mut g = c.benchmark_group("mc_shenzhen_uncertain");
    g.sample_size(10);
    g.throughput(Throughput::Elements(paths));
    for (name, sc, threads) in [
        ("v1", &v1, 1usize),
        ("v1", &v1, 2),
        ("v2", &sc, 1),
        ("v2", &sc, 2),
    ] {
        g.bench_function(format!("{name}_{threads}_threads_basis_irr_only"), |b| {
            b.iter(|| {
                mc::simulate(
                    black_box(sc),
                    Settings {
                        paths,
                        seed: 1,
                        threads,
                        all_metrics: false,
                    },
                    &Silent,
                )
                .unwrap()
            })
        });
    }
    // the lockstep engine (the default: the widest vector instructions the processor has),
    // its portable build and the scalar reference, one core each
    let sampler = mc::sample::Sampler::new(&sc);
    for (name, engine) in [
        ("lockstep", mc::Engine::DEFAULT),
        (
            "lockstep_portable",
            mc::Engine::Lockstep {
                block: mc::block::BLOCK,
                simd: mc::block::Simd::Portable,
            },
        ),
        ("scalar", mc::Engine::Scalar),
    ] {
        for all_metrics in [false, true] {
            let what = if all_metrics {
                "all_metrics"
            } else {
                "basis_irr_only"
            };
            g.bench_function(format!("v2_1_thread_{what}_{name}_engine"), |b| {
                b.iter(|| {
                    mc::simulate_engine(
                        black_box(&sc),
                        &sampler,
                        Settings {
                            paths,
                            seed: 1,
                            threads: 1,
                            all_metrics,
                        },
                        mc::Shard::WHOLE,
                        engine,
                        &Silent,
                    )
                    .unwrap()
                })
            });
        }
    }
    g.bench_function("v2_2_threads_all_metrics", |b| {
        b.iter(|| {
            mc::simulate(
                black_box(&sc),
                Settings {
                    paths,
                    seed: 1,
                    threads: 2,
                    all_metrics: true,
                },
                &Silent,
            )
            .unwrap()
        })
    });
    g.finish();
}

/// The issue-5 sweep: construction subsidy 0–500 yuan/m² (11 values) × factory rent 25/30/35
/// with 20,000 paths per point on the uncertain Shenzhen all-rental scheme.
fn sweep(c: &mut Criterion) {
    let sc = shanglou::load(
        include_str!("../scenarios/shenzhen-new-supply-uncertain.toml"),
        &[],
    )
    .unwrap();
    let axes = [
        shanglou::sweep::axis(
            "subsidy.construction_per_m2",
            (0..=10).map(|i| 50.0 * i as f64).collect(),
        )
        .unwrap(),
        shanglou::sweep::axis("factory.rent", vec![25.0, 30.0, 35.0]).unwrap(),
    ];
    let paths = if cfg!(debug_assertions) { 200 } else { 20_000 };
    let mut g = c.benchmark_group("sweep_11x3");
    g.sample_size(10);
    g.throughput(Throughput::Elements(33 * paths));
    g.bench_function("20000_paths_per_point", |b| {
        b.iter(|| shanglou::sweep::run(black_box(&sc), &axes, Some((paths, 1)), &Silent).unwrap())
    });
    g.finish();
}

criterion_group!(benches, monte_carlo, sweep);
criterion_main!(benches);
