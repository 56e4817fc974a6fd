//! The summary of `run`: areas, costs, revenues, taxes, indicators and the verdict.

use super::*;
use shanglou::scenario::Scenario;

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
