//! The comparison of several scenarios: one entry per scenario and the rows every output
//! (terminal table, CSV, chart) shows, so each format only decides how a cell looks.

use crate::metrics::{self, Summary};
use crate::policy;
use crate::scenario::Scenario;

/// One scenario's figures for the comparison.
#[derive(serde::Serialize)]
pub struct Entry {
    pub file: String,
    pub name: String,
    pub summary: Summary,
    /// Ids of the failed rules of the scenario's pack (empty without a pack).
    pub failed_rules: Vec<String>,
}

/// Evaluates a scenario for the comparison: its summary and the rules of its pack it fails.
pub fn entry(file: String, sc: &Scenario) -> Entry {
    let (ledger, summary) = metrics::evaluate(&sc.inputs);
    let failed_rules = policy::breached(&sc.inputs, &ledger, summary.verdict.irr);
    Entry {
        file,
        name: sc.name.clone(),
        summary,
        failed_rules,
    }
}

/// A figure of the comparison, formatted by each output in its own way.
pub enum Cell {
    /// yuan
    Money(f64),
    /// m²
    Area(f64),
    Rate(Option<f64>),
    Text(String),
}

/// How one row's cell is read from a scenario.
type Figure = Box<dyn Fn(&Entry) -> Cell>;

/// Rows of the comparison: label and one cell per scenario (shared by the table and the CSV).
pub fn rows(entries: &[Entry]) -> Vec<(&'static str, Vec<Cell>)> {
    let d = |v: rust_decimal::Decimal| Cell::Money(crate::num::Num::to_f64(v));
    let spec: Vec<(&'static str, Figure)> = vec![
        ("file", Box::new(|e| Cell::Text(e.file.clone()))),
        (
            "计容建筑面积 GFA",
            Box::new(|e| Cell::Area(e.summary.areas.gfa)),
        ),
        (
            "产业用房 factory",
            Box::new(|e| Cell::Area(e.summary.areas.factory)),
        ),
        (
            "自持 factory leased",
            Box::new(|e| Cell::Area(e.summary.areas.factory_leased)),
        ),
        (
            "销售 factory sold",
            Box::new(|e| Cell::Area(e.summary.areas.factory_sold)),
        ),
        (
            "住宅 residential",
            Box::new(|e| Cell::Area(e.summary.areas.residential)),
        ),
        ("土地 land", Box::new(move |e| d(e.summary.totals.land))),
        (
            "建设投资 construction",
            Box::new(move |e| d(e.summary.totals.construction)),
        ),
        ("租金 rent", Box::new(move |e| d(e.summary.totals.rent))),
        (
            "销售收入 sales",
            Box::new(move |e| d(e.summary.totals.sales)),
        ),
        (
            "补助 subsidy",
            Box::new(move |e| d(e.summary.totals.subsidy)),
        ),
        (
            "IRR 税前 pre-tax",
            Box::new(|e| Cell::Rate(e.summary.irr.project_pre_tax)),
        ),
        (
            "IRR 税后 after tax",
            Box::new(|e| Cell::Rate(e.summary.irr.project_after_tax)),
        ),
        (
            "IRR 资本金 equity",
            Box::new(|e| Cell::Rate(e.summary.irr.equity)),
        ),
        (
            "NPV 税前 pre-tax",
            Box::new(|e| Cell::Money(e.summary.npv.project_pre_tax)),
        ),
        (
            "回收期 payback pre-tax (yr)",
            Box::new(|e| {
                Cell::Text(
                    e.summary
                        .payback_years
                        .project_pre_tax
                        .map(|v| format!("{v:.2}"))
                        .unwrap_or_else(|| "never".into()),
                )
            }),
        ),
        (
            "峰值资金 peak funding",
            Box::new(|e| Cell::Money(e.summary.peak_funding)),
        ),
        (
            "结论 verdict",
            Box::new(|e| Cell::Text(e.summary.verdict.status.name().to_string())),
        ),
        (
            "不符合条款 failed rules",
            Box::new(|e| {
                Cell::Text(if e.failed_rules.is_empty() {
                    "none".into()
                } else {
                    e.failed_rules.join(" ")
                })
            }),
        ),
    ];
    spec.into_iter()
        .map(|(label, f)| (label, entries.iter().map(&f).collect()))
        .collect()
}
