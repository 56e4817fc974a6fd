//! Checking a scenario against a pack: each rule's quantity measured on the inputs, the areas
//! and (for the IRR rules) the exact ledger's basis flows, with its outcome and notes.

use super::*;
use crate::model::Areas;
use crate::scenario::Inputs;
use serde::Serialize;

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// A binding rule is breached.
    Fail,
    /// An advisory rule the scheme does not meet: reported, never a failure.
    Advisory,
    /// The rule does not apply to this kind of project, the scheme does not claim what it
    /// governs, or the scenario does not give what it needs (`Checked::missing` names the key).
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Outcome {
    /// The outcome in the reports' words.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Pass => "pass 符合",
            Outcome::Fail => "breach 不符合",
            Outcome::Advisory => "advisory 提示",
            Outcome::NotApplicable => "n/a 不适用",
        }
    }
}

/// A rule checked against a scenario (the `check --json` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub id: String,
    pub quantity: Quantity,
    pub status: Outcome,
    pub kind: RuleKind,
    pub actual: Option<f64>,
    pub limit: Limit,
    pub op: Op,
    pub article: String,
    pub quote: String,
    pub text_zh: String,
    pub text_en: String,
    /// The key that would make an n/a rule checkable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// What the reader should know beside the outcome (an exception may be approved; a key
    /// was not given and the rule was checked at its default reading).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The basis series of the deterministic run, for the IRR rules.
#[derive(Debug, Clone)]
pub struct BasisFlows {
    pub flows: Vec<f64>,
    pub irr: Option<f64>,
}

/// The figures rules are checked against.
pub struct Facts<'a> {
    pub inputs: &'a Inputs<f64>,
    pub areas: &'a Areas<f64>,
    /// `None` leaves the IRR rules n/a (a structural check).
    pub basis: Option<&'a BasisFlows>,
}

fn positive(v: f64) -> Option<f64> {
    (v > 0.0).then_some(v)
}

impl Facts<'_> {
    pub fn value(&self, q: Quantity) -> Option<f64> {
        let i = self.inputs;
        let a = self.areas;
        let gfa = a.gfa;
        let ratio = |x: f64, y: f64| if y > 0.0 { Some(x / y) } else { None };
        let s = &i.subsidy;
        let sold = a.factory_sold > 0.0;
        match q {
            Quantity::Irr => self.basis.and_then(|b| b.irr),
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
            Quantity::LandAreaM2 => Some(i.site.land_area_m2),
            Quantity::Floors => i.site.floors,
            Quantity::HeightM => i.site.height_m,
            Quantity::InfrastructureFeePerM2 => Some(i.construction.infrastructure_fee_per_m2),
            Quantity::ConstructionSubsidyPerM2 => positive(s.construction_per_m2),
            Quantity::ConstructionSubsidyPerFactoryM2 => {
                positive(crate::model::construction_subsidy(i, a))
                    .and_then(|amount| ratio(amount, a.factory))
            }
            Quantity::ConstructionSubsidyAmount => {
                positive(crate::model::construction_subsidy(i, a))
            }
            Quantity::BasementSubsidyPerM2 => positive(s.basement_per_m2),
            Quantity::BasementSubsidyAmount => positive(crate::model::basement_subsidy(i, a)),
            Quantity::FarNetOfSplitSale => sold
                .then(|| ratio(a.factory_sold, i.site.land_area_m2).map(|x| i.site.far - x))
                .flatten(),
            Quantity::SplitSaleLandAreaM2 => sold.then_some(i.site.land_area_m2),
        }
    }

    /// Whether the quantity meets the limit; `None` when the scenario does not give it.
    fn holds(&self, q: Quantity, op: Op, limit: &Limit) -> Option<bool> {
        if q == Quantity::Irr {
            return self.irr_holds(op, limit);
        }
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

    /// An IRR rule judged as the verdict is (§8): by the sign of the NPV at the limit, so a
    /// scheme whose flows never recover breaches "IRR ≥ 0" rather than being n/a.
    fn irr_holds(&self, op: Op, limit: &Limit) -> Option<bool> {
        let b = self.basis?;
        if b.flows.iter().all(|v| *v == 0.0) {
            return None;
        }
        let npv = |r: f64| crate::irr::npv(&b.flows, r);
        Some(match (op, limit) {
            (Op::Ge, Limit::One(l)) => npv(*l) >= 0.0,
            (Op::Le, Limit::One(l)) => npv(*l) <= 0.0,
            (_, Limit::Range([lo, hi])) => npv(*lo) >= 0.0 && npv(*hi) <= 0.0,
            (Op::Between, Limit::One(l)) => npv(*l) == 0.0,
        })
    }

    /// Whether the rule applies to this kind of project: `Err(key)` when the scenario does not
    /// say and the rule needs it; notes for a rule checked at its default reading.
    fn applies(&self, r: &Rule, notes: &mut Vec<String>) -> Result<bool, &'static str> {
        for w in &r.when {
            match w.key.value(self.inputs) {
                Some(v) => {
                    let inside = w.is.is_empty() || w.is.contains(&v);
                    if !inside || w.not.contains(&v) {
                        return Ok(false);
                    }
                }
                None if w.if_missing == IfMissing::Apply => notes.push(format!(
                    "{} not given: checked as {}",
                    w.key.name(),
                    if w.is.is_empty() {
                        format!("not {}", w.not.join(" or "))
                    } else {
                        w.is.join(" or ")
                    }
                )),
                None => return Err(w.key.name()),
            }
        }
        Ok(true)
    }
}

