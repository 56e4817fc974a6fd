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

/// The sections of the file whose keys are all optional scalars or lists: each becomes a
/// struct of `Option`s that refuses unknown keys.
macro_rules! sections {
    ($($name:ident { $($field:ident: $ty:ty),* $(,)? })*) => {$(
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(pub $field: Option<$ty>,)*
        }
    )*};
}

sections! {
    RawProject {
        name: String, start_year: RawNum, land_term_years: RawNum, terminal_value: RawNum,
        kind: String, rent_only: bool,
    }
    RawSite {
        land_area_m2: RawNum, far: RawNum, basement_area_m2: RawNum, floors: RawNum,
        height_m: RawNum, location: String,
    }
    RawMix {
        factory: RawNum, dormitory: RawNum, supporting: RawNum, residential: RawNum,
    }
    RawLand {
        price: RawNum, price_basis: String, deed_tax_rate: RawNum, other_costs: RawNum,
        grant: String,
    }
    RawConstruction {
        schedule: Vec<f64>, delay_years: RawNum, cost_per_m2: RawNum,
        residential_cost_per_m2: RawNum, basement_cost_per_m2: RawNum, soft_cost_rate: RawNum,
        contingency_rate: RawNum, infrastructure_fee_per_m2: RawNum, input_vat_rate: RawNum,
    }
    RawFactory {
        self_held_share: RawNum, resettlement_share: RawNum, rent: RawNum, rent_growth: RawNum,
        occupancy_ramp: Vec<f64>, occupancy: RawNum, sale_price: RawNum,
        sale_schedule: Vec<f64>,
    }
    RawUse {
        rent: RawNum, rent_growth: RawNum, occupancy_ramp: Vec<f64>, occupancy: RawNum,
    }
    RawResidential {
        sale_price: RawNum, sale_schedule: Vec<f64>, sale_start: RawNum, ordinary: bool,
    }
    RawSubsidy {
        construction_per_m2: RawNum, construction_cap: RawNum, construction_base: String,
        construction_lag: RawNum, basement_per_m2: RawNum, basement_cap: RawNum,
        operating_per_year: RawNum, operating_years: RawNum,
    }
    RawOpex {
        rate_of_revenue: RawNum, capex_reserve_rate: RawNum, per_m2_month: RawNum,
        input_vat_rate: RawNum,
    }
    RawTax {
        vat_rent_rate: RawNum, vat_sale_rate: RawNum, surcharge_rate: RawNum,
        property_tax_rent_rate: RawNum, land_use_tax_per_m2: RawNum, lat_rate: RawNum,
        income_tax_rate: RawNum, depreciation_years: RawNum, loss_carry_years: RawNum,
        vat_sale_land_deduction: bool, lat_method: String, lat_expense_rate: RawNum,
        lat_extra_deduction_rate: RawNum, lat_prepay_rate: RawNum,
    }
    RawFinance {
        loan_share: RawNum, interest_rate: RawNum, repayment_years: RawNum, repayment: String,
        grace_years: RawNum, capitalise_interest: bool, interest_convention: String,
        discount_rate: RawNum,
    }
    RawPolicy {
        pack: String, irr_basis: String, irr_floor: f64, irr_cap: f64, enforce_caps: bool,
    }
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
