//! The standard statements of 《建设项目经济评价方法与参数》 as plain rows built from the exact
//! ledger: numbered lines with Chinese and English names, values per year in yuan, and how each
//! row follows from the others. The workbook writes them with live formulas, the HTML report as
//! tables.

use crate::model::Ledger;
use crate::num::Num;
use rust_decimal::Decimal;

/// One statement: its name and its rows.
pub struct Statement {
    pub zh: &'static str,
    pub en: &'static str,
    pub lines: Vec<Line>,
    /// The series whose indicators stand under it (the cash-flow statements).
    pub indicators: &'static [crate::scenario::Basis],
}

/// The statements in the standard's order.
pub fn all(l: &Ledger<Decimal>) -> Vec<Statement> {
    use crate::scenario::Basis::*;
    let st = |zh, en, lines, indicators| Statement {
        zh,
        en,
        lines,
        indicators,
    };
    vec![
        st(
            "投资估算表",
            "Investment estimate",
            investment_estimate(l),
            &[],
        ),
        st(
            "营业收入和税金及附加估算表",
            "Revenue and taxes",
            revenue_and_taxes(l),
            &[],
        ),
        st("总成本费用估算表", "Total cost", total_cost(l), &[]),
        st("利润与利润分配表", "Profit", profit_statement(l), &[]),
        st(
            "项目投资现金流量表",
            "Project investment cash flow",
            project_statement(l),
            &[ProjectPreTax, ProjectAfterTax],
        ),
        st(
            "项目资本金现金流量表",
            "Equity cash flow",
            equity_statement(l),
            &[Equity],
        ),
        st(
            "财务计划现金流量表",
            "Financial plan cash flow",
            financial_plan(l),
            &[],
        ),
        st(
            "借款还本付息计划表",
            "Loan repayment schedule",
            loan_schedule(l),
            &[],
        ),
        st(
            "增值税及附加计算表",
            "VAT and surcharges",
            vat_statement(l),
            &[],
        ),
        st(
            "土地增值税计算表",
            "Land appreciation tax",
            lat_statement(l),
            &[],
        ),
    ]
}

fn d(v: Decimal) -> f64 {
    Num::to_f64(v)
}

/// One statement row: number, Chinese and English label, values per year.
pub struct Line {
    pub no: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub values: Vec<f64>,
    pub bold: bool,
    /// A ratio (coverage): written as it is, not in 万元, with no total, flagged below 1.
    pub ratio: bool,
    /// How the year cells are written: values, or formulas over other rows of the statement.
    pub calc: Calc,
}

/// A row's year cells as the analyst would build them: a sum or difference of other rows
/// (named by their 序号), a running total, or plain values. Formulas keep their values cached,
/// so a reader that does not recalculate still sees the figures.
#[derive(Clone, Copy)]
pub enum Calc {
    Values,
    /// A stock (a balance): values, and no total across the years.
    Balance,
    Sum(&'static [&'static str]),
    Diff(&'static str, &'static str),
    /// The running total of a row: no total across the years either.
    Running(&'static str),
}

impl Line {
    fn sum_of(self, rows: &'static [&'static str]) -> Line {
        Line {
            calc: Calc::Sum(rows),
            ..self
        }
    }
    fn minus(self, a: &'static str, b: &'static str) -> Line {
        Line {
            calc: Calc::Diff(a, b),
            ..self
        }
    }
    fn running(self, row: &'static str) -> Line {
        Line {
            calc: Calc::Running(row),
            ..self
        }
    }
    fn balance(self) -> Line {
        Line {
            calc: Calc::Balance,
            ..self
        }
    }
    /// Whether the total column holds a sum across the years.
    pub fn has_total(&self) -> bool {
        !self.ratio && !matches!(self.calc, Calc::Balance | Calc::Running(_))
    }
}

fn line(no: &'static str, zh: &'static str, en: &'static str, values: Vec<f64>) -> Line {
    Line {
        no,
        zh,
        en,
        values,
        bold: false,
        ratio: false,
        calc: Calc::Values,
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
        bold: true,
        ..line(no, zh, en, values)
    }
}

/// A statement row straight from a ledger column.
fn item(no: &'static str, zh: &'static str, en: &'static str, column: &[Decimal]) -> Line {
    line(no, zh, en, column.iter().map(|v| d(*v)).collect())
}

fn col(l: &Ledger<Decimal>, f: impl Fn(usize) -> Decimal) -> Vec<f64> {
    (0..l.years()).map(|t| d(f(t))).collect()
}

/// Rent and sales, VAT included, in year t.
fn revenue_at(l: &Ledger<Decimal>, t: usize) -> Decimal {
    l.rent_factory[t]
        + l.rent_dormitory[t]
        + l.rent_supporting[t]
        + l.sales_factory[t]
        + l.sales_residential[t]
}

/// The cash inflow of the cash-flow statements: revenue, subsidies and the terminal value.
fn inflow(l: &Ledger<Decimal>) -> Vec<f64> {
    col(l, |t| revenue_at(l, t) + l.subsidy[t] + l.terminal_value[t])
}

