//! The terminal summary: bilingual labels, amounts in 万元 with thousands separators, columns
//! aligned by display width (a CJK character takes two cells).

use rust_decimal::Decimal;
use shanglou::metrics::Summary;
use shanglou::model::{Ledger, SoldObject};
use shanglou::num::Num;
use shanglou::scenario::Basis;
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
    use rayon::prelude::*;
    let ncol = header.len();
    let widen = |mut w: Vec<usize>, r: &[String]| {
        for (i, c) in r.iter().enumerate().take(ncol) {
            w[i] = w[i].max(width(c));
        }
        w
    };
    // a table of 100,000 series (`irr`) is measured and written in parallel blocks of rows
    let w = rows
        .par_chunks(1024)
        .map(|c| c.iter().fold(vec![0; ncol], |w, r| widen(w, r)))
        .reduce(
            || vec![0; ncol],
            |a, b| a.into_iter().zip(b).map(|(x, y)| x.max(y)).collect(),
        );
    let w = widen(w, header);
    // each line written straight into the text (a table of 100,000 series is one string)
    let spaces = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
    let line = |out: &mut String, r: &[String]| {
        out.push_str("  ");
        let start = out.len();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            let pad = w.get(i).copied().unwrap_or(0).saturating_sub(width(c));
            if i == 0 {
                out.push_str(c);
                spaces(out, pad);
            } else {
                spaces(out, pad);
                out.push_str(c);
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    };
    let mut out = String::new();
    line(&mut out, header);
    let total: usize = w.iter().sum::<usize>() + 2 * (ncol - 1);
    out.push_str(&format!("  {}\n", "─".repeat(total)));
    let blocks: Vec<String> = rows
        .par_chunks(1024)
        .map(|c| {
            let mut text = String::new();
            c.iter().for_each(|r| line(&mut text, r));
            text
        })
        .collect();
    out.reserve(blocks.iter().map(String::len).sum());
    blocks.iter().for_each(|b| out.push_str(b));
    out
}

pub(super) fn s(v: &str) -> String {
    v.to_string()
}

mod analysis;
mod policy;
mod run;
pub use analysis::*;
pub use policy::*;
pub use run::*;

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
    }

    #[test]
    fn grid_pads_by_display_width_and_trims_line_ends() {
        let h = vec!["名".to_string(), "万元".to_string(), String::new()];
        let rows = vec![
            vec!["a".to_string(), "1".to_string(), String::new()],
            vec![
                "土地 Land".to_string(),
                "12,345".to_string(),
                "x".to_string(),
            ],
        ];
        assert_eq!(
            grid(&h, &rows),
            "  名           万元\n  ────────────────────\n  a               1\n  土地 Land  12,345  x\n"
        );
    }
}
