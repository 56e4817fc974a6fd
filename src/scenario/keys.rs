//! The registry of numeric scenario keys: name, kind, valid range and unit, and how to read the
//! key from the raw file and write it into `Inputs`. Validation, `--set`, Monte Carlo sampling,
//! `solve` and `sweep` all address inputs through this one table.

use super::inputs::Inputs;
use super::raw::{RawNum, RawScenario};
use crate::num::Lanes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A real number.
    Real,
    /// A whole number of years (or floors); distributions on it draw whole numbers.
    Int,
}

pub struct KeySpec {
    pub name: &'static str,
    pub kind: Kind,
    pub lo: f64,
    pub hi: f64,
    pub unit: &'static str,
    pub required: bool,
    raw: fn(&RawScenario) -> Option<&RawNum>,
    raw_mut: fn(&mut RawScenario) -> &mut Option<RawNum>,
    get: fn(&Inputs<f64>) -> Option<f64>,
    set: fn(&mut Inputs<f64>, f64),
    set_lane: fn(&mut Inputs<Lanes>, usize, f64),
}

impl std::fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl KeySpec {
    pub fn raw<'a>(&self, r: &'a RawScenario) -> Option<&'a RawNum> {
        (self.raw)(r)
    }
    /// The key's field in the file as read, to set (a template's overrides).
    pub fn raw_mut<'a>(&self, r: &'a mut RawScenario) -> &'a mut Option<RawNum> {
        (self.raw_mut)(r)
    }
    /// The value in `inputs`; `None` for an optional key left unset (e.g. no subsidy cap).
    pub fn get(&self, i: &Inputs<f64>) -> Option<f64> {
        (self.get)(i)
    }
    /// Writes `v` (rounded for whole-number keys; callers validate the range first).
    pub fn set(&self, i: &mut Inputs<f64>, v: f64) {
        let v = if self.kind == Kind::Int {
            round_whole(v)
        } else {
            v
        };
        (self.set)(i, v)
    }
    /// Writes `v` into one lane of lockstep Monte Carlo inputs. A whole-number key is
    /// structural (a delay, a start year) and has one value for all lanes, which the engine
    /// guarantees by running only paths with equal whole-number draws together; `v` is
    /// already rounded and clipped by the sampler.
    pub fn set_lane(&self, i: &mut Inputs<Lanes>, lane: usize, v: f64) {
        (self.set_lane)(i, lane, v)
    }
    /// Per-year draws are allowed on rent growth and occupancy only (docs/model.md §10).
    pub fn allows_per_year(&self) -> bool {
        self.name.ends_with(".rent_growth") || self.name.ends_with(".occupancy")
    }
    /// "a number from 0 to 1 (share)", for messages that say what would be valid.
    pub fn valid_text(&self) -> String {
        let what = if self.kind == Kind::Int {
            "a whole number"
        } else {
            "a number"
        };
        format!(
            "{what} from {} to {}{}",
            fmt_num(self.lo),
            fmt_num(self.hi),
            if self.unit.is_empty() {
                String::new()
            } else {
                format!(" ({})", self.unit)
            }
        )
    }
    pub fn in_range(&self, v: f64) -> bool {
        v.is_finite()
            && v >= self.lo
            && v <= self.hi
            && (self.kind == Kind::Real || v.fract() == 0.0)
    }
}

/// `f64::round` for the small whole-number keys, as a cast: `round` is a library call on
/// baseline x86-64 and LLVM may hoist it out of the branch into hot loops.
#[inline]
pub fn round_whole(v: f64) -> f64 {
    if v.abs() < 1e15 {
        (v + 0.5f64.copysign(v)) as i64 as f64
    } else {
        v
    }
}

/// A number for a message: plain where that is short, in exponent form where the plain form
/// would run to dozens of digits (1e12, 1.1e-308).
pub fn fmt_num(v: f64) -> String {
    if v.is_finite() && v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-4) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Looks a dotted key up in the registry.
pub fn find(name: &str) -> Option<(usize, &'static KeySpec)> {
    KEYS.iter().enumerate().find(|(_, k)| k.name == name)
}

