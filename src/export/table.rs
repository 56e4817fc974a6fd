//! The terminal summary: bilingual labels, amounts in 万元 with thousands separators, columns
//! aligned by display width (a CJK character takes two cells).

use rust_decimal::Decimal;
use shanglou::metrics::Summary;
use shanglou::model::{Ledger, SoldObject};
use shanglou::num::Num;
use shanglou::scenario::{Basis, Scenario};
use std::fmt::Write;

/// Cells a string takes in a terminal.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

pub fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

pub fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// 1234567.891 → "1,234,567.89"
pub fn thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), format!(".{b}")))
        .unwrap_or((s.clone(), String::new()));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    let neg = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!("{}{out}{frac}", if neg { "-" } else { "" })
}

/// Yuan → 万元 text.
pub fn wan(v: f64) -> String {
    thousands(v / 10_000.0, 2)
}

pub fn pct(v: Option<f64>) -> String {
    match v {
        Some(r) => format!("{:.2}%", r * 100.0),
        None => "—".to_string(),
    }
}

/// A rule's limit as text: "≤ 35", "≥ 0.55", "24 – 100".
/// A scenario key's value as a person reads it, by the unit in the key registry: shares and
/// rates in %, lump sums in 万元, whole numbers whole, everything else to 0.01 with its unit.
pub fn key_value(spec: &shanglou::scenario::KeySpec, v: f64) -> String {
    let u = spec.unit;
    if spec.kind == shanglou::scenario::Kind::Int {
        format!("{} {u}", v.round())
    } else if u.starts_with("share") || u.contains("rate") || u == "per year" {
        format!("{:.2}%", v * 100.0)
    } else if u == "yuan" || u.starts_with("yuan,") {
        format!("{} 万元", wan(v))
    } else if u.is_empty() {
        thousands(v, 2)
    } else {
        format!("{} {u}", thousands(v, 2))
    }
}

/// A value of the scenario key named `key` as [`key_value`] shows it (six significant digits
/// for a name the registry does not know).
pub fn named_value(key: &str, v: f64) -> String {
    match shanglou::scenario::keys::find(key) {
        Some((_, spec)) => key_value(spec, v),
        None => significant(v),
    }
}

