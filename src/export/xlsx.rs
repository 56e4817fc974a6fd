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
use shanglou::num::Num;
use shanglou::scenario::{Basis, Scenario, KEYS};

pub struct Xlsx;

struct Styles {
    head: Format,
    money: Format,
    money_bold: Format,
    title: Format,
    rate: Format,
    ratio: Format,
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
        plain: Format::new(),
    }
}

fn d(v: Decimal) -> f64 {
    Num::to_f64(v)
}

/// One statement row: number, Chinese and English label, values per year.
struct Line {
    no: &'static str,
    zh: &'static str,
    en: &'static str,
    values: Vec<f64>,
    bold: bool,
    /// A ratio (coverage): written as it is, not in 万元, with no total.
    ratio: bool,
}

fn line(no: &'static str, zh: &'static str, en: &'static str, values: Vec<f64>) -> Line {
    Line {
        no,
        zh,
        en,
        values,
        bold: false,
        ratio: false,
    }
}

fn ratio_line(no: &'static str, zh: &'static str, en: &'static str, values: Vec<f64>) -> Line {
    Line {
        ratio: true,
        ..line(no, zh, en, values)
    }
}

fn total(no: &'static str, zh: &'static str, en: &'static str, values: Vec<f64>) -> Line {
    Line {
        no,
        zh,
        en,
        values,
        bold: true,
        ratio: false,
    }
}

/// A statement row straight from a ledger column.
fn item(no: &'static str, zh: &'static str, en: &'static str, column: &[Decimal]) -> Line {
    line(no, zh, en, column.iter().map(|v| d(*v)).collect())
}

fn col(l: &Ledger<Decimal>, f: impl Fn(usize) -> Decimal) -> Vec<f64> {
    (0..l.years()).map(|t| d(f(t))).collect()
}

fn cumulative(v: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    v.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
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
    cumulative_rows: &[&str],
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
        // the total is a formula over the year cells (its value cached for readers that do
        // not recalculate); a cumulative or ratio row has no meaningful total
        if !ln.ratio && !cumulative_rows.contains(&ln.zh) {
            let sum: f64 = ln.values.iter().filter(|v| v.is_finite()).sum::<f64>() * scale;
            let f = Formula::new(format!("=SUM(E{}:{last}{})", r + 1, r + 1))
                .set_result(format!("{sum}"));
            ws.write_formula_with_format(r, 3, f, fmt)?;
        }
        for (t, v) in ln.values.iter().enumerate() {
            if v.is_finite() {
                ws.write_number_with_format(r, 4 + t as u16, *v * scale, fmt)?;
            }
        }
    }
    if !heading.indicators.is_empty() {
        let mut r = top + 3 + lines.len() as u32;
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

fn project_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    let rent = col(l, |t| {
        l.rent_factory[t] + l.rent_dormitory[t] + l.rent_supporting[t]
    });
    let sales = col(l, |t| l.sales_factory[t] + l.sales_residential[t]);
    let inflow = col(l, |t| {
        l.rent_factory[t]
            + l.rent_dormitory[t]
            + l.rent_supporting[t]
            + l.sales_factory[t]
            + l.sales_residential[t]
            + l.subsidy[t]
            + l.terminal_value[t]
    });
    let taxes = col(l, |t| {
        l.vat[t] + l.surcharges[t] + l.property_tax[t] + l.land_use_tax[t] + l.lat[t]
    });
    let outflow = col(l, |t| {
        l.land[t]
            + l.construction[t]
            + l.opex[t]
            + l.vat[t]
            + l.surcharges[t]
            + l.property_tax[t]
            + l.land_use_tax[t]
            + l.lat[t]
    });
    let pre = col(l, |t| l.cf_pre_tax[t]);
    let post = col(l, |t| l.cf_after_tax[t]);
    vec![
        total("1", "现金流入", "Cash inflow", inflow),
        line("1.1", "营业收入（租金，含税）", "Rent (VAT incl.)", rent),
        line("1.2", "销售收入（含税）", "Sales (VAT incl.)", sales),
        item("1.3", "补贴收入", "Subsidies", &l.subsidy),
        item("1.4", "回收资产余值", "Terminal value", &l.terminal_value),
        total("2", "现金流出", "Cash outflow", outflow),
        item("2.1", "建设投资（土地）", "Investment: land", &l.land),
        item(
            "2.2",
            "建设投资（工程）",
            "Investment: construction",
            &l.construction,
        ),
        item("2.3", "经营成本", "Operating cost", &l.opex),
        line(
            "2.4",
            "营业税金及附加",
            "Taxes other than income tax",
            taxes,
        ),
        item("2.4.1", "增值税", "VAT", &l.vat),
        item("2.4.2", "附加税", "Surcharges", &l.surcharges),
        item("2.4.3", "房产税", "Property tax", &l.property_tax),
        item("2.4.4", "城镇土地使用税", "Land use tax", &l.land_use_tax),
        item("2.4.5", "土地增值税", "Land appreciation tax", &l.lat),
        total(
            "3",
            "所得税前净现金流量",
            "Net cash flow before income tax",
            pre.clone(),
        ),
        line(
            "4",
            "累计所得税前净现金流量",
            "Cumulative, before income tax",
            cumulative(&pre),
        ),
        item(
            "5",
            "调整所得税",
            "Adjusted income tax",
            &l.income_tax_adjusted,
        ),
        total(
            "6",
            "所得税后净现金流量",
            "Net cash flow after income tax",
            post.clone(),
        ),
        line(
            "7",
            "累计所得税后净现金流量",
            "Cumulative, after income tax",
            cumulative(&post),
        ),
    ]
}