/// Taxes other than income tax, as paid in year t: VAT, surcharges, property and land-use
/// tax, LAT.
fn taxes_at(l: &Ledger<Decimal>, t: usize) -> Decimal {
    l.vat[t] + l.surcharges[t] + l.property_tax[t] + l.land_use_tax[t] + l.lat[t]
}

fn taxes_paid(l: &Ledger<Decimal>) -> Vec<f64> {
    col(l, |t| taxes_at(l, t))
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

pub fn project_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    let rent = col(l, |t| {
        l.rent_factory[t] + l.rent_dormitory[t] + l.rent_supporting[t]
    });
    let sales = col(l, |t| l.sales_factory[t] + l.sales_residential[t]);
    let inflow = inflow(l);
    let taxes = taxes_paid(l);
    let outflow = col(l, |t| {
        l.land[t] + l.construction[t] + l.opex[t] + taxes_at(l, t)
    });
    let pre = col(l, |t| l.cf_pre_tax[t]);
    let post = col(l, |t| l.cf_after_tax[t]);
    vec![
        total("1", "现金流入", "Cash inflow", inflow).sum_of(&["1.1", "1.2", "1.3", "1.4"]),
        line("1.1", "营业收入（租金，含税）", "Rent (VAT incl.)", rent),
        line("1.2", "销售收入（含税）", "Sales (VAT incl.)", sales),
        item("1.3", "补贴收入", "Subsidies", &l.subsidy),
        item("1.4", "回收资产余值", "Terminal value", &l.terminal_value),
        total("2", "现金流出", "Cash outflow", outflow).sum_of(&["2.1", "2.2", "2.3", "2.4"]),
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
        )
        .sum_of(&["2.4.1", "2.4.2", "2.4.3", "2.4.4", "2.4.5"]),
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
        )
        .minus("1", "2"),
        line(
            "4",
            "累计所得税前净现金流量",
            "Cumulative, before income tax",
            cumulative(&pre),
        )
        .running("3"),
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
        )
        .minus("3", "5"),
        line(
            "7",
            "累计所得税后净现金流量",
            "Cumulative, after income tax",
            cumulative(&post),
        )
        .running("6"),
    ]
}

pub fn equity_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    let inflow = inflow(l);
    let own = col(l, |t| l.land[t] + l.construction[t] - l.loan_draw[t]);
    let taxes = taxes_paid(l);
    let outflow: Vec<f64> = (0..l.years())
        .map(|t| inflow[t] - d(l.cf_equity[t]))
        .collect();
    let eq = col(l, |t| l.cf_equity[t]);
    vec![
        total("1", "现金流入", "Cash inflow", inflow),
        total("2", "现金流出", "Cash outflow", outflow)
            .sum_of(&["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]),
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
        total("3", "净现金流量", "Net cash flow to equity", eq.clone()).minus("1", "2"),
        line("4", "累计净现金流量", "Cumulative", cumulative(&eq)).running("3"),
    ]
}

/// 财务计划现金流量表: operating, investing and financing flows and the cumulative surplus
/// (累计盈余资金) that shows whether the plan can meet its obligations every year. The model
/// has the equity holders fill every shortfall, construction and operating alike, so the
/// equity put in is the year's deficit of the equity flow.
pub fn financial_plan(l: &Ledger<Decimal>) -> Vec<Line> {
    let zero = Decimal::ZERO;
    let inflow = inflow(l);
    let taxes = taxes_paid(l);
    let operating_out = col(l, |t| l.opex[t] + taxes_at(l, t) + l.income_tax_equity[t]);
    let operating: Vec<f64> = inflow
        .iter()
        .zip(&operating_out)
        .map(|(a, b)| a - b)
        .collect();
    let investment = col(l, |t| l.land[t] + l.construction[t]);
    let equity_in = col(l, |t| (-l.cf_equity[t]).max(zero));
    let financing_in = col(l, |t| (-l.cf_equity[t]).max(zero) + l.loan_draw[t]);
    let financing_out = col(l, |t| l.interest[t] + l.principal[t]);
    let financing: Vec<f64> = financing_in
        .iter()
        .zip(&financing_out)
        .map(|(a, b)| a - b)
        .collect();
    // the year's surplus is the equity flow with the shortfall filled: cf_equity + equity_in
    let net = col(l, |t| l.cf_equity[t].max(zero));
    let zeros = vec![0.0; l.years()];
    let neg_investment: Vec<f64> = investment.iter().map(|v| -v).collect();
    vec![
        total(
            "1",
            "经营活动净现金流量",
            "Operating activities, net",
            operating,
        )
        .minus("1.1", "1.2"),
        line(
            "1.1",
            "现金流入",
            "Inflow: revenue, subsidies, terminal value",
            inflow,
        ),
        line("1.2", "现金流出", "Outflow", operating_out).sum_of(&["1.2.1", "1.2.2", "1.2.3"]),
        item("1.2.1", "经营成本", "Operating cost", &l.opex),
        line(
            "1.2.2",
            "税金及附加（含增值税）",
            "Taxes (VAT included)",
            taxes,
        ),
        item("1.2.3", "所得税", "Income tax", &l.income_tax_equity),
        total(
            "2",
            "投资活动净现金流量",
            "Investing activities, net",
            neg_investment,
        )
        .minus("2.1", "2.2"),
        line("2.1", "现金流入", "Inflow", zeros),
        line(
            "2.2",
            "建设投资",
            "Outflow: land and construction",
            investment,
        ),
        total(
            "3",
            "筹资活动净现金流量",
            "Financing activities, net",
            financing,
        )
        .minus("3.1", "3.2"),
        line("3.1", "现金流入", "Inflow", financing_in).sum_of(&["3.1.1", "3.1.2"]),
        line(
            "3.1.1",
            "项目资本金投入（含运营期补足）",
            "Equity put in (shortfalls included)",
            equity_in,
        ),
        item("3.1.2", "建设投资借款", "Loan drawn", &l.loan_draw),
        line("3.2", "现金流出", "Outflow", financing_out).sum_of(&["3.2.1", "3.2.2"]),
        item("3.2.1", "各种利息支出", "Interest paid", &l.interest),
        item("3.2.2", "偿还债务本金", "Principal repaid", &l.principal),
        total("4", "净现金流量", "Net cash flow", net.clone()).sum_of(&["1", "2", "3"]),
        line("5", "累计盈余资金", "Cumulative surplus", cumulative(&net)).running("4"),
    ]
}

/// 投资估算表: land, construction and the interest of the construction period, by year.
pub fn investment_estimate(l: &Ledger<Decimal>) -> Vec<Line> {
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
        total("1", "建设投资", "Investment", invest).sum_of(&["1.1", "1.2"]),
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
        total("3", "项目总投资", "Total investment", total_investment).sum_of(&["1", "2"]),
    ]
}

