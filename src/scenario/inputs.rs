//! The validated numbers of a scenario, laid out like the file (MODEL.md §9), generic over the
//! number type so the same struct feeds the Decimal ledger and the f64 Monte Carlo loop.

use crate::num::Num;
use serde::Serialize;

/// How `land.price` is multiplied (MODEL.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// yuan per m² of land area (default)
    Land,
    /// 楼面地价: yuan per m² of GFA
    Gfa,
    /// a lump sum
    Total,
}

/// Area the construction subsidy 建设补助 is paid on (MODEL.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyBase {
    Factory,
    FactoryDormitory,
    NonResidential,
}

/// The cash-flow series the 保本微利 verdict reads (MODEL.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    #[default]
    ProjectPreTax,
    ProjectAfterTax,
    Equity,
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::ProjectPreTax, Basis::ProjectAfterTax, Basis::Equity];
    pub fn name(self) -> &'static str {
        match self {
            Basis::ProjectPreTax => "project_pre_tax",
            Basis::ProjectAfterTax => "project_after_tax",
            Basis::Equity => "equity",
        }
    }
    pub fn parse(s: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project<T> {
    pub start_year: i64,
    pub land_term_years: usize,
    pub terminal_value: T,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site<T> {
    pub land_area_m2: T,
    pub far: T,
    pub basement_area_m2: T,
    /// Only policy checks read these.
    pub floors: Option<f64>,
    pub height_m: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mix<T> {
    pub factory: T,
    pub dormitory: T,
    pub supporting: T,
    pub residential: T,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Land<T> {
    pub price: T,
    pub price_basis: PriceBasis,
    pub deed_tax_rate: T,
    pub other_costs: T,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Construction<T> {
    pub schedule: Vec<T>,
    pub delay_years: usize,
    pub cost_per_m2: T,
    /// `None`: same as `cost_per_m2`.
    pub residential_cost_per_m2: Option<T>,
    pub basement_cost_per_m2: T,
    pub soft_cost_rate: T,
    pub contingency_rate: T,
    pub infrastructure_fee_per_m2: T,
}

/// One leased use: factory 产业用房, dormitory 宿舍, supporting 配套.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease<T> {
    pub rent: T,
    pub rent_growth: T,
    pub occupancy_ramp: Vec<T>,
    /// `None` when the file leaves it out (allowed only when the leased area is 0).
    pub occupancy: Option<T>,
    /// Monte Carlo per-year draws, indexed by operating year k; empty = use the scalar.
    pub rent_growth_by_year: Vec<T>,
    pub occupancy_by_year: Vec<T>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Factory<T> {
    /// 自持比例
    pub self_held_share: T,
    /// 回迁安置比例
    pub resettlement_share: T,
    pub lease: Lease<T>,
    pub sale_price: T,
    pub sale_schedule: Vec<T>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Residential<T> {
    pub sale_price: T,
    pub sale_schedule: Vec<T>,
    /// `None`: the first operating year.
    pub sale_start: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subsidy<T> {
    pub construction_per_m2: T,
    pub construction_cap: Option<T>,
    pub construction_base: SubsidyBase,
    pub construction_lag: usize,
    pub basement_per_m2: T,
    pub basement_cap: Option<T>,
    pub operating_per_year: T,
    pub operating_years: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Opex<T> {
    pub rate_of_revenue: T,
    pub capex_reserve_rate: T,
    pub per_m2_month: T,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tax<T> {
    pub vat_rent_rate: T,
    pub vat_sale_rate: T,
    pub surcharge_rate: T,
    pub property_tax_rent_rate: T,
    pub land_use_tax_per_m2: T,
    pub lat_rate: T,
    pub income_tax_rate: T,
    pub depreciation_years: usize,
    pub loss_carry_years: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finance<T> {
    pub loan_share: T,
    pub interest_rate: T,
    pub repayment_years: usize,
    /// Metrics are f64: NPV is reported, never booked.
    pub discount_rate: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub pack: Option<String>,
    pub irr_basis: Basis,
    pub irr_floor: f64,
    pub irr_cap: f64,
    pub enforce_caps: bool,
}

/// Every number the model reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs<T> {
    pub project: Project<T>,
    pub site: Site<T>,
    pub mix: Mix<T>,
    pub land: Land<T>,
    pub construction: Construction<T>,
    pub factory: Factory<T>,
    pub dormitory: Lease<T>,
    pub supporting: Lease<T>,
    pub residential: Residential<T>,
    pub subsidy: Subsidy<T>,
    pub opex: Opex<T>,
    pub tax: Tax<T>,
    pub finance: Finance<T>,
    pub policy: Policy,
}

impl<T: Num> Inputs<T> {
    /// First operating year `t_op = C + d`.
    pub fn t_op(&self) -> usize {
        self.construction.schedule.len() + self.construction.delay_years
    }
    pub fn years(&self) -> usize {
        self.project.land_term_years
    }

    fn lease_of(&self, use_name: &str) -> Option<&Lease<T>> {
        match use_name {
            "factory" => Some(&self.factory.lease),
            "dormitory" => Some(&self.dormitory),
            "supporting" => Some(&self.supporting),
            _ => None,
        }
    }

    /// The per-year draws of `key` (`factory.rent_growth`, `dormitory.occupancy`, …), indexed
    /// by operating year; `None` for a key that cannot be drawn per year.
    pub fn per_year(&self, key: &str) -> Option<&Vec<T>> {
        let (u, field) = key.split_once('.')?;
        let lease = self.lease_of(u)?;
        match field {
            "rent_growth" => Some(&lease.rent_growth_by_year),
            "occupancy" => Some(&lease.occupancy_by_year),
            _ => None,
        }
    }

    pub fn per_year_mut(&mut self, key: &str) -> Option<&mut Vec<T>> {
        let (u, field) = key.split_once('.')?;
        let lease = match u {
            "factory" => &mut self.factory.lease,
            "dormitory" => &mut self.dormitory,
            "supporting" => &mut self.supporting,
            _ => return None,
        };
        match field {
            "rent_growth" => Some(&mut lease.rent_growth_by_year),
            "occupancy" => Some(&mut lease.occupancy_by_year),
            _ => None,
        }
    }
}

fn mv<A: Copy, B>(v: &[A], f: &impl Fn(A) -> B) -> Vec<B> {
    v.iter().map(|x| f(*x)).collect()
}

impl<A: Copy> Lease<A> {
    fn map<B>(&self, f: &impl Fn(A) -> B) -> Lease<B> {
        Lease {
            rent: f(self.rent),
            rent_growth: f(self.rent_growth),
            occupancy_ramp: mv(&self.occupancy_ramp, f),
            occupancy: self.occupancy.map(f),
            rent_growth_by_year: mv(&self.rent_growth_by_year, f),
            occupancy_by_year: mv(&self.occupancy_by_year, f),
        }
    }
}

impl Inputs<f64> {
    /// The same inputs in another number type (f64 → Decimal for the reported ledger).
    pub fn convert<B: Num>(&self) -> Inputs<B> {
        let f = |v: f64| B::from_f64(v);
        let f = &f;
        let c = &self.construction;
        let s = &self.subsidy;
        let t = &self.tax;
        Inputs {
            project: Project {
                start_year: self.project.start_year,
                land_term_years: self.project.land_term_years,
                terminal_value: f(self.project.terminal_value),
            },
            site: Site {
                land_area_m2: f(self.site.land_area_m2),
                far: f(self.site.far),
                basement_area_m2: f(self.site.basement_area_m2),
                floors: self.site.floors,
                height_m: self.site.height_m,
            },
            mix: Mix {
                factory: f(self.mix.factory),
                dormitory: f(self.mix.dormitory),
                supporting: f(self.mix.supporting),
                residential: f(self.mix.residential),
            },
            land: Land {
                price: f(self.land.price),
                price_basis: self.land.price_basis,
                deed_tax_rate: f(self.land.deed_tax_rate),
                other_costs: f(self.land.other_costs),
            },
            construction: Construction {
                schedule: mv(&c.schedule, f),
                delay_years: c.delay_years,
                cost_per_m2: f(c.cost_per_m2),
                residential_cost_per_m2: c.residential_cost_per_m2.map(f),
                basement_cost_per_m2: f(c.basement_cost_per_m2),
                soft_cost_rate: f(c.soft_cost_rate),
                contingency_rate: f(c.contingency_rate),
                infrastructure_fee_per_m2: f(c.infrastructure_fee_per_m2),
            },
            factory: Factory {
                self_held_share: f(self.factory.self_held_share),
                resettlement_share: f(self.factory.resettlement_share),
                lease: self.factory.lease.map(f),
                sale_price: f(self.factory.sale_price),
                sale_schedule: mv(&self.factory.sale_schedule, f),
            },
            dormitory: self.dormitory.map(f),
            supporting: self.supporting.map(f),
            residential: Residential {
                sale_price: f(self.residential.sale_price),
                sale_schedule: mv(&self.residential.sale_schedule, f),
                sale_start: self.residential.sale_start,
            },
            subsidy: Subsidy {
                construction_per_m2: f(s.construction_per_m2),
                construction_cap: s.construction_cap.map(f),
                construction_base: s.construction_base,
                construction_lag: s.construction_lag,
                basement_per_m2: f(s.basement_per_m2),
                basement_cap: s.basement_cap.map(f),
                operating_per_year: f(s.operating_per_year),
                operating_years: s.operating_years,
            },
            opex: Opex {
                rate_of_revenue: f(self.opex.rate_of_revenue),
                capex_reserve_rate: f(self.opex.capex_reserve_rate),
                per_m2_month: f(self.opex.per_m2_month),
            },
            tax: Tax {
                vat_rent_rate: f(t.vat_rent_rate),
                vat_sale_rate: f(t.vat_sale_rate),
                surcharge_rate: f(t.surcharge_rate),
                property_tax_rent_rate: f(t.property_tax_rent_rate),
                land_use_tax_per_m2: f(t.land_use_tax_per_m2),
                lat_rate: f(t.lat_rate),
                income_tax_rate: f(t.income_tax_rate),
                depreciation_years: t.depreciation_years,
                loss_carry_years: t.loss_carry_years,
            },
            finance: Finance {
                loan_share: f(self.finance.loan_share),
                interest_rate: f(self.finance.interest_rate),
                repayment_years: self.finance.repayment_years,
                discount_rate: self.finance.discount_rate,
            },
            policy: self.policy.clone(),
        }
    }
}