/// Checks the values a sweep gives a key: the key exists and every value is valid for it.
/// Returns every problem, each a sentence naming the key and what would be valid.
pub fn check_values(name: &str, values: &[f64]) -> Result<(usize, &'static KeySpec), Vec<String>> {
    let Some((index, spec)) = find(name) else {
        return Err(vec![format!(
            "\"{name}\" is not a numeric scenario key; expected one of {}",
            names().join(", ")
        )]);
    };
    let mut problems = Vec::new();
    if values.is_empty() {
        problems.push(format!("{name} needs at least one value"));
    }
    for v in values {
        if !spec.in_range(*v) {
            problems.push(format!(
                "{} is not valid for {name}: expected {}",
                fmt_num(*v),
                spec.valid_text()
            ));
        }
    }
    if problems.is_empty() {
        Ok((index, spec))
    } else {
        Err(problems)
    }
}

/// All key names, for "expected one of" messages.
pub fn names() -> Vec<&'static str> {
    KEYS.iter().map(|k| k.name).collect()
}

trait Slot {
    fn get(&self) -> Option<f64>;
    fn put(&mut self, v: f64);
}
impl Slot for f64 {
    fn get(&self) -> Option<f64> {
        Some(*self)
    }
    fn put(&mut self, v: f64) {
        *self = v
    }
}
impl Slot for Option<f64> {
    fn get(&self) -> Option<f64> {
        *self
    }
    fn put(&mut self, v: f64) {
        *self = Some(v)
    }
}
impl Slot for usize {
    fn get(&self) -> Option<f64> {
        Some(*self as f64)
    }
    fn put(&mut self, v: f64) {
        *self = v.max(0.0) as usize
    }
}
impl Slot for Option<usize> {
    fn get(&self) -> Option<f64> {
        self.map(|v| v as f64)
    }
    fn put(&mut self, v: f64) {
        *self = Some(v.max(0.0) as usize)
    }
}
impl Slot for i64 {
    fn get(&self) -> Option<f64> {
        Some(*self as f64)
    }
    fn put(&mut self, v: f64) {
        *self = v as i64
    }
}

/// A field of lockstep inputs, written one lane at a time.
trait LaneSlot {
    fn put_lane(&mut self, lane: usize, v: f64);
}
impl LaneSlot for Lanes {
    fn put_lane(&mut self, lane: usize, v: f64) {
        self.0[lane] = v
    }
}
impl LaneSlot for Option<Lanes> {
    fn put_lane(&mut self, lane: usize, v: f64) {
        // an unset optional key becomes set in every lane the engine fills
        self.get_or_insert(Lanes::splat(v)).0[lane] = v
    }
}
impl<S: Slot> LaneSlot for S {
    fn put_lane(&mut self, _lane: usize, v: f64) {
        self.put(v)
    }
}

macro_rules! keys {
    ($( $name:literal $kind:ident [$lo:expr, $hi:expr] $unit:literal $req:literal raw $($raw:ident).+ ; inp $($inp:ident).+ ;)*) => {
        /// Every numeric key of the scenario file (docs/model.md §9). Ranges are wide enough for any real scheme and
        /// narrow enough that the exact ledger can never overflow (see README, "Valid ranges").
        pub static KEYS: &[KeySpec] = &[$(
            KeySpec {
                name: $name,
                kind: Kind::$kind,
                lo: $lo,
                hi: $hi,
                unit: $unit,
                required: $req,
                raw: |r: &RawScenario| r.$($raw).+.as_ref(),
                raw_mut: |r: &mut RawScenario| &mut r.$($raw).+,
                get: |i: &Inputs<f64>| Slot::get(&i.$($inp).+),
                set: |i: &mut Inputs<f64>, v: f64| Slot::put(&mut i.$($inp).+, v),
                set_lane: |i: &mut Inputs<Lanes>, lane: usize, v: f64| {
                    LaneSlot::put_lane(&mut i.$($inp).+, lane, v)
                },
            },
        )*];
    };
}