/// 营业收入和税金及附加估算表: revenue by use and kind, and the taxes on it.
pub fn revenue_and_taxes(l: &Ledger<Decimal>) -> Vec<Line> {
    let revenue = col(l, |t| revenue_at(l, t));
    let taxes = taxes_paid(l);
    vec![
        total("1", "营业收入（含税）", "Revenue (VAT included)", revenue)
            .sum_of(&["1.1", "1.2", "1.3", "1.4", "1.5"]),
        item("1.1", "产业用房租金", "Factory rent", &l.rent_factory),
        item("1.2", "宿舍租金", "Dormitory rent", &l.rent_dormitory),
        item("1.3", "配套租金", "Supporting rent", &l.rent_supporting),
        item("1.4", "产业用房销售", "Factory sales", &l.sales_factory),
        item("1.5", "住宅销售", "Residential sales", &l.sales_residential),
        total("2", "税金及附加", "Taxes other than income tax", taxes)
            .sum_of(&["2.1", "2.2", "2.3", "2.4", "2.5"]),
        item("2.1", "应纳增值税", "VAT paid", &l.vat),
        item("2.2", "增值税附加", "Surcharges", &l.surcharges),
        item("2.3", "房产税", "Property tax", &l.property_tax),
        item("2.4", "城镇土地使用税", "Land use tax", &l.land_use_tax),
        item("2.5", "土地增值税", "Land appreciation tax (paid)", &l.lat),
    ]
}

/// 总成本费用估算表: operating cost, depreciation and amortisation, cost of the space sold or
/// resettled, and interest.
pub fn total_cost(l: &Ledger<Decimal>) -> Vec<Line> {
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
        total("6", "总成本费用", "Total cost", total_cost).sum_of(&["1", "2", "3", "4", "5"]),
    ]
}

/// 利润与利润分配表 (equity view): revenue net of VAT, subsidies, taxes, total cost, profit,
/// income tax and net profit.
pub fn profit_statement(l: &Ledger<Decimal>) -> Vec<Line> {
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
        total("9", "净利润", "Net profit", net_profit).minus("7", "8"),
    ]
}

/// 增值税及附加计算表: output VAT by source, input VAT, the carried credit, VAT paid.
pub fn vat_statement(l: &Ledger<Decimal>) -> Vec<Line> {
    vec![
        total("1", "销项税额", "Output VAT", col(l, |t| l.vat_output[t]))
            .sum_of(&["1.1", "1.2", "1.3"]),
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
        )
        .balance(),
        item("4", "应纳增值税", "VAT paid", &l.vat),
        item("5", "增值税附加", "Surcharges", &l.surcharges),
    ]
}

/// 土地增值税计算表 by year: the cash paid (prepayments, settlements, refunds) and the tax
/// accrued with the sales.
pub fn lat_statement(l: &Ledger<Decimal>) -> Vec<Line> {
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

pub fn loan_schedule(l: &Ledger<Decimal>) -> Vec<Line> {
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
        line("1", "期初借款余额", "Opening balance", opening).balance(),
        item("2", "当期借款", "Drawn", &l.loan_draw),
        item("3", "当期应计利息", "Interest", &l.interest),
        item("4", "当期还本", "Principal repaid", &l.principal),
        item("5", "期末借款余额", "Closing balance", &l.loan_balance).balance(),
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
