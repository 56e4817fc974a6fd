//! `report.xlsx`: the statements laid out as in 《建设项目经济评价方法与参数》 (items down,
//! years across, Chinese headers with English beneath), a summary sheet of indicators and
//! assumptions and, for Monte Carlo and sweeps, a results sheet. Numbers are stored as numbers
//! with yuan formats, never as text.

use super::{Document, Exporter, File, Style};
use anyhow::Result;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError};
use shanglou::metrics::{self, Summary};
use shanglou::model::Ledger;
use shanglou::report::statements::{self, Calc, Line};
use shanglou::scenario::{Basis, Choice, Scenario, KEYS};

pub struct Xlsx;

struct Styles {
    head: Format,
    money: Format,
    money_bold: Format,
    title: Format,
    rate: Format,
    ratio: Format,
    /// A coverage ratio below 1.
    ratio_low: Format,
    plain: Format,
}

fn styles() -> Styles {
    let money = "#,##0.00;[Red]-#,##0.00";
    Styles {
        head: Format::new()
            .set_bold()
            .set_background_color(0xDDEBF7)
            .set_align(FormatAlign::Center)
            .set_text_wrap(),
        money: Format::new().set_num_format(money),
        money_bold: Format::new().set_num_format(money).set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        rate: Format::new().set_num_format("0.00%"),
        ratio: Format::new().set_num_format("0.00"),
        ratio_low: Format::new()
            .set_num_format("0.00")
            .set_font_color(0x9C0006)
            .set_background_color(0xFFC7CE),
        plain: Format::new(),
    }
}

/// A statement sheet: header rows, then one row per line, a total column, years across.
/// What every statement sheet says above its table: which statement, of which project, under
/// which pack, in which unit.
struct Heading<'a> {
    zh: &'a str,
    en: &'a str,
    project: &'a str,
    pack: &'a str,
    /// The indicators written under the table (计算指标), as the standard places them under
    /// the cash-flow statements: label and value (a rate, 万元 or years).
    indicators: Vec<(String, Indicator)>,
}

/// A figure under a statement.
#[derive(Clone, Copy)]
enum Indicator {
    Rate(Option<f64>),
    Wan(f64),
    Years(Option<f64>),
}

/// IRR, NPV and the two paybacks of one series, for the foot of a cash-flow statement.
fn indicators_of(sm: &Summary, b: Basis, label: &str, rate: f64) -> Vec<(String, Indicator)> {
    vec![
        (
            format!("{label} 内部收益率 IRR"),
            Indicator::Rate(*sm.irr.get(b)),
        ),
        (
            format!("{label} 净现值 NPV (i = {:.2}%)", rate * 100.0),
            Indicator::Wan(*sm.npv.get(b)),
        ),
        (
            format!("{label} 静态投资回收期 Payback (years)"),
            Indicator::Years(*sm.payback_years.get(b)),
        ),
        (
            format!("{label} 动态投资回收期 Dynamic payback (years)"),
            Indicator::Years(*sm.payback_dynamic_years.get(b)),
        ),
    ]
}

