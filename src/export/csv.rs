//! CSV files, UTF-8 with a BOM so Excel opens them correctly: `cashflow.csv` (one row per
//! year, the docs/model.md §12 columns then the income-tax working, exact decimal amounts) and
//! `paths.csv` (one row per Monte Carlo path: sampled inputs and results).

use super::{Document, Exporter, File, Style};
use anyhow::Result;
use rust_decimal::Decimal;
use shanglou::mc::{sample::Sampler, Worker};
use shanglou::model::{Ledger, COLUMNS};

/// Excel reads a UTF-8 CSV as the local code page unless it starts with a BOM.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

pub struct CashflowCsv;

impl Exporter for CashflowCsv {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        match doc {
            Document::Run { ledger, .. } => Ok(vec![("cashflow.csv".into(), cashflow(ledger)?)]),
            _ => Ok(vec![]),
        }
    }
}

pub fn cashflow(l: &Ledger<Decimal>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let mut header = vec!["t", "year"];
    header.extend(COLUMNS);
    w.write_record(&header)?;
    let cols = l.columns();
    for t in 0..l.years() {
        let mut row = vec![t.to_string(), (l.start_year + t as i64).to_string()];
        row.extend(cols.iter().map(|c| c[t].normalize().to_string()));
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

/// `check_matrix.csv`: one row per rule quantity, for each pack the outcome, the figure, the
/// limit, the rule and its article.
pub struct CheckMatrixCsv;

impl Exporter for CheckMatrixCsv {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let Document::CheckMatrix { matrix, .. } = doc else {
            return Ok(vec![]);
        };
        let mut w = csv::Writer::from_writer(BOM.to_vec());
        let mut header = vec!["quantity".to_string(), "op".to_string()];
        for p in &matrix.packs {
            for f in ["status", "actual", "limit", "rule", "article", "kind"] {
                header.push(format!("{p} {f}"));
            }
        }
        w.write_record(&header)?;
        for r in &matrix.rows {
            let mut row = vec![
                r.quantity.name(),
                serde_json::to_value(r.op)?
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ];
            for c in &r.cells {
                match c {
                    Some(c) => row.extend([
                        serde_json::to_value(c.status)?
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        c.actual.map(num).unwrap_or_default(),
                        super::table::limit_text(c.quantity, c.op, &c.limit),
                        c.id.clone(),
                        c.article.clone(),
                        serde_json::to_value(c.kind)?
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    ]),
                    None => row.extend(std::iter::repeat_n(String::new(), 6)),
                }
            }
            w.write_record(&row)?;
        }
        Ok(vec![("check_matrix.csv".into(), w.into_inner()?)])
    }
}

/// `paths.csv`: the inputs are drawn again from (seed, path), so the run keeps no copy.
pub struct PathsCsv;

fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        v.to_string()
    }
}

impl Exporter for PathsCsv {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let Document::Mc {
            scenario, outcome, ..
        } = doc
        else {
            return Ok(vec![]);
        };
        let sampler = Sampler::new(scenario);
        let mut worker = Worker::new(scenario, &sampler);
        let mut w = csv::Writer::from_writer(BOM.to_vec());
        let mut header = vec!["path".to_string()];
        header.extend(sampler.scalars.iter().map(|v| v.key.name.to_string()));
        header.extend(
            sampler
                .years
                .iter()
                .map(|v| format!("{} (mean over years)", v.key.name)),
        );
        header.extend([
            format!("irr_{}", outcome.basis.name()),
            "status".into(),
            "clipped".into(),
        ]);
        let all = !outcome.extra.is_empty();
        if all {
            header.extend(
                [
                    "irr_project_after_tax",
                    "irr_equity",
                    "irr_project_pre_tax",
                    "npv_basis",
                ]
                .map(String::from),
            );
        }
        w.write_record(&header)?;
        let t_op_max = scenario.inputs.project.land_term_years;
        for i in 0..outcome.irr.len() {
            worker.draw(outcome.settings.seed, i as u64);
            let mut row = vec![i.to_string()];
            row.extend(
                sampler
                    .scalars
                    .iter()
                    .map(|v| num(v.key.get(&worker.inputs).unwrap_or(f64::NAN))),
            );
            for v in &sampler.years {
                let t_op = worker.inputs.t_op().min(t_op_max);
                let ys = worker
                    .inputs
                    .per_year(v.key.name)
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]);
                let k = (t_op_max - t_op).max(1);
                row.push(num(ys.iter().take(k).sum::<f64>() / k as f64));
            }
            row.push(num(outcome.irr[i]));
            row.push(outcome.status(i).name().to_string());
            row.push(outcome.clipped(i).to_string());
            if all {
                row.extend(outcome.extra[i].iter().map(|v| num(*v)));
            }
            w.write_record(&row)?;
        }
        Ok(vec![("paths.csv".into(), w.into_inner()?)])
    }
}

