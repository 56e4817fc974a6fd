//! `shanglou run`: the deterministic ledger of one scenario, in the terminal and as files.

use super::{load_scenario_source, print};
use crate::export::{self, charts::CashflowChart, csv::CashflowCsv, json::Json, Document};
use anyhow::Result;
use clap::Args as ClapArgs;
use shanglou::metrics;
use shanglou::record::Record;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// Scenario file (TOML)
    pub file: PathBuf,
    #[command(flatten)]
    pub out: super::OutDir,
    /// Print the docs/model.md §12 summary as JSON on stdout, and nothing else
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub reports: super::Reports,
    #[command(flatten)]
    pub overrides: super::Overrides,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let (sc, source) = load_scenario_source(&a.file, &a.overrides.set)?;
    let record = Record::new("run", &a.file, &source, &a.overrides.set, &sc, None);
    let (ledger, summary) = metrics::evaluate(&sc.inputs);
    // a deterministic run never clips to a pack's caps (docs/model.md §4): breaches are reported
    if let Some(pack) = sc
        .inputs
        .policy
        .pack
        .as_deref()
        .and_then(shanglou::policy::pack)
    {
        for r in shanglou::policy::check_inputs(pack, &sc.inputs) {
            if r.status == shanglou::policy::Outcome::Fail {
                let actual = r
                    .actual
                    .map(|v| crate::export::table::quantity_text(r.quantity, v))
                    .unwrap_or_default();
                eprintln!(
                    "warning: {}: {} fails rule {} ({} {}): {} is not {} — {}",
                    a.file.display(),
                    pack.id,
                    r.id,
                    pack.document,
                    r.article,
                    actual,
                    crate::export::table::limit_text(r.quantity, r.op, &r.limit),
                    r.text_en
                );
            }
        }
    }
    // 收益调配: the factory rent that would bring a scheme above the cap back to it
    let rebalance = if summary.verdict.status == metrics::Status::AboveCap
        && sc.inputs.factory.lease.rent > 0.0
    {
        let rent = shanglou::scenario::keys::find("factory.rent")
            .map(|(_, k)| k)
            .expect("registered key");
        let range = Some((0.0, sc.inputs.factory.lease.rent));
        shanglou::solve::solve_irr(
            &sc,
            shanglou::solve::Vary::Key(rent),
            sc.inputs.policy.irr_cap,
            sc.inputs.policy.irr_basis,
            range,
        )
        .ok()
    } else {
        None
    };
    let set = a.out.claim(&a.file, "run", ctx)?;
    let doc = Document::Run {
        record: &record,
        scenario: &sc,
        ledger: &ledger,
        summary: &summary,
    };
    let exporters = super::with_reports(
        vec![&CashflowCsv, &Json, &CashflowChart],
        a.reports.xlsx,
        a.reports.html,
    );
    let written = export::export_all(&set, &doc, &exporters, ctx.style)?;
    super::commit(set)?;
    if a.json {
        print(&String::from_utf8(export::json::to_vec(&summary)?)?)?;
    } else {
        let mut text = export::table::run_summary(&sc, &ledger, &summary);
        match rebalance {
            // a rent cut by more than half is no plan an operator can follow: say where the
            // excess comes from and what 收益调配 would reclaim instead of proposing it
            Some(s) if s.value < 0.5 * sc.inputs.factory.lease.rent => {
                text.push_str(&format!(
                    "收益调配 Rebalancing: rent alone would have to fall by more than half to bring the {} IRR to the {:.2}% cap; the excess comes from sales or subsidies: reclaim its present value of {} 万元 instead\n",
                    s.basis.name(),
                    sc.inputs.policy.irr_cap * 100.0,
                    export::table::wan(summary.excess_pv)
                ));
            }
            Some(s) => {
                text.push_str(&format!(
                    "收益调配 Rebalancing: a factory rent of {:.2} yuan/m²/month (now {:.2}) brings the {} IRR to the {:.2}% cap\n",
                    s.value,
                    sc.inputs.factory.lease.rent,
                    s.basis.name(),
                    sc.inputs.policy.irr_cap * 100.0
                ));
            }
            None if summary.verdict.status == metrics::Status::AboveCap => {
                text.push_str("收益调配 Rebalancing: no factory rent from 0 up to the current one brings the IRR down to the cap; the excess comes from sales or subsidies\n")
            }
            None => {}
        }
        text.push_str(&super::written_line(&written));
        print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