fn statement(
    ws: &mut Worksheet,
    s: &Styles,
    l: &Ledger<Decimal>,
    heading: &Heading,
    lines: &[Line],
) -> Result<(), XlsxError> {
    ws.write_string_with_format(
        0,
        0,
        format!("{} {} — {}", heading.zh, heading.en, heading.project),
        &s.title,
    )?;
    ws.write_string(
        1,
        0,
        format!(
            "单位：万元  Unit: 10,000 yuan (ratios as they are)  ·  政策包 policy pack: {}",
            heading.pack
        ),
    )?;
    let top = 2;
    ws.write_string_with_format(top, 0, "序号", &s.head)?;
    ws.write_string_with_format(top, 1, "项目", &s.head)?;
    ws.write_string_with_format(top, 2, "", &s.head)?;
    ws.write_string_with_format(top, 3, "合计", &s.head)?;
    ws.write_string_with_format(top + 1, 0, "No.", &s.head)?;
    ws.write_string_with_format(top + 1, 1, "Item (中文)", &s.head)?;
    ws.write_string_with_format(top + 1, 2, "Item", &s.head)?;
    ws.write_string_with_format(top + 1, 3, "Total", &s.head)?;
    for t in 0..l.years() {
        let c = 4 + t as u16;
        ws.write_number_with_format(top, c, (l.start_year + t as i64) as f64, &s.head)?;
        ws.write_string_with_format(top + 1, c, format!("t = {t}"), &s.head)?;
    }
    let last = rust_xlsxwriter::column_number_to_name(3 + l.years() as u16);
    // the 1-based sheet row of each 序号, for the formulas
    let row_of = |no: &str| {
        lines
            .iter()
            .position(|ln| ln.no == no)
            .map(|i| top + 3 + i as u32)
    };
    let mut flagged = false;
    for (i, ln) in lines.iter().enumerate() {
        let r = top + 2 + i as u32;
        let (fmt, scale) = match (ln.ratio, ln.bold) {
            (true, _) => (&s.ratio, 1.0),
            (false, true) => (&s.money_bold, 1e-4),
            (false, false) => (&s.money, 1e-4),
        };
        ws.write_string(r, 0, ln.no)?;
        ws.write_string(r, 1, ln.zh)?;
        ws.write_string(r, 2, ln.en)?;
        if ln.has_total() {
            let sum: f64 = ln.values.iter().filter(|v| v.is_finite()).sum::<f64>() * scale;
            let f = Formula::new(format!("=SUM(E{}:{last}{})", r + 1, r + 1))
                .set_result(format!("{sum}"));
            ws.write_formula_with_format(r, 3, f, fmt)?;
        }
        for (t, v) in ln.values.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let c = 4 + t as u16;
            let here = rust_xlsxwriter::column_number_to_name(c);
            let cell = |no: &str| row_of(no).map(|row| format!("{here}{row}"));
            let formula = match ln.calc {
                Calc::Values | Calc::Balance => None,
                Calc::Sum(rows) => rows
                    .iter()
                    .map(|no| cell(no))
                    .collect::<Option<Vec<_>>>()
                    .map(|cells| format!("={}", cells.join("+"))),
                Calc::Diff(a, b) => cell(a).zip(cell(b)).map(|(a, b)| format!("={a}-{b}")),
                Calc::Running(no) if t == 0 => cell(no).map(|a| format!("={a}")),
                Calc::Running(no) => cell(no).map(|a| {
                    let before = rust_xlsxwriter::column_number_to_name(c - 1);
                    format!("={before}{}+{a}", r + 1)
                }),
            };
            let fmt = if ln.ratio && *v < 1.0 {
                flagged = true;
                &s.ratio_low
            } else {
                fmt
            };
            match formula {
                Some(f) => ws.write_formula_with_format(
                    r,
                    c,
                    Formula::new(f).set_result(format!("{}", *v * scale)),
                    fmt,
                )?,
                None => ws.write_number_with_format(r, c, *v * scale, fmt)?,
            };
        }
    }
    if flagged {
        ws.write_string(
            top + 2 + lines.len() as u32,
            1,
            "红色：备付率低于 1  Red: coverage below 1",
        )?;
    }
    if !heading.indicators.is_empty() {
        let mut r = top + 4 + lines.len() as u32;
        ws.write_string_with_format(r, 1, "计算指标", &s.head)?;
        ws.write_string_with_format(r, 2, "Indicators", &s.head)?;
        for (label, v) in &heading.indicators {
            r += 1;
            ws.write_string(r, 1, label)?;
            match v {
                Indicator::Rate(Some(x)) => ws.write_number_with_format(r, 3, *x, &s.rate)?,
                Indicator::Wan(x) => ws.write_number_with_format(r, 3, *x / 1e4, &s.money)?,
                Indicator::Years(Some(x)) => ws.write_number_with_format(r, 3, *x, &s.ratio)?,
                Indicator::Rate(None) => ws.write_string(r, 3, "—")?,
                Indicator::Years(None) => ws.write_string(r, 3, "never")?,
            };
        }
    }
    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 26)?;
    ws.set_column_width(2, 34)?;
    for c in 3..(4 + l.years() as u16) {
        ws.set_column_width(c, 16)?;
    }
    ws.set_freeze_panes(2, 4)?;
    Ok(())
}

