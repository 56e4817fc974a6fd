//! The tables of the policy commands: a pack's checks, the all-packs matrix, a pack's rules.

use super::*;
use shanglou::scenario::Scenario;

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
    style: crate::export::Style,
) -> String {
    use shanglou::policy::Outcome;
    let zh = style.lang == crate::export::Lang::Zh;
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
