//! Monte Carlo (docs/model.md §10): draws each path's inputs, runs the f64 model and the IRR
//! solver, in parallel across cores with buffers per worker and no allocation per path.
//! Path i depends only on (seed, i), so results are identical for any thread count. Progress
//! and cancellation go through [`Observer`]; the engine never prints.

pub mod block;
pub mod sample;
pub mod stats;
pub mod stream;

use crate::irr;
use crate::metrics::{self, Status};
use crate::model::{self, Ledger};
use crate::policy;
use crate::scenario::{Basis, Inputs, Scenario};
use ndarray::Array2;
use rayon::prelude::*;
use sample::Sampler;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Told how far the run is; may ask it to stop.
pub trait Observer: Sync {
    fn progress(&self, _done: u64, _total: u64) {}
    fn cancelled(&self) -> bool {
        false
    }
}

/// An observer that does nothing.
pub struct Silent;
impl Observer for Silent {}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub paths: u64,
    pub seed: u64,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    /// Also the two other IRRs and the basis NPV per path.
    pub all_metrics: bool,
}

impl Settings {
    /// The basis IRR only, on every core: what sweeps, solves and reruns ask for.
    pub fn basis_only(paths: u64, seed: u64) -> Settings {
        Settings {
            paths,
            seed,
            threads: 0,
            all_metrics: false,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum McError {
    #[error("the run was cancelled")]
    Cancelled,
    #[error("cannot start {0} worker threads")]
    Threads(usize),
}

/// Per-path results, in path order.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub settings: Settings,
    pub basis: Basis,
    /// Basis IRR per path (NaN: none).
    pub irr: Vec<f64>,
    /// Verdict per path (`Status as u8`), bit 7 set when a cap clipped a draw.
    pub flags: Vec<u8>,
    /// With `all_metrics`: per path [after-tax IRR, equity IRR, pre-tax IRR, basis NPV].
    pub extra: Vec<[f64; 4]>,
}

const CLIPPED: u8 = 0x80;
const CHUNK: usize = 2048;

impl Outcome {
    pub fn status(&self, i: usize) -> Status {
        match self.flags[i] & 0x7f {
            0 => Status::Within,
            1 => Status::AboveCap,
            2 => Status::BelowFloor,
            _ => Status::Undefined,
        }
    }
    pub fn clipped(&self, i: usize) -> bool {
        self.flags[i] & CLIPPED != 0
    }
    pub fn summary(&self) -> stats::McSummary {
        let n = self.irr.len() as u64;
        let clipped = self.flags.iter().filter(|f| **f & CLIPPED != 0).count();
        stats::McSummary {
            paths: n,
            seed: self.settings.seed,
            basis: self.basis,
            irr: stats::irr_stats(&self.irr),
            prob: stats::probabilities((0..self.irr.len()).map(|i| self.status(i)), n),
            clipped_share: clipped as f64 / n.max(1) as f64,
        }
    }
}

/// The series of [`PathResult::extra`]'s three IRRs, in order.
const EXTRA_SERIES: [Basis; 3] = [Basis::ProjectAfterTax, Basis::Equity, Basis::ProjectPreTax];

/// One path's evaluation state, reused across the paths of a chunk.
pub struct Worker<'a> {
    sc: &'a Scenario,
    sampler: &'a Sampler,
    pub inputs: Inputs<f64>,
    ledger: Ledger<f64>,
    scalars: Vec<f64>,
    years: Vec<f64>,
    scratch: Vec<f64>,
    flows: Vec<f64>,
    caps: Caps,
    guess: f64,
}

/// The pack's caps on the draws, and what decides whether clipping a draw touched the flows.
struct Caps {
    /// The policy cap clipping each scalar and each per-year variable, if any.
    scalar: Vec<Option<f64>>,
    year: Vec<Option<f64>>,
    /// The first operating year whose draw of each per-year variable enters the flows (a
    /// growth is first used in year 1: year 0 takes the base rent).
    year_first_used: Vec<usize>,
    /// Where `construction.delay_years` is among the scalar draws, if it is uncertain.
    delay_var: Option<usize>,
    /// The scenario's delay and construction years, and the draws per per-year variable.
    delay: usize,
    schedule: usize,
    horizon: usize,
}

/// Result of one path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathResult {
    pub irr: Option<f64>,
    pub status: Status,
    pub clipped: bool,
    pub extra: [f64; 4],
}