fn equity_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    let inflow = col(l, |t| {
        l.rent_factory[t]
            + l.rent_dormitory[t]
            + l.rent_supporting[t]
            + l.sales_factory[t]
            + l.sales_residential[t]
            + l.subsidy[t]
            + l.terminal_value[t]
    });
    let own = col(l, |t| l.land[t] + l.construction[t] - l.loan_draw[t]);
    let taxes = col(l, |t| {
        l.vat[t] + l.surcharges[t] + l.property_tax[t] + l.land_use_tax[t] + l.lat[t]
    });
    let outflow: Vec<f64> = (0..l.years())
        .map(|t| inflow[t] - d(l.cf_equity[t]))
        .collect();
    let eq = col(l, |t| l.cf_equity[t]);
    vec![
        total("1", "现金流入", "Cash inflow", inflow),
        total("2", "现金流出", "Cash outflow", outflow),
        line("2.1", "项目资本金", "Equity invested", own),
        item("2.2", "借款本金偿还", "Loan principal repaid", &l.principal),
        item("2.3", "借款利息支付", "Loan interest paid", &l.interest),
        item("2.4", "经营成本", "Operating cost", &l.opex),
        line(
            "2.5",
            "营业税金及附加",
            "Taxes other than income tax",
            taxes,
        ),
        item("2.6", "所得税", "Income tax", &l.income_tax_equity),
        total("3", "净现金流量", "Net cash flow to equity", eq.clone()),
        line("4", "累计净现金流量", "Cumulative", cumulative(&eq)),
    ]
}

/// 投资估算表: land, construction and the interest of the construction period, by year.
fn investment_estimate(l: &Ledger<Decimal>) -> Vec<Line> {
    let t_op = l.t_op;
    let building_interest = col(l, |t| {
        if t < t_op {
            l.interest[t] + l.interest_capitalised[t]
        } else {
            Decimal::ZERO
        }
    });
    let invest = col(l, |t| l.land[t] + l.construction[t]);
    let total_investment: Vec<f64> = invest
        .iter()
        .zip(&building_interest)
        .map(|(a, b)| a + b)
        .collect();
    vec![
        total("1", "建设投资", "Investment", invest),
        item(
            "1.1",
            "土地费用",
            "Land (incl. deed tax, other costs)",
            &l.land,
        ),
        item(
            "1.2",
            "工程费用及其他",
            "Construction, soft cost, contingency, fees",
            &l.construction,
        ),
        line(
            "2",
            "建设期利息",
            "Construction-period interest",
            building_interest,
        ),
        item(
            "2.1",
            "其中资本化",
            "of which capitalised",
            &l.interest_capitalised,
        ),
        total("3", "项目总投资", "Total investment", total_investment),
    ]
}

