//! Scenario text shared by the test binaries: a template whose main figures a generator fills.

/// Figures a property test varies.
#[derive(Debug, Clone)]
pub struct Gen {
    pub term: u32,
    pub far: f64,
    pub factory: f64,
    pub residential: f64,
    pub held: f64,
    pub rent: f64,
    pub growth: f64,
    pub occupancy: f64,
    pub cost: f64,
    pub land_price: f64,
    pub subsidy: f64,
    pub loan: f64,
    pub sale_price: f64,
}

pub fn scenario(g: &Gen) -> String {
    let dorm = (1.0 - g.factory - g.residential) * 0.5;
    let sup = 1.0 - g.factory - g.residential - dorm;
    format!(
        r#"[project]
name = "generated"
start_year = 2025
land_term_years = {term}
[site]
land_area_m2 = 20000
far = {far}
basement_area_m2 = 5000
[mix]
factory = {factory}
dormitory = {dorm}
supporting = {sup}
residential = {res}
[land]
price = {land}
[construction]
schedule = [0.4, 0.6]
cost_per_m2 = {cost}
basement_cost_per_m2 = 3500
soft_cost_rate = 0.08
[factory]
self_held_share = {held}
rent = {rent}
rent_growth = {growth}
occupancy_ramp = [0.5]
occupancy = {occ}
sale_price = {sale}
sale_schedule = [0.5, 0.5]
[dormitory]
rent = 20
occupancy = 0.9
[supporting]
rent = 50
occupancy = 0.85
[residential]
sale_price = 20000
sale_schedule = [1.0]
[subsidy]
construction_per_m2 = {sub}
basement_per_m2 = 100
[opex]
rate_of_revenue = 0.05
capex_reserve_rate = 0.02
per_m2_month = 2
[tax]
land_use_tax_per_m2 = 5
[finance]
loan_share = {loan}
interest_rate = 0.04
repayment_years = 10
"#,
        term = g.term,
        far = g.far,
        factory = g.factory,
        res = g.residential,
        land = g.land_price,
        cost = g.cost,
        held = g.held,
        rent = g.rent,
        growth = g.growth,
        occ = g.occupancy,
        sale = g.sale_price,
        sub = g.subsidy,
        loan = g.loan,
    )
}

pub fn gen() -> impl proptest::strategy::Strategy<Value = Gen> {
    use proptest::prelude::*;
    (
        (
            15u32..=70,
            1.5f64..6.0,
            0.55f64..0.9,
            0.0f64..0.8,
            0.5f64..=1.0,
            10.0f64..40.0,
            0.0f64..0.05,
        ),
        (
            0.3f64..=1.0,
            3000.0f64..7000.0,
            0.0f64..3000.0,
            0.0f64..500.0,
            0.0f64..0.7,
            4000.0f64..15000.0,
        ),
    )
        .prop_map(
            |(
                (term, far, factory, residential, held, rent, growth),
                (occupancy, cost, land_price, subsidy, loan, sale_price),
            )| Gen {
                term,
                far,
                factory,
                residential: residential * (1.0 - factory),
                held,
                rent,
                growth,
                occupancy,
                cost,
                land_price,
                subsidy,
                loan,
                sale_price,
            },
        )
}