/// Six significant digits: a value to type after `--set` that reproduces a solved target to
/// well inside the solver's tolerance, without the float's last digits.
pub fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (5 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A rule's figure as a person writes it: shares, IRR and growth in %, a rent with its unit,
/// terms in years, amounts in 万元.
pub fn quantity_text(q: shanglou::policy::Quantity, v: f64) -> String {
    use shanglou::policy::Quantity as Q;
    let trim = |v: f64, d: usize| {
        let s = format!("{v:.d$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    match q {
        Q::Irr
        | Q::FactoryShare
        | Q::ResidentialShare
        | Q::DormitoryToFactory
        | Q::SupportingDormitoryShare
        | Q::SelfHeldShare
        | Q::SelfHeldGfaShare
        | Q::FactoryRentGrowth => format!("{}%", trim(v * 100.0, 2)),
        Q::Far | Q::FarNetOfSplitSale => trim(v, 2),
        Q::LandAreaM2 | Q::SplitSaleLandAreaM2 => format!("{} m²", thousands(v, 0)),
        Q::InfrastructureFeePerM2 | Q::ConstructionSubsidyPerFactoryM2 => {
            format!("{} yuan/m²", trim(v, 2))
        }
        Q::FactoryRent => format!("{} yuan/m²/month", trim(v, 2)),
        Q::LandTermYears => format!("{} years", trim(v, 1)),
        Q::Floors => format!("{} floors", trim(v, 0)),
        Q::HeightM => format!("{} m", trim(v, 1)),
        Q::ConstructionSubsidyPerM2 | Q::BasementSubsidyPerM2 => {
            format!("{} yuan/m²", trim(v, 2))
        }
        Q::ConstructionSubsidyAmount | Q::BasementSubsidyAmount => format!("{} 万元", wan(v)),
    }
}

/// A limit as a person writes it: a share that is a simple fraction other than a whole
/// percentage (2/3, 1/6) as the fraction, everything else as [`quantity_text`].
fn limit_value(q: shanglou::policy::Quantity, v: f64) -> String {
    let whole_percent = ((v * 100.0).round() - v * 100.0).abs() < 1e-6;
    if quantity_text(q, v).ends_with('%') && !whole_percent {
        for d in [3u32, 6, 7, 9, 11, 12] {
            let n = (v * d as f64).round();
            if n >= 1.0 && (v - n / d as f64).abs() < 1e-6 {
                return format!("{n}/{d}");
            }
        }
    }
    quantity_text(q, v)
}

pub fn limit_text(
    q: shanglou::policy::Quantity,
    op: shanglou::policy::Op,
    limit: &shanglou::policy::Limit,
) -> String {
    use shanglou::policy::{Limit, Op};
    let n = |v: f64| limit_value(q, v);
    match (op, limit) {
        (Op::Le, Limit::One(v)) => format!("≤ {}", n(*v)),
        (Op::Ge, Limit::One(v)) => format!("≥ {}", n(*v)),
        (_, Limit::Range([a, b])) => format!("{} – {}", n(*a), n(*b)),
        (Op::Between, Limit::One(v)) => format!("= {}", n(*v)),
    }
}

/// The names of the IRR statistics a Monte Carlo summary reports, in [`irr_stats`]'s order.
pub const IRR_STATS: [&str; 7] = ["mean", "sd", "p5", "p25", "p50", "p75", "p95"];

/// The IRR statistics of a Monte Carlo summary as percentages.
pub fn irr_stats(i: &shanglou::mc::stats::IrrStats) -> Vec<String> {
    [i.mean, i.sd, i.p5, i.p25, i.p50, i.p75, i.p95]
        .into_iter()
        .map(pct)
        .collect()
}

/// A table with a header row; the first column is left-aligned, the rest right-aligned.
pub fn grid(header: &[String], rows: &[Vec<String>]) -> String {
    let ncol = header.len();
    let mut w = vec![0; ncol];
    for r in std::iter::once(header).chain(rows.iter().map(|r| r.as_slice())) {
        for (i, c) in r.iter().enumerate().take(ncol) {
            w[i] = w[i].max(width(c));
        }
    }
    let line = |r: &[String]| {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    pad_right(c, w[0])
                } else {
                    pad_left(c, w[i])
                }
            })
            .collect();
        format!("  {}\n", cells.join("  ").trim_end())
    };
    let mut out = line(header);
    let total: usize = w.iter().sum::<usize>() + 2 * (ncol - 1);
    out.push_str(&format!("  {}\n", "─".repeat(total)));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn s(v: &str) -> String {
    v.to_string()
}

