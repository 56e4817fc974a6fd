//! Monte Carlo: the f64 engine agrees with the exact ledger, every distribution family draws
//! what it says, the copula gives the requested correlations, and results do not depend on the
//! thread count.

use shanglou::mc::sample::{path_rng, phi, Drawer, PertTable, Sampler};
use shanglou::mc::{self, Settings, Silent};
use shanglou::metrics;
use shanglou::scenario::{self, Dist, Uncertain, KEYS};

const CONFORMANCE: [&str; 10] = [
    include_str!("conformance/01-minimal-lease.toml"),
    include_str!("conformance/02-shenzhen-renewal.toml"),
    include_str!("conformance/03-wuhan-subsidy-loan.toml"),
    include_str!("conformance/04-delay-resettle-tv-gfa.toml"),
    include_str!("conformance/05-loss-expiry-basement.toml"),
    include_str!("conformance/06-never-positive.toml"),
    include_str!("conformance/07-input-vat-land-deduction.toml"),
    include_str!("conformance/08-progressive-lat-refund.toml"),
    include_str!("conformance/09-grace-annuity-capitalised.toml"),
    include_str!("conformance/10-bullet-negative-tv-ordinary.toml"),
];

#[test]
fn the_f64_ledger_equals_the_decimal_ledger_on_every_vector() {
    use rust_decimal::Decimal;
    use shanglou::model::{self, COLUMNS};
    use shanglou::num::Num;
    for src in CONFORMANCE {
        let sc = shanglou::load(src, &[]).unwrap();
        let fast = model::run(&sc.inputs);
        let exact = model::run(&sc.inputs.convert::<Decimal>());
        // relative to the largest flow of the series: a column that nets to ~0 in a year
        // (e.g. a refund against a payment) has no scale of its own
        for (name, (f, d)) in COLUMNS
            .iter()
            .zip(fast.columns().iter().zip(exact.columns()))
        {
            let scale = d.iter().map(|v| Num::to_f64(*v).abs()).fold(1.0, f64::max);
            for (t, (x, y)) in f.iter().zip(d).enumerate() {
                let y = Num::to_f64(*y);
                assert!(
                    (x - y).abs() <= 1e-9 * scale,
                    "{}: {name} t={t}: f64 {x} vs Decimal {y}",
                    sc.name
                );
            }
        }
        assert_eq!(fast.lat_detail.len(), exact.lat_detail.len());
        for (a, b) in fast.lat_detail.iter().zip(&exact.lat_detail) {
            assert!((a.lat - Num::to_f64(b.lat)).abs() <= 1e-9 * a.lat.abs().max(1.0));
            assert_eq!(a.settlement_year, b.settlement_year);
        }
        let basis = sc.inputs.policy.irr_basis;
        let dr = sc.inputs.finance.discount_rate;
        let ef: Vec<f64> = exact
            .series(basis)
            .iter()
            .map(|v| Num::to_f64(*v))
            .collect();
        match (
            shanglou::irr::irr(fast.series(basis), dr),
            shanglou::irr::irr(&ef, dr),
        ) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-3), "{}", sc.name),
            (a, b) => assert_eq!(a, b, "{}", sc.name),
        }
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    match a {
        None => b.is_nan(),
        Some(a) => (a - b).abs() <= 1e-9,
    }
}

