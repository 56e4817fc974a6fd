//! Runs the real `shanglou` binary: the conformance vectors, the example scenarios, bad input,
//! and the `irr` command.

mod common;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("shanglou").unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CASES: [&str; 10] = [
    "01-minimal-lease",
    "02-shenzhen-renewal",
    "03-wuhan-subsidy-loan",
    "04-delay-resettle-tv-gfa",
    "05-loss-expiry-basement",
    "06-never-positive",
    "07-input-vat-land-deduction",
    "08-progressive-lat-refund",
    "09-grace-annuity-capitalised",
    "10-bullet-negative-tv-ordinary",
];

fn close_money(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 || (a - b).abs() <= 1e-9 * b.abs()
}

/// Compares per the conformance README's tolerances; returns the mismatches.
fn compare(path: &str, got: &Value, want: &Value, bad: &mut Vec<String>) {
    match want {
        Value::Object(m) => {
            for (k, w) in m {
                // roots, directions and the Descartes bound are there for debugging only
                if matches!(k.as_str(), "roots" | "directions" | "descartes_bound") {
                    continue;
                }
                compare(
                    &format!("{path}.{k}"),
                    got.get(k).unwrap_or(&Value::Null),
                    w,
                    bad,
                );
            }
        }
        // lat_detail: one object per 清算 object, in the same order
        Value::Array(ws) if path == ".lat_detail" => {
            let gs = got.as_array().cloned().unwrap_or_default();
            if gs.len() != ws.len() {
                bad.push(format!(
                    "{path}: got {} objects, want {}",
                    gs.len(),
                    ws.len()
                ));
            }
            for (i, (g, w)) in gs.iter().zip(ws).enumerate() {
                compare(&format!("{path}[{i}]"), g, w, bad);
            }
        }
        Value::Number(w) => {
            let w = w.as_f64().unwrap();
            let Some(g) = got.as_f64() else {
                bad.push(format!("{path}: got {got}, want {w}"));
                return;
            };
            let ok = if path.starts_with(".irr.")
                || path == ".verdict.irr"
                || path.ends_with(".ratio")
                || path.starts_with(".payback_years")
            {
                (g - w).abs() <= 1e-6
            } else if path == ".verdict.floor" || path == ".verdict.cap" {
                (g - w).abs() <= 1e-12
            } else {
                close_money(g, w)
            };
            if !ok {
                bad.push(format!("{path}: got {g}, want {w}"));
            }
        }
        other => {
            if got != other {
                bad.push(format!("{path}: got {got}, want {other}"));
            }
        }
    }
}

fn read_csv(p: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(p).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(|c| c.parse::<f64>().unwrap())
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn conformance_vectors_match_json_and_csv() {
    let dir = root().join("tests/conformance");
    for case in CASES {
        let out = tempfile::tempdir().unwrap();
        let a = bin()
            .args(["run", "--json", "--out"])
            .arg(out.path())
            .arg(dir.join(format!("{case}.toml")))
            .assert()
            .success();
        let stdout = String::from_utf8(a.get_output().stdout.clone()).unwrap();
        let got: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{case}: stdout is not only JSON: {e}\n{stdout}"));
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{case}.expected.json"))).unwrap(),
        )
        .unwrap();
        let mut bad = Vec::new();
        compare("", &got, &want, &mut bad);
        // irr_detail: multiple_roots exact and reason exact (already compared above); also the
        // chosen IRR must be one of the roots we list
        for s in ["project_pre_tax", "project_after_tax", "equity"] {
            if let Some(irr) = got["irr"][s].as_f64() {
                let roots = got["irr_detail"][s]["roots"].as_array().unwrap();
                assert!(
                    roots
                        .iter()
                        .any(|r| (r.as_f64().unwrap() - irr).abs() < 1e-12),
                    "{case} {s}"
                );
            }
        }
        assert!(bad.is_empty(), "{case}: {bad:#?}");
        let mut on_disk: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("summary.json")).unwrap(),
        )
        .unwrap();
        let record = on_disk
            .as_object_mut()
            .unwrap()
            .remove("provenance")
            .expect("summary.json carries its provenance");
        assert_eq!(
            on_disk, got,
            "{case}: summary.json is the --json object plus provenance"
        );
        assert_eq!(record["command"], "run");
        assert_eq!(record["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(record["scenario_sha256"].as_str().unwrap().len(), 64);

        let raw = std::fs::read(out.path().join("cashflow.csv")).unwrap();
        assert!(
            raw.starts_with(b"\xEF\xBB\xBF"),
            "cashflow.csv must start with a UTF-8 BOM for Excel"
        );
        let (gh, grows) = read_csv(&out.path().join("cashflow.csv"));
        let (wh, wrows) = read_csv(&dir.join(format!("{case}.cashflow.csv")));
        assert_eq!(
            &gh[..wh.len()],
            &wh[..],
            "{case}: the §12 columns come first, in order"
        );
        assert_eq!(grows.len(), wrows.len(), "{case}: one row per year");
        for (t, (g, w)) in grows.iter().zip(&wrows).enumerate() {
            for (j, name) in wh.iter().enumerate() {
                assert!(
                    close_money(g[j], w[j]),
                    "{case} t={t} {name}: got {}, want {}",
                    g[j],
                    w[j]
                );
            }
        }
    }
}

#[test]
fn csv_column_sums_equal_json_totals() {
    let dir = root().join("tests/conformance");
    for case in CASES {
        let out = tempfile::tempdir().unwrap();
        let a = bin()
            .args(["run", "--json", "--out"])
            .arg(out.path())
            .arg(dir.join(format!("{case}.toml")))
            .assert()
            .success();
        let got: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        csv_sums_match_totals(case, &got, &out.path().join("cashflow.csv")).unwrap();
    }
}

/// The §12 totals and the CSV columns they sum, for the column-sum checks.
fn csv_sums_match_totals(case: &str, got: &Value, csv_path: &Path) -> Result<(), String> {
    let (h, rows) = read_csv(csv_path);
    let col = |n: &str| {
        let j = h.iter().position(|x| x == n).unwrap();
        rows.iter().map(|r| r[j]).sum::<f64>()
    };
    let t = &got["totals"];
    let pairs = [
        ("land", col("land")),
        ("construction", col("construction")),
        (
            "rent",
            col("rent_factory") + col("rent_dormitory") + col("rent_supporting"),
        ),
        ("sales", col("sales_factory") + col("sales_residential")),
        ("subsidy", col("subsidy")),
        ("vat", col("vat")),
        ("surcharges", col("surcharges")),
        ("property_tax", col("property_tax")),
        ("land_use_tax", col("land_use_tax")),
        ("lat", col("lat")),
        ("opex", col("opex")),
        ("income_tax_adjusted", col("income_tax_adjusted")),
        ("income_tax_equity", col("income_tax_equity")),
    ];
    for (k, s) in pairs {
        if !close_money(s, t[k].as_f64().unwrap()) {
            return Err(format!("{case} {k}: csv sum {s} vs json {}", t[k]));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    #[test]
    fn generated_scenarios_csv_sums_equal_json_totals(g in common::gen()) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("g.toml");
        std::fs::write(&f, common::scenario(&g)).unwrap();
        let out = dir.path().join("out");
        let a = bin().args(["run", "--json", "--out"]).arg(&out).arg(&f).assert().success();
        let got: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        prop_assert_eq!(csv_sums_match_totals("generated", &got, &out.join("cashflow.csv")), Ok(()));
    }
}

#[test]
fn example_scenarios_run() {
    let mut n = 0;
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("toml") {
            continue;
        }
        let out = tempfile::tempdir().unwrap();
        let a = bin()
            .args(["run", "--json", "--out"])
            .arg(out.path())
            .arg(&p)
            .assert()
            .success();
        let v: Value = serde_json::from_slice(&a.get_output().stdout)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(v["verdict"]["status"].is_string(), "{}", p.display());
        n += 1;
    }
    assert!(n >= 5, "at least five example scenarios, found {n}");
}

#[test]
fn human_summary_shows_verdict_and_writes_files() {
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(root().join("tests/conformance/03-wuhan-subsidy-loan.toml"))
        .assert()
        .success();
    let s = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(s.contains("结论 Verdict: 超过微利上限 above_cap"), "{s}");
    assert!(
        s.contains("5.37%"),
        "pre-tax IRR shown as a percentage: {s}"
    );
    assert!(
        s.contains("76,137.60"),
        "construction in 万元 with separators: {s}"
    );
    assert!(out.path().join("cashflow.csv").exists() && out.path().join("summary.json").exists());
}

#[test]
fn set_overrides_a_key_like_the_file() {
    let f = root().join("tests/conformance/01-minimal-lease.toml");
    let out = tempfile::tempdir().unwrap();
    let base: Value = serde_json::from_slice(
        &bin()
            .args(["run", "--json", "--out"])
            .arg(out.path())
            .arg(&f)
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    let up: Value = serde_json::from_slice(
        &bin()
            .args(["run", "--json", "--set", "factory.rent=30", "--out"])
            .arg(out.path())
            .arg(&f)
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert!(up["irr"]["project_pre_tax"].as_f64() > base["irr"]["project_pre_tax"].as_f64());
    let a = bin()
        .args(["run", "--set", "factory.occupancy=2", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("factory.occupancy") && err.contains("--set") && err.contains("from 0 to 1"),
        "{err}"
    );
}

#[test]
fn rent_above_the_pack_cap_warns_on_stderr() {
    let f = root().join("tests/conformance/02-shenzhen-renewal.toml");
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args(["run", "--json", "--set", "factory.rent=38", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("warning")
            && err.contains("SZ-RENT-CAP")
            && err.contains("38 yuan/m²/month is not ≤ 35 yuan/m²/month")
            && err.contains("一(二)5"),
        "{err}"
    );
    let _: Value = serde_json::from_slice(&a.get_output().stdout).expect("stdout stays pure JSON");
}

const BASE: &str = r#"[project]
name = "bad"
start_year = 2025
land_term_years = 30

[site]
land_area_m2 = 20000
far = 3.0

[mix]
factory = 0.9
dormitory = 0.1

[construction]
schedule = [0.4, 0.6]
cost_per_m2 = 5000

[factory]
self_held_share = 1.0
rent = 28
occupancy = 0.9

[dormitory]
rent = 20
occupancy = 0.9
"#;

/// Writes `src` to a file, runs it, expects exit 2, and returns stderr.
fn bad(src: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, src).unwrap();
    let a = bin()
        .args(["run", "--out"])
        .arg(dir.path().join("out"))
        .arg(&f)
        .assert()
        .code(2);
    assert!(!dir.path().join("out").exists(), "no output for bad input");
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(err.contains("bad.toml"), "names the file: {err}");
    err
}

#[test]
fn base_of_the_invalid_cases_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ok.toml");
    std::fs::write(&f, BASE).unwrap();
    bin()
        .args(["run", "--json", "--out"])
        .arg(dir.path().join("out"))
        .arg(&f)
        .assert()
        .success();
}

#[test]
fn invalid_mix_not_summing_to_one() {
    let e = bad(&BASE.replace("dormitory = 0.1\n", "dormitory = 0.2\n"));
    assert!(
        e.contains("bad.toml:10: mix:") && e.contains("= 1.1") && e.contains("must sum to 1"),
        "{e}"
    );
}

#[test]
fn invalid_v2_keys_are_named_with_the_words_they_take() {
    let e = bad(&format!(
        "{BASE}\n[tax]\nlat_method = \"tiered\"\n\n[finance]\nloan_share = 0.5\ninterest_rate = 0.04\nrepayment_years = 20\nrepayment = \"balloon\"\ninterest_convention = \"end\"\n"
    ));
    for want in [
        "bad.toml:28: tax.lat_method: \"tiered\" is not valid: expected \"effective\"",
        "\"progressive\" (four tiers, settled per object)",
        "bad.toml:34: finance.repayment: \"balloon\" is not valid: expected \"equal_principal\" (等额本金), \"equal_payment\" (等额本息) or \"bullet\" (一次还本)",
        "bad.toml:35: finance.interest_convention: \"end\"",
    ] {
        assert!(e.contains(want), "{want}\n in {e}");
    }
    let e = bad(&BASE.replace(
        "land_term_years = 30",
        "land_term_years = 30\nrent_only = \"yes\"",
    ));
    assert!(e.contains("project.rent_only"), "{e}");
    let e = bad(&BASE.replace(
        "land_term_years = 30",
        "land_term_years = 30\nkind = \"industrial\"",
    ));
    assert!(
        e.contains("bad.toml:5: project.kind: \"industrial\" is not valid: expected \"urban_renewal\" (城市更新)"),
        "{e}"
    );
}

#[test]
fn invalid_ar1_without_per_year_or_on_a_correlated_key() {
    let e = bad(&BASE.replace(
        "occupancy = 0.9\n",
        "occupancy = { dist = \"uniform\", min = 0.8, max = 0.95, ar1 = 0.5 }\n",
    ));
    assert!(
        e.contains("bad.toml:21: factory.occupancy: ar1 = 0.5 needs per_year = true"),
        "{e}"
    );
    let e = bad(&format!(
        "{}\n[[monte_carlo.correlation]]\nbetween = [\"factory.occupancy\", \"factory.rent\"]\nrho = 0.3\n",
        BASE.replacen(
            "occupancy = 0.9\n",
            "occupancy = { dist = \"uniform\", min = 0.8, max = 0.95, per_year = true, ar1 = 0.5 }\n",
            1
        )
        .replace("rent = 28", "rent = { dist = \"uniform\", min = 26, max = 30 }")
    ));
    assert!(
        e.contains("monte_carlo.correlation")
            && e.contains("factory.occupancy")
            && e.contains("serial correlation (ar1)"),
        "{e}"
    );
}

#[test]
fn invalid_grace_years_pushing_repayment_past_the_term() {
    // t_op = 2; 10 grace years + 20 repayment years end at year 31 > 29
    let e = bad(&format!(
        "{BASE}\n[finance]\nloan_share = 0.5\ninterest_rate = 0.04\nrepayment_years = 20\ngrace_years = 10\n"
    ));
    assert!(
        e.contains("bad.toml:31: finance.grace_years:")
            && e.contains("after 10 grace years")
            && e.contains("past the last year 29"),
        "{e}"
    );
}

#[test]
fn invalid_schedule_summing_to_1_1() {
    let e = bad(&BASE.replace("[0.4, 0.6]", "[0.5, 0.6]"));
    assert!(
        e.contains("bad.toml:15: construction.schedule") && e.contains("sum to 1.1"),
        "{e}"
    );
}

#[test]
fn invalid_unknown_key_rnet() {
    let e = bad(&BASE.replace("rent = 28", "rnet = 28"));
    assert!(
        e.contains("bad.toml:20: factory.rnet: unknown key") && e.contains("rent_growth"),
        "{e}"
    );
}

#[test]
fn invalid_self_held_plus_resettlement_above_one() {
    let e = bad(&BASE.replace(
        "self_held_share = 1.0",
        "self_held_share = 0.8\nresettlement_share = 0.3",
    ));
    assert!(
        e.contains("factory.resettlement_share") && e.contains("exceeds 1"),
        "{e}"
    );
}

#[test]
fn invalid_construction_longer_than_land_term() {
    let e = bad(&BASE.replace("land_term_years = 30", "land_term_years = 2"));
    assert!(
        e.contains("construction.schedule") && e.contains("land term of 2 years"),
        "{e}"
    );
}

#[test]
fn invalid_negative_area() {
    let e = bad(&BASE.replace("land_area_m2 = 20000", "land_area_m2 = -5"));
    assert!(
        e.contains("bad.toml:7: site.land_area_m2: -5 is not valid") && e.contains("m²"),
        "{e}"
    );
}

#[test]
fn invalid_malformed_toml() {
    let e = bad(&BASE.replace("far = 3.0", "far = = 3"));
    assert!(
        e.contains("bad.toml:8") && e.contains("malformed TOML"),
        "{e}"
    );
}

#[test]
fn invalid_problems_are_all_reported_at_once() {
    let e = bad(&BASE
        .replace("far = 3.0", "far = -3")
        .replace(
            "occupancy = 0.9\n\n[dormitory]",
            "occupancy = 1.9\n\n[dormitory]",
        )
        .replace("[0.4, 0.6]", "[0.4, 0.4]"));
    assert!(e.contains("3 problems"), "{e}");
}

#[test]
fn missing_file_is_bad_input() {
    let a = bin().args(["run", "/nonexistent/x.toml"]).assert().code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("/nonexistent/x.toml"));
}

#[test]
fn irr_command_columns_with_header() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("flows.csv");
    std::fs::write(
        &f,
        "a,b,never\n-100,-1000,-5\n110,300,-5\n0,400,0\n0,500,0\n",
    )
    .unwrap();
    let a = bin().args(["irr", "--json"]).arg(&f).assert().success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v[0]["name"], "a");
    assert!((v[0]["irr"].as_f64().unwrap() - 0.1).abs() < 1e-10);
    assert!((v[0]["payback_years"].as_f64().unwrap() - (1.0 + 100.0 / 110.0)).abs() < 1e-12);
    assert_eq!(v[2]["irr"], Value::Null);
    assert_eq!(v[2]["reason"], "no_sign_change");
    let flows = [-1000.0, 300.0, 400.0, 500.0];
    let r = v[1]["irr"].as_f64().unwrap();
    let pv: f64 = flows
        .iter()
        .enumerate()
        .map(|(t, c)| c / (1.0 + r).powi(t as i32))
        .sum();
    assert!(pv.abs() < 1e-8);
    let npv: f64 = flows
        .iter()
        .enumerate()
        .map(|(t, c)| c / 1.045f64.powi(t as i32 + 1))
        .sum();
    assert!((v[1]["npv"].as_f64().unwrap() - npv).abs() < 1e-9);
}