/// The summary printed by `shanglou run`.
pub fn run_summary(sc: &Scenario, l: &Ledger<Decimal>, sm: &Summary) -> String {
    let inp = &sc.inputs;
    let n = l.years();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}\n  {} 年 years {}–{}, 首个运营年 first operating year t = {} ({})\n",
        sc.name,
        n,
        inp.project.start_year,
        inp.project.start_year + n as i64 - 1,
        l.t_op,
        inp.project.start_year + l.t_op as i64
    );
    let a = &sm.areas;
    let area_rows = vec![
        vec![s("计容建筑面积 GFA"), thousands(a.gfa, 0)],
        vec![s("产业用房 Factory"), thousands(a.factory, 0)],
        vec![s("  自持出租 leased"), thousands(a.factory_leased, 0)],
        vec![s("  分割销售 sold"), thousands(a.factory_sold, 0)],
        vec![s("  回迁安置 resettled"), thousands(a.factory_resettled, 0)],
        vec![s("宿舍 Dormitory"), thousands(a.dormitory, 0)],
        vec![s("配套 Supporting"), thousands(a.supporting, 0)],
        vec![s("住宅 Residential (sold)"), thousands(a.residential, 0)],
        vec![s("地下室 Basement"), thousands(a.basement, 0)],
    ];
    o.push_str(&grid(&[s("面积 Areas"), s("m²")], &area_rows));
    o.push('\n');
    let t = &sm.totals;
    let f = |d: Decimal| wan(Num::to_f64(d));
    let mut total_rows = vec![
        vec![s("土地 Land (incl. deed tax, other)"), f(t.land)],
        vec![s("建设投资 Construction"), f(t.construction)],
        vec![s("租金收入 Rent (VAT incl.)"), f(t.rent)],
        vec![s("销售收入 Sales (VAT incl.)"), f(t.sales)],
        vec![s("补助 Subsidies"), f(t.subsidy)],
        vec![s("增值税 VAT paid"), f(t.vat)],
    ];
    if !t.vat_input.is_zero() {
        let lost = l.vat_credit.last().copied().unwrap_or_default();
        total_rows.push(vec![s("  销项税额 output VAT"), f(t.vat_output)]);
        total_rows.push(vec![
            s("  进项税额 input VAT credited"),
            f(t.vat_input - lost),
        ]);
        if !lost.is_zero() {
            total_rows.push(vec![s("  期末留抵 credit lost at term end"), f(lost)]);
        }
    }
    total_rows.extend([
        vec![s("附加税 Surcharges"), f(t.surcharges)],
        vec![s("房产税 Property tax"), f(t.property_tax)],
        vec![s("城镇土地使用税 Land use tax"), f(t.land_use_tax)],
        vec![s("土地增值税 LAT"), f(t.lat)],
    ]);
    for obj in &l.lat_detail {
        let name = match obj.object {
            SoldObject::Factory => "产业用房 factory",
            SoldObject::Residential => "住宅 residential",
        };
        let ratio = obj
            .ratio
            .map(|r| format!(", 增值率 gain/deductions {:.1}%", Num::to_f64(r) * 100.0))
            .unwrap_or_default();
        total_rows.push(vec![format!("  {name}: 应纳 due{ratio}"), f(obj.lat)]);
        total_rows.push(vec![s("    预征 prepaid"), f(obj.prepaid)]);
        let y = obj.settlement_year;
        total_rows.push(vec![
            format!(
                "    清算 settled {} (t = {y}){}",
                l.start_year + y as i64,
                if obj.lat < obj.prepaid {
                    ", a refund"
                } else {
                    ""
                }
            ),
            f(obj.lat - obj.prepaid),
        ]);
    }
    total_rows.extend([
        vec![s("运营成本 Opex"), f(t.opex)],
        vec![
            s("调整所得税 Income tax (project)"),
            f(t.income_tax_adjusted),
        ],
        vec![s("所得税 Income tax (equity)"), f(t.income_tax_equity)],
    ]);
    if !t.interest_capitalised.is_zero() {
        total_rows.push(vec![
            s("建设期利息资本化 Capitalised interest"),
            f(t.interest_capitalised),
        ]);
    }
    o.push_str(&grid(&[s("合计 Totals"), s("万元")], &total_rows));
    o.push('\n');

    let header = vec![
        s("年 Year"),
        s("流入 Inflow"),
        s("流出 Outflow"),
        s("税前 CF pre-tax"),
        s("累计 Cumulative"),
        s("税后 After tax"),
        s("资本金 Equity"),
    ];
    let mut rows = Vec::new();
    let mut cum = Decimal::ZERO;
    for t in 0..n {
        let inflow = l.rent_factory[t]
            + l.rent_dormitory[t]
            + l.rent_supporting[t]
            + l.sales_factory[t]
            + l.sales_residential[t]
            + l.subsidy[t]
            + l.terminal_value[t].max(Decimal::ZERO);
        cum += l.cf_pre_tax[t];
        rows.push(vec![
            format!("{} {}", t, l.start_year + t as i64),
            f(inflow),
            f(inflow - l.cf_pre_tax[t]),
            f(l.cf_pre_tax[t]),
            f(cum),
            f(l.cf_after_tax[t]),
            f(l.cf_equity[t]),
        ]);
    }
    o.push_str("现金流量表 Annual cash flows (万元; the full statement is in cashflow.csv)\n");
    o.push_str(&grid(&header, &rows));
    o.push('\n');

    let per = |g: &dyn Fn(Basis) -> String| Basis::ALL.iter().map(|b| g(*b)).collect::<Vec<_>>();
    let mut ind = Vec::new();
    let mut row = vec![s("内部收益率 IRR")];
    row.extend(per(&|b| pct(*sm.irr.get(b))));
    ind.push(row);
    let mut row = vec![format!(
        "净现值 NPV @ {:.2}% (万元)",
        inp.finance.discount_rate * 100.0
    )];
    row.extend(per(&|b| wan(*sm.npv.get(b))));
    ind.push(row);
    let mut row = vec![s("静态回收期 Payback (years)")];
    row.extend(per(&|b| {
        sm.payback_years
            .get(b)
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "never".into())
    }));
    ind.push(row);
    let mut row = vec![format!(
        "动态回收期 Dynamic payback @ {:.2}% (years)",
        inp.finance.discount_rate * 100.0
    )];
    row.extend(per(&|b| {
        sm.payback_dynamic_years
            .get(b)
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "never".into())
    }));
    ind.push(row);
    let mut row = vec![s("多重根 Several IRRs")];
    row.extend(per(&|b| {
        let d = sm.irr_detail.get(b);
        if d.multiple_roots {
            let roots: Vec<String> = d.roots.iter().map(|r| pct(Some(*r))).collect();
            format!("yes: {}", roots.join(", "))
        } else {
            "no".into()
        }
    }));
    ind.push(row);
    o.push_str(&grid(
        &[
            s("指标 Indicators"),
            s("税前 pre-tax"),
            s("税后 after-tax"),
            s("资本金 equity"),
        ],
        &ind,
    ));
    let _ = writeln!(
        o,
        "  峰值资金需求 Peak funding: {} 万元",
        wan(sm.peak_funding)
    );
    let _ = writeln!(
        o,
        "  项目总投资 Total investment: {} 万元 (资本金 equity {} 万元); 总投资收益率 ROI {}; 资本金净利润率 ROE {}",
        wan(sm.total_investment),
        wan(sm.equity_capital),
        pct(sm.roi),
        pct(sm.roe)
    );
    let _ = writeln!(
        o,
        "  超额收益现值 Excess PV at the {:.2}% cap (收益调配): {} 万元\n",
        sm.verdict.cap * 100.0,
        wan(sm.excess_pv)
    );
    let v = &sm.verdict;
    let _ = writeln!(
        o,
        "结论 Verdict: {} {} — {}",
        v.status.zh(),
        v.status.name(),
        band_text(v, &sc.inputs.policy)
    );
    o
}

