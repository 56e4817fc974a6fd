//! Charts as PNG and SVG with plotters. Text uses DejaVu Sans embedded in the binary (the
//! `dejavu` crate; Bitstream Vera licence, free to embed), so charts render on a machine
//! with no system fonts. PNGs are encoded in memory so they go through the atomic write.

use super::{Document, Exporter, File};
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

pub const FONT: &str = "sans-serif";
const W: u32 = 1000;
const H: u32 = 600;

/// Registers the embedded font once per process.
pub fn init_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Something drawable on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Draws the same chart on an SVG and a bitmap backend; returns (png, svg) bytes.
pub fn both(chart: &impl Chart) -> Result<(Vec<u8>, Vec<u8>)> {
    init_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("svg: {e}"))?;
        chart.draw(&root)?;
        root.present().map_err(|e| anyhow!("svg: {e}"))?;
    }
    let mut buf = vec![0u8; (W * H * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("png: {e}"))?;
        chart.draw(&root)?;
        root.present().map_err(|e| anyhow!("png: {e}"))?;
    }
    let img = image::RgbImage::from_raw(W, H, buf).ok_or_else(|| anyhow!("png: bad buffer"))?;
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok((png, svg.into_bytes()))
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The band and probabilities written on distribution charts.
pub struct Band {
    pub floor: f64,
    pub cap: f64,
    pub within: f64,
    pub above: f64,
    pub below: f64,
    pub undefined: f64,
}

impl Band {
    fn note(&self) -> String {
        let mut s = format!(
            "P(within 0–cap) {}   P(above cap) {}   P(below floor) {}",
            pct(self.within),
            pct(self.above),
            pct(self.below)
        );
        if self.undefined > 0.0 {
            s.push_str(&format!("   P(undefined) {}", pct(self.undefined)));
        }
        s
    }
}

fn e<E: std::fmt::Display>(x: E) -> anyhow::Error {
    anyhow!("chart: {x}")
}

/// IRR histogram with the floor and cap marked.
pub fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    irrs: &[f64],
    band: &Band,
) -> Result<()> {
    let ok = || {
        irrs.iter()
            .copied()
            .filter(|v| v.is_finite())
            .map(|v| v * 100.0)
    };
    let (lo, hi) = range_with(ok(), band);
    let bins = 60usize;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for v in ok() {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let n = irrs.len().max(1) as f64;
    let top = counts.iter().copied().max().unwrap_or(1) as f64 / n * 100.0 * 1.15;
    let mut chart = ChartBuilder::on(root)
        .margin(20)
        .margin_top(80)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(lo..hi, 0.0..top.max(1e-9))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("IRR (%)")
        .y_desc("share of paths (%)")
        .label_style((FONT, 15))
        .draw()
        .map_err(e)?;
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
    mark_band(&mut chart, band, top)?;
    header(root, title, &band.note())?;
    Ok(())
}

/// Empirical CDF of the IRR with the floor and cap marked.
pub fn cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    irrs: &[f64],
    band: &Band,
) -> Result<()> {
    let (lo, hi) = range_with(
        irrs.iter()
            .copied()
            .filter(|v| v.is_finite())
            .map(|v| v * 100.0),
        band,
    );
    let n = irrs.len().max(1) as f64;
    let defined = irrs.iter().filter(|v| v.is_finite()).count() as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(20)
        .margin_top(80)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(lo..hi, 0.0..100.0)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("IRR (%)")
        .y_desc("P(IRR ≤ x) (%)")
        .label_style((FONT, 15))
        .draw()
        .map_err(e)?;
    // 1,001 quantiles draw the curve whatever the path count, without a sorted copy of the paths
    let qs: Vec<f64> = (0..=1000).map(|i| i as f64 / 1000.0).collect();
    let xs = shanglou::mc::stats::percentiles(irrs, &qs);
    let pts: Vec<(f64, f64)> = qs
        .iter()
        .zip(xs)
        .filter_map(|(q, x)| x.map(|x| (x * 100.0, q * defined / n * 100.0)))
        .collect();
    chart
        .draw_series(LineSeries::new(pts, BLUE.stroke_width(2)))
        .map_err(e)?;
    mark_band(&mut chart, band, 100.0)?;
    header(root, title, &band.note())?;
    Ok(())
}

/// Title and a note line in a band above the plot.
pub fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Result<()> {
    root.draw(&Text::new(
        title.to_string(),
        (30, 14),
        (FONT, 24).into_font(),
    ))
    .map_err(e)?;
    root.draw(&Text::new(
        note.to_string(),
        (30, 50),
        (FONT, 17).into_font(),
    ))
    .map_err(e)?;
    Ok(())
}

fn bar_color(x: f64, band: &Band) -> RGBColor {
    if x < band.floor * 100.0 {
        RGBColor(214, 96, 77)
    } else if x > band.cap * 100.0 {
        RGBColor(244, 165, 130)
    } else {
        RGBColor(67, 147, 195)
    }
}

fn range_with(v: impl Iterator<Item = f64>, band: &Band) -> (f64, f64) {
    let (mut lo, mut hi) = (band.floor * 100.0, band.cap * 100.0);
    for x in v {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    let pad = ((hi - lo) * 0.05).max(0.5);
    (lo - pad, hi + pad)
}

fn mark_band<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    band: &Band,
    top: f64,
) -> Result<()> {
    for (x, label, color) in [
        (band.floor, "floor 保本", RGBColor(178, 24, 43)),
        (band.cap, "cap 微利", RGBColor(33, 102, 172)),
    ] {
        let x = x * 100.0;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, top)],
                color.stroke_width(2),
            )))
            .map_err(e)?;
        let label = format!("{} {:.1}%", label.split(' ').next().unwrap_or(label), x);
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x, top * 0.93),
                (FONT, 15).into_font().color(&color),
            )))
            .map_err(e)?;
    }
    Ok(())
}