#[test]
fn irr_command_rows_and_several_roots() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rows.csv");
    // a mine: invest, earn, then a large clean-up cost. NPV(r) has roots 10% and 20%... the
    // investment root (NPV falling through zero) is the one the §8 rule reports.
    // flows: -100, 230, -132 → roots r = 0.1 and r = 0.2
    std::fs::write(&f, "mine,-100,230,-132\nplain,-100,110\n").unwrap();
    let a = bin()
        .args(["irr", "--rows", "--json", "--rate", "0.05"])
        .arg(&f)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v[0]["name"], "mine");
    assert_eq!(v[0]["multiple_roots"], true);
    // NPV(r) = -100 + 230x - 132x², x = 1/(1+r): it rises through 0 at r = 0.1 (x = 1/1.1)
    // and falls through 0 at r = 0.2: the falling root is the investment IRR.
    assert!(
        (v[0]["irr"].as_f64().unwrap() - 0.2).abs() < 1e-9,
        "{}",
        v[0]
    );
    assert!((v[1]["irr"].as_f64().unwrap() - 0.1).abs() < 1e-10);
}

/// A file of rows too large to read at once is read in pieces: every series is there, in
/// order, unnamed rows named by their line, and a bad cell far into the file is named at its
/// line; a quote anywhere sends the file to the whole-text reader, which gives the same.
#[test]
fn irr_command_large_rows_file_reads_in_pieces() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.csv");
    let mut text = String::from("\u{feff}");
    // rows of a 50-year term, so the file is large with few rows
    let years = vec!["61.25"; 50].join(",");
    let mut k = 0;
    while text.len() < 17 << 20 {
        text.push_str(&format!("s{k},-1000,{},{years}\n", 300 + k % 7));
        k += 1;
    }
    text.push_str("-100,110\n");
    std::fs::write(&f, &text).unwrap();
    let run = |f: &Path| {
        let a = bin()
            .args(["irr", "--rows", "--json"])
            .arg(f)
            .assert()
            .success();
        serde_json::from_slice::<Value>(&a.get_output().stdout).unwrap()
    };
    let v = run(&f);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), k + 1);
    assert_eq!(
        (rows[0]["name"].as_str(), rows[k - 1]["name"].as_str()),
        (Some("s0"), Some(format!("s{}", k - 1).as_str()))
    );
    assert_eq!(rows[k]["name"], format!("row{}", k + 1));
    assert!((rows[k]["irr"].as_f64().unwrap() - 0.1).abs() < 1e-10);
    // the same file with a quoted name: read whole, the same figures
    let quoted = dir.path().join("quoted.csv");
    std::fs::write(&quoted, text.replacen("s0,", "\"s0\",", 1)).unwrap();
    assert_eq!(run(&quoted), v);
    text.push_str("bad,1,x\n");
    std::fs::write(&f, &text).unwrap();
    let a = bin().args(["irr", "--rows"]).arg(&f).assert().code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(e.contains(&format!("big.csv:{}:3:", k + 2)), "{e}");
}

#[test]
fn irr_command_bad_cell_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.csv");
    std::fs::write(&f, "a\n-100\nabc\n").unwrap();
    let a = bin().args(["irr"]).arg(&f).assert().code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(e.contains("x.csv:3:1:") && e.contains("\"abc\""), "{e}");
    // a ragged row, an empty cell and an infinity, each at its FILE:LINE:COLUMN, with a BOM
    // and CRLF line ends read as any spreadsheet writes them
    for (text, at, what) in [
        (
            "\u{feff}a,b\r\n-100,-50\r\n110\r\n",
            "x.csv:3:2:",
            "1 cells where the header has 2",
        ),
        ("a,b\r\n-100,-50\r\n110,\r\n", "x.csv:3:2:", "an empty cell"),
        (
            "-100,-50\n110,inf\n",
            "x.csv:2:2:",
            "\"inf\" is not a finite number",
        ),
    ] {
        std::fs::write(&f, text).unwrap();
        let a = bin().args(["irr"]).arg(&f).assert().code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(e.contains(at) && e.contains(what), "{text:?}: {e}");
    }
    std::fs::write(&f, "\u{feff}a,b\r\n-100,-50\r\n110,60\r\n").unwrap();
    bin().args(["irr"]).arg(&f).assert().success();
    // standard input, and refusals of what is not a regular file
    let a = bin()
        .args(["irr", "--json", "-"])
        .write_stdin("-100\n110\n")
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert!((v[0]["irr"].as_f64().unwrap() - 0.1).abs() < 1e-12);
    for special in ["/dev/zero", "/tmp"] {
        for cmd in ["irr", "run", "rerun"] {
            let a = bin().args([cmd, special]).assert().code(2);
            let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
            assert!(
                e.contains("folder") || e.contains("not a regular file"),
                "{cmd} {special}: {e}"
            );
        }
    }
}

