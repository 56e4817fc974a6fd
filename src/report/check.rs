//! The policy check as reports show it: one scenario against one pack, and the matrix of every
//! city's rules side by side (`check --all-packs`).

use crate::policy::{self, Checked, Op, Outcome, Quantity};
use crate::scenario::Inputs;

/// One row of the matrix: a quantity and the direction of its limit, with each pack's rule on it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MatrixRow {
    pub quantity: Quantity,
    pub op: Op,
    /// Per pack (in [`Matrix::packs`] order): the rule that applies (the first that is not n/a,
    /// else the first), or none where the pack has no rule on this quantity.
    pub cells: Vec<Option<Checked>>,
}

/// Every pack's rules checked on one scenario, rows by quantity.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Matrix {
    pub packs: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

impl Matrix {
    /// Breaches of binding rules, per pack.
    pub fn breaches(&self) -> Vec<usize> {
        (0..self.packs.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter(|r| matches!(&r.cells[i], Some(c) if c.status == Outcome::Fail))
                    .count()
            })
            .collect()
    }
}

/// Checks the scenario against every shipped pack.
pub fn matrix(inputs: &Inputs<f64>) -> Matrix {
    let packs = policy::packs();
    let basis = policy::basis_of(inputs);
    let areas = crate::model::areas(inputs);
    let facts = policy::Facts {
        inputs,
        areas: &areas,
        basis: Some(&basis),
    };
    let checked: Vec<Vec<Checked>> = packs.iter().map(|p| policy::check(p, &facts)).collect();
    let mut rows: Vec<MatrixRow> = Vec::new();
    for (i, rules) in checked.iter().enumerate() {
        for c in rules {
            let row = match rows
                .iter_mut()
                .position(|r| r.quantity == c.quantity && r.op == c.op)
            {
                Some(k) => &mut rows[k],
                None => {
                    rows.push(MatrixRow {
                        quantity: c.quantity,
                        op: c.op,
                        cells: vec![None; packs.len()],
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            let replace = match &row.cells[i] {
                None => true,
                Some(old) => {
                    old.status == Outcome::NotApplicable && c.status != Outcome::NotApplicable
                }
            };
            if replace {
                row.cells[i] = Some(c.clone());
            }
        }
    }
    Matrix {
        packs: packs.iter().map(|p| p.id.clone()).collect(),
        rows,
    }
}