fn summary_sheet(
    ws: &mut Worksheet,
    s: &Styles,
    sc: &Scenario,
    sm: &Summary,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, "指标", &s.head)?;
    ws.write_string_with_format(0, 1, "税前 pre-tax", &s.head)?;
    ws.write_string_with_format(0, 2, "税后 after tax", &s.head)?;
    ws.write_string_with_format(0, 3, "资本金 equity", &s.head)?;
    ws.write_string_with_format(1, 0, "Indicator", &s.head)?;
    let mut r = 2;
    let series =
        |v: [Option<f64>; 3], ws: &mut Worksheet, r: u32, f: &Format| -> Result<(), XlsxError> {
            for (i, x) in v.iter().enumerate() {
                match x {
                    Some(x) => ws.write_number_with_format(r, 1 + i as u16, *x, f)?,
                    None => ws.write_string(r, 1 + i as u16, "—")?,
                };
            }
            Ok(())
        };
    ws.write_string(r, 0, "内部收益率 IRR")?;
    series(
        [
            sm.irr.project_pre_tax,
            sm.irr.project_after_tax,
            sm.irr.equity,
        ],
        ws,
        r,
        &s.rate,
    )?;
    r += 1;
    ws.write_string(
        r,
        0,
        format!(
            "净现值 NPV @ {:.2}% (元)",
            sc.inputs.finance.discount_rate * 100.0
        ),
    )?;
    series(
        [
            Some(sm.npv.project_pre_tax),
            Some(sm.npv.project_after_tax),
            Some(sm.npv.equity),
        ],
        ws,
        r,
        &s.money,
    )?;
    r += 1;
    ws.write_string(r, 0, "静态投资回收期 Payback (years)")?;
    series(
        [
            sm.payback_years.project_pre_tax,
            sm.payback_years.project_after_tax,
            sm.payback_years.equity,
        ],
        ws,
        r,
        &s.ratio,
    )?;
    r += 1;
    ws.write_string(r, 0, "动态投资回收期 Dynamic payback (years)")?;
    series(
        [
            sm.payback_dynamic_years.project_pre_tax,
            sm.payback_dynamic_years.project_after_tax,
            sm.payback_dynamic_years.equity,
        ],
        ws,
        r,
        &s.ratio,
    )?;
    r += 2;
    for (label, v, f) in [
        (
            "峰值资金需求 Peak funding (元)",
            Some(sm.peak_funding),
            &s.money,
        ),
        (
            "项目总投资 Total investment (元)",
            Some(sm.total_investment),
            &s.money,
        ),
        (
            "项目资本金 Equity capital (元)",
            Some(sm.equity_capital),
            &s.money,
        ),
        ("总投资收益率 ROI", sm.roi, &s.rate),
        ("项目资本金净利润率 ROE", sm.roe, &s.rate),
        (
            "超额收益现值 Excess PV at the cap (元)",
            Some(sm.excess_pv),
            &s.money,
        ),
        ("保本 floor", Some(sm.verdict.floor), &s.rate),
        ("微利 cap", Some(sm.verdict.cap), &s.rate),
    ] {
        ws.write_string(r, 0, label)?;
        match v {
            Some(v) => ws.write_number_with_format(r, 1, v, f)?,
            None => ws.write_string(r, 1, "—")?,
        };
        r += 1;
    }
    ws.write_string(r, 0, "结论 Verdict")?;
    ws.write_string(
        r,
        1,
        format!(
            "{} {} ({})",
            sm.verdict.status.zh(),
            sm.verdict.status.name(),
            sm.verdict.basis.name()
        ),
    )?;
    r += 2;
    ws.write_string_with_format(r, 0, "面积 Areas (m²)", &s.head)?;
    r += 1;
    let a = &sm.areas;
    for (label, v) in [
        ("计容建筑面积 GFA", a.gfa),
        ("产业用房 factory", a.factory),
        ("自持 leased", a.factory_leased),
        ("销售 sold", a.factory_sold),
        ("回迁 resettled", a.factory_resettled),
        ("宿舍 dormitory", a.dormitory),
        ("配套 supporting", a.supporting),
        ("住宅 residential", a.residential),
        ("地下室 basement", a.basement),
    ] {
        ws.write_string(r, 0, label)?;
        ws.write_number_with_format(r, 1, v, &s.money)?;
        r += 1;
    }
    ws.set_column_width(0, 40)?;
    for c in 1..4 {
        ws.set_column_width(c, 20)?;
    }
    Ok(())
}