#[test]
fn mc_same_seed_same_summary_for_any_thread_count() {
    let f = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let run = |threads: &str, seed: &str| {
        let out = tempfile::tempdir().unwrap();
        let a = bin()
            .args([
                "mc",
                "--json",
                "--paths",
                "3000",
                "--seed",
                seed,
                "--threads",
                threads,
                "--out",
            ])
            .arg(out.path())
            .arg(&f)
            .assert()
            .success();
        let stdout: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        let file = std::fs::read(out.path().join("summary.json")).unwrap();
        (stdout, file, out)
    };
    let (j1, f1, _d1) = run("1", "11");
    let (j2, f2, d2) = run("2", "11");
    assert_eq!(
        f1, f2,
        "summary.json must be byte-identical across thread counts"
    );
    assert_eq!(j1, j2);
    let (j3, _, _d3) = run("2", "12");
    assert_ne!(j1["irr"], j3["irr"]);
    for k in ["paths", "seed", "basis", "clipped_share"] {
        assert!(j1.get(k).is_some(), "{k}");
    }
    for k in ["mean", "sd", "p5", "p25", "p50", "p75", "p95", "undefined"] {
        assert!(j1["irr"].get(k).is_some(), "irr.{k}");
    }
    let p = &j1["prob"];
    let total: f64 = ["within", "above_cap", "below_floor", "undefined"]
        .iter()
        .map(|k| p[*k].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
    for chart in ["irr_histogram", "irr_cdf"] {
        let png = std::fs::read(d2.path().join(format!("{chart}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
            "{chart}.png"
        );
        let svg = std::fs::read_to_string(d2.path().join(format!("{chart}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("P(within") && svg.contains("cap"),
            "{chart}.svg"
        );
    }
}

#[test]
fn mc_zero_variance_matches_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("fixed.toml");
    let src = std::fs::read_to_string(root().join("tests/conformance/03-wuhan-subsidy-loan.toml"))
        .unwrap();
    std::fs::write(
        &f,
        src.replace(
            "rent = 25",
            "rent = { dist = \"uniform\", min = 25, max = 25 }",
        ),
    )
    .unwrap();
    let a = bin()
        .args(["run", "--json", "--out"])
        .arg(dir.path().join("r"))
        .arg(&f)
        .assert()
        .success();
    let run: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let a = bin()
        .args(["mc", "--json", "--paths", "100", "--out"])
        .arg(dir.path().join("m"))
        .arg(&f)
        .assert()
        .success();
    let mc: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let want = run["irr"]["project_pre_tax"].as_f64().unwrap();
    for k in ["mean", "p5", "p50", "p95"] {
        assert!((mc["irr"][k].as_f64().unwrap() - want).abs() < 1e-9, "{k}");
    }
    assert_eq!(mc["prob"]["above_cap"], 1.0);
}

#[test]
fn mc_paths_csv_has_one_row_per_path() {
    let out = tempfile::tempdir().unwrap();
    bin()
        .args([
            "mc",
            "--paths",
            "500",
            "--paths-csv",
            "--all-metrics",
            "--out",
        ])
        .arg(out.path())
        .arg(root().join("scenarios/shenzhen-renewal-uncertain.toml"))
        .assert()
        .success();
    let text = std::fs::read_to_string(out.path().join("paths.csv")).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    assert!(
        h.iter().any(|c| c == "factory.rent")
            && h.iter()
                .any(|c| c == "factory.rent_growth (mean over years)")
    );
    assert!(h.iter().any(|c| c == "irr_project_pre_tax") && h.iter().any(|c| c == "irr_equity"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 500);
    let rent = h.iter().position(|c| c == "factory.rent").unwrap();
    assert!(
        rows.iter()
            .all(|row| row[rent].parse::<f64>().unwrap() <= 35.0),
        "rents are clipped to the 35 cap"
    );
}

#[test]
fn mc_non_psd_correlation_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    let src =
        std::fs::read_to_string(root().join("scenarios/shenzhen-renewal-uncertain.toml")).unwrap();
    std::fs::write(&f, src.replace("rho = 0.4", "rho = 0.4\n[[monte_carlo.correlation]]\nbetween = [\"construction.cost_per_m2\", \"residential.sale_price\"]\nrho = 0.99\n[[monte_carlo.correlation]]\nbetween = [\"construction.cost_per_m2\", \"factory.rent\"]\nrho = -0.99")).unwrap();
    let a = bin()
        .args(["mc", "--out"])
        .arg(dir.path().join("out"))
        .arg(&f)
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        e.contains("monte_carlo.correlation") && e.contains("positive semi-definite"),
        "{e}"
    );
}

#[test]
fn check_lists_every_rule_with_its_article_and_exits_1_on_failure() {
    let f = root().join("scenarios/shenzhen-renewal.toml");
    let a = bin().args(["check", "--json"]).arg(&f).assert().code(1);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["pack"], "shenzhen-2023");
    assert_eq!(v["failed"], 1);
    assert_eq!(v["band_from_document"], true);
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 15);
    let irr = rules.iter().find(|r| r["id"] == "SZ-IRR-CAP").unwrap();
    assert_eq!(irr["status"], "fail");
    assert_eq!(irr["kind"], "in_principle");
    assert_eq!(irr["article"], "一(二); 二(三)4; 三(四)");
    assert!(irr["notes"][0].as_str().unwrap().contains("exception"));
    for r in rules {
        for k in [
            "id", "status", "kind", "actual", "limit", "article", "quote", "text_zh", "text_en",
        ] {
            assert!(r.get(k).is_some(), "{k}");
        }
    }
    // rules for another kind of project do not apply to this urban-renewal scheme
    let lp = rules.iter().find(|r| r["id"] == "SZ-LP-LAND-AREA").unwrap();
    assert_eq!(lp["status"], "n/a");
    // a scheme inside every Shenzhen rule passes, in Chinese with --lang zh
    let a = bin()
        .args(["--lang", "zh", "check"])
        .arg(root().join("scenarios/shenzhen-new-supply.toml"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        text.contains("0 of 15 rules breached") && text.contains("二(三)4"),
        "{text}"
    );
    assert!(
        text.contains("只租不售的创新型产业用房用地单位须全部自持"),
        "{text}"
    );
    // a pack whose document sets no band says the band is the scenario's
    let a = bin()
        .args(["check", "--policy", "ningbo-2023"])
        .arg(&f)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(text.contains("sets no IRR band"), "{text}");
    // another pack on the command line; a missing pack is bad input
    bin()
        .args(["check", "--policy", "wuhan-2024"])
        .arg(&f)
        .assert()
        .code(1);
    bin()
        .args(["check", "--policy", "nowhere"])
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn check_all_packs_gives_the_matrix_of_every_city_in_terminal_csv_and_html() {
    let out = tempfile::tempdir().unwrap();
    let f = root().join("scenarios/wuhan-subsidy-loan.toml");
    let a = bin()
        .args(["check", "--all-packs", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    for p in [
        "shenzhen-2023",
        "wuhan-2024",
        "jiaxing-2025",
        "ningbo-2023",
        "yongjia-2023",
    ] {
        assert!(text.contains(p), "{p}: {text}");
    }
    assert!(text.contains("breaches:"), "{text}");
    let (h, rows) = read_csv_text(&out.path().join("check_matrix.csv"));
    assert!(h.iter().any(|c| c == "wuhan-2024 status"));
    let far_ge = rows
        .iter()
        .find(|r| r[0] == "far" && r[1] == "ge")
        .expect("a FAR floor row");
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    assert_eq!(far_ge[col("wuhan-2024 status")], "pass");
    assert_eq!(far_ge[col("wuhan-2024 rule")], "WH-FAR");
    // Wuhan's scheme sells part of its factory space, which Jiaxing and Yongjia read otherwise;
    // the JSON has the same matrix
    let a = bin()
        .args(["check", "--all-packs", "--json", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["packs"].as_array().unwrap().len(), 5);
    // the HTML report shows the matrix
    bin()
        .args(["run", "--html", "--out"])
        .arg(out.path().join("html"))
        .arg(&f)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("html/report.html")).unwrap();
    assert!(html.contains("各地政策对照") && html.contains("yongjia-2023"));
}

#[test]
fn policies_prints_an_article_of_the_document() {
    let a = bin()
        .args(["policies", "shenzhen-2023", "--article", "一(二)5"])
        .assert()
        .success();
    let t = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        t.contains("自持比例≥2/3") && t.contains("SZ-UR-SELF-HELD"),
        "{t}"
    );
    let a = bin()
        .args(["policies", "wuhan-2024", "--article", "五(五)"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&a.get_output().stdout).contains("内部收益率≤4.5%"));
    let a = bin()
        .args(["policies", "yongjia-2023", "--article", "第九十九条"])
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(e.contains("第七条"), "names the articles that exist: {e}");
}

#[test]
fn solve_min_subsidy_and_residential_answer_zero_where_that_is_the_answer() {
    for f in [
        "shenzhen-renewal",
        "shenzhen-new-supply",
        "wuhan-subsidy-loan",
        "jiaxing-flexible-term",
        "yongjia-basement",
    ] {
        let path = root().join(format!("scenarios/{f}.toml"));
        let a = bin()
            .args(["solve", "--min-subsidy", "--json"])
            .arg(&path)
            .assert()
            .success();
        let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        // every shipped scheme reaches the floor without any subsidy
        assert_eq!(v["value"], 0.0, "{f}");
        assert_eq!(v["bound"], "holds_at_lowest", "{f}");
    }
    let a = bin()
        .args(["solve", "--min-residential", "--json"])
        .arg(root().join("scenarios/shenzhen-renewal.toml"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["value"], 0.0);
    // --max-rent states the pack's cap beside the answer, and which binds first
    let a = bin()
        .args(["solve", "--max-rent"])
        .arg(root().join("scenarios/shenzhen-new-supply.toml"))
        .assert()
        .success();
    let t = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        t.contains("caps the rent at 35.00 yuan/m²/month: the IRR cap binds first"),
        "{t}"
    );
    let a = bin()
        .args([
            "solve",
            "--max-rent",
            "--set",
            "construction.cost_per_m2=9000",
        ])
        .arg(root().join("scenarios/shenzhen-new-supply.toml"))
        .assert()
        .success();
    let t = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(t.contains("the policy binds first; at the cap"), "{t}");
}

#[test]
fn policies_lists_packs_and_prints_rules() {
    let a = bin().args(["policies"]).assert().success();
    let t = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    for p in [
        "shenzhen-2023",
        "wuhan-2024",
        "jiaxing-2025",
        "ningbo-2023",
        "yongjia-2023",
    ] {
        assert!(t.contains(p), "{p}");
    }
    let a = bin().args(["policies", "yongjia-2023"]).assert().success();
    let t = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(
        t.contains("第八条") && t.contains("YJ-BASEMENT-CAP") && t.contains("永政办发〔2023〕2号"),
        "{t}"
    );
}

fn solve_json(args: &[&str], file: &Path) -> Value {
    let a = bin()
        .arg("solve")
        .args(args)
        .arg("--json")
        .arg(file)
        .assert()
        .success();
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

fn run_irr(file: &Path, set: &str, basis: &str) -> f64 {
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args(["run", "--json", "--set", set, "--out"])
        .arg(out.path())
        .arg(file)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    v["irr"][basis].as_f64().unwrap()
}

#[test]
fn solved_values_substituted_back_give_the_target() {
    let w = root().join("scenarios/wuhan-subsidy-loan.toml");
    for (args, target) in [
        (vec!["--vary", "factory.rent", "--target-irr", "0.04"], 0.04),
        (
            vec!["--vary", "construction.cost_per_m2", "--target-irr", "0.03"],
            0.03,
        ),
        // the residual land value 剩余地价: the land price at which the scheme just breaks even
        (vec!["--residual-land", "--target-irr", "0"], 0.0),
        (
            vec![
                "--min-subsidy",
                "--set",
                "factory.rent=3",
                "--set",
                "subsidy.construction_cap=1000000000",
            ],
            0.0,
        ),
    ] {
        let s = solve_json(&args, &w);
        let key = s["key"].as_str().unwrap();
        let value = s["value"].as_f64().unwrap();
        let mut sets = vec![format!("{key}={value}")];
        sets.extend(
            args.windows(2)
                .filter(|w| w[0] == "--set")
                .map(|w| w[1].to_string()),
        );
        let out = tempfile::tempdir().unwrap();
        let mut cmd = bin();
        cmd.args(["run", "--json", "--out"]).arg(out.path());
        for st in &sets {
            cmd.args(["--set", st]);
        }
        let a = cmd.arg(&w).assert().success();
        let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        let irr = v["irr"]["project_pre_tax"].as_f64().unwrap();
        assert!(
            (irr - target).abs() < 1e-6,
            "{args:?}: {key}={value} gives {irr}, want {target}"
        );
        assert_eq!(s["target"].as_f64().unwrap(), target);
        assert_eq!(s["basis"], "project_pre_tax");
    }
    // the built-in question: the highest rent that keeps the IRR at the cap
    let n = root().join("scenarios/shenzhen-new-supply.toml");
    let s = solve_json(&["--max-rent"], &n);
    let rent = s["value"].as_f64().unwrap();
    assert!((run_irr(&n, &format!("factory.rent={rent}"), "project_pre_tax") - 0.045).abs() < 1e-6);
    assert!(
        run_irr(
            &n,
            &format!("factory.rent={}", rent + 0.5),
            "project_pre_tax"
        ) > 0.045
    );
    // after-tax basis
    let s = solve_json(
        &[
            "--vary",
            "factory.rent",
            "--target-irr",
            "0.03",
            "--basis",
            "project_after_tax",
        ],
        &w,
    );
    let v = s["value"].as_f64().unwrap();
    assert!((run_irr(&w, &format!("factory.rent={v}"), "project_after_tax") - 0.03).abs() < 1e-6);
}

#[test]
fn min_residential_balances_with_housing_taken_from_factory() {
    let f = root().join("scenarios/shenzhen-renewal.toml");
    // make the factory part lose money so that housing has to balance it
    let s = solve_json(
        &[
            "--min-residential",
            "--set",
            "factory.rent=12",
            "--set",
            "land.other_costs=2500000000",
        ],
        &f,
    );
    let r = s["value"].as_f64().unwrap();
    assert!(r > 0.0 && r < 0.9, "{s}");
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args([
            "run",
            "--json",
            "--set",
            "factory.rent=12",
            "--set",
            "land.other_costs=2500000000",
        ])
        .args([
            "--set",
            &format!("mix.residential={r}"),
            "--set",
            &format!("mix.factory={}", 0.60 + 0.30 - r),
            "--out",
        ])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert!(v["irr"]["project_pre_tax"].as_f64().unwrap().abs() < 1e-6);
}

#[test]
fn unreachable_and_non_monotonic_targets_exit_1_with_a_message() {
    let w = root().join("scenarios/wuhan-subsidy-loan.toml");
    let a = bin()
        .args([
            "solve",
            "--vary",
            "factory.rent",
            "--target-irr",
            "0.5",
            "--range",
            "10,30",
        ])
        .arg(&w)
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        e.contains("not reachable") && e.contains("factory.rent") && e.contains("[10, 30]"),
        "{e}"
    );
    // the equity IRR first rises then falls with the loan share (leverage helps while the
    // loan is cheaper than the project, then interest and repayment crowd the equity out)
    let a = bin()
        .args([
            "solve",
            "--vary",
            "finance.loan_share",
            "--target-irr",
            "0.05",
            "--basis",
            "equity",
            "--range",
            "0,1",
        ])
        .arg(&w)
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        e.contains("not monotonic in finance.loan_share") && e.contains("narrow --range"),
        "{e}"
    );
    let a = bin()
        .args(["solve", "--vary", "factory.rnet", "--target-irr", "0.04"])
        .arg(&w)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("not a numeric scenario key"));
}

#[test]
fn target_prob_is_stable_and_hits_the_probability() {
    let f = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let args = [
        "--vary",
        "factory.rent",
        "--target-prob",
        "0.9",
        "--paths",
        "2000",
        "--seed",
        "5",
        "--range",
        "0,35",
        "--set",
        "land.other_costs=2600000000",
    ];
    let a = solve_json(&args, &f);
    let b = solve_json(&args, &f);
    assert_eq!(a, b, "same seed, same answer");
    let p = a["achieved_prob"].as_f64().unwrap();
    let se = (0.9f64 * 0.1 / 2000.0).sqrt();
    assert!(p >= 0.9 && p - 0.9 < 3.0 * se + 1.0 / 2000.0, "{a}");
    // an independent Monte Carlo run at that value lands within sampling error of P
    let rent = a["value"].as_f64().unwrap();
    let out = tempfile::tempdir().unwrap();
    let m = bin()
        .args([
            "mc",
            "--json",
            "--paths",
            "20000",
            "--seed",
            "77",
            "--set",
            &format!("factory.rent={rent}"),
            "--set",
            "land.other_costs=2600000000",
            "--out",
        ])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&m.get_output().stdout).unwrap();
    let p_break_even =
        v["prob"]["within"].as_f64().unwrap() + v["prob"]["above_cap"].as_f64().unwrap();
    assert!(
        (p_break_even - 0.9).abs() < 4.0 * (se * se + 0.9 * 0.1 / 20000.0).sqrt(),
        "{p_break_even}"
    );
}

#[test]
fn tornado_chart_renders_with_input_names() {
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args(["sensitivity", "--json", "--top", "12", "--out"])
        .arg(out.path())
        .arg(root().join("scenarios/shenzhen-renewal-uncertain.toml"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let bars = v["tornado"]["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 12, "--top 12 keeps twelve bars");
    let swings: Vec<f64> = bars.iter().map(|b| b["swing"].as_f64().unwrap()).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "sorted by swing");
    let png = std::fs::read(out.path().join("tornado.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let svg = std::fs::read_to_string(out.path().join("tornado.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    for b in bars {
        let name = b["key"].as_str().unwrap();
        assert!(svg.contains(name), "{name} in the SVG text");
    }
    let csv_text = std::fs::read_to_string(out.path().join("sensitivity.csv")).unwrap();
    let rows = v["table"].as_array().unwrap().len();
    assert_eq!(
        csv_text.lines().count(),
        rows + 1,
        "a CSV row per row of the table"
    );
    // --all adds the fixed inputs at ±10%
    let a = bin()
        .args(["sensitivity", "--json", "--all", "--out"])
        .arg(out.path().join("all"))
        .arg(root().join("scenarios/wuhan-subsidy-loan.toml"))
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(
        v["tornado"]["bars"].as_array().unwrap().len(),
        10,
        "--top defaults to 10"
    );
    assert!(v["tornado"]["bars"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["key"] == "factory.rent" && b["spread"] == "±10%"));
    assert!(
        v["table"].as_array().unwrap().len() > 20,
        "--all: every fixed input"
    );
}

#[test]
fn sweep_over_subsidy_and_rent_is_monotone_in_subsidy() {
    let out = tempfile::tempdir().unwrap();
    let f = root().join("scenarios/shenzhen-new-supply-uncertain.toml");
    let a = bin()
        .args([
            "sweep",
            "--json",
            "--range",
            "subsidy.construction_per_m2=0:500:50",
            "--grid",
            "factory.rent=25,30,35",
            "--paths",
            "20000",
            "--out",
        ])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let rows: Vec<Value> = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(rows.len(), 33);
    for rent in [25.0, 30.0, 35.0] {
        let line: Vec<&Value> = rows
            .iter()
            .filter(|r| r["factory.rent"].as_f64() == Some(rent))
            .collect();
        assert_eq!(line.len(), 11);
        for w in line.windows(2) {
            assert!(
                w[1]["subsidy.construction_per_m2"].as_f64()
                    > w[0]["subsidy.construction_per_m2"].as_f64()
            );
            assert!(
                w[1]["p_within"].as_f64() >= w[0]["p_within"].as_f64(),
                "P(within) at rent {rent}: {} then {}",
                w[0],
                w[1]
            );
            assert!(
                w[1]["p50"].as_f64() >= w[0]["p50"].as_f64(),
                "median at rent {rent}"
            );
        }
    }
    let (h, body) = read_csv_text(&out.path().join("sweep.csv"));
    assert_eq!(
        &h[..6],
        [
            "subsidy.construction_per_m2",
            "factory.rent",
            "irr_pre_tax",
            "irr_after_tax",
            "irr_equity",
            "status"
        ]
    );
    assert!(h.ends_with(
        &[
            "mean",
            "p5",
            "p50",
            "p95",
            "p_within",
            "p_above_cap",
            "p_below_floor"
        ]
        .map(String::from)
    ));
    assert_eq!(body.len(), 33);
    for chart in ["sweep_lines", "sweep_heatmap"] {
        let png = std::fs::read(out.path().join(format!("{chart}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{chart}");
        let svg = std::fs::read_to_string(out.path().join(format!("{chart}.svg"))).unwrap();
        assert!(
            svg.contains("construction per m2 (subsidy, yuan/m²)"),
            "{chart}: the swept key named in words with its unit"
        );
    }
}

/// Reads a CSV whose cells may be text (e.g. a status column).
fn read_csv_text(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(p).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h = r.headers().unwrap().iter().map(String::from).collect();
    (
        h,
        r.records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect(),
    )
}

#[test]
fn a_one_point_sweep_equals_run_and_mc() {
    let f = root().join("scenarios/shenzhen-new-supply-uncertain.toml");
    let dir = tempfile::tempdir().unwrap();
    let sw = bin()
        .args([
            "sweep",
            "--json",
            "--grid",
            "factory.rent=30",
            "--paths",
            "3000",
            "--seed",
            "9",
            "--out",
        ])
        .arg(dir.path().join("s"))
        .arg(&f)
        .assert()
        .success();
    let rows: Vec<Value> = serde_json::from_slice(&sw.get_output().stdout).unwrap();
    assert_eq!(rows.len(), 1);
    let run = bin()
        .args(["run", "--json", "--set", "factory.rent=30", "--out"])
        .arg(dir.path().join("r"))
        .arg(&f)
        .assert()
        .success();
    let run: Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    for (s, r) in [
        ("irr_pre_tax", "project_pre_tax"),
        ("irr_after_tax", "project_after_tax"),
        ("irr_equity", "equity"),
    ] {
        assert_eq!(rows[0][s], run["irr"][r], "{s}");
    }
    assert_eq!(rows[0]["status"], run["verdict"]["status"]);
    let mc = bin()
        .args([
            "mc",
            "--json",
            "--paths",
            "3000",
            "--seed",
            "9",
            "--set",
            "factory.rent=30",
            "--out",
        ])
        .arg(dir.path().join("m"))
        .arg(&f)
        .assert()
        .success();
    let mc: Value = serde_json::from_slice(&mc.get_output().stdout).unwrap();
    for (s, m) in [
        ("mean", "mean"),
        ("p5", "p5"),
        ("p50", "p50"),
        ("p95", "p95"),
    ] {
        assert_eq!(rows[0][s], mc["irr"][m], "{s}");
    }
    assert_eq!(rows[0]["p_within"], mc["prob"]["within"]);
    assert_eq!(rows[0]["p_below_floor"], mc["prob"]["below_floor"]);
    let (h, body) = read_csv_text(&dir.path().join("s/sweep.csv"));
    assert_eq!(
        body[0][h.iter().position(|x| x == "status").unwrap()],
        run["verdict"]["status"].as_str().unwrap()
    );
}

#[test]
fn compare_puts_scenarios_side_by_side() {
    let out = tempfile::tempdir().unwrap();
    let files = [
        "scenarios/shenzhen-renewal.toml",
        "scenarios/wuhan-subsidy-loan.toml",
        "scenarios/yongjia-basement.toml",
    ];
    let mut cmd = bin();
    cmd.args(["compare", "--json", "--out"]).arg(out.path());
    for f in files {
        cmd.arg(root().join(f));
    }
    let a = cmd.assert().success();
    let v: Vec<Value> = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["failed_rules"], serde_json::json!(["SZ-IRR-CAP"]));
    assert_eq!(v[1]["summary"]["verdict"]["status"], "within");
    let (h, rows) = read_csv_text(&out.path().join("compare.csv"));
    assert_eq!(h.len(), 4);
    let irr = rows.iter().find(|r| r[0].starts_with("IRR 税前")).unwrap();
    assert_eq!(
        irr[1].parse::<f64>().unwrap(),
        v[0]["summary"]["irr"]["project_pre_tax"].as_f64().unwrap()
    );
    assert!(std::fs::read(out.path().join("compare.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(out.path().join("compare.svg"))
        .unwrap()
        .contains("Wuhan"));
    bin()
        .args(["compare"])
        .arg(root().join(files[0]))
        .assert()
        .code(2);
}

#[test]
fn run_draws_the_cash_flow_chart() {
    let out = tempfile::tempdir().unwrap();
    bin()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(root().join("scenarios/wuhan-subsidy-loan.toml"))
        .assert()
        .success();
    assert!(std::fs::read(out.path().join("cashflow.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));
    let svg = std::fs::read_to_string(out.path().join("cashflow.svg")).unwrap();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    let payback = summary["payback_years"]["project_pre_tax"]
        .as_f64()
        .unwrap();
    assert!(
        svg.contains("cumulative pre-tax cash flow")
            && svg.contains(&format!("payback {payback:.2} years")),
        "the payback year ({payback:.2}) is marked"
    );
}

#[test]
fn the_workbook_reads_back_with_the_ledger_figures() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args(["run", "--json", "--xlsx", "--out"])
        .arg(out.path())
        .arg(root().join("scenarios/wuhan-subsidy-loan.toml"))
        .assert()
        .success();
    let summary: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let mut wb: Xlsx<_> = open_workbook(out.path().join("report.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "封面 Cover",
            "汇总 Summary",
            "假设 Assumptions",
            "投资估算表",
            "营业收入和税金及附加估算表",
            "总成本费用估算表",
            "利润与利润分配表",
            "项目投资现金流量表",
            "项目资本金现金流量表",
            "财务计划现金流量表",
            "借款还本付息计划表",
            "增值税及附加计算表",
            "土地增值税计算表"
        ]
    );
    let cover = wb.worksheet_range("封面 Cover").unwrap();
    let cover_text: Vec<String> = cover.cells().map(|(_, _, v)| v.to_string()).collect();
    for want in [
        "武汉",
        "wuhan-2024",
        "SHA-256",
        "结论 Verdict",
        "总投资收益率 ROI",
    ] {
        assert!(cover_text.iter().any(|c| c.contains(want)), "cover: {want}");
    }
    let (h, rows) = read_csv(&out.path().join("cashflow.csv"));
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let find = |range: &calamine::Range<Data>, label: &str| {
        (0..range.height())
            .find(|r| range.get_value((*r as u32, 1)) == Some(&Data::String(label.into())))
            .unwrap() as u32
    };
    let num = |range: &calamine::Range<Data>, r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::Float(v)) => *v,
        other => panic!("({r}, {c}) is not a number: {other:?}"),
    };
    let p = wb.worksheet_range("项目投资现金流量表").unwrap();
    assert!(
        matches!(p.get_value((0, 0)), Some(Data::String(t)) if t.starts_with("项目投资现金流量表"))
    );
    assert!(matches!(p.get_value((1, 0)), Some(Data::String(u)) if u.starts_with("单位：万元")));
    assert_eq!(p.get_value((2, 1)), Some(&Data::String("项目".into())));
    assert_eq!(p.get_value((3, 2)), Some(&Data::String("Item".into())));
    // amounts in 万元
    let pre = find(&p, "所得税前净现金流量");
    let land = find(&p, "建设投资（土地）");
    for (t, row) in rows.iter().enumerate() {
        assert!(
            (num(&p, pre, 4 + t as u32) * 1e4 - row[col("cf_pre_tax")]).abs() < 1e-4,
            "t={t}"
        );
        assert!((num(&p, land, 4 + t as u32) * 1e4 - row[col("land")]).abs() < 1e-4);
    }
    let total_pre: f64 = rows.iter().map(|r| r[col("cf_pre_tax")]).sum();
    assert!((num(&p, pre, 3) * 1e4 - total_pre).abs() < 1e-3);
    // the indicators under the statement, as the standard places them
    let irr_row = find(&p, "所得税前 pre-tax 内部收益率 IRR");
    assert!(irr_row > pre, "under the table");
    assert!(
        (num(&p, irr_row, 3) - summary["irr"]["project_pre_tax"].as_f64().unwrap()).abs() < 1e-12
    );
    let npv_row = find(&p, "所得税后 after-tax 净现值 NPV (i = 4.50%)");
    assert!(
        (num(&p, npv_row, 3) * 1e4 - summary["npv"]["project_after_tax"].as_f64().unwrap()).abs()
            < 1e-4
    );
    // every formula of every shipped scenario's workbook gives its cached value
    let mut scenarios: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    scenarios.sort();
    for sc in &scenarios {
        let dir = out.path().join("all").join(sc.file_stem().unwrap());
        let status = bin()
            .args(["run", "--xlsx", "--out"])
            .arg(&dir)
            .arg(sc)
            .output()
            .unwrap()
            .status;
        assert!(status.code().is_some_and(|c| c <= 1), "{}", sc.display());
        check_workbook_formulas(&dir.join("report.xlsx"));
    }
    // the cumulative surplus of the financial plan is never negative: the equity holders fill
    // every shortfall, and the plan's net flow is the equity flow with that shortfall filled
    let fp = wb.worksheet_range("财务计划现金流量表").unwrap();
    let surplus = find(&fp, "累计盈余资金");
    let net = find(&fp, "净现金流量");
    for (t, row) in rows.iter().enumerate() {
        assert!(num(&fp, surplus, 4 + t as u32) >= -1e-9);
        let want = row[col("cf_equity")].max(0.0);
        assert!(
            (num(&fp, net, 4 + t as u32) * 1e4 - want).abs() < 1e-4,
            "t={t}"
        );
    }
    // the assumptions sheet: every input with its unit and source
    let a = wb.worksheet_range("假设 Assumptions").unwrap();
    let text: Vec<String> = a.cells().map(|(_, _, v)| v.to_string()).collect();
    for want in [
        "factory.rent",
        "yuan/m²/month",
        "方案文件 scenario file",
        "默认值 model default",
    ] {
        assert!(text.iter().any(|c| c == want), "assumptions: {want}");
    }
    // the profit statement's net profit is the equity view's EBIT less its income tax
    let pr = wb.worksheet_range("利润与利润分配表").unwrap();
    let np = find(&pr, "净利润");
    let (ebit_eq, tax_eq) = (col("ebit_equity"), col("income_tax_equity"));
    for (t, row) in rows.iter().enumerate() {
        let want = row[ebit_eq] - row[tax_eq];
        assert!(
            (num(&pr, np, 4 + t as u32) * 1e4 - want).abs() < 1e-4,
            "t={t}"
        );
    }
    let e = wb.worksheet_range("项目资本金现金流量表").unwrap();
    let eq = find(&e, "净现金流量");
    assert!((num(&e, eq, 4) * 1e4 - rows[0][col("cf_equity")]).abs() < 1e-4);
    let l = wb.worksheet_range("借款还本付息计划表").unwrap();
    let icr = find(&l, "利息备付率");
    let ebit = find(&l, "息税前利润");
    let interest = find(&l, "当期应计利息");
    let t = 5;
    assert!((num(&l, icr, 4 + t) - num(&l, ebit, 4 + t) / num(&l, interest, 4 + t)).abs() < 1e-9);
    let s = wb.worksheet_range("汇总 Summary").unwrap();
    assert!((num(&s, 2, 1) - summary["irr"]["project_pre_tax"].as_f64().unwrap()).abs() < 1e-12);
    // Monte Carlo adds a results sheet
    bin()
        .args(["mc", "--paths", "500", "--xlsx", "--out"])
        .arg(out.path().join("mc"))
        .arg(root().join("scenarios/shenzhen-renewal-uncertain.toml"))
        .assert()
        .success();
    let wb: Xlsx<_> = open_workbook(out.path().join("mc/report.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names().last().map(String::as_str),
        Some("结果 Results")
    );
}

/// Every formula of a workbook, evaluated over the cells it names, gives its cached value:
/// totals are SUMs across the years, totals and nets sums and differences of their rows,
/// cumulative rows running sums — so the statements' identities hold to the cent.
fn check_workbook_formulas(path: &Path) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let num = |range: &calamine::Range<Data>, r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::Float(v)) => *v,
        other => panic!("({r}, {c}) is not a number: {other:?}"),
    };
    for sheet in &wb.sheet_names()[3..] {
        let sheet = sheet.as_str();
        let values = wb.worksheet_range(sheet).unwrap();
        let formulas = wb.worksheet_formula(sheet).unwrap();
        let (r0, c0) = formulas.start().unwrap();
        let mut n = 0;
        for (r, c, f) in formulas.used_cells() {
            if f.is_empty() {
                continue;
            }
            let (r, c) = ((r + r0 as usize) as u32, (c + c0 as usize) as u32);
            let got = eval_formula(f, &|rr, cc| match values.get_value((rr, cc)) {
                Some(Data::Float(v)) => Some(*v),
                _ => None,
            });
            let cached = num(&values, r, c);
            assert!(
                (got - cached).abs() < 1e-6 * (1.0 + cached.abs()),
                "{} {sheet} ({r}, {c}) ={f}: evaluates to {got}, cached {cached}",
                path.display()
            );
            if c == 3 {
                assert!(f.starts_with(&format!("SUM(E{}:", r + 1)), "{sheet}: {f}");
            }
            n += 1;
        }
        assert!(n >= 3, "{sheet}: {n} formulas");
    }
}

/// Evaluates the formulas the workbook writes: `SUM(E5:BD5)` and sums and differences of cells.
fn eval_formula(f: &str, cell: &dyn Fn(u32, u32) -> Option<f64>) -> f64 {
    let f = f.trim_start_matches('=');
    let addr = |a: &str| -> (u32, u32) {
        let split = a.find(|ch: char| ch.is_ascii_digit()).unwrap();
        let (letters, digits) = a.split_at(split);
        let col = letters
            .bytes()
            .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
            - 1;
        (digits.parse::<u32>().unwrap() - 1, col)
    };
    if let Some(range) = f.strip_prefix("SUM(").and_then(|x| x.strip_suffix(')')) {
        let (a, b) = range.split_once(':').unwrap();
        let ((r, c1), (r2, c2)) = (addr(a), addr(b));
        assert_eq!(r, r2, "a SUM runs along one row");
        return (c1..=c2).map(|c| cell(r, c).unwrap_or(0.0)).sum();
    }
    let mut total = 0.0;
    let mut sign = 1.0;
    let mut term = String::new();
    for ch in f.chars().chain(std::iter::once('+')) {
        if ch == '+' || ch == '-' {
            if !term.is_empty() {
                let (r, c) = addr(&term);
                total += sign * cell(r, c).unwrap_or_else(|| panic!("={f}: {term} is blank"));
                term.clear();
            }
            sign = if ch == '-' { -1.0 } else { 1.0 };
        } else {
            term.push(ch);
        }
    }
    total
}

#[test]
fn html_report_is_self_contained_and_renders_in_a_browser() {
    let out = tempfile::tempdir().unwrap();
    bin()
        .args(["mc", "--paths", "2000", "--html", "--out"])
        .arg(out.path())
        .arg(root().join("scenarios/shenzhen-renewal-uncertain.toml"))
        .assert()
        .success();
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<svg")
            && html.contains("结论 Verdict")
    );
    assert!(
        html.contains("distribution of the project IRR before income tax")
            && html.contains("Which inputs move the IRR most"),
        "Monte Carlo and tornado charts"
    );
    assert!(
        html.contains("SZ-IRR-CAP") && html.contains("二(三)4"),
        "policy check with articles"
    );
    assert!(
        html.contains("敏感性分析表") && html.contains("盈亏平衡分析") && html.contains("临界点"),
        "the sensitivity and break-even tables"
    );
    assert!(
        [
            "投资估算表",
            "总成本费用估算表",
            "利润与利润分配表",
            "项目投资现金流量表",
            "项目资本金现金流量表",
            "财务计划现金流量表",
            "借款还本付息计划表",
            "增值税及附加计算表",
            "土地增值税计算表",
            "单位：万元"
        ]
        .iter()
        .all(|t| html.contains(t)),
        "the statements, as in the workbook"
    );
    for external in ["src=\"http", "href=\"http", "<link", "<script", "url("] {
        assert!(
            !html.contains(external),
            "no external assets: found {external}"
        );
    }
    // the browser check: needs Chromium (apt-get install chromium); skipped cleanly without it
    let png = out.path().join("report.png");
    let status = std::process::Command::new("bash")
        .arg(root().join("scripts/render-html.sh"))
        .arg(out.path().join("report.html"))
        .arg(&png)
        .arg("3000")
        .status()
        .unwrap();
    match status.code() {
        Some(3) => eprintln!("skipped the browser check: Chromium is not installed"),
        Some(0) => {
            let bytes = std::fs::read(&png).unwrap();
            assert!(
                bytes.starts_with(b"\x89PNG") && bytes.len() > 100_000,
                "a rendered page, not a blank one ({} bytes)",
                bytes.len()
            );
        }
        other => panic!("render-html.sh failed: {other:?}"),
    }
}

#[test]
fn charts_in_chinese_use_chinese_labels() {
    let out = tempfile::tempdir().unwrap();
    bin()
        .args(["run", "--lang", "zh", "--out"])
        .arg(out.path())
        .arg(root().join("scenarios/wuhan-subsidy-loan.toml"))
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.path().join("cashflow.svg")).unwrap();
    assert!(
        svg.contains("累计税前净现金流量") && svg.contains("武汉 新供地 工业上楼"),
        "Chinese labels and title"
    );
    assert!(
        std::fs::read(out.path().join("cashflow.png"))
            .unwrap()
            .len()
            > 10_000
    );
    bin()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(root().join("scenarios/wuhan-subsidy-loan.toml"))
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.path().join("cashflow.svg")).unwrap();
    assert!(
        svg.contains("cumulative pre-tax cash flow") && !svg.chars().any(|c| c as u32 > 0x2E7F),
        "English by default, with no CJK glyphs needed"
    );
}

#[test]
fn rerun_reproduces_every_example_summary_exactly() {
    let out = tempfile::tempdir().unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("toml") {
            continue;
        }
        let dir = out.path().join(p.file_stem().unwrap());
        bin()
            .args(["run", "--out"])
            .arg(&dir)
            .arg(&p)
            .assert()
            .success();
        let a = bin()
            .arg("rerun")
            .arg(dir.join("summary.json"))
            .assert()
            .success();
        assert!(
            String::from_utf8_lossy(&a.get_output().stdout).contains("the figures match"),
            "{}",
            p.display()
        );
        n += 1;
    }
    assert!(n >= 7);
    // Monte Carlo: seed and paths are in the record
    let f = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let dir = out.path().join("mc");
    bin()
        .args([
            "mc",
            "--paths",
            "2000",
            "--seed",
            "3",
            "--set",
            "factory.occupancy=0.85",
            "--out",
        ])
        .arg(&dir)
        .arg(&f)
        .assert()
        .success();
    bin()
        .arg("rerun")
        .arg(dir.join("summary.json"))
        .assert()
        .success();
    // an edited figure is caught and named
    let path = dir.join("summary.json");
    let text =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"paths\": 2000", "\"paths\": 2001", 1);
    std::fs::write(&path, text).unwrap();
    let a = bin().arg("rerun").arg(&path).assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stdout).contains("paths: 2001 then, 2000 now"));
    // a summary without a record is bad input
    std::fs::write(&path, "{\"irr\": {}}").unwrap();
    bin().arg("rerun").arg(&path).assert().code(2);
}