/// "project_pre_tax IRR 5.31% against the band 0.00% (保本 floor) to 4.50% (微利 cap)".
pub fn band_text(v: &shanglou::metrics::Verdict, pol: &shanglou::scenario::Policy) -> String {
    let whose = match (&pol.pack, pol.band_from_pack) {
        (Some(p), true) => format!("the band {p}'s document sets"),
        (Some(p), false) => format!("the scenario's band ({p}'s document sets none)"),
        (None, _) => "the scenario's band".to_string(),
    };
    format!(
        "{} IRR {} against {whose}, {} (保本 floor) to {} (微利 cap)",
        v.basis.name(),
        pct(v.irr),
        pct(Some(v.floor)),
        pct(Some(v.cap))
    )
}

/// The summary printed by `shanglou mc`.
pub fn mc_summary(
    sc: &Scenario,
    s: &shanglou::mc::stats::McSummary,
    det: Option<f64>,
    det_status: shanglou::metrics::Status,
    secs: f64,
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}\n  Monte Carlo: {} paths, seed {}, basis {} — {:.2} s ({} paths/s)\n",
        sc.name,
        thousands(s.paths as f64, 0),
        s.seed,
        s.basis.name(),
        secs,
        thousands(s.paths as f64 / secs.max(1e-9), 0)
    );
    let i = &s.irr;
    let header: Vec<String> = std::iter::once("IRR 内部收益率")
        .chain(IRR_STATS)
        .map(str::to_string)
        .collect();
    let mut row = vec![format!(
        "{} ({} paths)",
        s.basis.name(),
        thousands((s.paths - i.undefined) as f64, 0)
    )];
    row.extend(irr_stats(i));
    o.push_str(&grid(&header, &[row]));
    let _ = writeln!(
        o,
        "  deterministic run 确定性结果: {} ({})",
        pct(det),
        det_status.name()
    );
    if i.undefined > 0 {
        let _ = writeln!(
            o,
            "  paths without an IRR 无IRR路径: {}",
            thousands(i.undefined as f64, 0)
        );
    }
    let p = &s.prob;
    let band = &sc.inputs.policy;
    let _ = writeln!(
        o,
        "\n概率 Probabilities (band {} to {}):",
        pct(Some(band.irr_floor)),
        pct(Some(band.irr_cap))
    );
    let rows = vec![
        vec![
            "符合保本微利 within the band".to_string(),
            pct(Some(p.within)),
        ],
        vec![
            "超过微利上限 above the cap (收益调配)".to_string(),
            pct(Some(p.above_cap)),
        ],
        vec![
            "未能保本 below the floor".to_string(),
            pct(Some(p.below_floor)),
        ],
        vec!["无法判定 undefined".to_string(), pct(Some(p.undefined))],
    ];
    o.push_str(&grid(
        &["verdict".to_string(), "share of paths".to_string()],
        &rows,
    ));
    if s.clipped_share > 0.0 {
        let _ = writeln!(
            o,
            "  policy caps clipped a sampled rent or growth in {} of paths",
            pct(Some(s.clipped_share))
        );
    }
    o
}

