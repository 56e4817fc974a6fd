//! The validated numbers of a scenario, laid out like the file (docs/model.md §9), generic over the
//! number type so the same struct feeds the Decimal ledger and the f64 Monte Carlo loop.

use crate::num::Num;
use serde::Serialize;

/// A key that takes one of a few words (`land.price_basis = "gfa"`): its name in the file,
/// parsing, and the "expected one of" text of validation messages.
pub trait Choice: Sized + Copy + 'static {
    /// Every value with its word in the file and a short gloss for messages.
    const ALL: &'static [(Self, &'static str, &'static str)];
    fn name(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| *n == s)
            .map(|(v, _, _)| *v)
    }
    /// `"land" (× land area), "gfa" (楼面地价) or "total" (lump sum)`.
    fn expected() -> String {
        let words: Vec<String> = Self::ALL
            .iter()
            .map(|(_, n, g)| {
                if g.is_empty() {
                    format!("\"{n}\"")
                } else {
                    format!("\"{n}\" ({g})")
                }
            })
            .collect();
        match words.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal $gloss:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant,)+ }
        impl Choice for $name {
            const ALL: &'static [(Self, &'static str, &'static str)] =
                &[$(($name::$variant, $word, $gloss)),+];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $word,)+ }
            }
        }
    };
}

choice! {
    /// How `land.price` is multiplied (docs/model.md §3).
    PriceBasis {
        /// yuan per m² of land area (default)
        Land = "land" "× land area",
        /// 楼面地价: yuan per m² of GFA
        Gfa = "gfa" "× GFA, 楼面地价",
        /// a lump sum
        Total = "total" "lump sum",
    }
}

choice! {
    /// Area the construction subsidy 建设补助 is paid on (docs/model.md §5).
    SubsidyBase {
        Factory = "factory" "",
        FactoryDormitory = "factory_dormitory" "",
        NonResidential = "non_residential" "",
    }
}

choice! {
    /// The cash-flow series the 保本微利 verdict reads (docs/model.md §8).
    Basis {
        ProjectPreTax = "project_pre_tax" "",
        ProjectAfterTax = "project_after_tax" "",
        Equity = "equity" "",
    }
}

// the enum comes from `choice!`, whose derive list is shared by keys without a default
#[allow(clippy::derivable_impls)]
impl Default for Basis {
    fn default() -> Self {
        Basis::ProjectPreTax
    }
}

impl Basis {
    pub const ALL: [Basis; 3] = [Basis::ProjectPreTax, Basis::ProjectAfterTax, Basis::Equity];
    pub fn name(self) -> &'static str {
        Choice::name(self)
    }
    pub fn parse(s: &str) -> Option<Basis> {
        <Basis as Choice>::parse(s)
    }
}

choice! {
    /// 土地增值税: a flat effective rate, or the four-tier tax settled per sold object.
    LatMethod {
        Effective = "effective" "a flat rate on net sales",
        Progressive = "progressive" "four tiers, settled per object",
    }
}

choice! {
    /// How the loan balance at the first operating year is repaid.
    Repayment {
        /// 等额本金
        EqualPrincipal = "equal_principal" "等额本金",
        /// 等额本息
        EqualPayment = "equal_payment" "等额本息",
        /// 一次还本
        Bullet = "bullet" "一次还本",
    }
}

choice! {
    /// When in the year interest accrues on the year's draw.
    InterestConvention {
        /// interest on the opening balance only (the draw earns none in its year)
        StartOfYear = "start_of_year" "interest on the opening balance",
        /// 当年借款按半年计息
        MidYear = "mid_year" "当年借款按半年计息",
    }
}

choice! {
    /// The kind of 工业上楼 project, as the policies distinguish them.
    ProjectKind {
        /// 城市更新
        UrbanRenewal = "urban_renewal" "城市更新",
        /// 提容或新供应
        NewSupply = "new_supply" "提容或新供应",
        /// 土地整备
        LandPreparation = "land_preparation" "土地整备",
        /// 留用土地
        RetainedLand = "retained_land" "留用土地",
    }
}

choice! {
    /// Where the site lies (Ningbo sets different FAR floors).
    Location {
        /// 市区
        City = "city" "市区",
        /// 县(市)
        County = "county" "县(市)",
    }
}

choice! {
    /// How the land is granted.
    Grant {
        Standard = "standard" "",
        /// 弹性年期
        Flexible = "flexible" "弹性年期",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project<T> {
    pub start_year: i64,
    pub land_term_years: usize,
    /// May be negative: a demolition or restoration obligation at term end.
    pub terminal_value: T,
    /// Read by policy packs only; `None` = not stated.
    pub kind: Option<ProjectKind>,
    /// 只租不售; `None` = not stated.
    pub rent_only: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site<T> {
    pub land_area_m2: T,
    pub far: T,
    pub basement_area_m2: T,
    /// Only policy checks read these.
    pub floors: Option<f64>,
    pub height_m: Option<f64>,
    pub location: Option<Location>,
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
    /// Read by policy packs only; `None` = not stated.
    pub grant: Option<Grant>,
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
    /// 进项税额 rate on construction spending (the infrastructure fee carries none).
    pub input_vat_rate: T,
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
    /// 普通住宅: exempt from 土地增值税 when the gain is at most 20% of the deductions.
    pub ordinary: bool,
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
    /// 进项税额 rate on operating costs.
    pub input_vat_rate: T,
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
    /// 差额征税: deduct the land price of the area sold from the sale before output VAT.
    pub vat_sale_land_deduction: bool,
    pub lat_method: LatMethod,
    pub lat_expense_rate: T,
    pub lat_extra_deduction_rate: T,
    /// 预征率 of 土地增值税 on net sales, in each sale year.
    pub lat_prepay_rate: T,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finance<T> {
    pub loan_share: T,
    pub interest_rate: T,
    pub repayment_years: usize,
    pub repayment: Repayment,
    /// 宽限期: interest-only years after the first operating year.
    pub grace_years: usize,
    /// 建设期利息资本化: construction interest joins the balance instead of being paid.
    pub capitalise_interest: bool,
    pub interest_convention: InterestConvention,
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
    /// Whether the band is the pack's (its document sets one) rather than the scenario's.
    pub band_from_pack: bool,
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
                kind: self.project.kind,
                rent_only: self.project.rent_only,
            },
            site: Site {
                land_area_m2: f(self.site.land_area_m2),
                far: f(self.site.far),
                basement_area_m2: f(self.site.basement_area_m2),
                floors: self.site.floors,
                height_m: self.site.height_m,
                location: self.site.location,
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
                grant: self.land.grant,
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
                input_vat_rate: f(c.input_vat_rate),
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
                ordinary: self.residential.ordinary,
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
                input_vat_rate: f(self.opex.input_vat_rate),
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
                vat_sale_land_deduction: t.vat_sale_land_deduction,
                lat_method: t.lat_method,
                lat_expense_rate: f(t.lat_expense_rate),
                lat_extra_deduction_rate: f(t.lat_extra_deduction_rate),
                lat_prepay_rate: f(t.lat_prepay_rate),
            },
            finance: Finance {
                loan_share: f(self.finance.loan_share),
                interest_rate: f(self.finance.interest_rate),
                repayment_years: self.finance.repayment_years,
                repayment: self.finance.repayment,
                grace_years: self.finance.grace_years,
                capitalise_interest: self.finance.capitalise_interest,
                interest_convention: self.finance.interest_convention,
                discount_rate: self.finance.discount_rate,
            },
            policy: self.policy.clone(),
        }
    }
}
