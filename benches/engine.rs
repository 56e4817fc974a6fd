//! Speed of the deterministic engine and the IRR solver on a 50-year scenario.

use criterion::{criterion_group, criterion_main, Criterion};
use rust_decimal::Decimal;
use shanglou::{irr, metrics, model, num::Num};
use std::hint::black_box;

/// The renewal example as it was before the v2 tax and loan rules (effective LAT, no input
/// VAT, equal principal, cash interest): the figure earlier releases are compared on.
const SHENZHEN_V1: &str = include_str!("data/shenzhen-renewal-v1.toml");
/// The shipped example: input VAT, land deduction, progressive LAT, grace years,
/// capitalised mid-year interest.
const SHENZHEN: &str = include_str!("../scenarios/shenzhen-renewal.toml");

fn engine(c: &mut Criterion) {
    for (name, src) in [("v1", SHENZHEN_V1), ("v2", SHENZHEN)] {
        let sc = shanglou::load(src, &[]).unwrap();
        assert_eq!(sc.inputs.project.land_term_years, 50);
        let dec = sc.inputs.convert::<Decimal>();
        c.bench_function(&format!("ledger_decimal_50y_{name}"), |b| {
            b.iter(|| model::run(black_box(&dec)))
        });
    }
    let sc = shanglou::load(SHENZHEN, &[]).unwrap();
    let dec = sc.inputs.convert::<Decimal>();
    c.bench_function("run_full_decimal_50y (ledger + 3 IRRs + metrics)", |b| {
        b.iter(|| metrics::evaluate(black_box(&sc.inputs)))
    });
    let mut buf = model::Ledger::default();
    c.bench_function("ledger_f64_50y", |b| {
        b.iter(|| model::run_into(black_box(&sc.inputs), &mut buf, model::Need::All))
    });
    let ledger = model::run(&dec);
    let flows: Vec<f64> = ledger.cf_pre_tax.iter().map(|d| Num::to_f64(*d)).collect();
    c.bench_function("irr_50y_unique_root", |b| {
        b.iter(|| irr::irr(black_box(&flows), 0.045))
    });
    c.bench_function("irr_detail_50y", |b| {
        b.iter(|| irr::irr_detail(black_box(&flows), 0.045))
    });
    let eq: Vec<f64> = ledger.cf_equity.iter().map(|d| Num::to_f64(*d)).collect();
    c.bench_function("irr_detail_50y_equity_several_sign_changes", |b| {
        b.iter(|| irr::irr_detail(black_box(&eq), 0.045))
    });
    // the irr command's workload: 100,000 series of 53 flows
    let n_rows = if cfg!(debug_assertions) {
        1_000
    } else {
        100_000
    };
    let rows: Vec<Vec<f64>> = (0..n_rows)
        .map(|i| {
            let mut f = vec![-1000.0 - (i % 97) as f64];
            f.extend((1..53).map(|t| 40.0 + ((i + t) % 13) as f64));
            f
        })
        .collect();
    let mut g = c.benchmark_group("irr_100k_rows_of_53");
    g.sample_size(10);
    g.bench_function("irr_detail", |b| {
        b.iter(|| {
            rows.iter()
                .map(|r| irr::irr_detail(r, 0.045).irr.unwrap_or(0.0))
                .sum::<f64>()
        })
    });
    // what `irr --rows` does after reading the file: plain CSV text of project-shaped series
    // (outlays, presales, a LAT settlement year that adds sign changes, grown rents) parsed and
    // solved on every core; whole-process figures are in the issue notes
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::new();
    for i in 0..n_rows {
        let mut f = [0.0f64; 53];
        f[0] = -(6e8 + 1.5e9 * next());
        f[1] = -(2e8 + 6e8 * next());
        f[2] = 6e8 * next() - 5e8 * next();
        f[3] = 1.3e9 * next() - 1e8;
        f[4] = 9e8 * next();
        f[5] = 9e8 * next() - 6e8;
        let (rent, growth) = (1e7 + 5e7 * next(), 0.05 * next());
        for (t, v) in f.iter_mut().enumerate().skip(6) {
            *v = rent * (1.0 + growth).powi(t as i32 - 6);
        }
        text.push_str(&format!("p{i}"));
        for v in f {
            text.push_str(&format!(",{v:.2}"));
        }
        text.push('\n');
    }
    g.bench_function("read_csv_and_irr_detail_all_cores", |b| {
        b.iter(|| {
            shanglou::flows::read_csv_map(black_box(text.as_bytes()), true, |(_, f)| {
                irr::irr_detail(&f, 0.045).irr
            })
            .unwrap()
            .len()
        })
    });
    g.finish();
}

/// The portfolio batch per parcel: the template with a row's values loaded from its parsed
/// table, the exact ledger, the IRRs and metrics, and the pack check. 100,000 parcels on
/// both cores take (time per parcel × 100,000 / 2).
fn batch(c: &mut Criterion) {
    use shanglou::batch::{self, Options};
    use shanglou::scenario::{parse_table, Override, Template};
    let src = include_str!("../scenarios/wuhan-subsidy-loan.toml");
    let table = Template::new(parse_table(src).unwrap());
    let opts = Options {
        mc: None,
        solve: None,
    };
    let rows: Vec<Vec<Override>> = (0..64)
        .map(|i| {
            vec![
                Override::parse(&format!("site.land_area_m2={}", 10_000 + 1_000 * i)).unwrap(),
                Override::parse(&format!("site.far={}", 2.0 + (i % 6) as f64 * 0.5)).unwrap(),
                Override::parse(&format!("land.price={}", 400 + 10 * i)).unwrap(),
            ]
        })
        .collect();
    let mut k = 0;
    let mut scratch = batch::Scratch::default();
    c.bench_function(
        "batch_parcel (load row + exact ledger + metrics + pack check)",
        |b| {
            b.iter(|| {
                k = (k + 1) % rows.len();
                batch::run_row(black_box(&table), src, "p", &rows[k], &opts, &mut scratch).unwrap()
            })
        },
    );
}

criterion_group!(benches, engine, batch);
criterion_main!(benches);