/// The sensitivity table printed by `shanglou sensitivity`.
/// The sensitivity analysis in the terminal: the 敏感性分析表, the break-even values and the
/// tornado, each figure with its unit (a clamped point is marked *: the input could not move
/// that far and stay a valid scenario).
pub fn sensitivity(sc: &Scenario, a: &shanglou::sensitivity::Analysis) -> String {
    use shanglou::scenario::keys;
    let value = named_value;
    let mut o = format!(
        "{}\n  {} IRR at base: {} (band {} to {})\n\n敏感性分析表 Sensitivity table (IRR at each change of one input)\n",
        sc.name,
        a.basis.name(),
        pct(a.base_irr),
        pct(Some(a.floor)),
        pct(Some(a.cap))
    );
    let mut header = vec!["input 输入".to_string(), "base 基准".to_string()];
    header.extend(shanglou::sensitivity::CHANGES.iter().map(|c| {
        if *c == 0.0 {
            "0%".to_string()
        } else {
            format!("{:+.0}%", c * 100.0)
        }
    }));
    header.extend(["敏感度系数 coefficient", "临界点 to floor", "临界点 to cap"].map(String::from));
    let critical = |key: &str, c: &Option<shanglou::sensitivity::Critical>| match c {
        Some(c) => format!("{:+.1}%", c.change * 100.0),
        None if keys::find(key).is_some_and(|(_, s)| s.kind == shanglou::scenario::Kind::Int) => {
            "—".into()
        }
        None => "not reached".into(),
    };
    let rows: Vec<Vec<String>> = a
        .table
        .iter()
        .map(|r| {
            let mut row = vec![r.key.clone(), value(&r.key, r.base)];
            row.extend(
                r.points
                    .iter()
                    .map(|p| format!("{}{}", pct(p.irr), if p.clamped { "*" } else { "" })),
            );
            row.push(
                r.coefficient
                    .map(|c| format!("{c:.2}"))
                    .unwrap_or_else(|| "—".into()),
            );
            row.push(critical(&r.key, &r.critical_floor));
            row.push(critical(&r.key, &r.critical_cap));
            row
        })
        .collect();
    o.push_str(&grid(&header, &rows));
    if a.table.iter().any(|r| r.points.iter().any(|p| p.clamped)) {
        o.push_str("  * the input could not move that far and stay a valid scenario: shown at the furthest valid value\n");
    }
    if !a.breakeven.is_empty() {
        o.push_str("\n盈亏平衡分析 Break-even (IRR at the floor)\n");
        let rows: Vec<Vec<String>> = a
            .breakeven
            .iter()
            .map(|b| {
                vec![
                    b.key.clone(),
                    value(&b.key, b.base),
                    if b.holds_at_zero {
                        "0 (breaks even without it 无此项亦可保本)".to_string()
                    } else {
                        value(&b.key, b.value)
                    },
                    pct(Some(b.margin_of_safety)),
                ]
            })
            .collect();
        o.push_str(&grid(
            &[
                "input 输入".into(),
                "base 基准".into(),
                "break-even 盈亏平衡点".into(),
                "margin of safety 安全边际".into(),
            ],
            &rows,
        ));
    }
    let t = &a.tornado;
    o.push_str(&format!(
        "\n龙卷风图 Tornado (largest swing first, {} bars)\n",
        t.bars.len()
    ));
    let rows: Vec<Vec<String>> = t
        .bars
        .iter()
        .map(|b| {
            vec![
                b.key.clone(),
                b.spread.to_string(),
                value(&b.key, b.low),
                value(&b.key, b.high),
                pct(Some(b.irr_low)),
                pct(Some(b.irr_high)),
                pct(Some(b.swing)),
            ]
        })
        .collect();
    o.push_str(&grid(
        &[
            "input 输入".into(),
            "spread".into(),
            "low".into(),
            "high".into(),
            "IRR at low".into(),
            "IRR at high".into(),
            "swing 摆幅".into(),
        ],
        &rows,
    ));
    o
}