/// 营业收入和税金及附加估算表: revenue by use and kind, and the taxes on it.
fn revenue_and_taxes(l: &Ledger<Decimal>) -> Vec<Line> {
    let revenue = col(l, |t| {
        l.rent_factory[t]
            + l.rent_dormitory[t]
            + l.rent_supporting[t]
            + l.sales_factory[t]
            + l.sales_residential[t]
    });
    let taxes = col(l, |t| {
        l.vat[t] + l.surcharges[t] + l.property_tax[t] + l.land_use_tax[t] + l.lat[t]
    });
    vec![
        total("1", "营业收入（含税）", "Revenue (VAT included)", revenue),
        item("1.1", "产业用房租金", "Factory rent", &l.rent_factory),
        item("1.2", "宿舍租金", "Dormitory rent", &l.rent_dormitory),
        item("1.3", "配套租金", "Supporting rent", &l.rent_supporting),
        item("1.4", "产业用房销售", "Factory sales", &l.sales_factory),
        item("1.5", "住宅销售", "Residential sales", &l.sales_residential),
        total("2", "税金及附加", "Taxes other than income tax", taxes),
        item("2.1", "应纳增值税", "VAT paid", &l.vat),
        item("2.2", "增值税附加", "Surcharges", &l.surcharges),
        item("2.3", "房产税", "Property tax", &l.property_tax),
        item("2.4", "城镇土地使用税", "Land use tax", &l.land_use_tax),
        item("2.5", "土地增值税", "Land appreciation tax (paid)", &l.lat),
    ]
}

/// 总成本费用估算表: operating cost, depreciation and amortisation, cost of the space sold or
/// resettled, and interest.
fn total_cost(l: &Ledger<Decimal>) -> Vec<Line> {
    let total_cost = col(l, |t| {
        l.opex[t] - l.vat_input_opex[t]
            + l.depreciation[t]
            + l.cost_of_sales[t]
            + l.resettlement[t]
            + l.interest[t]
    });
    let opex_net = col(l, |t| l.opex[t] - l.vat_input_opex[t]);
    vec![
        line(
            "1",
            "经营成本（不含税）",
            "Operating cost (VAT excluded)",
            opex_net,
        ),
        item(
            "2",
            "折旧及摊销",
            "Depreciation and amortisation",
            &l.depreciation,
        ),
        item("3", "销售成本", "Cost of the space sold", &l.cost_of_sales),
        item(
            "4",
            "回迁安置成本",
            "Cost of the space resettled",
            &l.resettlement,
        ),
        item("5", "利息支出", "Interest", &l.interest),
        total("6", "总成本费用", "Total cost", total_cost),
    ]
}

/// 利润与利润分配表 (equity view): revenue net of VAT, subsidies, taxes, total cost, profit,
/// income tax and net profit.
fn profit_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    let taxes = col(l, |t| {
        l.surcharges[t] + l.property_tax[t] + l.land_use_tax[t] + l.lat_accrued[t]
    });
    let net_profit = col(l, |t| l.ebit_equity[t] - l.income_tax_equity[t]);
    vec![
        item(
            "1",
            "营业收入（不含税）：租金",
            "Rent (VAT excluded)",
            &l.rent_net,
        ),
        item(
            "2",
            "营业收入（不含税）：销售",
            "Sales (VAT excluded)",
            &l.sales_net,
        ),
        item("3", "补贴收入", "Subsidies", &l.subsidy),
        item("4", "期末价值", "Terminal value", &l.terminal_value),
        line(
            "5",
            "税金及附加（土地增值税按权责发生）",
            "Taxes (LAT accrued)",
            taxes,
        ),
        item("6", "息税前利润", "EBIT", &l.ebit),
        item("7", "利润总额", "Profit before income tax", &l.ebit_equity),
        item("8", "所得税", "Income tax", &l.income_tax_equity),
        total("9", "净利润", "Net profit", net_profit),
    ]
}