#[test]
fn zero_variance_monte_carlo_reproduces_the_exact_ledger() {
    for src in CONFORMANCE {
        let mut sc = shanglou::load(src, &[]).unwrap();
        // every numeric key that has a value becomes a fixed distribution, and rent growth and
        // occupancy are also drawn (fixed) per year
        for (k, spec) in KEYS.iter().enumerate() {
            if let Some(v) = spec.get(&sc.inputs) {
                let per_year = spec.allows_per_year() && spec.get(&sc.inputs).is_some();
                sc.uncertain.push(Uncertain {
                    key: k,
                    dist: Dist::Uniform { min: v, max: v },
                    per_year,
                    ar1: 0.0,
                });
            }
        }
        let (_, exact) = metrics::evaluate(&sc.inputs);
        let out = mc::simulate(
            &sc,
            Settings {
                paths: 64,
                seed: 7,
                threads: 2,
                all_metrics: true,
            },
            &Silent,
        )
        .unwrap();
        let basis = *exact.irr.get(sc.inputs.policy.irr_basis);
        for i in 0..64 {
            assert!(
                close(basis, out.irr[i]),
                "{}: basis {basis:?} vs {}",
                sc.name,
                out.irr[i]
            );
            let e = out.extra[i];
            assert!(
                close(exact.irr.project_after_tax, e[0]),
                "{}: after tax",
                sc.name
            );
            assert!(
                close(exact.irr.equity, e[1]),
                "{}: equity {:?} vs {}",
                sc.name,
                exact.irr.equity,
                e[1]
            );
            assert!(
                close(exact.irr.project_pre_tax, e[2]),
                "{}: pre tax",
                sc.name
            );
            let npv = *exact.npv.get(sc.inputs.policy.irr_basis);
            assert!(
                (npv - e[3]).abs() <= 1e-9 * npv.abs().max(1.0),
                "{}: npv {npv} vs {}",
                sc.name,
                e[3]
            );
            assert_eq!(out.status(i), exact.verdict.status, "{}", sc.name);
        }
        let s = out.summary();
        assert_eq!(s.irr.sd.map(|v| v.abs() < 1e-12), basis.map(|_| true));
    }
}

/// Draws n values with independent streams.
fn draws(d: &Drawer, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| d.draw(&mut path_rng(99, i as u64)))
        .collect()
}

/// Mean within 5 standard errors, sd within 5 standard errors of the sample sd (from the
/// sample's own fourth moment), and the empirical CDF within 5 binomial standard errors of
/// the true CDF at each point.
fn check(name: &str, v: &[f64], mean: f64, sd: f64, cdf: &dyn Fn(f64) -> f64, points: &[f64]) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let s2 = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = v.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    assert!(
        (m - mean).abs() <= 5.0 * sd / n.sqrt(),
        "{name}: mean {m} vs {mean}"
    );
    let se_sd = ((m4 - s2 * s2) / n).sqrt() / (2.0 * sd);
    assert!(
        (s2.sqrt() - sd).abs() <= 5.0 * se_sd,
        "{name}: sd {} vs {sd} (se {se_sd})",
        s2.sqrt()
    );
    for &x in points {
        let f = cdf(x);
        let emp = v.iter().filter(|y| **y <= x).count() as f64 / n;
        let se = (f * (1.0 - f) / n).sqrt().max(1.0 / n);
        assert!((emp - f).abs() <= 5.0 * se, "{name}: F({x}) = {emp} vs {f}");
    }
}

const N: usize = 200_000;

#[test]
fn uniform_draws() {
    let v = draws(&Drawer::new(&Dist::Uniform { min: 2.0, max: 5.0 }), N);
    check(
        "uniform",
        &v,
        3.5,
        3.0 / 12f64.sqrt(),
        &|x| ((x - 2.0) / 3.0).clamp(0.0, 1.0),
        &[2.3, 3.5, 4.85],
    );
}

#[test]
fn triangular_draws() {
    let (a, c, b) = (1.0, 2.0, 6.0);
    let v = draws(
        &Drawer::new(&Dist::Triangular {
            min: a,
            mode: c,
            max: b,
        }),
        N,
    );
    let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    let cdf = |x: f64| {
        if x <= c {
            (x - a).powi(2) / ((b - a) * (c - a))
        } else {
            1.0 - (b - x).powi(2) / ((b - a) * (b - c))
        }
    };
    check(
        "triangular",
        &v,
        (a + b + c) / 3.0,
        var.sqrt(),
        &cdf,
        &[1.3, 2.0, 3.5, 5.5],
    );
}