/// The sweep table printed by `shanglou sweep`.
pub fn sweep(
    sc: &Scenario,
    axes: &[shanglou::sweep::Axis],
    points: &[shanglou::sweep::Point],
    paths: Option<u64>,
    seed: u64,
) -> String {
    let mut o = format!("{}\n  {} points", sc.name, points.len());
    match paths {
        Some(p) => o.push_str(&format!(
            ", {} Monte Carlo paths each, seed {seed} (common random numbers)\n\n",
            thousands(p as f64, 0)
        )),
        None => o.push_str(", deterministic (add --paths N for probabilities)\n\n"),
    }
    let mut header: Vec<String> = axes.iter().map(|a| a.key.to_string()).collect();
    header.extend(
        [
            "IRR pre-tax",
            "after tax",
            "equity",
            "verdict",
            "rules breached",
        ]
        .map(String::from),
    );
    if paths.is_some() {
        header.extend(["p50", "P(within)", "P(above cap)", "P(below floor)"].map(String::from));
    }
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            let mut r: Vec<String> = axes
                .iter()
                .zip(&p.values)
                .map(|(a, v)| a.label(*v))
                .collect();
            r.extend([
                pct(p.irr_pre_tax),
                pct(p.irr_after_tax),
                pct(p.irr_equity),
                p.status.name().to_string(),
                p.breached.join(" "),
            ]);
            if let Some(m) = &p.mc {
                r.extend([
                    pct(m.p50),
                    pct(Some(m.p_within)),
                    pct(Some(m.p_above_cap)),
                    pct(Some(m.p_below_floor)),
                ]);
            }
            r
        })
        .collect();
    o.push_str(&grid(&header, &rows));
    o
}

/// The comparison printed by `shanglou compare`: amounts in 万元, areas in m².
pub fn compare(entries: &[shanglou::report::compare::Entry]) -> String {
    use shanglou::report::compare::Cell;
    let mut header = vec![String::new()];
    header.extend(
        entries
            .iter()
            .map(|e| crate::export::charts::ascii_title(&e.name)),
    );
    let rows: Vec<Vec<String>> = shanglou::report::compare::rows(entries)
        .into_iter()
        .map(|(label, cells)| {
            let unit = match cells.first() {
                Some(Cell::Money(_)) => " (万元)",
                Some(Cell::Area(_)) => " (m²)",
                _ => "",
            };
            std::iter::once(format!("{label}{unit}"))
                .chain(cells.into_iter().map(|c| match c {
                    Cell::Money(v) => wan(v),
                    Cell::Area(v) => thousands(v, 0),
                    Cell::Rate(r) => pct(r),
                    Cell::Text(t) => t,
                }))
                .collect()
        })
        .collect();
    grid(&header, &rows)
}

/// A rule's outcome with what the reader should know beside it: the key that would make an
/// n/a rule checkable, that an exception may be approved.
fn outcome_text(c: &shanglou::policy::Checked) -> String {
    let mut t = c.status.words().to_string();
    if let Some(k) = &c.missing {
        t.push_str(&format!(" (give {k})"));
    }
    t
}

