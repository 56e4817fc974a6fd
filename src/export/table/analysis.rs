//! The tables of the analyses: Monte Carlo, sensitivity, sweep and comparison.

use super::*;
use shanglou::scenario::Scenario;

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
