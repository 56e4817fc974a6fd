//! `shanglou policies` and `shanglou check`: the packs, and a scenario against one.

use super::{bad_input, load_scenario, print};
use crate::export::table::{grid, limit_text, quantity_text};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde::Serialize;
use shanglou::metrics;
use shanglou::policy::{self, Checked, Limit, Outcome, Pack};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct PoliciesArgs {
    /// A pack to print rule by rule (omit to list the packs)
    pub pack: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(ClapArgs)]
pub struct CheckArgs {
    /// Scenario file (TOML)
    pub file: PathBuf,
    /// Pack to check against [default: the scenario's policy.pack]
    #[arg(long)]
    pub policy: Option<String>,
    /// Print {"pack", "rules": [...], "failed"} as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

pub fn find_pack(id: &str) -> Result<&'static Pack> {
    policy::pack(id).ok_or_else(|| {
        bad_input(format!(
            "\"{id}\" is not a known policy pack: expected one of {}",
            policy::names().join(", ")
        ))
    })
}

pub fn policies(a: PoliciesArgs) -> Result<ExitCode> {
    match a.pack {
        None => {
            if a.json {
                print(&(serde_json::to_string_pretty(policy::packs())? + "\n"))?;
            } else {
                let rows: Vec<Vec<String>> = policy::packs()
                    .iter()
                    .map(|p| {
                        vec![
                            p.id.clone(),
                            p.document.clone(),
                            p.rules.len().to_string(),
                            p.title_en.clone(),
                        ]
                    })
                    .collect();
                print(&grid(
                    &[
                        "pack".into(),
                        "document 文件".into(),
                        "rules".into(),
                        "title".into(),
                    ],
                    &rows,
                ))?;
            }
        }
        Some(id) => {
            let p = find_pack(&id)?;
            if a.json {
                print(&(serde_json::to_string_pretty(p)? + "\n"))?;
            } else {
                let mut text = format!(
                    "{} — {}\n{}\n{}\nverdict band 保本微利: IRR {:.2}% to {:.2}%\n\n",
                    p.id,
                    p.document,
                    p.title_zh,
                    p.title_en,
                    p.irr_floor * 100.0,
                    p.irr_cap * 100.0
                );
                let rows: Vec<Vec<String>> = p
                    .rules
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.clone(),
                            r.quantity.name(),
                            limit_text(r.quantity, r.op, &r.limit),
                            r.article.clone(),
                            format!("{} / {}", r.text_zh, r.text_en),
                        ]
                    })
                    .collect();
                text.push_str(&grid(
                    &[
                        "rule".into(),
                        "quantity".into(),
                        "limit".into(),
                        "article 条款".into(),
                        "text".into(),
                    ],
                    &rows,
                ));
                print(&text)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CheckJson<'a> {
    pack: &'a str,
    rules: Vec<Row<'a>>,
    failed: usize,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    status: Outcome,
    actual: Option<f64>,
    limit: &'a Limit,
    article: &'a str,
    text_zh: &'a str,
    text_en: &'a str,
}

/// The rules of `pack` checked on the scenario's deterministic run.
pub fn checks(sc: &shanglou::scenario::Scenario, pack: &Pack) -> Vec<Checked> {
    let (_, summary) = metrics::evaluate(&sc.inputs);
    policy::check_inputs(pack, &sc.inputs, summary.verdict.irr)
}

pub fn check(a: CheckArgs) -> Result<ExitCode> {
    let sc = load_scenario(&a.file, &a.overrides.set)?;
    let id = match a.policy.as_deref().or(sc.inputs.policy.pack.as_deref()) {
        Some(id) => id.to_string(),
        None => {
            return Err(bad_input(format!(
                "{}: no policy pack: give --policy PACK or policy.pack in the scenario ({})",
                a.file.display(),
                policy::names().join(", ")
            )))
        }
    };
    let pack = find_pack(&id)?;
    let rows = checks(&sc, pack);
    let failed = rows.iter().filter(|r| r.status == Outcome::Fail).count();
    if a.json {
        let j = CheckJson {
            pack: &pack.id,
            rules: rows
                .iter()
                .map(|r| Row {
                    id: &r.id,
                    status: r.status,
                    actual: r.actual,
                    limit: &r.limit,
                    article: &r.article,
                    text_zh: &r.text_zh,
                    text_en: &r.text_en,
                })
                .collect(),
            failed,
        };
        print(&(serde_json::to_string_pretty(&j)? + "\n"))?;
    } else {
        let mark = |o: Outcome| match o {
            Outcome::Pass => "pass 符合",
            Outcome::Fail => "FAIL 不符合",
            Outcome::NotApplicable => "n/a 不适用",
        };
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.actual
                        .map(|v| quantity_text(r.quantity, v))
                        .unwrap_or_else(|| "—".into()),
                    limit_text(r.quantity, r.op, &r.limit),
                    mark(r.status).into(),
                    r.article.clone(),
                    r.text_en.clone(),
                ]
            })
            .collect();
        let mut text = format!("{} against {} ({})\n\n", sc.name, pack.id, pack.document);
        text.push_str(&grid(
            &[
                "rule".into(),
                "actual".into(),
                "limit".into(),
                "result".into(),
                "article 条款".into(),
                "rule text".into(),
            ],
            &body,
        ));
        text.push_str(&format!("\n{} of {} rules failed\n", failed, rows.len()));
        print(&text)?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
