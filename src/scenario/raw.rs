//! Stage one of scenario loading: the file exactly as written, as serde structs that reject
//! unknown keys. Nothing here is checked beyond its TOML type; `validate` does the rest.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// A numeric key: a plain number, or a distribution table (docs/model.md §10).
#[derive(Debug, Clone, PartialEq)]
pub enum RawNum {
    Value(f64),
    Dist(RawDist),
}

/// Every field any distribution family may use; `validate` checks which ones a family needs.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mode: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub values: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub per_year: Option<bool>,
    /// AR(1) coefficient of a per-year key's scores.
    pub ar1: Option<f64>,
}

impl<'de> Deserialize<'de> for RawNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawNum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"uniform\", min = 1, max = 2 }")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNum, E> {
                Ok(RawNum::Value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNum, E> {
                Ok(RawNum::Value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNum, E> {
                Ok(RawNum::Value(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawNum, A::Error> {
                RawDist::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawNum::Dist)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    #[serde(default)]
    pub project: RawProject,
    #[serde(default)]
    pub site: RawSite,
    /// `[mix]` is required even if some shares are omitted; `validate` checks the section exists.
    #[serde(default)]
    pub mix: RawMix,
    #[serde(default)]
    pub land: RawLand,
    #[serde(default)]
    pub construction: RawConstruction,
    #[serde(default)]
    pub factory: RawFactory,
    #[serde(default)]
    pub dormitory: RawUse,
    #[serde(default)]
    pub supporting: RawUse,
    #[serde(default)]
    pub residential: RawResidential,
    #[serde(default)]
    pub subsidy: RawSubsidy,
    #[serde(default)]
    pub opex: RawOpex,
    #[serde(default)]
    pub tax: RawTax,
    #[serde(default)]
    pub finance: RawFinance,
    #[serde(default)]
    pub policy: RawPolicy,
    #[serde(default)]
    pub monte_carlo: RawMonteCarlo,
    #[serde(default)]
    pub sweep: RawSweep,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub name: Option<String>,
    pub start_year: Option<RawNum>,
    pub land_term_years: Option<RawNum>,
    pub terminal_value: Option<RawNum>,
    pub kind: Option<String>,
    pub rent_only: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub land_area_m2: Option<RawNum>,
    pub far: Option<RawNum>,
    pub basement_area_m2: Option<RawNum>,
    pub floors: Option<RawNum>,
    pub height_m: Option<RawNum>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMix {
    pub factory: Option<RawNum>,
    pub dormitory: Option<RawNum>,
    pub supporting: Option<RawNum>,
    pub residential: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLand {
    pub price: Option<RawNum>,
    pub price_basis: Option<String>,
    pub deed_tax_rate: Option<RawNum>,
    pub other_costs: Option<RawNum>,
    pub grant: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConstruction {
    pub schedule: Option<Vec<f64>>,
    pub delay_years: Option<RawNum>,
    pub cost_per_m2: Option<RawNum>,
    pub residential_cost_per_m2: Option<RawNum>,
    pub basement_cost_per_m2: Option<RawNum>,
    pub soft_cost_rate: Option<RawNum>,
    pub contingency_rate: Option<RawNum>,
    pub infrastructure_fee_per_m2: Option<RawNum>,
    pub input_vat_rate: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactory {
    pub self_held_share: Option<RawNum>,
    pub resettlement_share: Option<RawNum>,
    pub rent: Option<RawNum>,
    pub rent_growth: Option<RawNum>,
    pub occupancy_ramp: Option<Vec<f64>>,
    pub occupancy: Option<RawNum>,
    pub sale_price: Option<RawNum>,
    pub sale_schedule: Option<Vec<f64>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUse {
    pub rent: Option<RawNum>,
    pub rent_growth: Option<RawNum>,
    pub occupancy_ramp: Option<Vec<f64>>,
    pub occupancy: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResidential {
    pub sale_price: Option<RawNum>,
    pub sale_schedule: Option<Vec<f64>>,
    pub sale_start: Option<RawNum>,
    pub ordinary: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubsidy {
    pub construction_per_m2: Option<RawNum>,
    pub construction_cap: Option<RawNum>,
    pub construction_base: Option<String>,
    pub construction_lag: Option<RawNum>,
    pub basement_per_m2: Option<RawNum>,
    pub basement_cap: Option<RawNum>,
    pub operating_per_year: Option<RawNum>,
    pub operating_years: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOpex {
    pub rate_of_revenue: Option<RawNum>,
    pub capex_reserve_rate: Option<RawNum>,
    pub per_m2_month: Option<RawNum>,
    pub input_vat_rate: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTax {
    pub vat_rent_rate: Option<RawNum>,
    pub vat_sale_rate: Option<RawNum>,
    pub surcharge_rate: Option<RawNum>,
    pub property_tax_rent_rate: Option<RawNum>,
    pub land_use_tax_per_m2: Option<RawNum>,
    pub lat_rate: Option<RawNum>,
    pub income_tax_rate: Option<RawNum>,
    pub depreciation_years: Option<RawNum>,
    pub loss_carry_years: Option<RawNum>,
    pub vat_sale_land_deduction: Option<bool>,
    pub lat_method: Option<String>,
    pub lat_expense_rate: Option<RawNum>,
    pub lat_extra_deduction_rate: Option<RawNum>,
    pub lat_prepay_rate: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFinance {
    pub loan_share: Option<RawNum>,
    pub interest_rate: Option<RawNum>,
    pub repayment_years: Option<RawNum>,
    pub repayment: Option<String>,
    pub grace_years: Option<RawNum>,
    pub capitalise_interest: Option<bool>,
    pub interest_convention: Option<String>,
    pub discount_rate: Option<RawNum>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub pack: Option<String>,
    pub irr_basis: Option<String>,
    pub irr_floor: Option<f64>,
    pub irr_cap: Option<f64>,
    pub enforce_caps: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMonteCarlo {
    pub paths: Option<i64>,
    pub seed: Option<i64>,
    #[serde(default)]
    pub correlation: Vec<RawCorrelation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    pub between: Vec<String>,
    pub rho: f64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    pub paths: Option<i64>,
    pub seed: Option<i64>,
    /// In file order: the first key is the x axis of sweep charts.
    #[serde(default, deserialize_with = "ordered_grid")]
    pub grid: Vec<(String, Vec<f64>)>,
}

fn ordered_grid<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Vec<f64>)>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<(String, Vec<f64>)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table of \"dotted.key\" = [values…]")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, Vec<f64>>()? {
                out.push((k, v));
            }
            Ok(out)
        }
    }
    d.deserialize_map(V)
}
