//! The report model: plain data for what each command shows, built from engine results and
//! knowing nothing of terminals or files. Every exporter renders a [`Document`].

pub mod check;
pub mod compare;
pub mod statements;

use crate::mc::{stats::McSummary, Outcome};
use crate::metrics::Summary;
use crate::model::Ledger;
use crate::scenario::Scenario;
use rust_decimal::Decimal;

/// What can be exported.
pub enum Document<'a> {
    /// A deterministic run: the exact ledger and its summary.
    Run {
        record: &'a crate::record::Record,
        scenario: &'a Scenario,
        ledger: &'a Ledger<Decimal>,
        summary: &'a Summary,
    },
    /// A Monte Carlo run: per-path outcomes and their summary.
    Mc {
        record: &'a crate::record::Record,
        scenario: &'a Scenario,
        outcome: &'a Outcome,
        summary: &'a McSummary,
    },
    /// A sweep over a grid of key values.
    Sweep {
        scenario: &'a Scenario,
        axes: &'a [crate::sweep::Axis],
        points: &'a [crate::sweep::Point],
    },
    /// Several scenarios side by side.
    Compare { entries: &'a [compare::Entry] },
    /// Every city's rules checked on one scenario (`check --all-packs`).
    CheckMatrix {
        scenario: &'a Scenario,
        matrix: &'a check::Matrix,
    },
    /// The sensitivity analysis: the table, break-even values and the tornado.
    Sensitivity {
        scenario: &'a Scenario,
        analysis: &'a crate::sensitivity::Analysis,
    },
}