impl<'a> Worker<'a> {
    pub fn new(sc: &'a Scenario, sampler: &'a Sampler) -> Worker<'a> {
        Worker::with_guess(sc, sampler, newton_guess(sc))
    }

    /// A worker whose IRR search starts from `guess` (see [`newton_guess`]).
    pub fn with_guess(sc: &'a Scenario, sampler: &'a Sampler, guess: f64) -> Worker<'a> {
        let n = sc.inputs.project.land_term_years;
        let mut inputs = sc.inputs.clone();
        for v in &sampler.years {
            if let Some(v) = inputs.per_year_mut(v.key.name) {
                v.resize(n, 0.0);
            }
        }
        let pack = inputs
            .policy
            .pack
            .as_deref()
            .and_then(policy::pack)
            .filter(|_| inputs.policy.enforce_caps);
        // docs/model.md §10: only the factory rent and its growth have pack caps
        let cap_of = |key: &str| match key {
            "factory.rent" => pack.and_then(|p| p.rent_cap),
            "factory.rent_growth" => pack.and_then(|p| p.growth_cap),
            _ => None,
        };
        Worker {
            sc,
            sampler,
            inputs,
            ledger: Ledger::default(),
            scalars: vec![0.0; sampler.scalars.len()],
            years: vec![0.0; sampler.years.len() * n],
            scratch: vec![0.0; sampler.scratch_len()],
            flows: Vec::with_capacity(n),
            caps: Caps {
                scalar: sampler.scalars.iter().map(|v| cap_of(v.key.name)).collect(),
                year: sampler.years.iter().map(|v| cap_of(v.key.name)).collect(),
                year_first_used: sampler
                    .years
                    .iter()
                    .map(|v| usize::from(v.key.name.ends_with(".rent_growth")))
                    .collect(),
                delay_var: sampler
                    .scalars
                    .iter()
                    .position(|v| v.key.name == "construction.delay_years"),
                delay: sc.inputs.construction.delay_years,
                schedule: sc.inputs.construction.schedule.len(),
                horizon: sampler.horizon,
            },
            guess,
        }
    }

    /// Draws path `i`'s values, clipped by the policy caps, into the worker's buffers; returns
    /// whether a cap clipped a draw that enters the flows.
    fn draw_values(&mut self, seed: u64, i: u64) -> bool {
        self.sampler.draw_path(
            seed,
            i,
            &mut self.scalars,
            &mut self.years,
            &mut self.scratch,
        );
        self.caps.clip_path(&mut self.scalars, &mut self.years)
    }

    /// The caps of [`Worker::draw_values`] on each path of a block drawn by
    /// [`Sampler::draw_block`] (one row per path), each path's flag in `clipped`.
    pub fn clip_block(&self, draws: &mut Array2<f64>, count: usize, clipped: &mut [bool]) {
        let ns = self.caps.scalar.len();
        for (k, mut row) in draws.outer_iter_mut().take(count).enumerate() {
            let row = row.as_slice_mut().expect("rows of a standard-layout array");
            let (scalars, years) = row.split_at_mut(ns);
            clipped[k] = self.caps.clip_path(scalars, years);
        }
    }

    /// Draws path `i`'s inputs into `self.inputs`; returns whether a policy cap clipped a draw.
    pub fn draw(&mut self, seed: u64, i: u64) -> bool {
        let clipped = self.draw_values(seed, i);
        for (v, x) in self.sampler.scalars.iter().zip(&self.scalars) {
            v.key.set(&mut self.inputs, *x);
        }
        let n = self.sampler.horizon;
        for (vi, v) in self.sampler.years.iter().enumerate() {
            if let Some(slot) = self.inputs.per_year_mut(v.key.name) {
                for (dst, x) in slot.iter_mut().zip(&self.years[vi * n..(vi + 1) * n]) {
                    *dst = *x;
                }
            }
        }
        clipped
    }

    /// Runs the model on `self.inputs` as drawn.
    pub fn evaluate(&mut self, all: bool) -> (Option<f64>, Status, [f64; 4]) {
        let pol = &self.sc.inputs.policy;
        let dr = self.sc.inputs.finance.discount_rate;
        let need = if all {
            model::Need::All
        } else {
            model::Need::for_basis(pol.irr_basis)
        };
        model::run_into(&self.inputs, &mut self.ledger, need);
        self.flows.clear();
        self.flows
            .extend_from_slice(self.ledger.series(pol.irr_basis));
        let r = irr::irr_guess(&self.flows, dr, self.guess);
        let status = metrics::verdict_with_irr(&self.flows, r, pol.irr_floor, pol.irr_cap);
        let mut extra = [f64::NAN; 4];
        if all {
            for (e, b) in EXTRA_SERIES.into_iter().enumerate() {
                // the basis series was solved above
                extra[e] = if b == pol.irr_basis {
                    r
                } else {
                    irr::irr_guess(self.ledger.series(b), dr, self.guess)
                }
                .unwrap_or(f64::NAN);
            }
            extra[3] = irr::npv(&self.flows, dr);
        }
        (r, status, extra)
    }

    pub fn path(&mut self, seed: u64, i: u64, all: bool) -> PathResult {
        let clipped = self.draw(seed, i);
        let (irr, status, extra) = self.evaluate(all);
        PathResult {
            irr,
            status,
            clipped,
            extra,
        }
    }
}