/// 假设 Assumptions: every input with its value, unit and where it came from.
fn assumptions(ws: &mut Worksheet, s: &Styles, sc: &Scenario) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, format!("假设 Assumptions — {}", sc.name), &s.title)?;
    for (c, h) in [
        "键 Key",
        "值 Value",
        "单位 Unit",
        "来源 Source",
        "名称 Term",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(2, c as u16, *h, &s.head)?;
    }
    let mut r = 3;
    let i = &sc.inputs;
    let words: [(&str, String); 8] = [
        (
            "policy.pack",
            i.policy.pack.clone().unwrap_or_else(|| "none".into()),
        ),
        ("land.price_basis", i.land.price_basis.name().into()),
        (
            "subsidy.construction_base",
            i.subsidy.construction_base.name().into(),
        ),
        ("tax.lat_method", i.tax.lat_method.name().into()),
        ("finance.repayment", i.finance.repayment.name().into()),
        (
            "finance.interest_convention",
            i.finance.interest_convention.name().into(),
        ),
        (
            "project.kind",
            i.project.kind.map(|k| k.name()).unwrap_or("—").into(),
        ),
        (
            "site.location",
            i.site.location.map(|k| k.name()).unwrap_or("—").into(),
        ),
    ];
    for (key, value) in words {
        ws.write_string(r, 0, key)?;
        ws.write_string(r, 1, value)?;
        r += 1;
    }
    for (k, source) in KEYS.iter().zip(&sc.sources) {
        if let Some(v) = k.get(i) {
            ws.write_string(r, 0, k.name)?;
            ws.write_number_with_format(r, 1, v, &s.plain)?;
            ws.write_string(r, 2, k.unit)?;
            ws.write_string(r, 3, source.words())?;
            ws.write_string(r, 4, k.zh())?;
            r += 1;
        }
    }
    for u in &sc.uncertain {
        ws.write_string(r, 0, format!("{} (Monte Carlo)", KEYS[u.key].name))?;
        ws.write_string(r, 1, serde_json::to_string(&u.dist).unwrap_or_default())?;
        ws.write_string(r, 3, "方案文件 scenario file")?;
        r += 1;
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 24)?;
    ws.set_column_width(2, 30)?;
    ws.set_column_width(3, 24)?;
    ws.set_column_width(4, 24)?;
    Ok(())
}

/// Writes an extra sheet.
type SheetWriter<'a> = dyn Fn(&mut Worksheet, &Styles) -> Result<(), XlsxError> + 'a;