#[test]
fn hostile_inputs_exit_0_or_2_never_panic() {
    let out = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("tests/fuzz_regressions")).unwrap() {
        let p = e.unwrap().path();
        let a = bin()
            .args(["run", "--json", "--out"])
            .arg(out.path().join(p.file_stem().unwrap()))
            .arg(&p)
            .assert();
        let code = a.get_output().status.code();
        assert!(
            matches!(code, Some(0) | Some(2)),
            "{}: exit {code:?}\n{}",
            p.display(),
            String::from_utf8_lossy(&a.get_output().stderr)
        );
        if code == Some(2) {
            let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
            assert!(
                err.contains(p.file_name().unwrap().to_str().unwrap()),
                "names the file: {err}"
            );
        }
    }
}

#[test]
fn another_scenarios_results_are_not_overwritten_without_force() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (
        root().join("scenarios/wuhan-subsidy-loan.toml"),
        root().join("scenarios/yongjia-basement.toml"),
    );
    bin()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(&a)
        .assert()
        .success();
    let before = std::fs::read(out.path().join("summary.json")).unwrap();
    bin()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(&a)
        .assert()
        .success(); // the same scenario again: fine
    let r = bin()
        .args(["run", "--out"])
        .arg(out.path())
        .arg(&b)
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&r.get_output().stderr).to_string();
    assert!(
        e.contains("wuhan-subsidy-loan.toml") && e.contains("--force"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(out.path().join("summary.json")).unwrap(),
        before,
        "the previous result is intact"
    );
    bin()
        .args(["run", "--force", "--out"])
        .arg(out.path())
        .arg(&b)
        .assert()
        .success();
    assert_ne!(
        std::fs::read(out.path().join("summary.json")).unwrap(),
        before
    );
    // a folder with results of unknown origin is protected too
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("summary.json"), "{}").unwrap();
    bin()
        .args(["run", "--out"])
        .arg(other.path())
        .arg(&a)
        .assert()
        .code(2);
}

