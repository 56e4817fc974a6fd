//! `report.html`: one self-contained page (inline CSS and SVG charts, no external assets) with
//! the verdict, indicators, assumptions, the annual statement and, for Monte Carlo, the
//! distribution and tornado charts.

use super::charts::{self, Band, Cashflow, Distribution, Tornado};
use super::table::{irr_stats, pct, thousands, wan, IRR_STATS};
use super::{Document, Exporter, File, Style};
use anyhow::Result;
use rust_decimal::Decimal;
use shanglou::mc::stats::McSummary;
use shanglou::metrics::{self, Status, Summary};
use shanglou::model::Ledger;
use shanglou::policy;
use shanglou::report::statements;
use shanglou::scenario::{Basis, Scenario, KEYS};
use std::fmt::Write;

pub struct Html;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = r#"
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 32px auto; max-width: 1180px; color: #1f2328; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 32px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; }
.sub { color: #57606a; margin-top: 0; }
.verdict { padding: 14px 18px; border-radius: 8px; font-size: 18px; margin: 18px 0; }
.within { background: #dafbe1; border: 1px solid #4ac26b; } .above_cap { background: #fff1e5; border: 1px solid #fb8f44; }
.below_floor { background: #ffebe9; border: 1px solid #ff8182; } .undefined { background: #f6f8fa; border: 1px solid #d0d7de; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; } th { background: #f6f8fa; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; } .chart svg { max-width: 100%; height: auto; border: 1px solid #eaeef2; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.note { color: #57606a; font-size: 12px; }
"#;

fn indicators(o: &mut String, sc: &Scenario, sm: &Summary) {
    let _ = writeln!(o, "<h2>指标 Indicators</h2><table><tr><th></th><th>税前 pre-tax</th><th>税后 after tax</th><th>资本金 equity</th></tr>");
    let per = |f: &dyn Fn(Basis) -> String| {
        Basis::ALL
            .iter()
            .map(|b| format!("<td class=n>{}</td>", f(*b)))
            .collect::<String>()
    };
    let _ = writeln!(
        o,
        "<tr><th>内部收益率 IRR</th>{}</tr>",
        per(&|b| pct(*sm.irr.get(b)))
    );
    let _ = writeln!(
        o,
        "<tr><th>净现值 NPV @ {:.2}% (万元)</th>{}</tr>",
        sc.inputs.finance.discount_rate * 100.0,
        per(&|b| wan(*sm.npv.get(b)))
    );
    let _ = writeln!(
        o,
        "<tr><th>静态回收期 Payback (years)</th>{}</tr>",
        per(&|b| sm
            .payback_years
            .get(b)
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "never".into()))
    );
    let _ = writeln!(
        o,
        "<tr><th>动态回收期 Dynamic payback (years)</th>{}</tr>",
        per(&|b| sm
            .payback_dynamic_years
            .get(b)
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "never".into()))
    );
    let _ = writeln!(o, "</table><table><tr><th>峰值资金需求 Peak funding</th><td class=n>{} 万元</td></tr><tr><th>超额收益现值 Excess PV at the cap (收益调配)</th><td class=n>{} 万元</td></tr>", wan(sm.peak_funding), wan(sm.excess_pv));
    let _ = writeln!(o, "<tr><th>项目总投资 Total investment</th><td class=n>{} 万元</td></tr><tr><th>项目资本金 Equity capital</th><td class=n>{} 万元</td></tr><tr><th>总投资收益率 ROI</th><td class=n>{}</td></tr><tr><th>项目资本金净利润率 ROE</th><td class=n>{}</td></tr></table>", wan(sm.total_investment), wan(sm.equity_capital), pct(sm.roi), pct(sm.roe));
}

fn verdict(o: &mut String, sc: &Scenario, sm: &Summary) {
    let v = &sm.verdict;
    let _ = writeln!(
        o,
        "<div class=\"verdict {}\"><b>结论 Verdict: {} — {}</b><br>{}</div>",
        v.status.name(),
        v.status.zh(),
        v.status.name(),
        super::table::band_text(v, &sc.inputs.policy)
    );
}

fn assumptions(o: &mut String, sc: &Scenario) {
    let _ = writeln!(o, "<h2>假设 Assumptions</h2><div class=scroll><table><tr><th>key</th><th>value</th><th>unit</th><th>uncertainty</th></tr>");
    for (i, k) in KEYS.iter().enumerate() {
        let Some(v) = k.get(&sc.inputs) else { continue };
        let dist = sc
            .uncertain
            .iter()
            .find(|u| u.key == i)
            .map(|u| esc(&serde_json::to_string(&u.dist).unwrap_or_default()))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=n>{}</td><td>{}</td><td>{}</td></tr>",
            k.name,
            v,
            esc(k.unit),
            dist
        );
    }
    let _ = writeln!(o, "</table></div>");
}