/// The workbook of a scenario's deterministic run, plus `results` when given.
/// Today's date (UTC) as YYYY-MM-DD, from the civil calendar of the days since 1970.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Howard Hinnant's days-to-civil algorithm
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The cover sheet: what the workbook is about, where it came from and what it concludes.
fn cover(
    ws: &mut Worksheet,
    s: &Styles,
    sc: &Scenario,
    sm: &Summary,
    record: Option<&shanglou::record::Record>,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, "财务评价 Financial evaluation", &s.title)?;
    let from =
        |f: fn(&shanglou::record::Record) -> String| record.map(f).unwrap_or_else(|| "—".into());
    ws.write_string_with_format(1, 0, &sc.name, &s.title)?;
    let pct = |v: Option<f64>| {
        v.map(|r| format!("{:.2}%", r * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let years = |v: Option<f64>| {
        v.map(|y| format!("{y:.2}"))
            .unwrap_or_else(|| "never".into())
    };
    let rows: Vec<(&str, String)> = vec![
        ("方案文件 Scenario file", from(|r| r.scenario_file.clone())),
        ("SHA-256", from(|r| r.scenario_sha256.clone())),
        (
            "政策包 Policy pack",
            sc.inputs
                .policy
                .pack
                .clone()
                .unwrap_or_else(|| "none (the scenario's band)".into()),
        ),
        (
            "软件 Tool",
            format!("shanglou {}", env!("CARGO_PKG_VERSION")),
        ),
        ("日期 Date", today()),
        (
            "结论 Verdict",
            format!("{} {}", sm.verdict.status.zh(), sm.verdict.status.name()),
        ),
        ("判定口径 Basis", sm.verdict.basis.name().to_string()),
        (
            "保本微利区间 Band",
            format!(
                "{} – {}",
                pct(Some(sm.verdict.floor)),
                pct(Some(sm.verdict.cap))
            ),
        ),
        (
            "税前内部收益率 Project IRR before tax",
            pct(sm.irr.project_pre_tax),
        ),
        (
            "税后内部收益率 Project IRR after tax",
            pct(sm.irr.project_after_tax),
        ),
        ("资本金内部收益率 Equity IRR", pct(sm.irr.equity)),
        (
            "税前净现值 NPV before tax (万元)",
            format!("{:.2}", sm.npv.project_pre_tax / 1e4),
        ),
        (
            "静态回收期 Payback (years)",
            years(sm.payback_years.project_pre_tax),
        ),
        (
            "动态回收期 Dynamic payback (years)",
            years(sm.payback_dynamic_years.project_pre_tax),
        ),
        ("总投资收益率 ROI", pct(sm.roi)),
        ("资本金净利润率 ROE", pct(sm.roe)),
    ];
    for (i, (label, value)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_string_with_format(r, 0, *label, &s.head)?;
        ws.write_string(r, 1, value)?;
    }
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 70)?;
    Ok(())
}

fn workbook(
    sc: &Scenario,
    l: &Ledger<Decimal>,
    sm: &Summary,
    record: Option<&shanglou::record::Record>,
    results: Option<&SheetWriter>,
) -> Result<Vec<u8>, XlsxError> {
    let s = styles();
    let mut wb = Workbook::new();
    cover(
        wb.add_worksheet().set_name("封面 Cover")?,
        &s,
        sc,
        sm,
        record,
    )?;
    summary_sheet(wb.add_worksheet().set_name("汇总 Summary")?, &s, sc, sm)?;
    assumptions(wb.add_worksheet().set_name("假设 Assumptions")?, &s, sc)?;
    let pack = sc.inputs.policy.pack.as_deref().unwrap_or("none");
    let rate = sc.inputs.finance.discount_rate;
    for st in statements::all(l) {
        let indicators = st
            .indicators
            .iter()
            .flat_map(|b| {
                let label = match b {
                    Basis::ProjectPreTax => "所得税前 pre-tax",
                    Basis::ProjectAfterTax => "所得税后 after-tax",
                    Basis::Equity => "资本金 equity",
                };
                indicators_of(sm, *b, label, rate)
            })
            .collect();
        let heading = Heading {
            zh: st.zh,
            en: st.en,
            project: &sc.name,
            pack,
            indicators,
        };
        statement(
            wb.add_worksheet().set_name(st.zh)?,
            &s,
            l,
            &heading,
            &st.lines,
        )?;
    }
    if let Some(f) = results {
        f(wb.add_worksheet().set_name("结果 Results")?, &s)?;
    }
    wb.save_to_buffer()
}

impl Exporter for Xlsx {
    fn render(&self, doc: &Document, _style: Style) -> Result<Vec<File>> {
        let bytes = match doc {
            Document::Run {
                record,
                scenario,
                ledger,
                summary,
            } => workbook(scenario, ledger, summary, Some(record), None)?,
            Document::Mc {
                record,
                scenario,
                summary: mc,
                ..
            } => {
                let (l, sm) = metrics::evaluate(&scenario.inputs);
                let f = |ws: &mut Worksheet, s: &Styles| -> Result<(), XlsxError> {
                    ws.write_string_with_format(0, 0, "蒙特卡洛 Monte Carlo", &s.head)?;
                    let rows: [(&str, f64, &Format); 4] = [
                        ("路径数 paths", mc.paths as f64, &s.plain),
                        ("随机种子 seed", mc.seed as f64, &s.plain),
                        ("限价截断比例 clipped share", mc.clipped_share, &s.rate),
                        (
                            "无IRR路径 paths without IRR",
                            mc.irr.undefined as f64,
                            &s.plain,
                        ),
                    ];
                    let mut r = 1;
                    for (label, v, f) in rows {
                        ws.write_string(r, 0, label)?;
                        ws.write_number_with_format(r, 1, v, f)?;
                        r += 1;
                    }
                    r += 1;
                    ws.write_string_with_format(
                        r,
                        0,
                        format!("IRR ({})", mc.basis.name()),
                        &s.head,
                    )?;
                    r += 1;
                    for (label, v) in [
                        ("mean", mc.irr.mean),
                        ("sd", mc.irr.sd),
                        ("p5", mc.irr.p5),
                        ("p25", mc.irr.p25),
                        ("p50", mc.irr.p50),
                        ("p75", mc.irr.p75),
                        ("p95", mc.irr.p95),
                    ] {
                        ws.write_string(r, 0, label)?;
                        if let Some(v) = v {
                            ws.write_number_with_format(r, 1, v, &s.rate)?;
                        }
                        r += 1;
                    }
                    r += 1;
                    ws.write_string_with_format(r, 0, "概率 Probabilities", &s.head)?;
                    r += 1;
                    for (label, v) in [
                        ("符合保本微利 within", mc.prob.within),
                        ("超过上限 above cap", mc.prob.above_cap),
                        ("未能保本 below floor", mc.prob.below_floor),
                        ("无法判定 undefined", mc.prob.undefined),
                    ] {
                        ws.write_string(r, 0, label)?;
                        ws.write_number_with_format(r, 1, v, &s.rate)?;
                        r += 1;
                    }
                    ws.set_column_width(0, 34)?;
                    ws.set_column_width(1, 16)?;
                    Ok(())
                };
                workbook(scenario, &l, &sm, Some(record), Some(&f))?
            }
            Document::Sweep {
                scenario,
                axes,
                points,
            } => {
                let (l, sm) = metrics::evaluate(&scenario.inputs);
                let f = |ws: &mut Worksheet, s: &Styles| -> Result<(), XlsxError> {
                    let header =
                        shanglou::sweep::header(axes, points.iter().any(|p| p.mc.is_some()));
                    for (c, h) in header.iter().enumerate() {
                        ws.write_string_with_format(0, c as u16, h, &s.head)?;
                        ws.set_column_width(c as u16, 18)?;
                    }
                    for (i, p) in points.iter().enumerate() {
                        let r = 1 + i as u32;
                        // columns: swept keys, then the IRRs, the verdict and the statistics
                        let k = p.values.len() as u16;
                        for (j, (a, v)) in axes.iter().zip(&p.values).enumerate() {
                            match &a.labels {
                                Some(_) => ws.write_string(r, j as u16, a.label(*v))?,
                                None => ws.write_number(r, j as u16, *v)?,
                            };
                        }
                        for (j, v) in p.irrs().iter().enumerate() {
                            if let Some(v) = v {
                                ws.write_number_with_format(r, k + j as u16, *v, &s.rate)?;
                            }
                        }
                        ws.write_string(r, k + 3, p.status.name())?;
                        ws.write_string(r, k + 4, p.breached.join(" "))?;
                        if let Some(m) = &p.mc {
                            for (j, v) in m.values().iter().enumerate() {
                                if let Some(v) = v {
                                    ws.write_number_with_format(r, k + 5 + j as u16, *v, &s.rate)?;
                                }
                            }
                        }
                    }
                    Ok(())
                };
                workbook(scenario, &l, &sm, None, Some(&f))?
            }
            _ => return Ok(vec![]),
        };
        Ok(vec![("report.xlsx".into(), bytes)])
    }
}

/// The most rows an Excel sheet holds below its header.
const SHEET_ROWS: u64 = 1_048_575;

/// `report.xlsx` of a batch: a summary sheet (the tally against the band) and every row of
/// `batch_csv` with numbers stored as numbers, streamed to disk row by row (constant memory),
/// and saved straight to `out`, so the workbook costs no memory per parcel.
pub fn batch_workbook(
    o: &super::BatchOverview,
    batch_csv: &std::path::Path,
    out: &std::path::Path,
) -> Result<()> {
    use shanglou::batch::HEADER;
    let s = styles();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("汇总 Summary")?;
    ws.write_string_with_format(0, 0, "组合测算 Portfolio batch", &s.title)?;
    let t = o.tally;
    let mut r = 2;
    for (label, v) in [
        ("模板 Template", o.template.to_string()),
        ("地块表 Parcel table", o.parcels_file.to_string()),
    ] {
        ws.write_string(r, 0, label)?;
        ws.write_string(r, 1, v)?;
        r += 1;
    }
    for (label, v) in [("保本 IRR floor", o.band.0), ("微利 IRR cap", o.band.1)] {
        ws.write_string(r, 0, label)?;
        ws.write_number_with_format(r, 1, v, &s.rate)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "结论 Verdict", &s.head)?;
    ws.write_string_with_format(r, 1, "地块 Parcels", &s.head)?;
    r += 1;
    let rows = o.verdict_rows().map(|(_, label, v)| (label, v));
    for (label, v) in rows.into_iter().chain([("合计 rows read", o.parcels)]) {
        ws.write_string(r, 0, label)?;
        ws.write_number(r, 1, v as f64)?;
        r += 1;
    }
    let good = o.parcels.saturating_sub(t.bad_rows);
    if good > SHEET_ROWS {
        r += 1;
        ws.write_string(
            r,
            0,
            format!(
                "The parcel sheet holds the first {SHEET_ROWS} of {good} parcels (an Excel sheet's limit); batch.csv has them all."
            ),
        )?;
    }
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 40)?;

    let ws = wb
        .add_worksheet_with_constant_memory()?
        .set_name("地块 Parcels")?;
    let text = [
        "name",
        "verdict",
        "breached_rules",
        "solve_note",
        "solved_key",
    ];
    let rate = [
        "irr_pre_tax",
        "irr_after_tax",
        "irr_equity",
        "p_within",
        "p_above_cap",
        "p_below_floor",
    ];
    let money = ["land", "construction", "rent", "sales", "subsidy", "npv"];
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &s.head)?;
        ws.set_column_width(c as u16, if *h == "name" { 24 } else { 16 })?;
    }
    let mut reader = csv::Reader::from_path(batch_csv)?;
    for (i, row) in reader.records().enumerate() {
        let row = row?;
        let r = 1 + i as u64;
        if r > SHEET_ROWS {
            break;
        }
        let r = r as u32;
        for (c, (h, cell)) in HEADER.iter().zip(row.iter()).enumerate() {
            let c = c as u16;
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(v) if !text.contains(h) => {
                    if rate.contains(h) {
                        ws.write_number_with_format(r, c, v, &s.rate)?;
                    } else if money.contains(h) {
                        ws.write_number_with_format(r, c, v, &s.money)?;
                    } else {
                        ws.write_number(r, c, v)?;
                    }
                }
                _ => {
                    ws.write_string(r, c, cell)?;
                }
            }
        }
    }
    wb.save(out)?;
    Ok(())
}