#[test]
fn path_counts_are_bounded_and_zero_threads_means_all_cores() {
    let f = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args(["mc", "--paths", "300000000", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        e.contains("at most 200000000 paths") && e.contains("9 bytes"),
        "{e}"
    );
    bin()
        .args(["mc", "--paths", "0", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .code(2);
    bin()
        .args(["mc", "--paths", "500", "--threads", "0", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
}

#[test]
fn ctrl_c_during_mc_keeps_the_previous_results_and_exits_130() {
    let f = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let out = tempfile::tempdir().unwrap();
    bin()
        .args(["mc", "--paths", "1000", "--out"])
        .arg(out.path())
        .arg(&f)
        .assert()
        .success();
    let before = std::fs::read(out.path().join("summary.json")).unwrap();
    let exe = assert_cmd::cargo::cargo_bin("shanglou");
    let mut child = std::process::Command::new(exe)
        .args(["mc", "--paths", "150000000", "--threads", "1", "--out"])
        .arg(out.path())
        .arg(&f)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "exit code after Ctrl-C");
    assert_eq!(
        std::fs::read(out.path().join("summary.json")).unwrap(),
        before,
        "previous results intact"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Users have the repository, not the folder the model was specified in: nothing may send them
/// there. Every text file outside build output is searched.
#[test]
fn nothing_in_the_repository_points_to_files_users_do_not_have() {
    let banned = [concat!("../", "shared"), concat!("MODEL", ".md")];
    let mut stack = vec![root()];
    let mut offenders = Vec::new();
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if !matches!(
                    name.as_str(),
                    "target" | ".git" | "output" | "corpus" | "artifacts"
                ) {
                    stack.push(path);
                }
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue; // binary files (fonts, images)
            };
            seen += 1;
            for b in banned {
                if text.contains(b) {
                    offenders.push(format!("{}: {b}", path.display()));
                }
            }
        }
    }
    assert!(seen > 50, "the walk found the sources ({seen} files)");
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// The README's short scenario is what a new user copies first: it must run as printed.
#[test]
fn the_readme_example_scenario_runs_as_printed() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example = readme
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains("[project]"))
        .expect("README has a scenario example");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("readme.toml");
    std::fs::write(&f, example).unwrap();
    let a = bin()
        .args(["run", "--json", "--out"])
        .arg(dir.path().join("out"))
        .arg(&f)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert!(v["irr"]["project_pre_tax"].as_f64().is_some());
    assert!(
        v["totals"]["vat_input"].as_f64().unwrap() > 0.0,
        "the example credits input VAT"
    );
}

/// Every command on the shipped scenarios, hashed: the JSON, CSV and SVG files each writes,
/// and the terminal output of the commands whose output is deterministic. A refactor must
/// leave every hash as it is; a change that means to alter an output regenerates the
/// manifest with `SHANGLOU_BLESS=1 cargo test --test cli golden` and says why in its commit.
#[test]
fn golden_outputs_of_every_command() {
    let scen = |f: &str| format!("scenarios/{f}.toml");
    let mut runs: Vec<(String, Vec<String>, bool)> = Vec::new();
    let mut add =
        |label: &str, args: Vec<String>, stdout: bool| runs.push((label.to_string(), args, stdout));
    for f in [
        "shenzhen-renewal",
        "shenzhen-new-supply",
        "wuhan-subsidy-loan",
        "jiaxing-flexible-term",
        "yongjia-basement",
    ] {
        add(&format!("run {f}"), vec!["run".into(), scen(f)], true);
        add(
            &format!("check {f}"),
            vec!["check".into(), "--json".into(), scen(f)],
            true,
        );
    }
    add(
        "run zh",
        vec![
            "run".into(),
            "--lang".into(),
            "zh".into(),
            scen("wuhan-subsidy-loan"),
        ],
        false,
    );
    add(
        "mc",
        [
            "mc",
            "--paths",
            "2000",
            "--seed",
            "1",
            "--threads",
            "2",
            "--paths-csv",
        ]
        .map(String::from)
        .into_iter()
        .chain([scen("shenzhen-renewal-uncertain")])
        .collect(),
        false,
    );
    add(
        "sweep",
        ["sweep", "--paths", "200", "--seed", "3"]
            .map(String::from)
            .into_iter()
            .chain([scen("shenzhen-new-supply-uncertain")])
            .collect(),
        false,
    );
    add(
        "sensitivity",
        vec![
            "sensitivity".into(),
            "--all".into(),
            scen("shenzhen-renewal-uncertain"),
        ],
        true,
    );
    add(
        "compare",
        vec![
            "compare".into(),
            scen("shenzhen-renewal"),
            scen("wuhan-subsidy-loan"),
            scen("yongjia-basement"),
        ],
        true,
    );
    add(
        "solve",
        vec![
            "solve".into(),
            "--max-rent".into(),
            "--json".into(),
            scen("shenzhen-new-supply"),
        ],
        true,
    );
    add("policies", vec!["policies".into(), "--json".into()], true);
    add(
        "policies wuhan",
        vec!["policies".into(), "wuhan-2024".into()],
        true,
    );

    let mut lines = Vec::new();
    for (label, args, with_stdout) in runs {
        let out = tempfile::tempdir().unwrap();
        let mut cmd = bin();
        cmd.current_dir(root()).args(&args);
        if !matches!(args[0].as_str(), "check" | "solve" | "policies") {
            cmd.arg("--out").arg(out.path());
        }
        let a = cmd.assert();
        let o = a.get_output();
        assert!(
            matches!(o.status.code(), Some(0) | Some(1)),
            "{label}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if with_stdout {
            // the files-written line names the temporary folder
            let text = String::from_utf8_lossy(&o.stdout)
                .replace(&out.path().display().to_string(), "<out>");
            lines.push(format!(
                "{label} | stdout | {}",
                shanglou::record::sha256_hex(text.as_bytes())
            ));
        }
        let mut files: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("json" | "csv" | "svg")
                )
            })
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            lines.push(format!(
                "{label} | {name} | {}",
                shanglou::record::sha256_hex(&std::fs::read(&f).unwrap())
            ));
        }
    }
    let manifest = root().join("tests/golden/manifest.txt");
    let got = lines.join("\n") + "\n";
    if std::env::var_os("SHANGLOU_BLESS").is_some() {
        std::fs::write(&manifest, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&manifest).expect("tests/golden/manifest.txt");
    let differ: Vec<String> = got
        .lines()
        .zip(want.lines())
        .filter(|(g, w)| g != w)
        .map(|(g, w)| format!("got  {g}\nwant {w}"))
        .collect();
    assert!(
        differ.is_empty() && got.lines().count() == want.lines().count(),
        "outputs changed:\n{}",
        differ.join("\n")
    );
}

/// The layers of the tree run one way: scenario → model/engine → report → exporters → cli.
/// Reads every source file's `crate::` paths and `use` lines and fails on an upward import.
#[test]
fn no_module_imports_a_layer_above_it() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = root().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    // (files the rule covers, what they may not name, why)
    let engine = ["model", "irr", "num"];
    type Rule<'a> = (Box<dyn Fn(&str) -> bool>, Vec<&'a str>, &'a str);
    let rules: Vec<Rule> = vec![
        (
            Box::new(|f: &str| !f.starts_with("cli/") && f != "main.rs"),
            vec!["crate::cli", "cli::"],
            "only the command line names the command line",
        ),
        (
            Box::new(|f: &str| f.starts_with("scenario/")),
            vec![
                "crate::mc",
                "crate::policy",
                "crate::model",
                "crate::metrics",
                "crate::irr",
                "crate::solve",
                "crate::sweep",
                "crate::sensitivity",
                "crate::report",
                "crate::record",
                "crate::load",
            ],
            "the scenario layer stands alone",
        ),
        (
            Box::new(move |f: &str| {
                f.starts_with("model/") || engine.iter().any(|m| f == format!("{m}.rs"))
            }),
            vec![
                "crate::mc",
                "crate::policy",
                "crate::metrics",
                "crate::report",
                "crate::sweep",
                "crate::solve",
                "crate::sensitivity",
            ],
            "the ledger and the IRR solver sit below everything that uses them",
        ),
        (
            Box::new(|f: &str| {
                !(f.starts_with("cli/")
                    || f.starts_with("export/")
                    || matches!(f, "main.rs" | "exit.rs"))
            }),
            vec![
                "crate::export",
                "std::fs",
                "println!",
                "eprintln!",
                "clap",
                "indicatif",
                "plotters",
                "rust_xlsxwriter",
            ],
            "the library knows nothing of files, terminals or the command line",
        ),
    ];
    let mut bad = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        for (applies, banned, why) in &rules {
            if !applies(&rel) {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap();
                for b in banned {
                    if code.contains(b) {
                        bad.push(format!("src/{rel}:{}: `{b}` — {why}", n + 1));
                    }
                }
            }
        }
    }
    assert!(files.len() > 40, "read the sources");
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