keys! {
    "project.start_year" Int [1900.0, 2200.0] "calendar year" true raw project.start_year; inp project.start_year;
    "project.land_term_years" Int [1.0, 100.0] "years" true raw project.land_term_years; inp project.land_term_years;
    "project.terminal_value" Real [-1e13, 1e13] "yuan, negative for a restoration cost" false raw project.terminal_value; inp project.terminal_value;
    "site.land_area_m2" Real [0.0, 1e7] "m²" true raw site.land_area_m2; inp site.land_area_m2;
    "site.far" Real [0.0, 30.0] "容积率" true raw site.far; inp site.far;
    "site.basement_area_m2" Real [0.0, 1e7] "m²" false raw site.basement_area_m2; inp site.basement_area_m2;
    "site.floors" Int [1.0, 300.0] "floors" false raw site.floors; inp site.floors;
    "site.height_m" Real [0.0, 1000.0] "m" false raw site.height_m; inp site.height_m;
    "mix.factory" Real [0.0, 1.0] "share of GFA" false raw mix.factory; inp mix.factory;
    "mix.dormitory" Real [0.0, 1.0] "share of GFA" false raw mix.dormitory; inp mix.dormitory;
    "mix.supporting" Real [0.0, 1.0] "share of GFA" false raw mix.supporting; inp mix.supporting;
    "mix.residential" Real [0.0, 1.0] "share of GFA" false raw mix.residential; inp mix.residential;
    "land.price" Real [0.0, 1e12] "yuan per basis unit" false raw land.price; inp land.price;
    "land.deed_tax_rate" Real [0.0, 0.2] "share" false raw land.deed_tax_rate; inp land.deed_tax_rate;
    "land.other_costs" Real [0.0, 1e13] "yuan" false raw land.other_costs; inp land.other_costs;
    "construction.delay_years" Int [0.0, 20.0] "years" false raw construction.delay_years; inp construction.delay_years;
    "construction.cost_per_m2" Real [0.0, 1e6] "yuan/m²" false raw construction.cost_per_m2; inp construction.cost_per_m2;
    "construction.residential_cost_per_m2" Real [0.0, 1e6] "yuan/m²" false raw construction.residential_cost_per_m2; inp construction.residential_cost_per_m2;
    "construction.basement_cost_per_m2" Real [0.0, 1e6] "yuan/m²" false raw construction.basement_cost_per_m2; inp construction.basement_cost_per_m2;
    "construction.soft_cost_rate" Real [0.0, 2.0] "share of hard cost" false raw construction.soft_cost_rate; inp construction.soft_cost_rate;
    "construction.contingency_rate" Real [0.0, 1.0] "share" false raw construction.contingency_rate; inp construction.contingency_rate;
    "construction.infrastructure_fee_per_m2" Real [0.0, 1e5] "yuan/m² of GFA" false raw construction.infrastructure_fee_per_m2; inp construction.infrastructure_fee_per_m2;
    "construction.input_vat_rate" Real [0.0, 1.0] "VAT rate on construction" false raw construction.input_vat_rate; inp construction.input_vat_rate;
    "factory.self_held_share" Real [0.0, 1.0] "share of factory area" false raw factory.self_held_share; inp factory.self_held_share;
    "factory.resettlement_share" Real [0.0, 1.0] "share of factory area" false raw factory.resettlement_share; inp factory.resettlement_share;
    "factory.rent" Real [0.0, 1e4] "yuan/m²/month" false raw factory.rent; inp factory.lease.rent;
    "factory.rent_growth" Real [-0.5, 0.3] "per year" false raw factory.rent_growth; inp factory.lease.rent_growth;
    "factory.occupancy" Real [0.0, 1.0] "share" false raw factory.occupancy; inp factory.lease.occupancy;
    "factory.sale_price" Real [0.0, 1e7] "yuan/m²" false raw factory.sale_price; inp factory.sale_price;
    "dormitory.rent" Real [0.0, 1e4] "yuan/m²/month" false raw dormitory.rent; inp dormitory.rent;
    "dormitory.rent_growth" Real [-0.5, 0.3] "per year" false raw dormitory.rent_growth; inp dormitory.rent_growth;
    "dormitory.occupancy" Real [0.0, 1.0] "share" false raw dormitory.occupancy; inp dormitory.occupancy;
    "supporting.rent" Real [0.0, 1e4] "yuan/m²/month" false raw supporting.rent; inp supporting.rent;
    "supporting.rent_growth" Real [-0.5, 0.3] "per year" false raw supporting.rent_growth; inp supporting.rent_growth;
    "supporting.occupancy" Real [0.0, 1.0] "share" false raw supporting.occupancy; inp supporting.occupancy;
    "residential.sale_price" Real [0.0, 1e7] "yuan/m²" false raw residential.sale_price; inp residential.sale_price;
    "residential.sale_start" Int [0.0, 99.0] "year index t" false raw residential.sale_start; inp residential.sale_start;
    "subsidy.construction_per_m2" Real [0.0, 1e5] "yuan/m²" false raw subsidy.construction_per_m2; inp subsidy.construction_per_m2;
    "subsidy.construction_cap" Real [0.0, 1e13] "yuan" false raw subsidy.construction_cap; inp subsidy.construction_cap;
    "subsidy.construction_lag" Int [0.0, 99.0] "years after t_op" false raw subsidy.construction_lag; inp subsidy.construction_lag;
    "subsidy.basement_per_m2" Real [0.0, 1e5] "yuan/m²" false raw subsidy.basement_per_m2; inp subsidy.basement_per_m2;
    "subsidy.basement_cap" Real [0.0, 1e13] "yuan" false raw subsidy.basement_cap; inp subsidy.basement_cap;
    "subsidy.operating_per_year" Real [0.0, 1e12] "yuan/year" false raw subsidy.operating_per_year; inp subsidy.operating_per_year;
    "subsidy.operating_years" Int [0.0, 100.0] "years" false raw subsidy.operating_years; inp subsidy.operating_years;
    "opex.rate_of_revenue" Real [0.0, 1.0] "share of net rent" false raw opex.rate_of_revenue; inp opex.rate_of_revenue;
    "opex.capex_reserve_rate" Real [0.0, 1.0] "share of net rent" false raw opex.capex_reserve_rate; inp opex.capex_reserve_rate;
    "opex.per_m2_month" Real [0.0, 1e4] "yuan/m²/month" false raw opex.per_m2_month; inp opex.per_m2_month;
    "opex.input_vat_rate" Real [0.0, 1.0] "VAT rate on operating costs" false raw opex.input_vat_rate; inp opex.input_vat_rate;
    "tax.vat_rent_rate" Real [0.0, 1.0] "rate" false raw tax.vat_rent_rate; inp tax.vat_rent_rate;
    "tax.vat_sale_rate" Real [0.0, 1.0] "rate" false raw tax.vat_sale_rate; inp tax.vat_sale_rate;
    "tax.surcharge_rate" Real [0.0, 1.0] "share of VAT" false raw tax.surcharge_rate; inp tax.surcharge_rate;
    "tax.property_tax_rent_rate" Real [0.0, 1.0] "rate" false raw tax.property_tax_rent_rate; inp tax.property_tax_rent_rate;
    "tax.land_use_tax_per_m2" Real [0.0, 1e4] "yuan/m² of land/year" false raw tax.land_use_tax_per_m2; inp tax.land_use_tax_per_m2;
    "tax.lat_rate" Real [0.0, 1.0] "effective rate" false raw tax.lat_rate; inp tax.lat_rate;
    "tax.income_tax_rate" Real [0.0, 1.0] "rate" false raw tax.income_tax_rate; inp tax.income_tax_rate;
    "tax.depreciation_years" Int [1.0, 100.0] "years" false raw tax.depreciation_years; inp tax.depreciation_years;
    "tax.loss_carry_years" Int [0.0, 100.0] "years" false raw tax.loss_carry_years; inp tax.loss_carry_years;
    "tax.lat_expense_rate" Real [0.0, 1.0] "share of land + development cost" false raw tax.lat_expense_rate; inp tax.lat_expense_rate;
    "tax.lat_extra_deduction_rate" Real [0.0, 1.0] "share of land + development cost" false raw tax.lat_extra_deduction_rate; inp tax.lat_extra_deduction_rate;
    "tax.lat_prepay_rate" Real [0.0, 1.0] "share of net sales" false raw tax.lat_prepay_rate; inp tax.lat_prepay_rate;
    "finance.loan_share" Real [0.0, 1.0] "share" false raw finance.loan_share; inp finance.loan_share;
    "finance.interest_rate" Real [0.0, 1.0] "per year" false raw finance.interest_rate; inp finance.interest_rate;
    "finance.repayment_years" Int [0.0, 100.0] "years" false raw finance.repayment_years; inp finance.repayment_years;
    "finance.grace_years" Int [0.0, 100.0] "years" false raw finance.grace_years; inp finance.grace_years;
    "finance.discount_rate" Real [-0.5, 1.0] "per year" false raw finance.discount_rate; inp finance.discount_rate;
}

