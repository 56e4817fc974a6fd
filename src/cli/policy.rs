//! `shanglou policies` and `shanglou check`: the packs, an article's words, and a scenario
//! against one pack or against every city's.

use super::{bad_input, load_scenario, print};
use crate::export::{self, csv::CheckMatrixCsv, table};
use anyhow::Result;
use clap::Args as ClapArgs;
use serde::Serialize;
use shanglou::policy::{self, Checked, Outcome, Pack};
use shanglou::report::{check, Document};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct PoliciesArgs {
    /// A pack to print rule by rule (omit to list the packs)
    pub pack: Option<String>,
    /// Print the text of one article of the pack's document, e.g. --article '一(二)5'
    #[arg(long, value_name = "ARTICLE", requires = "pack")]
    pub article: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(ClapArgs)]
pub struct CheckArgs {
    /// Scenario file (TOML)
    pub file: PathBuf,
    /// Pack to check against [default: the scenario's policy.pack]
    #[arg(long, conflicts_with = "all_packs")]
    pub policy: Option<String>,
    /// Check against every city's pack: a matrix of rules × cities, also written as
    /// check_matrix.csv
    #[arg(long)]
    pub all_packs: bool,
    /// Print the rows as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: super::OutDir,
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
    let Some(id) = a.pack else {
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
                        match p.band() {
                            Some(_) => "yes".into(),
                            None => "no".into(),
                        },
                        p.title_en.clone(),
                    ]
                })
                .collect();
            print(&table::grid(
                &[
                    "pack".into(),
                    "document 文件".into(),
                    "rules".into(),
                    "IRR band".into(),
                    "title".into(),
                ],
                &rows,
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let p = find_pack(&id)?;
    if let Some(article) = &a.article {
        let text = p.article_text(article).ok_or_else(|| {
            bad_input(format!(
                "--article {article}: not found in {}; the articles its rules cite are {}",
                p.id,
                p.articles.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        let rules: Vec<&str> = p
            .rules
            .iter()
            .filter(|r| {
                r.article
                    .split(';')
                    .any(|x| policy::squeeze(x) == policy::squeeze(article))
            })
            .map(|r| r.id.as_str())
            .collect();
        if a.json {
            let j =
                serde_json::json!({"pack": p.id, "article": article, "text": text, "rules": rules});
            print(&(serde_json::to_string_pretty(&j)? + "\n"))?;
        } else {
            print(&format!(
                "{} {} {article}\n\n{text}\n\ncited by: {}\n",
                p.id,
                p.document,
                if rules.is_empty() {
                    "no rule".to_string()
                } else {
                    rules.join(", ")
                }
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.json {
        print(&(serde_json::to_string_pretty(p)? + "\n"))?;
    } else {
        print(&table::pack_rules(p))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CheckJson<'a> {
    pack: &'a str,
    /// Whether the IRR band is the document's (false: the scenario's).
    band_from_document: bool,
    rules: &'a [Checked],
    failed: usize,
    advisory: usize,
}

pub fn check(a: CheckArgs, ctx: &super::Ctx) -> Result<ExitCode> {
    let sc = load_scenario(&a.file, &a.overrides.set)?;
    if a.all_packs {
        return check_all(&a, &sc, ctx);
    }
    let id = match a.policy.as_deref().or(sc.inputs.policy.pack.as_deref()) {
        Some(id) => id.to_string(),
        None => {
            return Err(bad_input(format!(
                "{}: no policy pack: give --policy PACK, --all-packs, or policy.pack in the scenario ({})",
                a.file.display(),
                policy::names().join(", ")
            )))
        }
    };
    let pack = find_pack(&id)?;
    let rows = policy::check_inputs(pack, &sc.inputs);
    let failed = rows.iter().filter(|r| r.status == Outcome::Fail).count();
    if a.json {
        let j = CheckJson {
            pack: &pack.id,
            band_from_document: pack.band().is_some(),
            rules: &rows,
            failed,
            advisory: rows
                .iter()
                .filter(|r| r.status == Outcome::Advisory)
                .count(),
        };
        print(&(serde_json::to_string_pretty(&j)? + "\n"))?;
    } else {
        print(&table::check(&sc, pack, &rows, ctx.style))?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `check --all-packs`: the matrix in the terminal (or JSON) and check_matrix.csv. Exit 1 when
/// the scenario's own pack is breached; other cities' breaches are what the matrix compares.
fn check_all(
    a: &CheckArgs,
    sc: &shanglou::scenario::Scenario,
    ctx: &super::Ctx,
) -> Result<ExitCode> {
    let m = check::matrix(&sc.inputs);
    let set = a.out.claim(&a.file, "check", ctx)?;
    let doc = Document::CheckMatrix {
        scenario: sc,
        matrix: &m,
    };
    let written = export::export_all(&set, &doc, &[&CheckMatrixCsv], ctx.style)?;
    super::commit(set)?;
    if a.json {
        print(&(serde_json::to_string_pretty(&m)? + "\n"))?;
    } else {
        print(&(table::check_matrix(sc, &m) + &super::written_line(&written)))?;
    }
    let own = sc
        .inputs
        .policy
        .pack
        .as_deref()
        .and_then(|p| m.packs.iter().position(|x| x == p));
    Ok(match own {
        Some(i) if m.breaches()[i] > 0 => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}