#[test]
fn pert_draws() {
    let (a, m, b) = (100.0, 130.0, 220.0);
    let v = draws(
        &Drawer::new(&Dist::Pert {
            min: a,
            mode: m,
            max: b,
        }),
        N,
    );
    let mu = (a + 4.0 * m + b) / 6.0;
    let var = (mu - a) * (b - mu) / 7.0;
    // the true CDF by an independent integration of the Beta density (midpoint rule, 2e5 cells)
    let (al, be) = (1.0 + 4.0 * (m - a) / (b - a), 1.0 + 4.0 * (b - m) / (b - a));
    let pdf = |t: f64| t.powf(al - 1.0) * (1.0 - t).powf(be - 1.0);
    let cells = 200_000;
    let total: f64 = (0..cells)
        .map(|i| pdf((i as f64 + 0.5) / cells as f64))
        .sum();
    let cdf = |x: f64| {
        let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
        let k = (t * cells as f64) as usize;
        (0..k)
            .map(|i| pdf((i as f64 + 0.5) / cells as f64))
            .sum::<f64>()
            / total
    };
    check(
        "pert",
        &v,
        mu,
        var.sqrt(),
        &cdf,
        &[110.0, 130.0, 150.0, 190.0],
    );
    let t = PertTable::new(a, m, b);
    assert!((t.cdf(150.0) - cdf(150.0)).abs() < 1e-4);
}

#[test]
fn normal_draws() {
    let v = draws(
        &Drawer::new(&Dist::Normal {
            mean: 30.0,
            sd: 2.5,
            min: None,
            max: None,
        }),
        N,
    );
    check(
        "normal",
        &v,
        30.0,
        2.5,
        &|x| phi((x - 30.0) / 2.5),
        &[25.0, 28.0, 30.0, 33.0],
    );
    // clipped: the mass beyond a bound sits on the bound
    let v = draws(
        &Drawer::new(&Dist::Normal {
            mean: 30.0,
            sd: 2.5,
            min: Some(28.0),
            max: None,
        }),
        N,
    );
    let at_min = v.iter().filter(|x| **x == 28.0).count() as f64 / N as f64;
    assert!((at_min - phi(-0.8)).abs() < 5.0 * (phi(-0.8) * (1.0 - phi(-0.8)) / N as f64).sqrt());
    assert!(v.iter().all(|x| *x >= 28.0));
}

#[test]
fn lognormal_draws() {
    let (mean, sd) = (52000.0, 6000.0);
    let v = draws(&Drawer::new(&Dist::Lognormal { mean, sd }), N);
    let s2 = (1.0 + (sd / mean).powi(2)).ln();
    let mu = mean.ln() - s2 / 2.0;
    check(
        "lognormal",
        &v,
        mean,
        sd,
        &|x: f64| phi((x.ln() - mu) / s2.sqrt()),
        &[44000.0, 52000.0, 60000.0],
    );
}

#[test]
fn discrete_draws() {
    let v = draws(
        &Drawer::new(&Dist::Discrete {
            values: vec![0.0, 1.0, 2.0],
            weights: vec![0.65, 0.25, 0.10],
        }),
        N,
    );
    let mean = 0.25 + 0.2;
    let var = 0.25 + 0.4 - mean * mean;
    let cdf = |x: f64| {
        if x < 0.0 {
            0.0
        } else if x < 1.0 {
            0.65
        } else if x < 2.0 {
            0.9
        } else {
            1.0
        }
    };
    check("discrete", &v, mean, var.sqrt(), &cdf, &[0.0, 1.0, 2.0]);
}