/// 增值税及附加计算表: output VAT by source, input VAT, the carried credit, VAT paid.
fn vat_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    vec![
        total("1", "销项税额", "Output VAT", col(l, |t| l.vat_output[t])),
        item("1.1", "租金销项", "on rent", &l.vat_rent),
        item(
            "1.2",
            "产业用房销售销项",
            "on factory sales",
            &l.vat_sales_factory,
        ),
        item(
            "1.3",
            "住宅销售销项",
            "on residential sales",
            &l.vat_sales_residential,
        ),
        total("2", "进项税额", "Input VAT", col(l, |t| l.vat_input[t])),
        item(
            "2.1",
            "其中经营成本进项",
            "of which on operating cost",
            &l.vat_input_opex,
        ),
        item(
            "3",
            "期末留抵税额",
            "Credit carried at year end",
            &l.vat_credit,
        ),
        item("4", "应纳增值税", "VAT paid", &l.vat),
        item("5", "增值税附加", "Surcharges", &l.surcharges),
    ]
}

/// 土地增值税计算表 by year: the cash paid (prepayments, settlements, refunds) and the tax
/// accrued with the sales.
fn lat_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    vec![
        item(
            "1",
            "产业用房销售（含税）",
            "Factory sales (VAT included)",
            &l.sales_factory,
        ),
        item(
            "2",
            "住宅销售（含税）",
            "Residential sales (VAT included)",
            &l.sales_residential,
        ),
        item(
            "3",
            "土地增值税（预征、清算、退税）",
            "LAT paid (prepaid, settled, refunded)",
            &l.lat,
        ),
        item(
            "4",
            "土地增值税（按销售计提）",
            "LAT accrued with the sales",
            &l.lat_accrued,
        ),
    ]
}