/// A sweep whose cells fall below, inside and above the band colours them by verdict (red,
/// green, orange, whatever the grid's own range) and draws both contours.
#[test]
fn the_heat_map_is_coloured_against_the_policy_band() {
    let out = tempfile::tempdir().unwrap();
    bin()
        .args([
            "sweep",
            "--range",
            "factory.rent=2:38:4",
            "--grid",
            "subsidy.construction_per_m2=0,250,500",
            "--out",
        ])
        .arg(out.path())
        .arg(root().join("scenarios/shenzhen-new-supply.toml"))
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.path().join("sweep_heatmap.svg")).unwrap();
    // the three verdict colours: the 30 cells plus one key swatch each
    let cells = |fill: &str| svg.matches(&format!("fill=\"{fill}\"")).count();
    let (below, within, above) = (cells("#CF222E"), cells("#2DA44E"), cells("#E16F24"));
    assert!(
        below >= 2 && within >= 2 && above >= 2,
        "{below} {within} {above}"
    );
    assert_eq!(
        below + within + above,
        30 + 3,
        "every cell takes a verdict colour"
    );
    // both contours: a key line plus at least one segment between cells
    let contour = |stroke: &str| {
        svg.matches(&format!("stroke=\"{stroke}\" stroke-width=\"4\""))
            .count()
    };
    assert!(contour("#000000") >= 2, "the 0% floor contour");
    assert!(contour("#5A0078") >= 2, "the 4.5% cap contour");
    assert!(svg.contains("floor 0.00%") && svg.contains("cap 4.50%"));
    assert!(
        svg.contains("rent (factory, yuan/m²/month)"),
        "axes in words with units"
    );
}

/// Every SVG names a generic family after the embedded one, so a viewer without it keeps a
/// sans-serif face.
#[test]
fn svg_text_falls_back_to_a_sans_serif_family() {
    let out = tempfile::tempdir().unwrap();
    for lang in ["en", "zh"] {
        bin()
            .args(["run", "--lang", lang, "--force", "--out"])
            .arg(out.path())
            .arg(root().join("scenarios/wuhan-subsidy-loan.toml"))
            .assert()
            .success();
        let svg = std::fs::read_to_string(out.path().join("cashflow.svg")).unwrap();
        let families: Vec<&str> = svg
            .split("font-family=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        assert!(!families.is_empty());
        assert!(
            families.iter().all(|f| f.ends_with("sans-serif")),
            "{lang}: {families:?}"
        );
    }
}

/// The sensitivity table over every shipped scenario: each point's recorded overrides make a
/// valid scenario (so no input ever leaves its valid range or the scenario's rules) whose exact
/// IRR is the point's, and each 临界点 set back gives the floor or the cap.
#[test]
fn sensitivity_points_and_critical_values_reproduce_through_set() {
    use shanglou::scenario::Override;
    let dir = root().join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let (mut points, mut criticals, mut via_binary) = (0, 0, 0);
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let sc = shanglou::load(&src, &[]).unwrap();
        let a = shanglou::sensitivity::analyse(&sc, true, 10);
        let exact = |sets: &[(String, f64)]| {
            let ov: Vec<Override> = sets
                .iter()
                .map(|(k, v)| Override::parse(&format!("{k}={v}")).unwrap())
                .collect();
            let sc2 = shanglou::load(&src, &ov)
                .unwrap_or_else(|e| panic!("{}: {sets:?} is not valid: {e}", f.display()));
            let (_, s) = shanglou::metrics::evaluate(&sc2.inputs);
            *s.irr.get(sc.inputs.policy.irr_basis)
        };
        for r in &a.table {
            for p in &r.points {
                if p.overrides.is_empty() {
                    continue;
                }
                let got = exact(&p.overrides);
                match (got, p.irr) {
                    (Some(g), Some(w)) => assert!(
                        (g - w).abs() < 1e-7,
                        "{} {} {:+}: {g} vs {w}",
                        f.display(),
                        r.key,
                        p.change
                    ),
                    (g, w) => assert_eq!(g, w, "{} {}", f.display(), r.key),
                }
                points += 1;
            }
            for (c, level) in [(&r.critical_floor, a.floor), (&r.critical_cap, a.cap)] {
                if let Some(c) = c {
                    let got = exact(&c.overrides).expect("an IRR at a critical point");
                    assert!(
                        (got - level).abs() < 1e-6,
                        "{} {}: critical {:+} gives {got}, want {level}",
                        f.display(),
                        r.key,
                        c.change
                    );
                    criticals += 1;
                }
            }
        }
        // each break-even value gives the floor; an input the scheme breaks even without, at 0,
        // still breaks even
        for b in &a.breakeven {
            let got = exact(&[(b.key.clone(), b.value)]).unwrap_or(-1.0);
            if b.holds_at_zero {
                assert!(
                    got >= a.floor - 1e-9,
                    "{} {} at 0: {got}",
                    f.display(),
                    b.key
                );
            } else {
                assert!(
                    (got - a.floor).abs() < 1e-6,
                    "{} {}: {got}",
                    f.display(),
                    b.key
                );
            }
        }
        // the same through the real binary for the strongest input's points
        if let Some(r) = a.table.first() {
            for p in [&r.points[0], &r.points[4]] {
                let out = tempfile::tempdir().unwrap();
                let mut cmd = bin();
                cmd.args(["run", "--json", "--out"]).arg(out.path());
                for (k, v) in &p.overrides {
                    cmd.args(["--set", &format!("{k}={v}")]);
                }
                let o = cmd.arg(f).assert().success();
                let v: Value = serde_json::from_slice(&o.get_output().stdout).unwrap();
                let got = v["irr"][sc.inputs.policy.irr_basis.name()].as_f64();
                assert_eq!(
                    got.map(|g| (g * 1e7).round()),
                    p.irr.map(|w| (w * 1e7).round())
                );
                via_binary += 1;
            }
        }
    }
    assert!(
        points > 500 && criticals > 20 && via_binary >= 10,
        "{points} {criticals} {via_binary}"
    );
}

/// The terminal output of the commands people read, for every shipped scenario, kept as text
/// in tests/snapshots (so a change shows as a readable diff; `SHANGLOU_BLESS=1` rewrites them),
/// and checked for what a reader needs: no figure with more digits than its meaning needs, no
/// exponent, no bare fraction where a percentage is meant, and a unit for every block.
#[test]
fn terminal_output_snapshots_carry_units_and_readable_digits() {
    let mut scenarios: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    scenarios.sort();
    let out = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("SHANGLOU_BLESS").is_some();
    let number = |tok: &str| -> Option<(usize, usize)> {
        // (digits before the point without separators, digits after it)
        let t = tok.trim_start_matches(['-', '−', '+', '(', '≥', '≤', '<', '>', '=']);
        let t = t.trim_end_matches([',', ')', ';', ':', '%', '.']);
        if t.is_empty() || !t.chars().next().unwrap().is_ascii_digit() {
            return None;
        }
        if !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            return None;
        }
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        Some((int.replace(',', "").len(), frac.len()))
    };
    let mut problems = Vec::new();
    for sc in &scenarios {
        let stem = sc.file_stem().unwrap().to_str().unwrap();
        for (cmd, args) in [
            ("run", vec!["run"]),
            ("check", vec!["check"]),
            ("solve", vec!["solve", "--min-subsidy"]),
        ] {
            let dir = out.path().join(stem).join(cmd);
            let o = bin()
                .current_dir(root())
                .args(&args)
                .args(if cmd == "run" {
                    vec!["--out".to_string(), dir.display().to_string()]
                } else {
                    vec![]
                })
                .arg(sc)
                .output()
                .unwrap();
            // what the reader sees: the report, then any message
            let text = (String::from_utf8(o.stdout).unwrap()
                + &String::from_utf8(o.stderr).unwrap())
                .replace(&dir.display().to_string(), "OUT")
                .replace(&format!("{}/", root().display()), "");
            for (i, line) in text.lines().enumerate() {
                if line.starts_with("written:") || line.contains("OUT") {
                    continue;
                }
                for tok in line.split_whitespace() {
                    if tok.contains(['e', 'E'])
                        && number(&tok.replace(['e', 'E', '+'], "")).is_some()
                        && tok.chars().next().unwrap().is_ascii_digit()
                    {
                        problems.push(format!("{stem} {cmd}:{}: exponent in {tok:?}", i + 1));
                    }
                    if let Some((int, frac)) = number(tok) {
                        if frac > 2 {
                            problems.push(format!(
                                "{stem} {cmd}:{}: {tok:?} has {frac} decimals: {line}",
                                i + 1
                            ));
                        }
                        if int > 4 && !tok.contains(',') {
                            problems.push(format!(
                                "{stem} {cmd}:{}: {tok:?} lacks thousands separators",
                                i + 1
                            ));
                        }
                    }
                }
            }
            // every line of figures has its unit: in the line, or in its block's header
            const UNITS: [&str; 10] = [
                "万元", "m²", "%", "yuan", "years", "年", "10k", "floors", "ratio", "/s",
            ];
            for block in text.split("\n\n") {
                let head: String = block.lines().take(3).collect::<Vec<_>>().join(" ");
                if UNITS.iter().any(|u| head.contains(u)) {
                    continue;
                }
                for line in block.lines() {
                    let has_figure = line
                        .split_whitespace()
                        .any(|t| number(t).is_some_and(|(_, f)| f > 0));
                    if has_figure && !UNITS.iter().any(|u| line.contains(u)) {
                        problems.push(format!("{stem} {cmd}: a figure without a unit: {line}"));
                    }
                }
            }
            let path = root().join(format!("tests/snapshots/{stem}.{cmd}.txt"));
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else {
                let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                    panic!("{} is missing: run with SHANGLOU_BLESS=1", path.display())
                });
                assert_eq!(
                    text,
                    want,
                    "{}: the terminal output changed",
                    path.display()
                );
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `--lang zh` charts read in Chinese throughout: titles, axes, keys, legends and the names of
/// the inputs; the only Latin left is "IRR", units such as m², and numbers.
#[test]
fn chinese_charts_have_no_english_words() {
    let out = tempfile::tempdir().unwrap();
    let sc = |f: &str| root().join(format!("scenarios/{f}.toml"));
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "run",
            vec!["run".into(), sc("wuhan-subsidy-loan").display().to_string()],
        ),
        (
            "mc",
            vec![
                "mc".into(),
                "--paths".into(),
                "500".into(),
                sc("shenzhen-renewal-uncertain").display().to_string(),
            ],
        ),
        (
            "sensitivity",
            vec![
                "sensitivity".into(),
                sc("wuhan-subsidy-loan").display().to_string(),
            ],
        ),
        (
            "sweep",
            vec![
                "sweep".into(),
                "--range".into(),
                "factory.rent=20:40:10".into(),
                "--grid".into(),
                "subsidy.construction_per_m2=0,500".into(),
                sc("wuhan-subsidy-loan").display().to_string(),
            ],
        ),
        (
            "compare",
            vec![
                "compare".into(),
                sc("wuhan-subsidy-loan").display().to_string(),
                sc("shenzhen-renewal").display().to_string(),
            ],
        ),
    ];
    let mut checked = 0;
    for (name, args) in runs {
        let dir = out.path().join(name);
        bin()
            .arg("--lang")
            .arg("zh")
            .args(&args)
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "svg") {
                continue;
            }
            let svg = std::fs::read_to_string(&p).unwrap();
            for piece in svg.split("<text").skip(1) {
                let text = piece
                    .split_once('>')
                    .map(|(_, t)| t.split("</text>").next().unwrap_or(""))
                    .unwrap_or("")
                    .replace("IRR", "");
                let latin_word = text
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| w.len() >= 2);
                assert!(
                    !latin_word,
                    "{}: English in a Chinese chart: {text:?}",
                    p.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 7, "{checked} charts checked");
}

/// A sweep takes word-valued keys as axes: one run compares the cities (each point under its
/// pack's band and rules) across subsidy levels, in the table, the CSV, the JSON and the chart.
#[test]
fn sweep_over_policy_packs_compares_the_cities_in_one_run() {
    let out = tempfile::tempdir().unwrap();
    let a = bin()
        .args([
            "sweep",
            "--range",
            "subsidy.construction_per_m2=0:500:500",
            "--grid",
            "policy.pack=shenzhen-2023,jiaxing-2025,yongjia-2023",
            "--json",
            "--out",
        ])
        .arg(out.path())
        .arg(root().join("scenarios/shenzhen-renewal.toml"))
        .assert()
        .success();
    let rows: Vec<Value> = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(rows.len(), 6);
    let at = |pack: &str| rows.iter().find(|r| r["policy.pack"] == pack).unwrap();
    // Shenzhen's band: the 6.15% scheme is above its cap, and breaches its IRR rule
    assert_eq!(at("shenzhen-2023")["status"], "above_cap");
    assert!(at("shenzhen-2023")["breached_rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "SZ-IRR-CAP"));
    // Jiaxing and Yongjia allow no housing on industrial land
    assert!(at("jiaxing-2025")["breached_rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "JX-NO-RESIDENTIAL"));
    let (h, csv_rows) = read_csv_text(&out.path().join("sweep.csv"));
    let col = h.iter().position(|c| c == "policy.pack").unwrap();
    assert_eq!(csv_rows[1][col], "jiaxing-2025");
    let svg = std::fs::read_to_string(out.path().join("sweep_heatmap.svg")).unwrap();
    assert!(svg.contains("yongjia-2023"), "the chart names the packs");
    // a word that is not a pack is bad input, naming the valid ones
    let a = bin()
        .args(["sweep", "--grid", "policy.pack=atlantis", "--out"])
        .arg(out.path().join("bad"))
        .arg(root().join("scenarios/shenzhen-renewal.toml"))
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(e.contains("atlantis") && e.contains("wuhan-2024"), "{e}");
}

// ---- output sets under faults: a full disk, SIGKILL, ten runs at once, Ctrl-C -------------

/// The files of an output folder and their bytes (`None`: no folder).
fn folder(dir: &Path) -> Option<std::collections::BTreeMap<String, Vec<u8>>> {
    let entries = std::fs::read_dir(dir).ok()?;
    Some(
        entries
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect(),
    )
}

/// Staging or previous-set folders a run left beside `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(&format!(".{name}.tmp-")) || n.starts_with(&format!(".{name}.old-"))
        })
        .collect()
}

fn exe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("shanglou")
}

/// Runs shanglou to completion with `args` then `--out out`, asserting success.
fn complete(args: &[&str], out: &Path) {
    let s = std::process::Command::new(exe())
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(s.success(), "{args:?}");
}