const CORR: &str = r#"[project]
start_year = 2025
land_term_years = 30
[site]
land_area_m2 = 10000
far = 2
[mix]
factory = 1
[construction]
schedule = [1]
cost_per_m2 = { dist = "pert", min = 4000, mode = 4500, max = 6000 }
[land]
price = { dist = "uniform", min = 500, max = 900 }
[factory]
rent = { dist = "normal", mean = 30, sd = 3 }
occupancy = { dist = "triangular", min = 0.7, mode = 0.9, max = 1.0 }
[[monte_carlo.correlation]]
between = ["construction.cost_per_m2", "land.price"]
rho = 0.5
[[monte_carlo.correlation]]
between = ["factory.rent", "factory.occupancy"]
rho = -0.5
"#;

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
    let mut r = vec![0.0; v.len()];
    for (rank, i) in idx.into_iter().enumerate() {
        r[i] = rank as f64;
    }
    r
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn copula_gives_the_requested_correlations() {
    let sc = shanglou::load(CORR, &[]).unwrap();
    let s = Sampler::new(&sc);
    assert_eq!(s.ncorr, 4);
    let n = 200_000;
    let mut scal = vec![0.0; s.scalars.len()];
    let mut years = vec![];
    let mut scratch = vec![0.0; s.scratch_len()];
    let mut z = vec![Vec::with_capacity(n); s.ncorr];
    let mut x = vec![Vec::with_capacity(n); s.scalars.len()];
    for i in 0..n {
        s.draw_path(5, i as u64, &mut scal, &mut years, &mut scratch);
        for c in 0..s.ncorr {
            z[c].push(scratch[s.ncorr + c]);
        }
        for j in 0..scal.len() {
            x[j].push(scal[j]);
        }
    }
    let pos = |name: &str| s.scalars.iter().position(|v| v.key.name == name).unwrap();
    let zpos = |name: &str| s.scalars[pos(name)].corr.unwrap();
    for (a, b, rho) in [
        ("construction.cost_per_m2", "land.price", 0.5),
        ("factory.rent", "factory.occupancy", -0.5),
    ] {
        let r = pearson(&z[zpos(a)], &z[zpos(b)]);
        assert!(
            (r - rho).abs() <= 0.01,
            "{a}/{b}: normal scores ρ = {r}, want {rho}"
        );
        let spearman = pearson(&ranks(&x[pos(a)]), &ranks(&x[pos(b)]));
        let want = 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
        assert!(
            (spearman - want).abs() <= 0.01,
            "{a}/{b}: Spearman {spearman}, want {want}"
        );
    }
    // uncorrelated pairs stay uncorrelated
    let r = pearson(&z[zpos("land.price")], &z[zpos("factory.rent")]);
    assert!(r.abs() <= 0.01, "{r}");
}