fn loan_schedule(l: &Ledger<Decimal>) -> Vec<Line> {
    let opening: Vec<f64> = (0..l.years())
        .map(|t| {
            if t == 0 {
                0.0
            } else {
                d(l.loan_balance[t - 1])
            }
        })
        .collect();
    let ratio = |num: &dyn Fn(usize) -> f64, den: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..l.years())
            // no debt service that year: no ratio (a blank cell, not 0)
            .map(|t| {
                if den(t) > 0.0 {
                    num(t) / den(t)
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    let ebit = |t: usize| d(l.ebit[t]);
    let interest = |t: usize| d(l.interest[t]);
    let service = |t: usize| d(l.interest[t] + l.principal[t]);
    // 偿债备付率 = (息税折旧摊销前利润 − 所得税) / 应还本付息额
    let available =
        |t: usize| d(l.ebit[t] + l.depreciation[t] + l.cost_of_sales[t] - l.income_tax_equity[t]);
    vec![
        line("1", "期初借款余额", "Opening balance", opening),
        item("2", "当期借款", "Drawn", &l.loan_draw),
        item("3", "当期应计利息", "Interest", &l.interest),
        item("4", "当期还本", "Principal repaid", &l.principal),
        item("5", "期末借款余额", "Closing balance", &l.loan_balance),
        item("6", "息税前利润", "EBIT", &l.ebit),
        ratio_line(
            "7",
            "利息备付率",
            "Interest coverage ratio (EBIT / interest)",
            ratio(&ebit, &interest),
        ),
        ratio_line(
            "8",
            "偿债备付率",
            "Debt service coverage ratio",
            ratio(&available, &service),
        ),
    ]
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
    r += 1;
    ws.write_string_with_format(r, 0, "假设 Assumptions (key)", &s.head)?;
    ws.write_string_with_format(r, 1, "value", &s.head)?;
    ws.write_string_with_format(r, 2, "unit", &s.head)?;
    r += 1;
    for k in KEYS.iter() {
        if let Some(v) = k.get(&sc.inputs) {
            ws.write_string(r, 0, k.name)?;
            ws.write_number_with_format(r, 1, v, &s.plain)?;
            ws.write_string(r, 2, k.unit)?;
            r += 1;
        }
    }
    ws.set_column_width(0, 40)?;
    for c in 1..4 {
        ws.set_column_width(c, 20)?;
    }
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
    let pack = sc.inputs.policy.pack.as_deref().unwrap_or("none");
    let heading = |zh: &'static str, en: &'static str| Heading {
        zh,
        en,
        project: &sc.name,
        pack,
        indicators: vec![],
    };
    let rate = sc.inputs.finance.discount_rate;
    for (name, en, lines) in [
        ("投资估算表", "Investment estimate", investment_estimate(l)),
        (
            "营业收入和税金及附加估算表",
            "Revenue and taxes",
            revenue_and_taxes(l),
        ),
        ("总成本费用估算表", "Total cost", total_cost(l)),
        ("利润与利润分配表", "Profit", profit_statement(l)),
    ] {
        statement(
            wb.add_worksheet().set_name(name)?,
            &s,
            l,
            &heading(name, en),
            &lines,
            &[],
        )?;
    }
    statement(
        wb.add_worksheet().set_name("项目投资现金流量表")?,
        &s,
        l,
        &Heading {
            indicators: [
                indicators_of(sm, Basis::ProjectPreTax, "所得税前 pre-tax", rate),
                indicators_of(sm, Basis::ProjectAfterTax, "所得税后 after-tax", rate),
            ]
            .concat(),
            ..heading("项目投资现金流量表", "Project investment cash flow")
        },
        &project_statement(l),
        &["累计所得税前净现金流量", "累计所得税后净现金流量"],
    )?;
    statement(
        wb.add_worksheet().set_name("项目资本金现金流量表")?,
        &s,
        l,
        &Heading {
            indicators: indicators_of(sm, Basis::Equity, "资本金 equity", rate),
            ..heading("项目资本金现金流量表", "Equity cash flow")
        },
        &equity_statement(l),
        &["累计净现金流量"],
    )?;
    statement(
        wb.add_worksheet().set_name("借款还本付息计划表")?,
        &s,
        l,
        &heading("借款还本付息计划表", "Loan repayment schedule"),
        &loan_schedule(l),
        // the coverage rows are ratios, which have no total either (`Line::ratio`)
        &["期初借款余额", "期末借款余额"],
    )?;
    for (name, en, lines, running) in [
        (
            "增值税及附加计算表",
            "VAT and surcharges",
            vat_statement(l),
            "期末留抵税额",
        ),
        (
            "土地增值税计算表",
            "Land appreciation tax",
            lat_statement(l),
            "",
        ),
    ] {
        statement(
            wb.add_worksheet().set_name(name)?,
            &s,
            l,
            &heading(name, en),
            &lines,
            &[running],
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
                        for (j, v) in p.values.iter().enumerate() {
                            ws.write_number(r, j as u16, *v)?;
                        }
                        for (j, v) in p.irrs().iter().enumerate() {
                            if let Some(v) = v {
                                ws.write_number_with_format(r, k + j as u16, *v, &s.rate)?;
                            }
                        }
                        ws.write_string(r, k + 3, p.status.name())?;
                        if let Some(m) = &p.mc {
                            for (j, v) in m.values().iter().enumerate() {
                                if let Some(v) = v {
                                    ws.write_number_with_format(r, k + 4 + j as u16, *v, &s.rate)?;
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