/// Checks every rule of `pack`.
pub fn check(pack: &Pack, facts: &Facts) -> Vec<Checked> {
    pack.rules.iter().map(|r| check_rule(r, facts)).collect()
}

fn check_rule(r: &Rule, facts: &Facts) -> Checked {
    let mut notes = Vec::new();
    let mut missing = None;
    let status = match facts.applies(r, &mut notes) {
        Ok(false) => Outcome::NotApplicable,
        Err(key) => {
            missing = Some(key.to_string());
            Outcome::NotApplicable
        }
        Ok(true) => {
            let main = facts.holds(r.quantity, r.op, &r.limit);
            let alt = if r.alternative.is_empty() {
                None
            } else {
                r.alternative
                    .iter()
                    .map(|c| facts.holds(c.quantity, c.op, &c.limit))
                    .collect::<Option<Vec<bool>>>()
                    .map(|v| v.iter().all(|b| *b))
            };
            match (main, alt) {
                (Some(true), _) | (_, Some(true)) => Outcome::Pass,
                (None, None) => {
                    missing = missing_key(r.quantity).map(String::from);
                    Outcome::NotApplicable
                }
                _ if r.kind == RuleKind::Advisory => Outcome::Advisory,
                _ => Outcome::Fail,
            }
        }
    };
    if status == Outcome::Fail && r.kind == RuleKind::InPrinciple {
        notes.push("原则上 / 一般: an approved exception is possible".to_string());
    }
    Checked {
        id: r.id.clone(),
        quantity: r.quantity,
        status,
        kind: r.kind,
        actual: facts.value(r.quantity),
        limit: r.limit.clone(),
        op: r.op,
        article: r.article.clone(),
        quote: r.quote.clone(),
        text_zh: r.text_zh.clone(),
        text_en: r.text_en.clone(),
        missing,
        notes,
    }
}

/// The key whose absence leaves a quantity unknown (a rule on a subsidy nobody claims is n/a
/// without one).
fn missing_key(q: Quantity) -> Option<&'static str> {
    match q {
        Quantity::Floors => Some("site.floors"),
        Quantity::HeightM => Some("site.height_m"),
        _ => None,
    }
}

/// The basis series of a scenario's deterministic run: the exact ledger the verdict reads, so
/// an IRR rule and the verdict never disagree.
pub fn basis_of(inputs: &Inputs<f64>) -> BasisFlows {
    basis_of_ledger(
        inputs,
        &crate::model::run(&inputs.convert::<rust_decimal::Decimal>()),
    )
}

/// [`basis_of`] for a ledger already computed.
pub fn basis_of_ledger(
    inputs: &Inputs<f64>,
    l: &crate::model::Ledger<rust_decimal::Decimal>,
) -> BasisFlows {
    let flows = basis_series(inputs, l);
    let irr = crate::irr::irr_detail(&flows, inputs.finance.discount_rate).irr;
    BasisFlows { flows, irr }
}

/// The exact ledger's basis series in f64, as the IRR rules read it.
fn basis_series(inputs: &Inputs<f64>, l: &crate::model::Ledger<rust_decimal::Decimal>) -> Vec<f64> {
    use crate::num::Num;
    l.series(inputs.policy.irr_basis)
        .iter()
        .map(|d| Num::to_f64(*d))
        .collect()
}

/// Checks a scenario against a pack, IRR rules included.
pub fn check_inputs(pack: &Pack, inputs: &Inputs<f64>) -> Vec<Checked> {
    let areas = crate::model::areas(inputs);
    let basis = basis_of(inputs);
    check(
        pack,
        &Facts {
            inputs,
            areas: &areas,
            basis: Some(&basis),
        },
    )
}

/// [`check_inputs`] with the scenario's exact ledger and its basis IRR already computed (the
/// IRR `metrics::summarize` found on the same flows).
pub fn check_ledger(
    pack: &Pack,
    inputs: &Inputs<f64>,
    ledger: &crate::model::Ledger<rust_decimal::Decimal>,
    basis_irr: Option<f64>,
) -> Vec<Checked> {
    let basis = BasisFlows {
        flows: basis_series(inputs, ledger),
        irr: basis_irr,
    };
    check(
        pack,
        &Facts {
            inputs,
            areas: &crate::model::areas(inputs),
            basis: Some(&basis),
        },
    )
}

/// The binding rules of the scenario's own pack (`policy.pack`) it breaches, by id; none
/// without a pack. The exact ledger and its basis IRR come from `metrics::evaluate`.
pub fn breached(
    inputs: &Inputs<f64>,
    ledger: &crate::model::Ledger<rust_decimal::Decimal>,
    basis_irr: Option<f64>,
) -> Vec<String> {
    match inputs.policy.pack.as_deref().and_then(pack) {
        Some(p) => check_ledger(p, inputs, ledger, basis_irr)
            .into_iter()
            .filter(|r| r.status == Outcome::Fail)
            .map(|r| r.id)
            .collect(),
        None => vec![],
    }
}

/// Checks the rules that do not need the cash flows (the IRR rules are n/a).
pub fn check_structure(pack: &Pack, inputs: &Inputs<f64>) -> Vec<Checked> {
    let areas = crate::model::areas(inputs);
    check(
        pack,
        &Facts {
            inputs,
            areas: &areas,
            basis: None,
        },
    )
}
