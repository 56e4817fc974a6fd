//! The lockstep Monte Carlo engine: a block of paths is drawn into a structure of arrays
//! (one row per drawn quantity, one column per path), paths with equal timelines are grouped
//! [`LANES`] at a time, and each group runs the ledger and Newton's method for the IRR as one
//! computation over lanes. Every lane does exactly the f64 operations of the scalar path, so
//! each path's figures equal [`Worker::path`]'s bit for bit, whatever the block size, the
//! grouping or the thread count.

use super::sample::BlockScratch;
use super::{PathResult, Sampler, Worker};
use crate::irr;
use crate::metrics::{self, Status};
use crate::model::{self, Ledger, Need};
use crate::num::{Lanes, Num, LANES};
use crate::scenario::{Inputs, Kind, Scenario};
use ndarray::{Array2, ArrayViewMut2, Axis};

/// Paths drawn per block: enough for most groups of equal timelines to fill every lane, few
/// enough that the block's draws stay in the L2 cache.
pub const BLOCK: usize = 512;

/// One worker thread's state for the lockstep engine.
pub struct BlockWorker<'a> {
    sc: &'a Scenario,
    /// Draws each path (the scalar sampler) and keeps the scalar path for reference.
    scalar: Worker<'a>,
    inputs: Inputs<Lanes>,
    ledger: Ledger<Lanes>,
    /// The block's draws, one row per path (see [`Sampler::draw_block`]): each path's values
    /// lie together, as the sampler writes them and the lanes read them.
    draws: Array2<f64>,
    clipped: Vec<bool>,
    /// The block's paths in group order.
    order: Vec<usize>,
    /// Scalar variables with whole-number values (delays, start years): they decide the
    /// timeline, so only paths that agree on them share a group.
    structural: Vec<usize>,
    /// One lane's series, contiguous, for the per-lane decisions ([`irr::irr_after_proof`]).
    lane_flows: Array2<f64>,
    /// Working space of the uniqueness proof ([`irr::sole_root_lanes_in`]), sized on first use.
    proof: Vec<Lanes>,
    scratch: BlockScratch,
    guess: f64,
    isa: Isa,
}

/// Which vector instructions the lockstep kernels may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simd {
    /// The widest this processor has (AVX-512, else AVX2 with FMA, else the portable code).
    Best,
    /// The portable build's instructions only: the reference the others are tested against.
    Portable,
}

/// The kernels' instruction set, chosen once per worker. Every variant runs the same f64
/// operations in the same order (Rust never fuses a multiply and an add by itself, so FMA
/// being available changes no result), only in wider registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    fn of(simd: Simd) -> Isa {
        #[cfg(target_arch = "x86_64")]
        if simd == Simd::Best {
            let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            if avx2 && is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if avx2 {
                return Isa::Avx2;
            }
        }
        let _ = simd;
        Isa::Portable
    }
}

impl<'a> BlockWorker<'a> {
    pub fn new(
        sc: &'a Scenario,
        sampler: &'a Sampler,
        guess: f64,
        block: usize,
        simd: Simd,
    ) -> Self {
        let scalar = Worker::with_guess(sc, sampler, guess);
        let mut inputs: Inputs<Lanes> = scalar.inputs.convert();
        // per-year keys hold one value per year of the term, as in the scalar worker
        let n = sc.inputs.project.land_term_years;
        for v in &sampler.years {
            if let Some(slot) = inputs.per_year_mut(v.key.name) {
                slot.resize(n, Lanes::splat(0.0));
            }
        }
        let rows = sampler.scalars.len() + sampler.years.len() * sampler.horizon;
        let structural = sampler
            .scalars
            .iter()
            .enumerate()
            .filter(|(_, v)| v.key.kind == Kind::Int)
            .map(|(j, _)| j)
            .collect();
        BlockWorker {
            sc,
            scalar,
            inputs,
            ledger: Ledger::default(),
            draws: Array2::zeros((block.max(1), rows)),
            clipped: vec![false; block.max(1)],
            order: Vec::with_capacity(block.max(1)),
            structural,
            lane_flows: Array2::zeros((LANES, n)),
            proof: Vec::new(),
            scratch: BlockScratch::default(),
            guess,
            isa: Isa::of(simd),
        }
    }