#[test]
fn a_matrix_that_is_not_psd_is_rejected_naming_the_pairs() {
    let src = CORR.replace("rho = -0.5\n", "rho = -0.5\n[[monte_carlo.correlation]]\nbetween = [\"construction.cost_per_m2\", \"factory.rent\"]\nrho = -0.9\n[[monte_carlo.correlation]]\nbetween = [\"land.price\", \"factory.rent\"]\nrho = -0.9\n");
    let e = shanglou::load(&src, &[]).unwrap_err();
    let msg = e
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        msg.contains("monte_carlo.correlation") && msg.contains("not positive semi-definite"),
        "{msg}"
    );
    assert!(
        msg.contains("construction.cost_per_m2 ~ land.price")
            && msg.contains("land.price ~ factory.rent"),
        "{msg}"
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let sc = shanglou::load(
        include_str!("../scenarios/shenzhen-renewal-uncertain.toml"),
        &[],
    )
    .unwrap();
    let run = |threads, seed| {
        mc::simulate(
            &sc,
            Settings {
                paths: 5000,
                seed,
                threads,
                all_metrics: false,
            },
            &Silent,
        )
        .unwrap()
    };
    let (a, b) = (run(1, 3), run(2, 3));
    assert_eq!(
        a.irr.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.irr.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(a.summary(), b.summary());
    assert_ne!(
        run(2, 4).summary(),
        a.summary(),
        "another seed gives other figures"
    );
}

#[test]
fn sampled_rents_above_the_pack_cap_are_clipped_and_counted() {
    let src = format!("{CORR}[policy]\npack = \"shenzhen-2023\"\n");
    let sc = shanglou::load(&src, &[]).unwrap();
    let out = mc::simulate(
        &sc,
        Settings {
            paths: 20_000,
            seed: 1,
            threads: 2,
            all_metrics: false,
        },
        &Silent,
    )
    .unwrap();
    let share = out.summary().clipped_share;
    // rent ~ N(30, 3): P(rent > 35) = 1 − Φ(5/3)
    let want = 1.0 - phi(5.0 / 3.0);
    assert!(
        (share - want).abs() < 5.0 * (want * (1.0 - want) / 20_000.0).sqrt(),
        "{share} vs {want}"
    );
    let mut off = sc.clone();
    off.inputs.policy.enforce_caps = false;
    let out = mc::simulate(
        &off,
        Settings {
            paths: 2000,
            seed: 1,
            threads: 2,
            all_metrics: false,
        },
        &Silent,
    )
    .unwrap();
    assert_eq!(out.summary().clipped_share, 0.0);
}

/// A 20-year scheme with a per-year rent growth correlated with the (scalar) rent, and a
/// per-year dormitory occupancy with serial correlation.
const PER_YEAR: &str = r#"
[project]
start_year = 2026
land_term_years = 20
[site]
land_area_m2 = 10000
far = 3
[mix]
factory = 0.9
dormitory = 0.1
[construction]
schedule = [1]
cost_per_m2 = 4000
[factory]
rent = { dist = "normal", mean = 30, sd = 3 }
rent_growth = { dist = "normal", mean = 0.02, sd = 0.01, per_year = true }
occupancy = 0.9
[dormitory]
rent = 20
occupancy = { dist = "uniform", min = 0.5, max = 1.0, per_year = true, ar1 = 0.7 }
[[monte_carlo.correlation]]
between = ["factory.rent_growth", "factory.rent"]
rho = 0.6
"#;

/// Draws n paths of `sc`; returns (scalar values, per-year values) per path.
fn sample_paths(sc: &scenario::Scenario, n: usize) -> (Sampler, Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let s = Sampler::new(sc);
    let mut scal = vec![0.0; s.scalars.len()];
    let mut years = vec![0.0; s.years.len() * s.horizon];
    let mut scratch = vec![0.0; s.scratch_len()];
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for i in 0..n {
        s.draw_path(11, i as u64, &mut scal, &mut years, &mut scratch);
        xs.push(scal.clone());
        ys.push(years.clone());
    }
    (s, xs, ys)
}

#[test]
fn a_per_year_key_correlates_with_a_scalar_key_in_every_year() {
    let sc = shanglou::load(PER_YEAR, &[]).unwrap();
    let (s, xs, ys) = sample_paths(&sc, 60_000);
    let rent = s
        .scalars
        .iter()
        .position(|v| v.key.name == "factory.rent")
        .unwrap();
    let g = s
        .years
        .iter()
        .position(|v| v.key.name == "factory.rent_growth")
        .unwrap();
    let h = s.horizon;
    let rents: Vec<f64> = xs.iter().map(|x| x[rent]).collect();
    // both normal and unclipped here, so Pearson's ρ of the values is the copula's ρ
    for k in [0, 1, 7, h - 1] {
        let gk: Vec<f64> = ys.iter().map(|y| y[g * h + k]).collect();
        let r = pearson(&gk, &rents);
        assert!((r - 0.6).abs() < 0.015, "year {k}: ρ = {r}");
    }
    // across years the growths share only the rent's part: corr = ρ² = 0.36
    let g1: Vec<f64> = ys.iter().map(|y| y[g * h + 1]).collect();
    let g2: Vec<f64> = ys.iter().map(|y| y[g * h + 2]).collect();
    let r = pearson(&g1, &g2);
    assert!((r - 0.36).abs() < 0.015, "years 1 and 2: ρ = {r}");
}

#[test]
fn ar1_links_successive_years_and_keeps_each_year_s_distribution() {
    let sc = shanglou::load(PER_YEAR, &[]).unwrap();
    let (s, _, ys) = sample_paths(&sc, 60_000);
    let o = s
        .years
        .iter()
        .position(|v| v.key.name == "dormitory.occupancy")
        .unwrap();
    let h = s.horizon;
    let year = |k: usize| -> Vec<f64> { ys.iter().map(|y| y[o * h + k]).collect() };
    // normal scores of a uniform on [0.5, 1]
    let score = |v: Vec<f64>| -> Vec<f64> {
        v.into_iter()
            .map(|x| shanglou::mc::sample::inverse_phi((x - 0.5) / 0.5))
            .collect()
    };
    let (z3, z4, z5) = (score(year(3)), score(year(4)), score(year(5)));
    let r1 = pearson(&z3, &z4);
    let r2 = pearson(&z3, &z5);
    assert!((r1 - 0.7).abs() < 0.015, "lag 1: {r1}");
    assert!((r2 - 0.49).abs() < 0.015, "lag 2: {r2}");
    let y9 = year(9);
    let mean = y9.iter().sum::<f64>() / y9.len() as f64;
    assert!(
        (mean - 0.75).abs() < 0.003,
        "each year stays uniform: mean {mean}"
    );
}

#[test]
fn bad_v2_monte_carlo_settings_name_the_key() {
    let ar1_scalar = PER_YEAR.replace(
        "rent = 20\n",
        "rent = { dist = \"uniform\", min = 18, max = 22, ar1 = 0.5 }\n",
    );
    let e = shanglou::load(&ar1_scalar, &[]).unwrap_err().to_string();
    assert!(
        e.contains("dormitory.rent") && e.contains("per_year"),
        "{e}"
    );
    let ar1_high = PER_YEAR.replace("ar1 = 0.7", "ar1 = 1.0");
    let e = shanglou::load(&ar1_high, &[]).unwrap_err().to_string();
    assert!(
        e.contains("dormitory.occupancy") && e.contains("ar1 = 1"),
        "{e}"
    );
    let ar1_correlated = format!(
        "{PER_YEAR}[[monte_carlo.correlation]]\nbetween = [\"dormitory.occupancy\", \"factory.rent\"]\nrho = 0.3\n"
    );
    let e = shanglou::load(&ar1_correlated, &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("monte_carlo.correlation") && e.contains("ar1"),
        "{e}"
    );
}

#[test]
fn growth_draws_that_never_enter_the_flows_are_not_counted_as_clipped() {
    // growth always above Shenzhen's 5% cap
    let src = PER_YEAR
        .replace(
            "rent_growth = { dist = \"normal\", mean = 0.02, sd = 0.01, per_year = true }",
            "rent_growth = { dist = \"uniform\", min = 0.06, max = 0.08, per_year = true }",
        )
        .replace("[[monte_carlo.correlation]]\nbetween = [\"factory.rent_growth\", \"factory.rent\"]\nrho = 0.6\n", "")
        .replace("rent = { dist = \"normal\", mean = 30, sd = 3 }", "rent = 30");
    let run = |src: &str| {
        let sc =
            shanglou::load(&format!("{src}[policy]\npack = \"shenzhen-2023\"\n"), &[]).unwrap();
        let settings = Settings {
            paths: 500,
            seed: 2,
            threads: 1,
            all_metrics: false,
        };
        mc::simulate(&sc, settings, &Silent)
            .unwrap()
            .summary()
            .clipped_share
    };
    assert_eq!(
        run(&src),
        1.0,
        "growth is used from the second operating year on"
    );
    // one construction year and a two-year term: a single operating year uses no growth
    let short = src.replace("land_term_years = 20", "land_term_years = 2");
    assert_eq!(run(&short), 0.0);
}

#[test]
fn a_terminal_value_distribution_may_be_negative() {
    let src = PER_YEAR.replace(
        "[site]",
        "terminal_value = { dist = \"uniform\", min = -5e7, max = -1e7 }\n[site]",
    );
    let sc = shanglou::load(&src, &[]).unwrap();
    assert_eq!(sc.inputs.project.terminal_value, -3e7);
    let (s, xs, _) = sample_paths(&sc, 2000);
    let j = s
        .scalars
        .iter()
        .position(|v| v.key.name == "project.terminal_value")
        .unwrap();
    assert!(xs.iter().all(|x| (-5e7..=-1e7).contains(&x[j])));
    assert!(xs.iter().any(|x| x[j] < -4e7) && xs.iter().any(|x| x[j] > -2e7));
}

/// Every shipped scenario, and a few built to hit the lockstep engine's corners: a delay drawn
/// per path (paths regroup by timeline), a zero interest rate in some lanes and not others
/// (the 等额本息 annuity), a self-held share that sells nothing in some lanes (the LAT objects),
/// and rents clipped by the pack cap.
fn engine_cases() -> Vec<(String, scenario::Scenario)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        out.push((
            p.file_name().unwrap().to_string_lossy().into_owned(),
            shanglou::load(&text, &[]).unwrap(),
        ));
    }
    let renewal = include_str!("../scenarios/shenzhen-renewal-uncertain.toml");
    let corners: [(&str, &[&str]); 3] = [
        (
            "annuity with a zero rate in some lanes",
            &[
                "finance.repayment=equal_payment",
                "finance.interest_rate={ dist = \"discrete\", values = [0, 0.03], weights = [1, 1] }",
                "policy.irr_basis=equity",
            ],
        ),
        (
            "nothing sold in some lanes",
            &[
                "factory.self_held_share={ dist = \"discrete\", values = [0.9, 0.6666666666666666], weights = [1, 1] }",
                "factory.resettlement_share=0.1",
                "policy.irr_basis=project_after_tax",
            ],
        ),
        (
            "delays and a rent cap",
            &[
                "construction.delay_years={ dist = \"discrete\", values = [0, 1, 2, 3], weights = [1, 1, 1, 1] }",
                "factory.rent={ dist = \"normal\", mean = 34, sd = 4 }",
            ],
        ),
    ];
    for (name, sets) in corners {
        let sets: Vec<scenario::Override> = sets
            .iter()
            .map(|s| scenario::Override::parse(s).unwrap())
            .collect();
        let sc = shanglou::load(renewal, &sets).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        out.push((name.to_string(), sc));
    }
    out
}