/// The IRR distribution of a Monte Carlo run, as a histogram or a CDF.
pub struct Distribution<'a> {
    pub cumulative: bool,
    pub title: &'a str,
    pub irrs: &'a [f64],
    pub band: &'a Band,
}

impl Chart for Distribution<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        if self.cumulative {
            cdf(root, self.title, self.irrs, self.band)
        } else {
            histogram(root, self.title, self.irrs, self.band)
        }
    }
}

/// The Monte Carlo charts: IRR histogram and CDF.
pub struct McCharts;

impl Exporter for McCharts {
    fn render(&self, doc: &Document) -> Result<Vec<File>> {
        let Document::Mc {
            scenario,
            outcome,
            summary,
        } = doc
        else {
            return Ok(vec![]);
        };
        let pol = &scenario.inputs.policy;
        let band = Band {
            floor: pol.irr_floor,
            cap: pol.irr_cap,
            within: summary.prob.within,
            above: summary.prob.above_cap,
            below: summary.prob.below_floor,
            undefined: summary.prob.undefined,
        };
        let title = format!(
            "{} — {} IRR, {} paths",
            ascii_title(&scenario.name),
            outcome.basis.name(),
            summary.paths
        );
        let (hp, hs) = both(&Distribution {
            cumulative: false,
            title: &title,
            irrs: &outcome.irr,
            band: &band,
        })?;
        let (cp, cs) = both(&Distribution {
            cumulative: true,
            title: &title,
            irrs: &outcome.irr,
            band: &band,
        })?;
        Ok(vec![
            ("irr_histogram.png".into(), hp),
            ("irr_histogram.svg".into(), hs),
            ("irr_cdf.png".into(), cp),
            ("irr_cdf.svg".into(), cs),
        ])
    }
}

/// The embedded font has no CJK glyphs: chart titles keep the Latin part of a bilingual name
/// ("深圳 … (Shenzhen …)" → "Shenzhen …").
pub fn ascii_title(name: &str) -> String {
    if name.is_ascii() {
        return name.to_string();
    }
    if let (Some(a), Some(b)) = (name.find('('), name.rfind(')')) {
        if a < b && name[a + 1..b].is_ascii() {
            return name[a + 1..b].to_string();
        }
    }
    let s: String = name.chars().filter(|c| c.is_ascii()).collect();
    let s = s.trim().to_string();
    if s.is_empty() {
        "scenario".into()
    } else {
        s
    }
}

/// Tornado chart: each input's IRR range, low value to high value, around the base IRR.
pub struct Tornado<'a> {
    pub title: &'a str,
    pub t: &'a shanglou::sensitivity::Tornado,
}

impl Chart for Tornado<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let bars = &self.t.bars;
        let base = self.t.base_irr * 100.0;
        let (mut lo, mut hi) = (base, base);
        for b in bars {
            for v in [b.irr_low, b.irr_high] {
                lo = lo.min(v * 100.0);
                hi = hi.max(v * 100.0);
            }
        }
        let pad = ((hi - lo) * 0.08).max(0.2);
        let n = bars.len().max(1);
        let label_width = bars.iter().map(|b| b.key.len()).max().unwrap_or(10) as u32 * 9 + 20;
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_top(80)
            .x_label_area_size(50)
            .y_label_area_size(label_width.min(420))
            .build_cartesian_2d((lo - pad)..(hi + pad), 0.0..n as f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(format!("{} IRR (%)", self.t.basis.name()))
            .label_style((FONT, 14))
            .draw()
            .map_err(e)?;
        let low_color = RGBColor(214, 96, 77);
        let high_color = RGBColor(67, 147, 195);
        let label =
            TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, b) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (v, color) in [
                (b.irr_low * 100.0, low_color),
                (b.irr_high * 100.0, high_color),
            ] {
                let (x0, x1) = if v < base { (v, base) } else { (base, v) };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y + 0.15), (x1, y + 0.85)],
                        color.filled(),
                    )))
                    .map_err(e)?;
            }
            // input names in the label area, right-aligned against the axis
            let (px, py) = chart.backend_coord(&(lo - pad, y + 0.5));
            root.draw(&Text::new(b.key.clone(), (px - 8, py), label.clone()))
                .map_err(e)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(base, 0.0), (base, n as f64)],
                BLACK.stroke_width(2),
            )))
            .map_err(e)?;
        header(root, self.title, &format!("base IRR {:.2}%   red: input at its low value (P10 or −10%)   blue: at its high value (P90 or +10%)", base))?;
        Ok(())
    }
}

/// `tornado.png` and `tornado.svg`.
pub struct TornadoChart;

impl Exporter for TornadoChart {
    fn render(&self, doc: &Document) -> Result<Vec<File>> {
        let Document::Tornado { scenario, tornado } = doc else {
            return Ok(vec![]);
        };
        let title = format!("{} — sensitivity of the IRR", ascii_title(&scenario.name));
        let (png, svg) = both(&Tornado {
            title: &title,
            t: tornado,
        })?;
        Ok(vec![
            ("tornado.png".into(), png),
            ("tornado.svg".into(), svg),
        ])
    }
}