impl Caps {
    /// Clips one path's draws (scalars in [`Sampler::scalars`] order; per-year variable v's
    /// year k at `v * horizon + k`) by the policy caps; returns whether a clipped draw enters
    /// the flows.
    fn clip_path(&self, scalars: &mut [f64], years: &mut [f64]) -> bool {
        let mut clipped = false;
        for (x, cap) in scalars.iter_mut().zip(&self.scalar) {
            if let Some(c) = *cap {
                if *x > c {
                    *x = c;
                    clipped = true;
                }
            }
        }
        if self.year.iter().all(Option::is_none) {
            return clipped;
        }
        let n = self.horizon;
        // only draws that enter the flows can count as clipped: a growth for operating years
        // 1 … N − 1 − t_op (year 0 uses the base rent), an occupancy for 0 … N − 1 − t_op
        let delay = match self.delay_var {
            Some(j) => scalars[j].max(0.0) as usize,
            None => self.delay,
        };
        let operating = n.saturating_sub(self.schedule + delay);
        for (vi, cap) in self.year.iter().enumerate() {
            let Some(c) = *cap else { continue };
            let first_used = self.year_first_used[vi].min(n);
            let used = first_used.max(operating.min(n));
            let row = &mut years[vi * n..(vi + 1) * n];
            // without branches on the draws (a clipped year is a coin toss): the years that
            // enter the flows, then the rest
            let (before, rest) = row.split_at_mut(first_used);
            let (inside, after) = rest.split_at_mut(used - first_used);
            let mut hit = false;
            for x in inside.iter_mut() {
                hit |= *x > c;
                *x = if *x > c { c } else { *x };
            }
            clipped |= hit;
            for x in before.iter_mut().chain(after.iter_mut()) {
                *x = if *x > c { c } else { *x };
            }
        }
        clipped
    }
}

/// Where every path's Newton search for the IRR starts: the deterministic IRR. The same guess
/// for every path keeps results independent of which worker runs which path.
pub fn newton_guess(sc: &Scenario) -> f64 {
    metrics::evaluate_f64(&sc.inputs).0.unwrap_or(0.05)
}

/// Runs `settings.paths` paths.
pub fn simulate(sc: &Scenario, settings: Settings, obs: &dyn Observer) -> Result<Outcome, McError> {
    simulate_with(sc, &Sampler::new(sc), settings, obs)
}

/// [`simulate`] with the sampler built already: a sweep whose points share the uncertain
/// inputs builds its tables once, not per point.
pub fn simulate_with(
    sc: &Scenario,
    sampler: &Sampler,
    settings: Settings,
    obs: &dyn Observer,
) -> Result<Outcome, McError> {
    simulate_shard(sc, sampler, settings, Shard::WHOLE, obs)
}

/// One share of a run split across machines: shard `k` of `n` (1-based) takes the paths (or
/// points, or rows) whose index i has i mod n = k − 1. Each path depends only on (seed, i), so
/// the shards of a run hold exactly the figures of the whole run, whatever n is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// The whole run: shard 1 of 1.
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// Parses `K/N` with 1 ≤ K ≤ N.
    pub fn parse(s: &str) -> Option<Shard> {
        let (k, n) = s.split_once('/')?;
        let (k, n) = (k.trim().parse().ok()?, n.trim().parse().ok()?);
        (1..=n).contains(&k).then_some(Shard { k, n })
    }

    /// How many of `total` items fall to this shard.
    pub fn count(self, total: u64) -> u64 {
        let first = self.k - 1;
        if first >= total {
            0
        } else {
            (total - first).div_ceil(self.n)
        }
    }

    /// The whole run's index of this shard's j-th item.
    pub fn index(self, j: u64) -> u64 {
        self.k - 1 + j * self.n
    }
}