/// The terminal table of `check`: one row per rule, the figure, the limit, the outcome, the
/// article and the rule in the chosen language.
pub fn check(
    sc: &Scenario,
    pack: &shanglou::policy::Pack,
    rows: &[shanglou::policy::Checked],
    style: super::Style,
) -> String {
    use shanglou::policy::Outcome;
    let zh = style.lang == super::Lang::Zh;
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.actual
                    .map(|v| quantity_text(r.quantity, v))
                    .unwrap_or_else(|| "—".into()),
                limit_text(r.quantity, r.op, &r.limit),
                outcome_text(r),
                r.article.clone(),
                if zh {
                    r.text_zh.clone()
                } else {
                    r.text_en.clone()
                },
            ]
        })
        .collect();
    let mut text = format!("{} against {} ({})\n", sc.name, pack.id, pack.document);
    text.push_str(&match pack.band() {
        Some((f, c)) => format!(
            "  保本微利 band from the document: IRR {} to {}\n\n",
            pct(Some(f)),
            pct(Some(c))
        ),
        None => format!(
            "  the document sets no IRR band: the verdict uses the scenario's, {} to {}\n\n",
            pct(Some(sc.inputs.policy.irr_floor)),
            pct(Some(sc.inputs.policy.irr_cap))
        ),
    });
    text.push_str(&grid(
        &[
            "rule".into(),
            "actual".into(),
            "limit".into(),
            "result".into(),
            "article 条款".into(),
            if zh { "条文" } else { "rule text" }.into(),
        ],
        &body,
    ));
    let notes: Vec<String> = rows
        .iter()
        .flat_map(|r| r.notes.iter().map(move |n| format!("  {}: {n}", r.id)))
        .collect();
    if !notes.is_empty() {
        text.push('\n');
        text.push_str(&notes.join("\n"));
        text.push('\n');
    }
    let count = |o: Outcome| rows.iter().filter(|r| r.status == o).count();
    text.push_str(&format!(
        "\n{} of {} rules breached, {} advisory, {} n/a\n",
        count(Outcome::Fail),
        rows.len(),
        count(Outcome::Advisory),
        count(Outcome::NotApplicable)
    ));
    text
}

/// The terminal matrix of `check --all-packs`: rule quantities down, cities across, each cell
/// the outcome with the figure and the limit.
pub fn check_matrix(sc: &Scenario, m: &shanglou::report::check::Matrix) -> String {
    let mut header = vec!["rule on".to_string()];
    header.extend(m.packs.iter().cloned());
    let rows: Vec<Vec<String>> = m
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![format!(
                "{} {}",
                r.quantity.name(),
                match r.op {
                    shanglou::policy::Op::Le => "≤",
                    shanglou::policy::Op::Ge => "≥",
                    shanglou::policy::Op::Between => "in",
                }
            )];
            row.extend(r.cells.iter().map(|c| match c {
                None => String::new(),
                Some(c) => {
                    let word = c.status.words().split(' ').next().unwrap_or("");
                    match c.actual {
                        Some(v) if c.status != shanglou::policy::Outcome::NotApplicable => format!(
                            "{word} {} {}",
                            quantity_text(c.quantity, v),
                            limit_text(c.quantity, c.op, &c.limit)
                        ),
                        _ => format!("{word} {}", limit_text(c.quantity, c.op, &c.limit)),
                    }
                }
            }));
            row
        })
        .collect();
    let mut text = format!("{} against every city's rules\n\n", sc.name);
    text.push_str(&grid(&header, &rows));
    let breaches = m.breaches();
    text.push_str("\nbreaches:");
    for (p, n) in m.packs.iter().zip(breaches) {
        text.push_str(&format!(" {p} {n}"));
    }
    text.push('\n');
    text
}

/// `policies PACK`: the pack's rules with their article, kind and the words they enforce.
pub fn pack_rules(p: &shanglou::policy::Pack) -> String {
    let mut text = format!(
        "{} — {}\n{}\n{}\n",
        p.id, p.document, p.title_zh, p.title_en
    );
    text.push_str(&match p.band() {
        Some((f, c)) => format!(
            "verdict band 保本微利: IRR {} to {}\n\n",
            pct(Some(f)),
            pct(Some(c))
        ),
        None => "no IRR band in the document: the verdict uses the scenario's band\n\n".into(),
    });
    let rows: Vec<Vec<String>> = p
        .rules
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.quantity.name(),
                limit_text(r.quantity, r.op, &r.limit),
                r.kind.words().into(),
                r.article.clone(),
                format!("“{}”", r.quote),
            ]
        })
        .collect();
    text.push_str(&grid(
        &[
            "rule".into(),
            "quantity".into(),
            "limit".into(),
            "kind".into(),
            "article 条款".into(),
            "quote 原文".into(),
        ],
        &rows,
    ));
    text.push_str(&format!(
        "\n`shanglou policies {} --article ARTICLE` prints an article's text; the document is policies/sources/{}\n",
        p.id, p.source
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_widths() {
        assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-1000.0, 0), "-1,000");
        assert_eq!(thousands(-0.001, 2), "0.00");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(width("土地 Land"), 9);
        assert_eq!(pad_left("万元", 6), "  万元");
    }
}