/// A small deterministic generator for the kill moments.
fn moments(seed: u64, n: usize, max_ms: u64) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % max_ms
        })
        .collect()
}

#[test]
fn a_full_disk_keeps_the_complete_old_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let sc = sc.to_str().unwrap();
    complete(&["mc", "--paths", "2000", "--seed", "1", sc], &out);
    let old = folder(&out).unwrap();
    // a file-size limit of 64 KiB on the child: paths.csv cannot be written whole
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 128; exec \"$0\" \"$@\"")
        .arg(exe())
        .args([
            "mc",
            "--paths",
            "20000",
            "--seed",
            "2",
            "--paths-csv",
            sc,
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the run cannot finish on a full disk");
    assert_eq!(folder(&out).unwrap(), old, "all-old after the failed run");
    complete(&["mc", "--paths", "3000", "--seed", "2", sc], &out);
    assert_ne!(folder(&out).unwrap(), old);
    assert_eq!(
        leftovers(&out),
        Vec::<String>::new(),
        "the next run cleans up"
    );
}

#[test]
fn sigkill_at_any_moment_leaves_the_old_set_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let sc = sc.to_str().unwrap();
    let runs: [(&str, Vec<&str>, Vec<&str>); 2] = [
        (
            "mc",
            vec!["mc", "--paths", "1000", "--seed", "1", "--paths-csv", sc],
            vec!["mc", "--paths", "12000", "--seed", "2", "--paths-csv", sc],
        ),
        (
            "sweep",
            vec!["sweep", "--range", "factory.rent=20:30:10", sc],
            vec![
                "sweep",
                "--range",
                "factory.rent=20:34:2",
                "--paths",
                "1500",
                "--seed",
                "3",
                sc,
            ],
        ),
    ];
    for (k, (name, old_args, new_args)) in runs.iter().enumerate() {
        let out = tmp.path().join(name);
        complete(old_args, &out);
        let old = folder(&out).unwrap();
        // the new set, made whole elsewhere (nothing in a set depends on its folder)
        let elsewhere = tmp.path().join(format!("{name}-whole"));
        let t0 = std::time::Instant::now();
        complete(new_args, &elsewhere);
        let span = (t0.elapsed().as_millis() as u64).max(20);
        let new = folder(&elsewhere).unwrap();
        assert_ne!(old, new);
        let mut seen_new = false;
        for ms in moments(17 + k as u64, 10, span + span / 4) {
            let mut child = std::process::Command::new(exe())
                .args(new_args)
                .arg("--out")
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(ms));
            let _ = child.kill();
            let _ = child.wait();
            let now = folder(&out).expect("the folder is never missing");
            assert!(
                now == old || now == new,
                "{name}: killed at {ms} ms: a mixed set"
            );
            seen_new |= now == new;
        }
        // one more whole run: the new set, and nothing left beside it
        complete(new_args, &out);
        assert_eq!(folder(&out).unwrap(), new);
        assert_eq!(leftovers(&out), Vec::<String>::new(), "{name}");
        let _ = seen_new;
    }
}

#[test]
fn ten_runs_into_one_folder_at_once_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let sc = sc.to_str().unwrap();
    let seeds: Vec<String> = (1..=10).map(|s| s.to_string()).collect();
    let children: Vec<_> = seeds
        .iter()
        .map(|seed| {
            std::process::Command::new(exe())
                .args([
                    "mc",
                    "--paths",
                    "1500",
                    "--seed",
                    seed,
                    "--paths-csv",
                    sc,
                    "--out",
                ])
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(
            c.wait().unwrap().success(),
            "each run waits its turn and succeeds"
        );
    }
    let last = folder(&out).unwrap();
    // the folder is exactly one run's whole set
    let whole: Vec<_> = seeds
        .iter()
        .map(|seed| {
            let d = tmp.path().join(format!("seed-{seed}"));
            complete(
                &["mc", "--paths", "1500", "--seed", seed, "--paths-csv", sc],
                &d,
            );
            folder(&d).unwrap()
        })
        .collect();
    assert!(whole.contains(&last), "a mix of several runs' files");
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

#[test]
fn ctrl_c_during_a_sweep_exits_130_and_keeps_the_old_set() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let sc = sc.to_str().unwrap();
    complete(&["sweep", "--range", "factory.rent=20:30:10", sc], &out);
    let old = folder(&out).unwrap();
    let child = std::process::Command::new(exe())
        .args([
            "sweep",
            "--range",
            "factory.rent=10:40:1",
            "--paths",
            "20000",
            sc,
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out_status = child.wait_with_output().unwrap().status;
    assert_eq!(out_status.code(), Some(130));
    assert_eq!(folder(&out).unwrap(), old);
    assert_eq!(
        leftovers(&out),
        Vec::<String>::new(),
        "an interrupted run cleans up after itself"
    );
}

/// The names of every numeric scenario key, from the library's registry.
fn numeric_keys() -> Vec<&'static str> {
    shanglou::scenario::KEYS.iter().map(|k| k.name).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Any number in any numeric key — 1e-300 to 1e300, subnormals, ±0, huge integers — gives
    /// a result (exit 0) or names the key (exit 2); the binary never panics or aborts.
    #[test]
    fn extreme_numbers_in_any_key_exit_0_or_2(
        key in 0usize..200,
        value in prop_oneof![
            (-300i32..300).prop_map(|e| 10f64.powi(e)),
            (-300i32..300).prop_map(|e| -(10f64.powi(e))),
            (1u32..52).prop_map(|k| f64::MIN_POSITIVE / 2f64.powi(k as i32)),
            Just(0.0),
            Just(-0.0),
            (15u32..19).prop_map(|e| 10f64.powi(e as i32) - 1.0),
            Just(f64::MAX),
        ],
        scenario in 0usize..3,
    ) {
        let keys = numeric_keys();
        let key = keys[key % keys.len()];
        let file = ["wuhan-subsidy-loan", "yongjia-basement", "shenzhen-renewal"][scenario];
        let out = tempfile::tempdir().unwrap();
        let o = std::process::Command::new(exe())
            .args(["run", "--json", "--set", &format!("{key}={value:e}"), "--out"])
            .arg(out.path().join("o"))
            .arg(root().join(format!("scenarios/{file}.toml")))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        prop_assert!(
            matches!(o.status.code(), Some(0) | Some(2)),
            "{key}={value:e} on {file}: {:?}\n{err}", o.status
        );
        if o.status.code() == Some(2) {
            // the key, or the section whose rule it broke (a mix that no longer sums to 1)
            let section = key.split('.').next().unwrap();
            prop_assert!(err.contains(section), "{err}");
            prop_assert!(err.lines().all(|l| l.len() < 400), "a readable message: {err}");
        }
    }
}

/// Each class of hostile command-line value from the hardening round: refused at once with
/// exit 2 and a message that names what to fix.
#[test]
fn hostile_command_line_values_are_refused_cleanly() {
    let sc = root().join("scenarios/wuhan-subsidy-loan.toml");
    let unc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let out = tempfile::tempdir().unwrap();
    let refuse = |args: &[&str], file: &Path, want: &[&str]| {
        let mut cmd = bin();
        cmd.args(args);
        if ["run", "mc", "sweep"].contains(&args[0]) {
            cmd.arg("--out").arg(out.path().join("o"));
        }
        let a = cmd.arg(file).assert().code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        for w in want {
            assert!(e.contains(w), "{args:?}: wants {w:?} in: {e}");
        }
    };
    // --set: one value on one line, blamed on --set
    refuse(
        &["run", "--set", "factory.rent=30\nfactory.occupancy=2"],
        &sc,
        &["--set", "one line"],
    );
    refuse(
        &["run", "--set", "factory.rent=30 factory.occupancy=2"],
        &sc,
        &[
            "--set factory.rent=30 factory.occupancy=2",
            "not one TOML value",
        ],
    );
    refuse(
        &["run", "--set", "factory.rent=-5"],
        &sc,
        &["--set factory.rent=-5:", "from 0 to 10000"],
    );
    refuse(
        &["run", "--set", "factory.rent=nan"],
        &sc,
        &["factory.rent"],
    );
    // numeric flags: finite only; thread counts bounded
    refuse(
        &["solve", "--vary", "factory.rent", "--target-irr", "nan"],
        &sc,
        &["not a finite number"],
    );
    refuse(
        &["mc", "--threads", "100000000"],
        &unc,
        &["thread count", "1024"],
    );
    refuse(&["mc", "--paths", "0"], &unc, &["--paths = 0"]);
    refuse(
        &["mc", "--paths", "3000000", "--paths-csv"],
        &unc,
        &["--paths-csv", "2000000"],
    );
    // a sweep too large is counted and refused before any work
    refuse(
        &[
            "sweep",
            "--range",
            "factory.rent=0:100:0.001",
            "--range",
            "construction.cost_per_m2=0:10000:1",
        ],
        &sc,
        &["points", "--max-points"],
    );
    // negative numbers need no `=`
    let a = bin()
        .args([
            "solve",
            "--vary",
            "factory.rent",
            "--target-irr",
            "-0.01",
            "--json",
        ])
        .arg(&sc)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert!((v["achieved_irr"].as_f64().unwrap() + 0.01).abs() < 1e-9);
    let f = out.path().join("flows.csv");
    std::fs::write(&f, "-100\n110\n").unwrap();
    bin()
        .args(["irr", "--rate", "-0.02"])
        .arg(&f)
        .assert()
        .success();
    // a key given twice names both lines; a path count in the file names its line
    let dup = out.path().join("dup.toml");
    std::fs::write(
        &dup,
        std::fs::read_to_string(&sc)
            .unwrap()
            .replace("[factory]\n", "[factory]\nrent = 20\n"),
    )
    .unwrap();
    let a = bin().arg("run").arg(&dup).assert().code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        e.contains("factory.rent: given twice: first at line"),
        "{e}"
    );
    let big = out.path().join("big.toml");
    std::fs::write(
        &big,
        std::fs::read_to_string(&unc)
            .unwrap()
            .replace("paths = 100000", "paths = 1000000000000"),
    )
    .unwrap();
    let a = bin()
        .args(["mc", "--out"])
        .arg(out.path().join("big"))
        .arg(&big)
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        e.contains("big.toml:") && e.contains("monte_carlo.paths = 1000000000000"),
        "{e}"
    );
    // an oversized scenario file is refused before it is read
    let huge = out.path().join("huge.toml");
    std::fs::write(&huge, "#".repeat(5 << 20)).unwrap();
    let a = bin().arg("run").arg(&huge).assert().code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("MiB"));
}

/// `rerun` re-derives the record from the scenario text it carries: an edited parameter,
/// seed or override is reported, not silently re-run.
#[test]
fn rerun_detects_an_edited_record() {
    let out = tempfile::tempdir().unwrap();
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    bin()
        .args(["mc", "--paths", "500", "--seed", "7", "--out"])
        .arg(out.path())
        .arg(&sc)
        .assert()
        .success();
    let path = out.path().join("summary.json");
    let original = std::fs::read_to_string(&path).unwrap();
    bin().arg("rerun").arg(&path).assert().success();
    let mut v: Value = serde_json::from_str(&original).unwrap();
    for (field, value) in [
        ("parameters", None),
        ("seed", Some(serde_json::json!(8))),
        ("pack", Some(serde_json::json!("wuhan-2024"))),
    ] {
        let mut edited = v.clone();
        match value {
            Some(x) => edited["provenance"][field] = x,
            None => {
                edited["provenance"]["parameters"]["factory.occupancy"] = serde_json::json!(0.5)
            }
        }
        let p = out.path().join(format!("edited-{field}.json"));
        std::fs::write(&p, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
        let a = bin().arg("rerun").arg(&p).assert().code(1);
        let t = String::from_utf8_lossy(&a.get_output().stdout).to_string();
        // a parameter or pack the text does not give is an edit; another seed gives other
        // figures, each named
        assert!(
            (t.contains("was it edited") && t.contains(field)) || t.contains("figure(s) differ"),
            "{field}: {t}"
        );
    }
    v["provenance"]["overrides"] = serde_json::json!(["factory.rent=20"]);
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let a = bin().arg("rerun").arg(&path).assert().code(1);
    assert!(String::from_utf8_lossy(&a.get_output().stdout).contains("factory.rent"));
}

/// `batch --xlsx --html`: report.xlsx holds every good row with numbers as numbers and the
/// tally; report.html the tally and both charts; a sharded run merges into the same set (every
/// file byte for byte but the workbook, which carries its creation time, and its cells equal).
#[test]
fn batch_writes_its_workbook_and_page_and_merges_them() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let tmp = tempfile::tempdir().unwrap();
    let (whole, merged) = batch_whole_and_merged(tmp.path(), &["--xlsx", "--html"], 30, 2);
    let (mut w, mut m) = (folder(&whole).unwrap(), folder(&merged).unwrap());
    assert!(w.remove("report.xlsx").is_some() && m.remove("report.xlsx").is_some());
    assert_eq!(m, w, "the merged set is the whole run's");
    let (h, rows) = read_csv_text(&whole.join("batch.csv"));
    let sheet = |dir: &Path, name: &str| {
        let mut book: Xlsx<_> = open_workbook(dir.join("report.xlsx")).unwrap();
        book.worksheet_range(name).unwrap()
    };
    let parcels_sheet = sheet(&whole, "地块 Parcels");
    assert_eq!(parcels_sheet, sheet(&merged, "地块 Parcels"));
    assert_eq!(
        parcels_sheet.height(),
        1 + rows.len(),
        "a header and every good row"
    );
    let irr = h.iter().position(|c| c == "irr_pre_tax").unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(
            parcels_sheet.get_value((1 + i as u32, 0)),
            Some(&Data::String(r[0].clone()))
        );
        match parcels_sheet.get_value((1 + i as u32, irr as u32)) {
            Some(Data::Float(v)) => assert_eq!(*v, r[irr].parse::<f64>().unwrap(), "row {i}"),
            other => panic!("row {i}: IRR cell {other:?} is not a number"),
        }
    }
    let summary = sheet(&whole, "汇总 Summary");
    let count = |label: &str| {
        (0..summary.height() as u32)
            .find(|&r| matches!(summary.get_value((r, 0)), Some(Data::String(s)) if s.contains(label)))
            .and_then(|r| summary.get_value((r, 1)).cloned())
    };
    assert_eq!(count("bad rows"), Some(Data::Float(1.0)));
    assert_eq!(
        count("rows read"),
        Some(Data::Float(31.0)),
        "30 parcels and the bad row"
    );
    let page = String::from_utf8(w["report.html"].clone()).unwrap();
    assert_eq!(page.matches("<svg").count(), 2, "both charts inline");
    assert!(
        page.contains("无效行 bad rows (skipped)</td><td class=n>1<"),
        "{page}"
    );
}

