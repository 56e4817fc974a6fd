//! Policy packs (docs/model.md §11): the rules of each source policy as data files in `policies/`,
//! embedded in the binary, and the compliance check of a scenario against them.

use crate::model::Areas;
use crate::scenario::Inputs;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The five source policies, as shipped.
const SOURCES: [(&str, &str); 5] = [
    (
        "shenzhen-2023",
        include_str!("../policies/shenzhen-2023.toml"),
    ),
    ("wuhan-2024", include_str!("../policies/wuhan-2024.toml")),
    (
        "jiaxing-2025",
        include_str!("../policies/jiaxing-2025.toml"),
    ),
    ("ningbo-2023", include_str!("../policies/ningbo-2023.toml")),
    (
        "yongjia-2023",
        include_str!("../policies/yongjia-2023.toml"),
    ),
];

/// How a rule compares the actual value with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// actual ≤ limit
    Le,
    /// actual ≥ limit
    Ge,
    /// limit[0] ≤ actual ≤ limit[1]
    Between,
}

/// The quantity a rule constrains, computed from the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// The basis IRR (保本微利).
    Irr,
    /// 容积率
    Far,
    /// A_f / GFA
    FactoryShare,
    /// A_r / GFA
    ResidentialShare,
    /// A_d / A_f
    DormitoryToFactory,
    /// (A_s + A_d) / GFA
    SupportingDormitoryShare,
    /// factory.self_held_share (自持比例 of the factory space)
    SelfHeldShare,
    /// (A_fh + A_d + A_s) / GFA: the floor area the developer keeps
    SelfHeldGfaShare,
    FactoryRent,
    FactoryRentGrowth,
    LandTermYears,
    Floors,
    HeightM,
    /// subsidy.construction_per_m2 (n/a when 0)
    ConstructionSubsidyPerM2,
    /// The construction subsidy paid, after its cap (n/a when 0)
    ConstructionSubsidyAmount,
    BasementSubsidyPerM2,
    BasementSubsidyAmount,
}

impl Quantity {
    /// The name as written in a pack file (`self_held_gfa_share`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Limit {
    One(f64),
    Range([f64; 2]),
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub quantity: Quantity,
    pub op: Op,
    pub limit: Limit,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub quantity: Quantity,
    pub op: Op,
    pub limit: Limit,
    /// The rule also passes when all of these pass (e.g. "FAR ≥ 2.5, or ≥ 6 floors and ≥ 24 m").
    #[serde(default)]
    pub alternative: Vec<Condition>,
    pub article: String,
    pub text_zh: String,
    pub text_en: String,
}

/// One source policy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub document: String,
    /// 保本: the verdict floor.
    pub irr_floor: f64,
    /// 微利: the verdict cap.
    pub irr_cap: f64,
    /// Factory rent cap (yuan/m²/month) that Monte Carlo enforces, when the pack has one.
    pub rent_cap: Option<f64>,
    /// Yearly factory rent growth cap that Monte Carlo enforces, when the pack has one.
    pub growth_cap: Option<f64>,
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

/// Every shipped pack, parsed once. The files are part of the build and a test parses them,
/// so a broken file cannot ship.
pub fn packs() -> &'static [Pack] {
    static PACKS: OnceLock<Vec<Pack>> = OnceLock::new();
    PACKS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(id, src)| {
                let p: Pack = toml::from_str(src)
                    .unwrap_or_else(|e| panic!("policies/{id}.toml is invalid: {e}"));
                assert_eq!(&p.id, id, "policies/{id}.toml has id {}", p.id);
                p
            })
            .collect()
    })
}

pub fn pack(id: &str) -> Option<&'static Pack> {
    packs().iter().find(|p| p.id == id)
}

/// The built-in packs, as scenario validation looks them up.
pub struct BuiltIn;

impl crate::scenario::PackLookup for BuiltIn {
    fn band(&self, name: &str) -> Option<(f64, f64)> {
        pack(name).map(|p| (p.irr_floor, p.irr_cap))
    }
    fn names(&self) -> Vec<&'static str> {
        names()
    }
}

pub fn names() -> Vec<&'static str> {
    packs().iter().map(|p| p.id.as_str()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// The scenario does not give the quantity (e.g. no `site.floors`) or the rule does not
    /// apply (no subsidy claimed).
    #[serde(rename = "n/a")]
    NotApplicable,
}

/// A rule checked against a scenario (the `check --json` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub id: String,
    pub quantity: Quantity,
    pub status: Outcome,
    pub actual: Option<f64>,
    pub limit: Limit,
    pub op: Op,
    pub article: String,
    pub text_zh: String,
    pub text_en: String,
}

/// The figures rules are checked against.
pub struct Facts<'a> {
    pub inputs: &'a Inputs<f64>,
    pub areas: &'a Areas<f64>,
    /// The basis IRR of the deterministic run.
    pub irr: Option<f64>,
}