#[test]
fn the_lockstep_engine_equals_the_scalar_engine_bit_for_bit() {
    use mc::block::Simd;
    use mc::{Engine, Shard};
    for (name, sc) in engine_cases() {
        let sampler = Sampler::new(&sc);
        for all_metrics in [false, true] {
            let settings = |threads| Settings {
                // a debug build (CI) runs fewer; still several blocks of 37 and a short group
                paths: if cfg!(debug_assertions) { 701 } else { 3_001 },
                seed: 11,
                threads,
                all_metrics,
            };
            let reference = mc::simulate_engine(
                &sc,
                &sampler,
                settings(1),
                Shard::WHOLE,
                Engine::Scalar,
                &Silent,
            )
            .unwrap();
            // the widest instructions this processor has and the portable ones
            for (threads, block, simd) in [
                (1, mc::block::BLOCK, Simd::Best),
                (2, mc::block::BLOCK, Simd::Best),
                (1, 37, Simd::Best),
                (2, 37, Simd::Best),
                (1, mc::block::BLOCK, Simd::Portable),
                (2, 37, Simd::Portable),
            ] {
                let got = mc::simulate_engine(
                    &sc,
                    &sampler,
                    settings(threads),
                    Shard::WHOLE,
                    Engine::Lockstep { block, simd },
                    &Silent,
                )
                .unwrap();
                let label = format!(
                    "{name}, all_metrics {all_metrics}, {threads} threads, block {block}, {simd:?}"
                );
                let first_difference = |a: Vec<u64>, b: Vec<u64>| {
                    assert_eq!(a.len(), b.len());
                    a.iter().zip(&b).position(|(x, y)| x != y)
                };
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                let at = first_difference(bits(&got.irr), bits(&reference.irr));
                assert_eq!(at, None, "{label}: the IRR of path {at:?} differs");
                let flags = |o: &mc::Outcome| o.flags.iter().map(|f| u64::from(*f)).collect();
                let at = first_difference(flags(&got), flags(&reference));
                assert_eq!(at, None, "{label}: the verdict of path {at:?} differs");
                let extra =
                    |o: &mc::Outcome| o.extra.iter().flatten().map(|x| x.to_bits()).collect();
                let at = first_difference(extra(&got), extra(&reference));
                assert_eq!(
                    at, None,
                    "{label}: figure {at:?} of the other series differs"
                );
            }
            // the corners must really be exercised: some verdicts differ between paths
            assert!(
                reference.irr.iter().any(|r| r.is_finite()),
                "{name}: no IRR at all"
            );
        }
    }
}