fn outcome_html(status: policy::Outcome) -> &'static str {
    match status {
        policy::Outcome::Pass => "pass 符合",
        policy::Outcome::Fail => "<b style=\"color:#cf222e\">breach 不符合</b>",
        policy::Outcome::Advisory => "<span style=\"color:#9a6700\">advisory 提示</span>",
        policy::Outcome::NotApplicable => "n/a 不适用",
    }
}

fn compliance(o: &mut String, sc: &Scenario) {
    if let Some(pack) = sc.inputs.policy.pack.as_deref().and_then(policy::pack) {
        let _ = writeln!(o, "<h2>政策合规 Policy check — {} ({})</h2><table><tr><th>rule</th><th>actual</th><th>limit</th><th>result</th><th>article 条款</th><th>原文 quote</th><th>rule</th></tr>", esc(&pack.id), esc(&pack.document));
        for r in policy::check_inputs(pack, &sc.inputs) {
            let actual = r
                .actual
                .map(|v| super::table::quantity_text(r.quantity, v))
                .unwrap_or_else(|| "—".into());
            let mut result = outcome_html(r.status).to_string();
            if let Some(k) = &r.missing {
                result.push_str(&format!(" (give {})", esc(k)));
            }
            for n in &r.notes {
                result.push_str(&format!("<br><small>{}</small>", esc(n)));
            }
            let _ = writeln!(o, "<tr><td>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td><td>“{}”</td><td>{}</td></tr>", r.id, actual, esc(&super::table::limit_text(r.quantity, r.op, &r.limit)), result, esc(&r.article), esc(&r.quote), esc(&r.text_en));
        }
        let _ = writeln!(o, "</table>");
    }
    // every city side by side
    let m = shanglou::report::check::matrix(&sc.inputs);
    let _ = write!(
        o,
        "<h2>各地政策对照 Every city's rules</h2><div class=scroll><table><tr><th>rule on</th>"
    );
    for p in &m.packs {
        let _ = write!(o, "<th>{}</th>", esc(p));
    }
    let _ = writeln!(o, "</tr>");
    for r in &m.rows {
        let _ = write!(o, "<tr><td>{}</td>", esc(&r.quantity.name()));
        for c in &r.cells {
            match c {
                None => o.push_str("<td></td>"),
                Some(c) => {
                    let _ = write!(
                        o,
                        "<td>{} {}<br><small>{} {}</small></td>",
                        outcome_html(c.status),
                        c.actual
                            .map(|v| esc(&super::table::quantity_text(c.quantity, v)))
                            .unwrap_or_default(),
                        esc(&super::table::limit_text(c.quantity, c.op, &c.limit)),
                        esc(&c.article)
                    );
                }
            }
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(o, "</table></div>");
}

/// The standard statements, as the workbook has them: rows down, years across, in 万元.
fn statements(o: &mut String, l: &Ledger<Decimal>) {
    let _ = writeln!(o, "<h2>财务报表 Statements (单位：万元)</h2>");
    for st in statements::all(l) {
        let _ = write!(
            o,
            "<h3>{} {}</h3><div class=scroll><table><tr><th>序号</th><th>项目 item</th><th>合计 total</th>",
            st.zh, st.en
        );
        for t in 0..l.years() {
            let _ = write!(o, "<th>{}</th>", l.start_year + t as i64);
        }
        let _ = writeln!(o, "</tr>");
        for ln in &st.lines {
            let shown = |v: f64| {
                if !v.is_finite() {
                    String::new()
                } else if ln.ratio {
                    format!("{v:.2}")
                } else {
                    wan(v)
                }
            };
            let total = if ln.has_total() {
                wan(ln.values.iter().filter(|v| v.is_finite()).sum())
            } else {
                String::new()
            };
            let open = if ln.bold { "<b>" } else { "" };
            let close = if ln.bold { "</b>" } else { "" };
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{open}{} {}{close}</td><td class=n>{total}</td>",
                ln.no,
                ln.zh,
                esc(ln.en)
            );
            for v in &ln.values {
                let low = if ln.ratio && *v < 1.0 {
                    " style=\"color:#9c0006\""
                } else {
                    ""
                };
                let _ = write!(o, "<td class=n{low}>{}</td>", shown(*v));
            }
            let _ = writeln!(o, "</tr>");
        }
        let _ = writeln!(o, "</table></div>");
    }
    let _ = writeln!(o, "<p class=note>Exact figures to the fen are in cashflow.csv; report.xlsx has these statements with live formulas.</p>");
}

fn chart(o: &mut String, svg: Result<String>) {
    match svg {
        Ok(s) => {
            let _ = writeln!(o, "<div class=chart>{s}</div>");
        }
        Err(e) => {
            let _ = writeln!(
                o,
                "<p class=note>chart not drawn: {}</p>",
                esc(&e.to_string())
            );
        }
    }
}

fn mc_section(o: &mut String, sc: &Scenario, m: &McSummary, irrs: &[f64], style: Style) {
    let _ = writeln!(
        o,
        "<h2>蒙特卡洛 Monte Carlo — {} paths, seed {}</h2>",
        thousands(m.paths as f64, 0),
        m.seed
    );
    let _ = writeln!(
        o,
        "<table><tr><th>P(within 保本微利)</th><th>P(above cap)</th><th>P(below floor)</th><th>P(undefined)</th><th>clipped by caps</th></tr><tr><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr></table>",
        pct(Some(m.prob.within)),
        pct(Some(m.prob.above_cap)),
        pct(Some(m.prob.below_floor)),
        pct(Some(m.prob.undefined)),
        pct(Some(m.clipped_share))
    );
    let _ = write!(o, "<table><tr><th>{} IRR</th>", m.basis.name());
    for name in IRR_STATS {
        let _ = write!(o, "<th>{name}</th>");
    }
    o.push_str("</tr><tr><td></td>");
    for v in irr_stats(&m.irr) {
        let _ = write!(o, "<td class=n>{v}</td>");
    }
    o.push_str("</tr></table>\n");
    let band = Band::of(&sc.inputs.policy, m);
    let title = format!(
        "distribution of the {}",
        charts::basis_words(m.basis, style)
    );
    chart(
        o,
        charts::svg(
            &Distribution {
                cumulative: false,
                title: &title,
                irrs,
                band: &band,
            },
            style,
        ),
    );
    chart(
        o,
        charts::svg(
            &Distribution {
                cumulative: true,
                title: &title,
                irrs,
                band: &band,
            },
            style,
        ),
    );
    let t = shanglou::sensitivity::tornado(sc, false);
    if !t.bars.is_empty() {
        let _ = writeln!(
            o,
            "<h2>敏感性 Sensitivity (P10 / P90 of each uncertain input)</h2>"
        );
        chart(
            o,
            charts::svg(
                &Tornado {
                    title: "Which inputs move the IRR most",
                    t: &t,
                },
                style,
            ),
        );
    }
}

/// The 敏感性分析表 and the 盈亏平衡分析, as in the terminal (a clamped point marked *).
fn sensitivity_section(o: &mut String, sc: &Scenario) {
    let a = shanglou::sensitivity::analyse(sc, false, 10);
    if a.table.is_empty() {
        return;
    }
    let value = super::table::named_value;
    let _ = writeln!(o, "<h2>敏感性分析表 Sensitivity table</h2><p class=sub>{} IRR with one input changed at a time; * the input could not move that far and stay a valid scenario</p><table><tr><th>input 输入</th><th>base 基准</th>", esc(a.basis.name()));
    for c in shanglou::sensitivity::CHANGES {
        let _ = write!(o, "<th>{:+.0}%</th>", c * 100.0);
    }
    let _ = writeln!(
        o,
        "<th>敏感度系数 coefficient</th><th>临界点 to floor</th><th>临界点 to cap</th></tr>"
    );
    let critical = |c: &Option<shanglou::sensitivity::Critical>| {
        c.as_ref()
            .map(|c| format!("{:+.1}%", c.change * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    for r in &a.table {
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=n>{}</td>",
            esc(&r.key),
            esc(&value(&r.key, r.base))
        );
        for p in &r.points {
            let _ = write!(
                o,
                "<td class=n>{}{}</td>",
                pct(p.irr),
                if p.clamped { "*" } else { "" }
            );
        }
        let _ = writeln!(
            o,
            "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            r.coefficient
                .map(|c| format!("{c:.2}"))
                .unwrap_or_else(|| "—".into()),
            critical(&r.critical_floor),
            critical(&r.critical_cap)
        );
    }
    let _ = writeln!(o, "</table>");
    if !a.breakeven.is_empty() {
        let _ = writeln!(o, "<h2>盈亏平衡分析 Break-even (IRR at the floor)</h2><table><tr><th>input 输入</th><th>base 基准</th><th>break-even 盈亏平衡点</th><th>margin of safety 安全边际</th></tr>");
        for b in &a.breakeven {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                esc(&b.key),
                esc(&value(&b.key, b.base)),
                esc(&if b.holds_at_zero {
                    "0 (breaks even without it 无此项亦可保本)".to_string()
                } else {
                    value(&b.key, b.value)
                }),
                pct(Some(b.margin_of_safety))
            );
        }
        let _ = writeln!(o, "</table>");
    }
}

/// The whole page.
pub fn page(
    sc: &Scenario,
    l: &Ledger<Decimal>,
    sm: &Summary,
    mc: Option<(&McSummary, &[f64])>,
    style: Style,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>", esc(&sc.name));
    let n = l.years();
    let _ = writeln!(
        o,
        "<h1>{}</h1><p class=sub>shanglou {} · {} years {}–{} · first operating year {} · generated from the scenario file</p>",
        esc(&sc.name),
        env!("CARGO_PKG_VERSION"),
        n,
        l.start_year,
        l.start_year + n as i64 - 1,
        l.start_year + l.t_op as i64
    );
    verdict(&mut o, sc, sm);
    indicators(&mut o, sc, sm);
    sensitivity_section(&mut o, sc);
    if sm.verdict.status == Status::AboveCap {
        let _ = writeln!(o, "<p>The scheme is above the cap: the present value of the excess is {} 万元 (收益调配).</p>", wan(sm.excess_pv));
    }
    if let Some((m, irrs)) = mc {
        mc_section(&mut o, sc, m, irrs, style);
    }
    let _ = writeln!(o, "<h2>现金流 Cash-flow chart</h2>");
    chart(
        &mut o,
        charts::svg(
            &Cashflow {
                title: "Annual cash flows",
                ledger: l,
                payback: sm.payback_years.project_pre_tax,
            },
            style,
        ),
    );
    statements(&mut o, l);
    compliance(&mut o, sc);
    assumptions(&mut o, sc);
    let _ = writeln!(o, "</body></html>");
    o
}

impl Exporter for Html {
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>> {
        let html = match doc {
            Document::Run {
                scenario,
                ledger,
                summary,
                ..
            } => page(scenario, ledger, summary, None, style),
            Document::Mc {
                scenario,
                outcome,
                summary,
                ..
            } => {
                let (l, sm) = metrics::evaluate(&scenario.inputs);
                page(scenario, &l, &sm, Some((summary, &outcome.irr)), style)
            }
            _ => return Ok(vec![]),
        };
        Ok(vec![("report.html".into(), html.into_bytes())])
    }
}

/// `report.html` of a batch: the run, the tally against the band, and the two charts inline.
pub fn batch_page(o: &super::BatchOverview, charts: &[(String, Vec<u8>)]) -> String {
    let mut h = String::new();
    let _ = writeln!(h, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>组合测算 Portfolio batch</title><style>{STYLE}</style></head><body>");
    let _ = writeln!(
        h,
        "<h1>组合测算 Portfolio batch</h1><p class=sub>shanglou {} · {} parcels from {} on the template {}</p>",
        env!("CARGO_PKG_VERSION"),
        thousands(o.parcels as f64, 0),
        esc(o.parcels_file),
        esc(o.template)
    );
    let _ = writeln!(
        h,
        "<h2>结论 Verdicts</h2><p>Band: IRR {} to {}.</p><table><tr><th>verdict</th><th>parcels</th></tr>",
        pct(Some(o.band.0)),
        pct(Some(o.band.1))
    );
    for (class, label, v) in o.verdict_rows() {
        let _ = writeln!(
            h,
            "<tr class={class}><td>{label}</td><td class=n>{}</td></tr>",
            thousands(v as f64, 0)
        );
    }
    let _ = writeln!(h, "</table><h2>图 Charts</h2>");
    for (name, bytes) in charts.iter().filter(|(n, _)| n.ends_with(".svg")) {
        let _ = writeln!(h, "<p class=note>{}</p>", esc(name));
        chart(&mut h, Ok(String::from_utf8_lossy(bytes).into_owned()));
    }
    let _ = writeln!(h, "<p class=note>Every parcel's figures are in batch.csv (and report.xlsx with --xlsx).</p></body></html>");
    h
}
