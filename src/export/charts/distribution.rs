//! The IRR distribution of a Monte Carlo run: histogram and cumulative distribution, each
//! with the verdict band and its probabilities.

use super::*;

type Frame<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The frame both IRR charts share: the IRR in % across, `y_desc` from 0 to `top` up.
fn irr_frame<'a, DB: DrawingBackend>(
    style: Style,
    root: &'a DrawingArea<DB, Shift>,
    (lo, hi): (f64, f64),
    top: f64,
    y_desc: &str,
) -> Result<Frame<'a, DB>> {
    let mut chart = ChartBuilder::on(root)
        .margin(20)
        .margin_top(80)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(lo..hi, 0.0..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(style.tr("IRR (%)"))
        .y_desc(style.tr(y_desc))
        .x_label_formatter(&percent_tick)
        .y_label_formatter(&percent_tick)
        .label_style((style.font(), 15))
        .draw()
        .map_err(e)?;
    Ok(chart)
}

/// The IRR distribution of a Monte Carlo run, as a histogram or a CDF.
pub struct Distribution<'a> {
    pub cumulative: bool,
    pub title: &'a str,
    pub irrs: &'a [f64],
    pub band: &'a Band,
}

impl Distribution<'_> {
    /// The defined IRRs in %.
    fn defined(&self) -> impl Iterator<Item = f64> + '_ {
        self.irrs
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .map(|v| v * 100.0)
    }

    /// IRR histogram with the floor and cap marked.
    fn histogram<DB: DrawingBackend>(
        &self,
        style: Style,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        let band = self.band;
        let (lo, hi) = range_with(self.defined(), band);
        let bins = 60usize;
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0u64; bins];
        for v in self.defined() {
            let b = (((v - lo) / width) as usize).min(bins - 1);
            counts[b] += 1;
        }
        let n = self.irrs.len().max(1) as f64;
        let top = counts.iter().copied().max().unwrap_or(1) as f64 / n * 100.0 * 1.15;
        let mut chart = irr_frame(style, root, (lo, hi), top.max(1e-9), "share of paths (%)")?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, c)| {
                let x0 = lo + i as f64 * width;
                let color = bar_color(x0 + width / 2.0, band);
                Rectangle::new(
                    [(x0, 0.0), (x0 + width, *c as f64 / n * 100.0)],
                    color.filled(),
                )
            }))
            .map_err(e)?;
        mark_band(style, &mut chart, band, top)
    }

    /// Empirical CDF of the IRR with the floor and cap marked.
    fn cdf<DB: DrawingBackend>(&self, style: Style, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = range_with(self.defined(), self.band);
        let n = self.irrs.len().max(1) as f64;
        let defined = self.defined().count() as f64;
        let mut chart = irr_frame(style, root, (lo, hi), 100.0, "P(IRR ≤ x) (%)")?;
        // 1,001 quantiles draw the curve whatever the path count, without a sorted copy of the paths
        let qs: Vec<f64> = (0..=1000).map(|i| i as f64 / 1000.0).collect();
        let xs = shanglou::mc::stats::percentiles(self.irrs, &qs);
        let pts: Vec<(f64, f64)> = qs
            .iter()
            .zip(xs)
            .filter_map(|(q, x)| x.map(|x| (x * 100.0, q * defined / n * 100.0)))
            .collect();
        chart
            .draw_series(LineSeries::new(pts, BLUE.stroke_width(2)))
            .map_err(e)?;
        mark_band(style, &mut chart, self.band, 100.0)
    }
}

impl Chart for Distribution<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        if self.cumulative {
            self.cdf(style, root)?;
        } else {
            self.histogram(style, root)?;
        }
        header(style, root, self.title, &self.band.note(style))
    }
}

/// The Monte Carlo charts: IRR histogram and CDF.
pub struct McCharts;

impl Exporter for McCharts {
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>> {
        let Document::Mc {
            scenario,
            outcome,
            summary,
            ..
        } = doc
        else {
            return Ok(vec![]);
        };
        let band = Band::of(&scenario.inputs.policy, summary);
        let name = title_name(&scenario.name, style);
        let what = basis_words(outcome.basis, style);
        let n = super::super::table::thousands(summary.paths as f64, 0);
        let (hist_title, cdf_title) = if style.zh() {
            (
                format!("{name} — {what}分布（{n} 条路径）"),
                format!("{name} — {what}累计概率（{n} 条路径）"),
            )
        } else {
            (
                format!("{name} — distribution of the {what} over {n} paths"),
                format!("{name} — cumulative probability of the {what} over {n} paths"),
            )
        };
        let mut files = Vec::with_capacity(4);
        for (stem, cumulative, title) in [
            ("irr_histogram", false, &hist_title),
            ("irr_cdf", true, &cdf_title),
        ] {
            let chart = Distribution {
                cumulative,
                title,
                irrs: &outcome.irr,
                band: &band,
            };
            push_pair(&mut files, stem, &chart, style)?;
        }
        Ok(files)
    }
}