/// `sensitivity.csv`: the 敏感性分析表, one row per input: its IRR at each change (a clamped
/// point shows the change it could reach), the 敏感度系数 and the two 临界点.
pub struct SensitivityCsv;

impl Exporter for SensitivityCsv {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let Document::Sensitivity { analysis, .. } = doc else {
            return Ok(vec![]);
        };
        let mut w = csv::Writer::from_writer(BOM.to_vec());
        let mut header = vec!["key".to_string(), "base".to_string()];
        for c in shanglou::sensitivity::CHANGES {
            header.push(format!("irr_at_{:+.0}%", c * 100.0));
        }
        header.extend(
            [
                "clamped",
                "coefficient",
                "critical_change_floor",
                "critical_value_floor",
                "critical_change_cap",
                "critical_value_cap",
            ]
            .map(String::from),
        );
        w.write_record(&header)?;
        let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
        for r in &analysis.table {
            let mut row = vec![r.key.clone(), num(r.base)];
            row.extend(r.points.iter().map(|p| opt(p.irr)));
            let clamped: Vec<String> = r
                .points
                .iter()
                .filter(|p| p.clamped)
                .map(|p| format!("{:+.0}%", p.change * 100.0))
                .collect();
            row.push(clamped.join(" "));
            row.push(opt(r.coefficient));
            for c in [&r.critical_floor, &r.critical_cap] {
                row.push(opt(c.as_ref().map(|c| c.change)));
                row.push(opt(c.as_ref().map(|c| c.value)));
            }
            w.write_record(&row)?;
        }
        Ok(vec![("sensitivity.csv".into(), w.into_inner()?)])
    }
}

/// The sweep rows as JSON objects (`--json`): the swept keys, then the columns of sweep.csv.
pub fn sweep_rows(
    axes: &[shanglou::sweep::Axis],
    points: &[shanglou::sweep::Point],
) -> Vec<serde_json::Map<String, serde_json::Value>> {
    use serde_json::{json, Value};
    use shanglou::sweep::{BREACHED_COLUMN, IRR_COLUMNS, MC_COLUMNS, STATUS_COLUMN};
    points
        .iter()
        .map(|p| {
            let mut m = serde_json::Map::new();
            for (a, v) in axes.iter().zip(&p.values) {
                let value = match &a.labels {
                    Some(_) => Value::String(a.label(*v)),
                    None => json!(v),
                };
                m.insert(a.key.to_string(), value);
            }
            for (k, v) in IRR_COLUMNS.iter().zip(p.irrs()) {
                m.insert(k.to_string(), json!(v));
            }
            m.insert(STATUS_COLUMN.into(), Value::String(p.status.name().into()));
            m.insert(BREACHED_COLUMN.into(), json!(p.breached));
            if let Some(s) = &p.mc {
                for (k, v) in MC_COLUMNS.iter().zip(s.values()) {
                    m.insert(k.to_string(), json!(v));
                }
            }
            m
        })
        .collect()
}

/// `sweep.csv`: one row per point.
pub struct SweepCsv;

impl Exporter for SweepCsv {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let Document::Sweep { axes, points, .. } = doc else {
            return Ok(vec![]);
        };
        let mut w = csv::Writer::from_writer(BOM.to_vec());
        w.write_record(shanglou::sweep::header(
            axes,
            points.iter().any(|p| p.mc.is_some()),
        ))?;
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for p in points.iter() {
            let mut row: Vec<String> = axes
                .iter()
                .zip(&p.values)
                .map(|(a, v)| match &a.labels {
                    Some(_) => a.label(*v),
                    None => v.to_string(),
                })
                .collect();
            row.extend(p.irrs().map(opt));
            row.push(p.status.name().to_string());
            row.push(p.breached.join(" "));
            if let Some(m) = &p.mc {
                row.extend(m.values().map(opt));
            }
            w.write_record(&row)?;
        }
        Ok(vec![("sweep.csv".into(), w.into_inner()?)])
    }
}

/// `compare.csv`: one row per figure, one column per scenario (yuan, rates as decimals).
pub struct CompareCsv;

impl Exporter for CompareCsv {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let Document::Compare { entries } = doc else {
            return Ok(vec![]);
        };
        let mut w = csv::Writer::from_writer(BOM.to_vec());
        let mut header = vec!["figure".to_string()];
        header.extend(entries.iter().map(|e| e.name.clone()));
        w.write_record(&header)?;
        use shanglou::report::compare::Cell;
        for (label, cells) in shanglou::report::compare::rows(entries) {
            let mut row = vec![label.to_string()];
            row.extend(cells.into_iter().map(|c| match c {
                Cell::Money(v) | Cell::Area(v) => v.to_string(),
                Cell::Rate(r) => r.map(|x| x.to_string()).unwrap_or_default(),
                Cell::Text(t) => t,
            }));
            w.write_record(&row)?;
        }
        Ok(vec![("compare.csv".into(), w.into_inner()?)])
    }
}