impl Facts<'_> {
    pub fn value(&self, q: Quantity) -> Option<f64> {
        let i = self.inputs;
        let a = self.areas;
        let gfa = a.gfa;
        let ratio = |x: f64, y: f64| if y > 0.0 { Some(x / y) } else { None };
        let s = &i.subsidy;
        let positive = |v: f64| if v > 0.0 { Some(v) } else { None };
        match q {
            Quantity::Irr => self.irr,
            Quantity::Far => Some(i.site.far),
            Quantity::FactoryShare => ratio(a.factory, gfa),
            Quantity::ResidentialShare => ratio(a.residential, gfa),
            Quantity::DormitoryToFactory => ratio(a.dormitory, a.factory),
            Quantity::SupportingDormitoryShare => ratio(a.supporting + a.dormitory, gfa),
            Quantity::SelfHeldShare => (a.factory > 0.0).then_some(i.factory.self_held_share),
            Quantity::SelfHeldGfaShare => ratio(a.factory_leased + a.dormitory + a.supporting, gfa),
            Quantity::FactoryRent => (a.factory_leased > 0.0).then_some(i.factory.lease.rent),
            Quantity::FactoryRentGrowth => {
                (a.factory_leased > 0.0).then_some(i.factory.lease.rent_growth)
            }
            Quantity::LandTermYears => Some(i.project.land_term_years as f64),
            Quantity::Floors => i.site.floors,
            Quantity::HeightM => i.site.height_m,
            Quantity::ConstructionSubsidyPerM2 => positive(s.construction_per_m2),
            Quantity::ConstructionSubsidyAmount => {
                positive(crate::model::construction_subsidy(i, a))
            }
            Quantity::BasementSubsidyPerM2 => positive(s.basement_per_m2),
            Quantity::BasementSubsidyAmount => positive(crate::model::basement_subsidy(i, a)),
        }
    }

    fn holds(&self, q: Quantity, op: Op, limit: &Limit) -> Option<bool> {
        let v = self.value(q)?;
        // 1e-9 slack: a share typed as 0.6666666666 meets "≥ 2/3" as the analyst meant
        let eps = 1e-9 * v.abs().max(1.0);
        Some(match (op, limit) {
            (Op::Le, Limit::One(l)) => v <= l + eps,
            (Op::Ge, Limit::One(l)) => v >= l - eps,
            (Op::Between, Limit::Range([lo, hi])) => v >= lo - eps && v <= hi + eps,
            (_, Limit::Range([_, hi])) if op == Op::Le => v <= hi + eps,
            (_, Limit::Range([lo, _])) => v >= lo - eps,
            (Op::Between, Limit::One(l)) => (v - l).abs() <= eps,
        })
    }
}

/// Checks every rule of `pack`.
pub fn check(pack: &Pack, facts: &Facts) -> Vec<Checked> {
    pack.rules
        .iter()
        .map(|r| {
            let main = facts.holds(r.quantity, r.op, &r.limit);
            let alt = if r.alternative.is_empty() {
                None
            } else {
                let all: Option<Vec<bool>> = r
                    .alternative
                    .iter()
                    .map(|c| facts.holds(c.quantity, c.op, &c.limit))
                    .collect();
                all.map(|v| v.iter().all(|b| *b))
            };
            let status = match (main, alt) {
                (Some(true), _) | (_, Some(true)) => Outcome::Pass,
                (None, None) => Outcome::NotApplicable,
                _ => Outcome::Fail,
            };
            Checked {
                id: r.id.clone(),
                quantity: r.quantity,
                status,
                actual: facts.value(r.quantity),
                limit: r.limit.clone(),
                op: r.op,
                article: r.article.clone(),
                text_zh: r.text_zh.clone(),
                text_en: r.text_en.clone(),
            }
        })
        .collect()
}

/// Checks a scenario's deterministic run against its pack (or `pack`).
pub fn check_inputs(pack: &Pack, inputs: &Inputs<f64>, basis_irr: Option<f64>) -> Vec<Checked> {
    let areas = crate::model::areas(inputs);
    check(
        pack,
        &Facts {
            inputs,
            areas: &areas,
            irr: basis_irr,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_pack_parses_and_cites_articles() {
        assert_eq!(
            names(),
            [
                "shenzhen-2023",
                "wuhan-2024",
                "jiaxing-2025",
                "ningbo-2023",
                "yongjia-2023"
            ]
        );
        for p in packs() {
            assert!(!p.rules.is_empty(), "{}", p.id);
            assert!(p.irr_floor <= p.irr_cap);
            for r in &p.rules {
                assert!(
                    !r.article.is_empty() && !r.text_zh.is_empty() && !r.text_en.is_empty(),
                    "{}",
                    r.id
                );
                if r.op == Op::Between {
                    assert!(
                        matches!(r.limit, Limit::Range(_)),
                        "{} needs [lo, hi]",
                        r.id
                    );
                }
            }
        }
        assert_eq!(pack("shenzhen-2023").unwrap().rent_cap, Some(35.0));
    }
}