    /// Runs the paths `index(0) … index(count − 1)` (count ≤ the block size) and hands each
    /// result with its position to `emit`.
    pub fn run(
        &mut self,
        seed: u64,
        count: usize,
        index: impl Fn(usize) -> u64,
        all: bool,
        mut emit: impl FnMut(usize, PathResult),
    ) {
        let count = count.min(self.draws.nrows());
        let ns = self.scalar.sampler.scalars.len();
        let sampler = self.scalar.sampler;
        sampler.draw_block(seed, count, index, &mut self.draws, &mut self.scratch);
        self.scalar
            .clip_block(&mut self.draws, count, &mut self.clipped);
        // group paths with equal timelines; the sort is stable, so groups are deterministic
        self.order.clear();
        self.order.extend(0..count);
        let draws = &self.draws;
        let structural = &self.structural;
        self.order.sort_by(|&a, &b| {
            structural
                .iter()
                .map(|&j| draws[[a, j]].total_cmp(&draws[[b, j]]))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut start = 0;
        while start < count {
            let first = self.order[start];
            let same = |k: usize| {
                self.structural
                    .iter()
                    .all(|&j| self.draws[[k, j]] == self.draws[[first, j]])
            };
            let mut end = start + 1;
            while end < count && end - start < LANES && same(self.order[end]) {
                end += 1;
            }
            let mut lanes = [first; LANES];
            lanes[..end - start].copy_from_slice(&self.order[start..end]);
            // a short group repeats its last path in the spare lanes, whose results are dropped
            lanes[end - start..].fill(self.order[end - 1]);
            let results = self.group(&lanes, ns, all);
            for (l, r) in results.into_iter().enumerate().take(end - start) {
                emit(lanes[l], r);
            }
            start = end;
        }
    }

    /// Runs one group: the paths at block columns `lanes`, with the worker's instruction set.
    fn group(&mut self, lanes: &[usize; LANES], ns: usize, all: bool) -> [PathResult; LANES] {
        match self.isa {
            Isa::Portable => self.group_body(lanes, ns, all),
            // SAFETY: `Isa::of` chose these only where the processor has the features
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.group_avx2(lanes, ns, all) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.group_avx512(lanes, ns, all) },
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn group_avx2(&mut self, lanes: &[usize; LANES], ns: usize, all: bool) -> [PathResult; LANES] {
        self.group_body(lanes, ns, all)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn group_avx512(
        &mut self,
        lanes: &[usize; LANES],
        ns: usize,
        all: bool,
    ) -> [PathResult; LANES] {
        self.group_body(lanes, ns, all)
    }

    /// The group's work; inlined, with the model and the IRR kernels, into each of the
    /// functions above, so each is compiled for its instruction set.
    #[inline(always)]
    fn group_body(&mut self, lanes: &[usize; LANES], ns: usize, all: bool) -> [PathResult; LANES] {
        let sampler = self.scalar.sampler;
        for (j, v) in sampler.scalars.iter().enumerate() {
            for (l, &k) in lanes.iter().enumerate() {
                v.key.set_lane(&mut self.inputs, l, self.draws[[k, j]]);
            }
        }
        let h = sampler.horizon;
        for (vi, v) in sampler.years.iter().enumerate() {
            if let Some(slot) = self.inputs.per_year_mut(v.key.name) {
                for (l, &k) in lanes.iter().enumerate() {
                    let row = self.draws.row(k);
                    for (t, dst) in slot.iter_mut().enumerate() {
                        dst.0[l] = row[ns + vi * h + t];
                    }
                }
            }
        }
        let pol = &self.sc.inputs.policy;
        let dr = self.sc.inputs.finance.discount_rate;
        let need = if all {
            Need::All
        } else {
            Need::for_basis(pol.irr_basis)
        };
        model::run_into_inlined(&self.inputs, &mut self.ledger, need);
        let basis = self.ledger.series(pol.irr_basis);
        let signs = irr::signs_lanes(basis);
        let irrs = lane_irrs(
            basis,
            signs,
            &mut self.lane_flows,
            &mut self.proof,
            self.guess,
            dr,
        );
        let (floor, cap) = (pol.irr_floor, pol.irr_cap);
        let (npv_floor, npv_cap) = (irr::npv_lanes(basis, floor), irr::npv_lanes(basis, cap));
        let mut out = [PathResult {
            irr: None,
            status: Status::Undefined,
            clipped: false,
            extra: [f64::NAN; 4],
        }; LANES];
        let npv = all.then(|| irr::npv_lanes(basis, dr));
        for (l, o) in out.iter_mut().enumerate() {
            o.irr = irrs[l];
            o.status = metrics::verdict_with_irr_from(signs[l], o.irr, floor, cap, || {
                metrics::verdict_from(signs[l], || npv_floor.0[l], || npv_cap.0[l])
            });
            o.clipped = self.clipped[lanes[l]];
            if let Some(npv) = npv {
                o.extra[3] = npv.0[l];
            }
        }
        if all {
            // the order of `PathResult::extra`; the basis series was solved above
            for (e, b) in super::EXTRA_SERIES.into_iter().enumerate() {
                let irrs = if b == pol.irr_basis {
                    irrs
                } else {
                    let series = self.ledger.series(b);
                    lane_irrs(
                        series,
                        irr::signs_lanes(series),
                        &mut self.lane_flows,
                        &mut self.proof,
                        self.guess,
                        dr,
                    )
                };
                for (o, r) in out.iter_mut().zip(irrs) {
                    o.extra[e] = r.unwrap_or(f64::NAN);
                }
            }
        }
        out
    }
}

/// Each lane's IRR of `series`, by the scalar rule ([`irr::irr_guess`]): Newton, the
/// uniqueness proof and the NPVs in lockstep, the decision per lane. `lane_flows` is working
/// space for a lane that goes to the full solver, which reads its flows as one row.
#[inline(always)]
fn lane_irrs(
    series: &[Lanes],
    signs: [irr::Signs; LANES],
    lane_flows: &mut Array2<f64>,
    proof: &mut Vec<Lanes>,
    guess: f64,
    dr: f64,
) -> [Option<f64>; LANES] {
    let newton = irr::newton_lanes(series, guess);
    if proof.len() < 2 * series.len() {
        proof.resize(2 * series.len(), Lanes::zero());
    }
    // the proof is asked only of lanes whose flows change sign more than once (as the scalar
    // rule asks it)
    let ask = std::array::from_fn(|l| newton[l].filter(|_| signs[l].changes > 1));
    let alone = irr::sole_root_lanes_in(series, ask, proof);
    // the lanes' series are laid out one per row only if some lane goes to the full solver
    let mut laid_out = false;
    let mut out = [None; LANES];
    for (l, o) in out.iter_mut().enumerate() {
        let (rows, done) = (&mut *lane_flows, &mut laid_out);
        let flows = move || {
            if !*done {
                transpose(series, rows.view_mut());
                *done = true;
            }
            // moved out (not reborrowed), so the row may outlive the closure
            let rows = { rows };
            rows.row(l)
                .to_slice()
                .expect("rows of a standard-layout array")
        };
        *o = irr::irr_after_proof(flows, dr, signs[l].changes, newton[l], |_| alone[l]);
    }
    out
}

/// Writes lanes-by-year `series` as one row per lane.
#[inline(always)]
fn transpose(series: &[Lanes], mut out: ArrayViewMut2<f64>) {
    for (l, mut row) in out.axis_iter_mut(Axis(0)).enumerate() {
        for (dst, v) in row.iter_mut().zip(series) {
            *dst = v.0[l];
        }
    }
}