/// How paths are evaluated: the lockstep engine (the default), or one path at a time, the
/// reference the lockstep engine is tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// [`block::BlockWorker`] over blocks of `block` paths, with the vector instructions
    /// `simd` allows.
    Lockstep { block: usize, simd: block::Simd },
    /// [`Worker::path`] per path.
    Scalar,
}

impl Engine {
    pub const DEFAULT: Engine = Engine::Lockstep {
        block: block::BLOCK,
        simd: block::Simd::Best,
    };
}

/// [`simulate_with`] for one shard: `Outcome::irr[j]` is path [`Shard::index`]`(j)`.
pub fn simulate_shard(
    sc: &Scenario,
    sampler: &Sampler,
    settings: Settings,
    shard: Shard,
    obs: &dyn Observer,
) -> Result<Outcome, McError> {
    simulate_engine(sc, sampler, settings, shard, Engine::DEFAULT, obs)
}

/// [`simulate_shard`] with the engine chosen: every engine gives the same figures.
pub fn simulate_engine(
    sc: &Scenario,
    sampler: &Sampler,
    settings: Settings,
    shard: Shard,
    engine: Engine,
    obs: &dyn Observer,
) -> Result<Outcome, McError> {
    let guess = newton_guess(sc);
    let n = shard.count(settings.paths) as usize;
    let mut irr = vec![0.0f64; n];
    let mut flags = vec![0u8; n];
    let all = settings.all_metrics;
    let mut extra = if all { vec![[0.0; 4]; n] } else { Vec::new() };
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let chunk = match engine {
        Engine::Lockstep { block, .. } => block.max(1),
        Engine::Scalar => CHUNK,
    };
    // one chunk: results for paths base … base + len − 1 of the shard
    let body = |w: &mut Either,
                c: usize,
                irr_c: &mut [f64],
                flags_c: &mut [u8],
                mut extra_c: Option<&mut [[f64; 4]]>| {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if obs.cancelled() {
            stop.store(true, Ordering::Relaxed);
            return;
        }
        let base = (c * chunk) as u64;
        let len = irr_c.len();
        let mut put = |k: usize, p: PathResult| {
            irr_c[k] = p.irr.unwrap_or(f64::NAN);
            flags_c[k] = p.status as u8 | if p.clipped { CLIPPED } else { 0 };
            if let Some(e) = extra_c.as_deref_mut() {
                e[k] = p.extra;
            }
        };
        match w {
            Either::Scalar(w) => {
                for k in 0..len {
                    put(k, w.path(settings.seed, shard.index(base + k as u64), all));
                }
            }
            Either::Lockstep(w) => {
                w.run(
                    settings.seed,
                    len,
                    |k| shard.index(base + k as u64),
                    all,
                    put,
                );
            }
        }
        let d = done.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
        obs.progress(d, n as u64);
    };
    let make = || match engine {
        Engine::Scalar => Either::Scalar(Box::new(Worker::with_guess(sc, sampler, guess))),
        Engine::Lockstep { block, simd } => Either::Lockstep(Box::new(block::BlockWorker::new(
            sc, sampler, guess, block, simd,
        ))),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|_| McError::Threads(settings.threads))?;
    pool.install(|| {
        let chunks = irr
            .par_chunks_mut(chunk)
            .zip(flags.par_chunks_mut(chunk))
            .enumerate();
        if all {
            chunks
                .zip(extra.par_chunks_mut(chunk))
                .for_each_init(make, |w, ((c, (i, f)), e)| body(w, c, i, f, Some(e)));
        } else {
            chunks.for_each_init(make, |w, (c, (i, f))| body(w, c, i, f, None));
        }
    });
    if stop.load(Ordering::Relaxed) {
        return Err(McError::Cancelled);
    }
    Ok(Outcome {
        settings,
        basis: sc.inputs.policy.irr_basis,
        irr,
        flags,
        extra,
    })
}

/// A worker of either engine.
enum Either<'a> {
    Scalar(Box<Worker<'a>>),
    Lockstep(Box<block::BlockWorker<'a>>),
}