/// The Chinese term for each numeric key, for Chinese charts and the workbook's assumptions.
const ZH: &[(&str, &str)] = &[
    ("project.start_year", "开工年份"),
    ("project.land_term_years", "土地出让年期"),
    ("project.terminal_value", "期末余值"),
    ("site.land_area_m2", "用地面积"),
    ("site.far", "容积率"),
    ("site.basement_area_m2", "地下室面积"),
    ("site.floors", "层数"),
    ("site.height_m", "建筑高度"),
    ("mix.factory", "产业用房占比"),
    ("mix.dormitory", "宿舍占比"),
    ("mix.supporting", "配套用房占比"),
    ("mix.residential", "住宅占比"),
    ("land.price", "土地价格"),
    ("land.deed_tax_rate", "契税税率"),
    ("land.other_costs", "土地其他费用"),
    ("construction.delay_years", "工期延误"),
    ("construction.cost_per_m2", "建安单价"),
    ("construction.residential_cost_per_m2", "住宅建安单价"),
    ("construction.basement_cost_per_m2", "地下室建安单价"),
    ("construction.soft_cost_rate", "工程建设其他费用率"),
    ("construction.contingency_rate", "预备费率"),
    ("construction.infrastructure_fee_per_m2", "市政配套费"),
    ("construction.input_vat_rate", "建设进项税率"),
    ("factory.self_held_share", "自持比例"),
    ("factory.resettlement_share", "回迁安置比例"),
    ("factory.rent", "产业用房租金"),
    ("factory.rent_growth", "产业用房租金年增长率"),
    ("factory.occupancy", "产业用房出租率"),
    ("factory.sale_price", "产业用房售价"),
    ("dormitory.rent", "宿舍租金"),
    ("dormitory.rent_growth", "宿舍租金年增长率"),
    ("dormitory.occupancy", "宿舍出租率"),
    ("supporting.rent", "配套租金"),
    ("supporting.rent_growth", "配套租金年增长率"),
    ("supporting.occupancy", "配套出租率"),
    ("residential.sale_price", "住宅售价"),
    ("residential.sale_start", "住宅开售年份"),
    ("subsidy.construction_per_m2", "建设补助单价"),
    ("subsidy.construction_cap", "建设补助上限"),
    ("subsidy.construction_lag", "建设补助滞后年数"),
    ("subsidy.basement_per_m2", "地下室补助单价"),
    ("subsidy.basement_cap", "地下室补助上限"),
    ("subsidy.operating_per_year", "运营补助"),
    ("subsidy.operating_years", "运营补助年数"),
    ("opex.rate_of_revenue", "经营成本率"),
    ("opex.capex_reserve_rate", "大修基金率"),
    ("opex.per_m2_month", "物业运营单价"),
    ("opex.input_vat_rate", "运营进项税率"),
    ("tax.vat_rent_rate", "租金增值税率"),
    ("tax.vat_sale_rate", "销售增值税率"),
    ("tax.surcharge_rate", "附加税率"),
    ("tax.property_tax_rent_rate", "房产税率（从租）"),
    ("tax.land_use_tax_per_m2", "城镇土地使用税"),
    ("tax.lat_rate", "土地增值税率"),
    ("tax.income_tax_rate", "所得税率"),
    ("tax.depreciation_years", "折旧年限"),
    ("tax.loss_carry_years", "亏损结转年限"),
    ("tax.lat_expense_rate", "土地增值税费用扣除率"),
    ("tax.lat_extra_deduction_rate", "土地增值税加计扣除率"),
    ("tax.lat_prepay_rate", "土地增值税预征率"),
    ("finance.loan_share", "贷款比例"),
    ("finance.interest_rate", "贷款利率"),
    ("finance.repayment_years", "还款年限"),
    ("finance.grace_years", "宽限期"),
    ("finance.discount_rate", "折现率"),
];

impl KeySpec {
    /// The key's Chinese term (自持比例 for `factory.self_held_share`).
    pub fn zh(&self) -> &'static str {
        ZH.iter()
            .find(|(k, _)| *k == self.name)
            .map(|(_, z)| *z)
            .unwrap_or(self.name)
    }
}

#[cfg(test)]
mod zh_tests {
    #[test]
    fn every_key_has_a_chinese_term() {
        for k in super::KEYS {
            assert_ne!(k.zh(), k.name, "{} has no Chinese term in keys::ZH", k.name);
        }
        assert_eq!(super::ZH.len(), super::KEYS.len(), "no stale entries");
    }
}