/// Five rows sampled from a generated 200-parcel table: every figure batch.csv reports equals
/// `run --json --set` with the row's values, to the last digit (areas, the five totals, the
/// three IRRs, the basis NPV and payback, the verdict).
#[test]
fn five_sampled_batch_rows_equal_run_json_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let cols = [
        "site.land_area_m2",
        "site.far",
        "land.price",
        "subsidy.construction_per_m2",
        "factory.rent",
        "policy.pack",
        "project.kind",
    ];
    let packs = ["wuhan-2024", "shenzhen-2023", "ningbo-2023"];
    let kinds = ["new_supply", "urban_renewal"];
    let mut text = format!("name,{}\n", cols.join(","));
    let mut cells = Vec::new();
    for i in 0..200u64 {
        let row = vec![
            (12_000 + 373 * i).to_string(),
            format!("{:.1}", 2.0 + (i % 9) as f64 * 0.35),
            (350 + (i * 37) % 600).to_string(),
            ((i * 53) % 480).to_string(),
            format!("{:.2}", 18.0 + (i % 17) as f64 * 0.87),
            packs[(i % 3) as usize].to_string(),
            kinds[(i % 2) as usize].to_string(),
        ];
        text.push_str(&format!("p{i},{}\n", row.join(",")));
        cells.push(row);
    }
    let parcels = tmp.path().join("parcels.csv");
    std::fs::write(&parcels, text).unwrap();
    let template = root().join("scenarios/wuhan-subsidy-loan.toml");
    let out = tmp.path().join("out");
    bin()
        .args(["batch", "--template"])
        .arg(&template)
        .arg("--out")
        .arg(&out)
        .arg(&parcels)
        .assert()
        .success();
    let (h, rows) = read_csv_text(&out.join("batch.csv"));
    assert_eq!(rows.len(), 200);
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let num = |r: &[String], n: &str| -> Option<f64> {
        let c = &r[col(n)];
        (!c.is_empty()).then(|| c.parse().unwrap())
    };
    for i in [0usize, 37, 88, 141, 199] {
        let r = &rows[i];
        assert_eq!(r[col("name")], format!("p{i}"));
        let mut cmd = bin();
        cmd.args(["run", "--json", "--out"])
            .arg(tmp.path().join(format!("run{i}")));
        for (k, v) in cols.iter().zip(&cells[i]) {
            cmd.arg("--set").arg(format!("{k}={v}"));
        }
        let a = cmd.arg(&template).assert().success();
        let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
        let basis = v["verdict"]["basis"].as_str().unwrap();
        let want = [
            ("gfa_m2", v["areas"]["gfa"].as_f64()),
            ("factory_m2", v["areas"]["factory"].as_f64()),
            ("residential_m2", v["areas"]["residential"].as_f64()),
            ("land", v["totals"]["land"].as_f64()),
            ("construction", v["totals"]["construction"].as_f64()),
            ("rent", v["totals"]["rent"].as_f64()),
            ("sales", v["totals"]["sales"].as_f64()),
            ("subsidy", v["totals"]["subsidy"].as_f64()),
            ("irr_pre_tax", v["irr"]["project_pre_tax"].as_f64()),
            ("irr_after_tax", v["irr"]["project_after_tax"].as_f64()),
            ("irr_equity", v["irr"]["equity"].as_f64()),
            ("npv", v["npv"][basis].as_f64()),
            ("payback_years", v["payback_years"][basis].as_f64()),
        ];
        for (name, w) in want {
            assert_eq!(num(r, name), w, "row {i}: {name}");
        }
        assert_eq!(
            r[col("verdict")],
            v["verdict"]["status"].as_str().unwrap(),
            "row {i}"
        );
    }
}

/// `batch`: one row per parcel, each the template with the row's values; a bad row is named
/// by its line and column and skipped, the others still run, and the exit code is 2.
#[test]
fn batch_runs_every_parcel_and_reports_bad_rows_by_line() {
    let tmp = tempfile::tempdir().unwrap();
    let parcels = tmp.path().join("parcels.csv");
    std::fs::write(
        &parcels,
        "\u{feff}name,site.land_area_m2,site.far,land.price,policy.pack,project.kind\n\
         A,20000,3.0,600,wuhan-2024,\n\
         B,40000,4.5,900,shenzhen-2023,new_supply\n\
         C,-5,3.0,600,,\n\
         D,30000,2.0,700,jiaxing-2025,\n",
    )
    .unwrap();
    let template = root().join("scenarios/wuhan-subsidy-loan.toml");
    let out = tmp.path().join("out");
    let a = bin()
        .args(["batch", "--solve", "max-rent", "--template"])
        .arg(&template)
        .arg("--out")
        .arg(&out)
        .arg(&parcels)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        err.contains("parcels.csv:4: site.land_area_m2: -5 is not valid"),
        "{err}"
    );
    let text = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(text.contains("bad rows (skipped)"), "{text}");
    let (h, rows) = read_csv_text(&out.join("batch.csv"));
    assert_eq!(rows.len(), 3, "the good rows, in order");
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r[col("name")].as_str())
            .collect::<Vec<_>>(),
        ["A", "B", "D"]
    );
    // row B is the template with its values: the same IRR as `run --set`
    let a = bin()
        .args([
            "run",
            "--json",
            "--set",
            "site.land_area_m2=40000",
            "--set",
            "site.far=4.5",
            "--set",
            "land.price=900",
            "--set",
            "policy.pack=shenzhen-2023",
            "--set",
            "project.kind=new_supply",
            "--out",
        ])
        .arg(tmp.path().join("b"))
        .arg(&template)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let irr: f64 = rows[1][col("irr_pre_tax")].parse().unwrap();
    assert_eq!(irr, v["irr"]["project_pre_tax"].as_f64().unwrap());
    assert!(
        !rows[0][col("solved")].is_empty(),
        "max-rent solved per row"
    );
    // Jiaxing allows no housing on industrial land: none in this template, so no breach
    assert_eq!(rows[2][col("breached_rules")], "");
    for f in [
        "batch_irr_far.svg",
        "batch_ranked.svg",
        "batch_summary.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let s: Value =
        serde_json::from_slice(&std::fs::read(out.join("batch_summary.json")).unwrap()).unwrap();
    assert_eq!(s["tally"]["bad_rows"], 1);
    assert_eq!(s["parcels"], 4);
    // an unknown column is refused before any row runs
    std::fs::write(&parcels, "name,site.farr\nA,3\n").unwrap();
    let a = bin()
        .args(["batch", "--template"])
        .arg(&template)
        .arg("--out")
        .arg(tmp.path().join("o2"))
        .arg(&parcels)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("parcels.csv:1: column 2"));
}

/// Runs `args FILE` whole into tmp/whole and as `n` shards into tmp/s1 … tmp/sn, merges the
/// shards (last first) into tmp/merged, and asserts the merged set equals the whole one.
fn shards_merge_into_the_whole(tmp: &Path, args: &[&str], file: &Path, n: u64) {
    let run = |extra: &[String], out: &Path| {
        bin()
            .args(args)
            .args(extra)
            .arg("--out")
            .arg(out)
            .arg(file)
            .assert()
            .success();
    };
    run(&[], &tmp.join("whole"));
    for k in 1..=n {
        run(
            &["--shard".to_string(), format!("{k}/{n}")],
            &tmp.join(format!("s{k}")),
        );
    }
    bin()
        .arg("merge")
        .args((1..=n).rev().map(|k| tmp.join(format!("s{k}"))))
        .arg("--out")
        .arg(tmp.join("merged"))
        .assert()
        .success();
    assert_eq!(
        folder(&tmp.join("merged")).unwrap(),
        folder(&tmp.join("whole")).unwrap()
    );
}

/// `mc --shard K/N` then `merge`: the same output set as the whole run, byte for byte, in any
/// shard order; a missing, repeated or foreign shard is refused with a message.
#[test]
fn sharded_monte_carlo_merges_into_the_whole_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    shards_merge_into_the_whole(
        tmp.path(),
        &["mc", "--paths", "3001", "--seed", "11", "--paths-csv"],
        &sc,
        4,
    );
    // refusals
    let refuse = |dirs: &[&str], want: &str| {
        let a = bin()
            .arg("merge")
            .args(dirs.iter().map(|s| tmp.path().join(s)))
            .arg("--out")
            .arg(tmp.path().join("bad"))
            .assert()
            .code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(e.contains(want), "{dirs:?}: {e}");
    };
    refuse(&["s1", "s2", "s3"], "missing shard 4 of 4");
    refuse(&["s1", "s1", "s2", "s3", "s4"], "given twice");
    bin()
        .args([
            "mc", "--paths", "3001", "--seed", "12", "--shard", "2/4", "--out",
        ])
        .arg(tmp.path().join("other"))
        .arg(&sc)
        .assert()
        .success();
    refuse(&["s1", "other", "s3", "s4"], "another run");
    std::fs::write(tmp.path().join("s4/shard.bin"), b"tampered").unwrap();
    refuse(&["s1", "s2", "s3", "s4"], "does not match its record");
}

/// docs/cluster.md's script, run locally as a Slurm array would run it: each index in turn,
/// then the merge, which equals the whole run.
#[test]
fn cluster_script_runs_each_index_and_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    let script = root().join("scripts/shard-mc.sh");
    let env = |c: &mut std::process::Command| {
        c.env("SCENARIO", &sc)
            .env("SHARDS", "3")
            .env("PATHS", "2000")
            .env("SEED", "5")
            .env("OUT", tmp.path())
            .env("SHANGLOU", exe())
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX");
    };
    for (var, index) in [
        ("SLURM_ARRAY_TASK_ID", "0"),
        ("JOB_COMPLETION_INDEX", "1"),
        ("SLURM_ARRAY_TASK_ID", "2"),
    ] {
        let mut c = std::process::Command::new("bash");
        c.arg(&script).arg("run");
        env(&mut c);
        c.env(var, index);
        assert!(c.status().unwrap().success(), "{var}={index}");
    }
    let mut c = std::process::Command::new("bash");
    c.arg(&script).arg("merge");
    env(&mut c);
    assert!(c.status().unwrap().success());
    let whole = tmp.path().join("whole");
    bin()
        .args(["mc", "--paths", "2000", "--seed", "5", "--out"])
        .arg(&whole)
        .arg(&sc)
        .assert()
        .success();
    assert_eq!(
        folder(&tmp.path().join("merged")).unwrap(),
        folder(&whole).unwrap()
    );
}

/// `sweep --shard K/N` then `merge`: the whole sweep's files, byte for byte, word axes included.
#[test]
fn sharded_sweep_merges_into_the_whole_sweep_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = root().join("scenarios/shenzhen-renewal-uncertain.toml");
    shards_merge_into_the_whole(
        tmp.path(),
        &[
            "sweep",
            "--range",
            "factory.rent=20:34:2",
            "--grid",
            "policy.pack=shenzhen-2023,wuhan-2024",
            "--paths",
            "200",
            "--seed",
            "4",
        ],
        &sc,
        4,
    );
}

/// A batch of `good` generated parcels and a bad row (the last, index `good`), run whole and in
/// `n` shards with `args`, the shards merged last first: (whole, merged). The whole run, the
/// shard holding the bad row and the merge exit 2; the other shards 0.
fn batch_whole_and_merged(tmp: &Path, args: &[&str], good: u64, n: u64) -> (PathBuf, PathBuf) {
    let parcels = tmp.join("parcels.csv");
    let mut text = String::from("name,site.land_area_m2,site.far,land.price\n");
    for i in 0..good {
        text.push_str(&format!(
            "P{i},{},{},{}\n",
            10_000 + 997 * i,
            2.0 + (i % 5) as f64 * 0.5,
            300 + 31 * i
        ));
    }
    text.push_str("BAD,-1,3,500\n");
    std::fs::write(&parcels, text).unwrap();
    let template = root().join("scenarios/wuhan-subsidy-loan.toml");
    let run = |extra: &[&str], out: &Path, code: i32| {
        bin()
            .arg("batch")
            .args(args)
            .arg("--template")
            .arg(&template)
            .args(extra)
            .arg("--out")
            .arg(out)
            .arg(&parcels)
            .assert()
            .code(code);
    };
    let whole = tmp.join("whole");
    run(&[], &whole, 2);
    for k in 1..=n {
        let code = if (k - 1) == good % n { 2 } else { 0 };
        run(
            &["--shard", &format!("{k}/{n}")],
            &tmp.join(format!("s{k}")),
            code,
        );
    }
    let merged = tmp.join("merged");
    bin()
        .arg("merge")
        .args((1..=n).rev().map(|k| tmp.join(format!("s{k}"))))
        .arg("--out")
        .arg(&merged)
        .assert()
        .code(2);
    (whole, merged)
}

/// `batch --shard K/N` then `merge`: the whole batch's files byte for byte, bad rows included,
/// and the merge exits 2 as the whole batch does.
#[test]
fn sharded_batch_merges_into_the_whole_batch_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, merged) = batch_whole_and_merged(tmp.path(), &["--solve", "max-rent"], 40, 4);
    assert_eq!(folder(&merged).unwrap(), folder(&whole).unwrap());
    let a = bin()
        .arg("merge")
        .args(["s2", "s1"].map(|s| tmp.path().join(s)))
        .arg("--out")
        .arg(tmp.path().join("bad"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("missing shards 3, 4 of 4"));
}

/// A heat map over `policy.pack` colours each deterministic cell by its own verdict: against the
/// pack's band where the document sets one, else against the scenario's.
#[test]
fn heat_map_over_packs_colours_each_cell_by_its_own_band() {
    let out = tempfile::tempdir().unwrap();
    bin()
        .args([
            "sweep",
            "--range",
            "factory.rent=30:32:2",
            "--grid",
            "policy.pack=shenzhen-2023,jiaxing-2025",
            "--set",
            "policy.irr_cap=0.07",
            "--out",
        ])
        .arg(out.path())
        .arg(root().join("scenarios/shenzhen-renewal.toml"))
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.path().join("sweep_heatmap.svg")).unwrap();
    let cells = |fill: &str| svg.matches(&format!("fill=\"{fill}\"")).count();
    // ≈ 6% IRR: above Shenzhen's 4.5% cap, within the scenario's own 7% under Jiaxing
    assert!(cells("#E16F24") >= 2, "Shenzhen's cells above its cap");
    assert!(
        cells("#2DA44E") >= 2,
        "Jiaxing's cells within the scenario's band"
    );
}
