//! Charts as PNG and SVG with plotters. Text uses DejaVu Sans embedded in the binary (the
//! `dejavu` crate; Bitstream Vera licence, free to embed), so charts render on a machine
//! with no system fonts. PNGs are encoded in memory so they go through the atomic write.

use super::{Document, Exporter, File, Lang, Style};
use anyhow::{anyhow, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::Once;

/// Font families: DejaVu Sans for English charts, the CJK subset for Chinese ones.
const LATIN: &str = "shanglou-latin";
const CJK: &str = "shanglou-cjk";

/// WenQuanYi Micro Hei (Apache-2.0), subset by `scripts/subset-cjk-font.sh` to the characters
/// of the chart labels, the policy packs and the example scenarios (see assets/fonts/).
const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/shanglou-cjk.ttf");
/// The characters that subset covers, to fall back to Latin text for anything else.
const CJK_CHARS: &str = include_str!("../../assets/fonts/shanglou-cjk.chars.txt");

impl Style {
    /// True for Chinese chart text.
    pub fn zh(self) -> bool {
        self.lang == Lang::Zh
    }

    /// The font family for chart text.
    pub fn font(self) -> &'static str {
        if self.zh() {
            CJK
        } else {
            LATIN
        }
    }

    /// A chart label in the chosen language.
    pub fn tr(self, en: &str) -> String {
        if !self.zh() {
            return en.to_string();
        }
        let zh = match en {
        "IRR (%)" => "内部收益率 IRR (%)",
        "share of paths (%)" => "路径占比 (%)",
        "P(IRR ≤ x) (%)" => "累计概率 P(IRR ≤ x) (%)",
        "P(within the band) (%)" => "落入保本微利区间的概率 (%)",
        "pre-tax IRR (%)" => "税前内部收益率 (%)",
        "median IRR (%)" => "内部收益率中位数 (%)",
        "median IRR (%) over Monte Carlo paths" => "蒙特卡洛内部收益率中位数 (%)",
        "Scenario comparison — IRR by series" => "方案比较：各口径内部收益率",
        "bars: project pre-tax, project after tax, equity; lines: the verdict band" => "柱：项目税前、项目税后、资本金；线：保本微利区间",
        "pre-tax" => "项目税前",
        "after tax" => "项目税后",
        "equity" => "资本金",
        "floor" => "保本下限",
        "cap" => "微利上限",
        "0% floor" => "保本下限",
        "year" => "年份",
        "10k yuan" => "万元",
        "rent" => "租金收入",
        "sales" => "销售收入",
        "subsidy + terminal value" => "补助及期末余值",
        "land" => "土地",
        "construction" => "建设投资",
        "taxes (VAT, surcharges, property, land use, LAT)" => "税费（增值税、附加、房产税、土地使用税、土地增值税）",
        "opex" => "经营成本",
        "cumulative pre-tax cash flow" => "累计税前净现金流量",
        "inflows above zero, outflows below, stacked by category (10k yuan)" => "零线以上为现金流入，以下为现金流出，按类别堆叠（万元）",
        "upper: probability of landing inside the break-even / small-profit band; lower: median IRR" => "上图：落入保本微利区间的概率；下图：内部收益率中位数",
        "upper: pre-tax IRR; lower: median IRR (deterministic: the IRR itself)" => "上图：税前内部收益率；下图：内部收益率中位数（确定性运行即其本身）",
        "annual cash flows" => "年度现金流量",
        "sensitivity of the IRR" => "内部收益率敏感性",
        "sweep" => "参数扫描",
        "paths" => "条路径",
        "Which inputs move the IRR most" => "影响内部收益率最大的输入",
        "Annual cash flows" => "年度现金流量",
        "IRR distribution" => "内部收益率分布",
        other => other,
    };
        zh.to_string()
    }
}

const W: u32 = 1000;
const H: u32 = 600;

/// Registers the embedded font once per process.
pub fn init_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(LATIN, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(LATIN, FontStyle::Bold, dejavu::sans::bold());
        let _ = plotters::style::register_font(CJK, FontStyle::Normal, CJK_FONT);
    });
}

/// Something drawable on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()>;
}

/// The chart as SVG text only (for the HTML report).
pub fn svg(chart: &impl Chart, style: Style) -> Result<String> {
    init_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("svg: {e}"))?;
        chart.draw(&root, style)?;
        root.present().map_err(|e| anyhow!("svg: {e}"))?;
    }
    Ok(svg)
}

/// Draws the same chart on an SVG and a bitmap backend; returns (png, svg) bytes.
pub fn both(chart: &impl Chart, style: Style) -> Result<(Vec<u8>, Vec<u8>)> {
    let svg = svg(chart, style)?;
    let mut buf = vec![0u8; (W * H * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("png: {e}"))?;
        chart.draw(&root, style)?;
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
    fn note(&self, style: Style) -> String {
        let mut s = if style.zh() {
            format!(
                "落入保本微利区间 {}   超过微利上限 {}   低于保本下限 {}",
                pct(self.within),
                pct(self.above),
                pct(self.below)
            )
        } else {
            format!(
                "P(within 0–cap) {}   P(above cap) {}   P(below floor) {}",
                pct(self.within),
                pct(self.above),
                pct(self.below)
            )
        };
        if self.undefined > 0.0 {
            s.push_str(&format!(
                "   {} {}",
                if style.zh() {
                    "无法判定"
                } else {
                    "P(undefined)"
                },
                pct(self.undefined)
            ));
        }
        s
    }
}

fn e<E: std::fmt::Display>(x: E) -> anyhow::Error {
    anyhow!("chart: {x}")
}

/// IRR histogram with the floor and cap marked.
pub fn histogram<DB: DrawingBackend>(
    style: Style,
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
        .x_desc(style.tr("IRR (%)"))
        .y_desc(style.tr("share of paths (%)"))
        .label_style((style.font(), 15))
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
    mark_band(style, &mut chart, band, top)?;
    header(style, root, title, &band.note(style))?;
    Ok(())
}

/// Empirical CDF of the IRR with the floor and cap marked.
pub fn cdf<DB: DrawingBackend>(
    style: Style,
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
        .x_desc(style.tr("IRR (%)"))
        .y_desc(style.tr("P(IRR ≤ x) (%)"))
        .label_style((style.font(), 15))
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
    mark_band(style, &mut chart, band, 100.0)?;
    header(style, root, title, &band.note(style))?;
    Ok(())
}

/// The legend box every chart with several series draws.
fn legend<'a, DB: DrawingBackend + 'a>(
    style: Style,
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((style.font(), 13))
        .draw()
        .map_err(e)?;
    Ok(())
}

/// Title and a note line in a band above the plot.
pub fn header<DB: DrawingBackend>(
    style: Style,
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Result<()> {
    root.draw(&Text::new(
        title.to_string(),
        (30, 14),
        (style.font(), 24).into_font(),
    ))
    .map_err(e)?;
    root.draw(&Text::new(
        note.to_string(),
        (30, 50),
        (style.font(), 17).into_font(),
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
    style: Style,
    chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
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
        let label = format!(
            "{} {:.1}%",
            style.tr(label.split(' ').next().unwrap_or(label)),
            x
        );
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x, top * 0.93),
                (style.font(), 15).into_font().color(&color),
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
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        if self.cumulative {
            cdf(style, root, self.title, self.irrs, self.band)
        } else {
            histogram(style, root, self.title, self.irrs, self.band)
        }
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
        let pol = &scenario.inputs.policy;
        let band = Band {
            floor: pol.irr_floor,
            cap: pol.irr_cap,
            within: summary.prob.within,
            above: summary.prob.above_cap,
            below: summary.prob.below_floor,
            undefined: summary.prob.undefined,
        };
        let title = if style.zh() {
            format!(
                "{} — {} 内部收益率，{} 条路径",
                title_name(&scenario.name, style),
                outcome.basis.name(),
                summary.paths
            )
        } else {
            format!(
                "{} — {} IRR, {} paths",
                title_name(&scenario.name, style),
                outcome.basis.name(),
                summary.paths
            )
        };
        let (hp, hs) = both(
            &Distribution {
                cumulative: false,
                title: &title,
                irrs: &outcome.irr,
                band: &band,
            },
            style,
        )?;
        let (cp, cs) = both(
            &Distribution {
                cumulative: true,
                title: &title,
                irrs: &outcome.irr,
                band: &band,
            },
            style,
        )?;
        Ok(vec![
            ("irr_histogram.png".into(), hp),
            ("irr_histogram.svg".into(), hs),
            ("irr_cdf.png".into(), cp),
            ("irr_cdf.svg".into(), cs),
        ])
    }
}

/// A scenario name for a chart title: in Chinese charts the whole name when the embedded CJK
/// subset covers it, otherwise (and in English charts) its Latin part.
pub fn title_name(name: &str, style: Style) -> String {
    // "深圳 … (Shenzhen …)": the Chinese part in Chinese charts
    let zh_part = match name.find('(') {
        Some(i) if !name[..i].trim().is_empty() && name.ends_with(')') => name[..i].trim(),
        _ => name,
    };
    if style.zh()
        && zh_part
            .chars()
            .all(|c| c.is_ascii() || CJK_CHARS.contains(c))
    {
        zh_part.to_string()
    } else {
        ascii_title(name)
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
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
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
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        let low_color = RGBColor(214, 96, 77);
        let high_color = RGBColor(67, 147, 195);
        let label = TextStyle::from((style.font(), 14).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center));
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
        header(
            style,
            root,
            self.title,
            &if style.zh() {
                format!("基准内部收益率 {:.2}%   红：输入取低值（P10 或 −10%）   蓝：输入取高值（P90 或 +10%）", base)
            } else {
                format!("base IRR {:.2}%   red: input at its low value (P10 or −10%)   blue: at its high value (P90 or +10%)", base)
            },
        )?;
        Ok(())
    }
}

/// `tornado.png` and `tornado.svg`.
pub struct TornadoChart;

impl Exporter for TornadoChart {
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>> {
        let Document::Tornado { scenario, tornado } = doc else {
            return Ok(vec![]);
        };
        let title = format!(
            "{} — {}",
            title_name(&scenario.name, style),
            style.tr("sensitivity of the IRR")
        );
        let (png, svg) = both(
            &Tornado {
                title: &title,
                t: tornado,
            },
            style,
        )?;
        Ok(vec![
            ("tornado.png".into(), png),
            ("tornado.svg".into(), svg),
        ])
    }
}

/// Line chart: P(within) (or, without Monte Carlo, the verdict band) and the median IRR against
/// the first swept key, one line per value of the second key.
pub struct SweepLines<'a> {
    pub title: &'a str,
    pub axes: &'a [shanglou::sweep::Axis],
    pub points: &'a [shanglou::sweep::Point],
    pub cap: f64,
    pub floor: f64,
}

/// A labelled line of (x, y) points.
type Line = (String, Vec<(f64, f64)>);

const PALETTE: [RGBColor; 8] = [
    RGBColor(33, 102, 172),
    RGBColor(178, 24, 43),
    RGBColor(27, 120, 55),
    RGBColor(118, 42, 131),
    RGBColor(230, 97, 1),
    RGBColor(1, 133, 113),
    RGBColor(140, 81, 10),
    RGBColor(77, 77, 77),
];

impl SweepLines<'_> {
    /// (label, [(x, y)]) per line of a statistic.
    fn series(
        &self,
        stat: impl Fn(&shanglou::sweep::Point) -> Option<f64>,
    ) -> Vec<(String, Vec<(f64, f64)>)> {
        let first = &self.axes[0];
        let rest: Vec<&shanglou::sweep::Axis> = self.axes.iter().skip(1).collect();
        let mut groups: Vec<Line> = Vec::new();
        for p in self.points {
            let label = if rest.is_empty() {
                String::new()
            } else {
                rest.iter()
                    .zip(&p.values[1..])
                    .map(|(a, v)| format!("{} = {v}", a.key))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let Some(y) = stat(p) else { continue };
            match groups.iter_mut().find(|g| g.0 == label) {
                Some(g) => g.1.push((p.values[0], y)),
                None => groups.push((label, vec![(p.values[0], y)])),
            }
        }
        let _ = first;
        groups
    }
}

impl Chart for SweepLines<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        let with_mc = self.points.iter().any(|p| p.mc.is_some());
        let (upper, lower) = root.split_vertically(H / 2 + 30);
        let x0 = self.axes[0]
            .values
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let x1 = self.axes[0]
            .values
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
        let panels: Vec<(&str, Vec<Line>, bool)> = vec![
            if with_mc {
                (
                    "P(within the band) (%)",
                    self.series(|p| p.mc.as_ref().map(|m| m.p_within * 100.0)),
                    false,
                )
            } else {
                (
                    "pre-tax IRR (%)",
                    self.series(|p| p.irr_pre_tax.map(|v| v * 100.0)),
                    true,
                )
            },
            (
                "median IRR (%)",
                self.series(|p| shanglou::sweep::median_or_irr(p).map(|v| v * 100.0)),
                true,
            ),
        ];
        for ((ylabel, lines, band), area) in panels.into_iter().zip([&upper, &lower]) {
            let ys: Vec<f64> = lines.iter().flat_map(|l| l.1.iter().map(|p| p.1)).collect();
            let (mut lo, mut hi) = ys
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                    (a.min(*y), b.max(*y))
                });
            if band {
                lo = lo.min(self.floor * 100.0);
                hi = hi.max(self.cap * 100.0);
            } else {
                (lo, hi) = (0.0, 100.0);
            }
            if !(lo.is_finite() && hi.is_finite()) {
                (lo, hi) = (0.0, 1.0);
            }
            let pad = ((hi - lo) * 0.08).max(0.1);
            let mut chart = ChartBuilder::on(area)
                .margin(15)
                .margin_top(if std::ptr::eq(area, &upper) { 80 } else { 10 })
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(
                    x0..x1,
                    (lo - if band { pad } else { 0.0 })..(hi + if band { pad } else { 0.0 }),
                )
                .map_err(e)?;
            chart
                .configure_mesh()
                .x_desc(self.axes[0].key)
                .y_desc(ylabel)
                .label_style((style.font(), 14))
                .draw()
                .map_err(e)?;
            if band {
                for (level, color) in [
                    (self.floor * 100.0, RGBColor(178, 24, 43)),
                    (self.cap * 100.0, RGBColor(33, 102, 172)),
                ] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x0, level), (x1, level)],
                            color.stroke_width(1),
                        )))
                        .map_err(e)?;
                }
            }
            for (i, (label, pts)) in lines.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let s = chart
                    .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                    .map_err(e)?;
                if !label.is_empty() {
                    s.label(label.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                }
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, color.filled())))
                    .map_err(e)?;
            }
            if lines.iter().any(|l| !l.0.is_empty()) {
                legend(style, &mut chart, SeriesLabelPosition::UpperRight)?;
            }
        }
        let note = if with_mc {
            style.tr("upper: probability of landing inside the break-even / small-profit band; lower: median IRR")
        } else {
            style.tr("upper: pre-tax IRR; lower: median IRR (deterministic: the IRR itself)")
        };
        header(style, root, self.title, &note)?;
        Ok(())
    }
}

/// Heat map of the median IRR over the first two swept keys, with the floor and cap contours.
pub struct SweepHeat<'a> {
    pub title: &'a str,
    pub axes: &'a [shanglou::sweep::Axis],
    pub points: &'a [shanglou::sweep::Point],
    pub floor: f64,
    pub cap: f64,
}

fn heat_color(v: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    // red (low) → white → blue (high)
    let lerp = |a: f64, b: f64, t: f64| (a + (b - a) * t) as u8;
    if t < 0.5 {
        let u = t * 2.0;
        RGBColor(
            lerp(202.0, 247.0, u),
            lerp(0.0, 247.0, u),
            lerp(32.0, 247.0, u),
        )
    } else {
        let u = (t - 0.5) * 2.0;
        RGBColor(
            lerp(247.0, 5.0, u),
            lerp(247.0, 113.0, u),
            lerp(247.0, 176.0, u),
        )
    }
}

impl Chart for SweepHeat<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        let (xa, ya) = (&self.axes[0], &self.axes[1]);
        let (nx, ny) = (xa.values.len(), ya.values.len());
        // value at (i, j): the first point with those two values (other axes at their first value)
        let mut grid = vec![vec![f64::NAN; ny]; nx];
        for p in self.points {
            let i = xa
                .values
                .iter()
                .position(|v| *v == p.values[0])
                .unwrap_or(0);
            let j = ya
                .values
                .iter()
                .position(|v| *v == p.values[1])
                .unwrap_or(0);
            if grid[i][j].is_nan() {
                grid[i][j] = shanglou::sweep::median_or_irr(p)
                    .map(|v| v * 100.0)
                    .unwrap_or(f64::NAN);
            }
        }
        let vals: Vec<f64> = grid
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let (lo, hi) = vals
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_top(80)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(xa.key)
            .y_desc(ya.key)
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        // tick labels at cell centres, thinned to at most 12 per axis
        let centre =
            TextStyle::from((style.font(), 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        let right = TextStyle::from((style.font(), 13).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, v) in xa.values.iter().enumerate().step_by(nx.div_ceil(12)) {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            root.draw(&Text::new(format!("{v}"), (px, py + 6), centre.clone()))
                .map_err(e)?;
        }
        for (j, v) in ya.values.iter().enumerate().step_by(ny.div_ceil(12)) {
            let (px, py) = chart.backend_coord(&(0.0, j as f64 + 0.5));
            root.draw(&Text::new(format!("{v}"), (px - 6, py), right.clone()))
                .map_err(e)?;
        }
        for (i, column) in grid.iter().enumerate() {
            for (j, &v) in column.iter().enumerate() {
                let color = if v.is_finite() {
                    heat_color(v, lo, hi)
                } else {
                    RGBColor(200, 200, 200)
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                        color.filled(),
                    )))
                    .map_err(e)?;
                if v.is_finite() && nx * ny <= 400 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{v:.1}"),
                            (i as f64 + 0.3, j as f64 + 0.6),
                            (style.font(), 12).into_font(),
                        )))
                        .map_err(e)?;
                }
            }
        }
        // contour: the cell edges between values on either side of the level
        for (level, color, name) in [
            (self.floor * 100.0, RGBColor(0, 0, 0), "0% floor"),
            (self.cap * 100.0, RGBColor(90, 0, 120), "cap"),
        ] {
            let mut segs = Vec::new();
            for i in 0..nx {
                for j in 0..ny {
                    let v = grid[i][j];
                    if i + 1 < nx && (v - level) * (grid[i + 1][j] - level) < 0.0 {
                        segs.push(vec![
                            ((i + 1) as f64, j as f64),
                            ((i + 1) as f64, (j + 1) as f64),
                        ]);
                    }
                    if j + 1 < ny && (v - level) * (grid[i][j + 1] - level) < 0.0 {
                        segs.push(vec![
                            (i as f64, (j + 1) as f64),
                            ((i + 1) as f64, (j + 1) as f64),
                        ]);
                    }
                }
            }
            let s = chart
                .draw_series(
                    segs.into_iter()
                        .map(|s| PathElement::new(s, color.stroke_width(4))),
                )
                .map_err(e)?;
            s.label(format!("{} ({level:.1}%)", style.tr(name)))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(4))
                });
        }
        legend(style, &mut chart, SeriesLabelPosition::UpperRight)?;
        let what = if self.points.iter().any(|p| p.mc.is_some()) {
            "median IRR (%) over Monte Carlo paths"
        } else {
            "pre-tax IRR (%)"
        };
        header(
            style,
            root,
            self.title,
            &if style.zh() {
                format!(
                    "{}；红低蓝高；线为保本下限与微利上限的等值线",
                    style.tr(what)
                )
            } else {
                format!("{what}; red low, blue high; lines mark the floor and cap contours")
            },
        )?;
        Ok(())
    }
}

/// `sweep_lines.png/.svg` and, with two or more keys, `sweep_heatmap.png/.svg`.
pub struct SweepCharts;

impl Exporter for SweepCharts {
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>> {
        let Document::Sweep {
            scenario,
            axes,
            points,
        } = doc
        else {
            return Ok(vec![]);
        };
        let pol = &scenario.inputs.policy;
        let title = format!(
            "{} — {}",
            title_name(&scenario.name, style),
            style.tr("sweep")
        );
        let mut files = Vec::new();
        let (png, svg) = both(
            &SweepLines {
                title: &title,
                axes,
                points,
                cap: pol.irr_cap,
                floor: pol.irr_floor,
            },
            style,
        )?;
        files.push(("sweep_lines.png".into(), png));
        files.push(("sweep_lines.svg".into(), svg));
        if axes.len() >= 2 {
            let (png, svg) = both(
                &SweepHeat {
                    title: &title,
                    axes,
                    points,
                    floor: pol.irr_floor,
                    cap: pol.irr_cap,
                },
                style,
            )?;
            files.push(("sweep_heatmap.png".into(), png));
            files.push(("sweep_heatmap.svg".into(), svg));
        }
        Ok(files)
    }
}

/// Grouped bars: the three IRRs of each compared scenario, with the band marked.
pub struct Compare<'a> {
    pub entries: &'a [shanglou::report::compare::Entry],
}

impl Chart for Compare<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        let n = self.entries.len();
        let series = ["pre-tax", "after tax", "equity"];
        let values: Vec<[Option<f64>; 3]> = self
            .entries
            .iter()
            .map(|e| {
                [
                    e.summary.irr.project_pre_tax,
                    e.summary.irr.project_after_tax,
                    e.summary.irr.equity,
                ]
                .map(|v| v.map(|x| x * 100.0))
            })
            .collect();
        let cap = self
            .entries
            .first()
            .map(|e| e.summary.verdict.cap * 100.0)
            .unwrap_or(4.5);
        let floor = self
            .entries
            .first()
            .map(|e| e.summary.verdict.floor * 100.0)
            .unwrap_or(0.0);
        let all: Vec<f64> = values
            .iter()
            .flatten()
            .flatten()
            .copied()
            .chain([cap, floor])
            .collect();
        let (lo, hi) = all
            .iter()
            .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
        let pad = ((hi - lo) * 0.1).max(0.5);
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_top(80)
            .x_label_area_size(60)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..n as f64, (lo - pad)..(hi + pad))
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(style.tr("IRR (%)"))
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        let colors = [PALETTE[0], PALETTE[2], PALETTE[4]];
        for (k, name) in series.iter().enumerate() {
            let color = colors[k];
            let bars = values.iter().enumerate().filter_map(|(i, v)| {
                v[k].map(|y| {
                    let x0 = i as f64 + 0.15 + 0.23 * k as f64;
                    Rectangle::new([(x0, 0.0), (x0 + 0.21, y)], color.filled())
                })
            });
            chart
                .draw_series(bars)
                .map_err(e)?
                .label(style.tr(name))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        for (level, color, name) in [
            (floor, RGBColor(178, 24, 43), "floor"),
            (cap, RGBColor(33, 102, 172), "cap"),
        ] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, level), (n as f64, level)],
                    color.stroke_width(2),
                )))
                .map_err(e)?
                .label(format!("{} {level:.1}%", style.tr(name)))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        legend(style, &mut chart, SeriesLabelPosition::UpperRight)?;
        let label =
            TextStyle::from((style.font(), 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, en) in self.entries.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, lo - pad));
            // as many characters as the group's width holds (≈ 7.5 px each at this size)
            let room = ((W as usize - 120) / n.max(1) * 2 / 15).max(6);
            let mut name: String = ascii_title(&en.name).chars().take(room).collect();
            if ascii_title(&en.name).chars().count() > room {
                name.pop();
                name.push('…');
            }
            root.draw(&Text::new(name, (px, py + 8), label.clone()))
                .map_err(e)?;
        }
        header(
            style,
            root,
            "Scenario comparison — IRR by series",
            "bars: project pre-tax, project after tax, equity; lines: the verdict band",
        )?;
        Ok(())
    }
}

/// `compare.png` and `compare.svg`.
pub struct CompareChart;

impl Exporter for CompareChart {
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>> {
        let Document::Compare { entries } = doc else {
            return Ok(vec![]);
        };
        let (png, svg) = both(&Compare { entries }, style)?;
        Ok(vec![
            ("compare.png".into(), png),
            ("compare.svg".into(), svg),
        ])
    }
}

/// Annual cash flows: inflows above zero and outflows below, stacked by category, with the
/// cumulative pre-tax cash flow as a line and the payback year marked.
pub struct Cashflow<'a> {
    pub title: &'a str,
    pub ledger: &'a shanglou::model::Ledger<rust_decimal::Decimal>,
    pub payback: Option<f64>,
}

impl Chart for Cashflow<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        use shanglou::num::Num;
        let l = self.ledger;
        let n = l.years();
        let wan = |v: &[rust_decimal::Decimal], t: usize| Num::to_f64(v[t]) / 1e4;
        let taxes = |t: usize| {
            wan(&l.vat, t)
                + wan(&l.surcharges, t)
                + wan(&l.property_tax, t)
                + wan(&l.land_use_tax, t)
                + wan(&l.lat, t)
        };
        type Part<'p> = (&'static str, RGBColor, Box<dyn Fn(usize) -> f64 + 'p>);
        let inflows: Vec<Part> = vec![
            (
                "rent",
                RGBColor(67, 147, 195),
                Box::new(|t| {
                    wan(&l.rent_factory, t) + wan(&l.rent_dormitory, t) + wan(&l.rent_supporting, t)
                }),
            ),
            (
                "sales",
                RGBColor(146, 197, 222),
                Box::new(|t| wan(&l.sales_factory, t) + wan(&l.sales_residential, t)),
            ),
            (
                "subsidy + terminal value",
                RGBColor(27, 120, 55),
                Box::new(|t| wan(&l.subsidy, t) + wan(&l.terminal_value, t)),
            ),
        ];
        let outflows: Vec<Part> = vec![
            ("land", RGBColor(140, 81, 10), Box::new(|t| wan(&l.land, t))),
            (
                "construction",
                RGBColor(214, 96, 77),
                Box::new(|t| wan(&l.construction, t)),
            ),
            (
                "taxes (VAT, surcharges, property, land use, LAT)",
                RGBColor(244, 165, 130),
                Box::new(taxes),
            ),
            (
                "opex",
                RGBColor(253, 219, 199),
                Box::new(|t| wan(&l.opex, t)),
            ),
        ];
        // the cumulative flow at the end of each year, from 0 at the start: it crosses zero at
        // the static payback (docs/model.md §8 interpolates within the year)
        let mut cum = 0.0;
        let cumulative: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain((0..n).map(|t| {
                cum += wan(&l.cf_pre_tax, t);
                (t as f64 + 1.0, cum)
            }))
            .collect();
        let top = (0..n)
            .map(|t| inflows.iter().map(|p| (p.2)(t)).sum::<f64>())
            .fold(0.0, f64::max)
            .max(cumulative.iter().map(|p| p.1).fold(0.0, f64::max));
        let bottom = (0..n)
            .map(|t| -outflows.iter().map(|p| (p.2)(t)).sum::<f64>())
            .fold(0.0, f64::min)
            .min(cumulative.iter().map(|p| p.1).fold(0.0, f64::min));
        let pad = (top - bottom) * 0.06;
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_top(80)
            .x_label_area_size(45)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..n as f64, (bottom - pad)..(top + pad))
            .map_err(e)?;
        let start = l.start_year;
        chart
            .configure_mesh()
            .x_desc(style.tr("year"))
            .y_desc(style.tr("10k yuan"))
            .x_label_formatter(&|x| format!("{}", start + *x as i64))
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        for (parts, sign) in [(&inflows, 1.0), (&outflows, -1.0)] {
            let mut base = vec![0.0; n];
            for (name, color, f) in parts.iter() {
                let color = *color;
                let rects: Vec<Rectangle<(f64, f64)>> = (0..n)
                    .filter_map(|t| {
                        let v = f(t);
                        if v == 0.0 {
                            return None;
                        }
                        let (y0, y1) = (base[t], base[t] + sign * v);
                        base[t] = y1;
                        Some(Rectangle::new(
                            [(t as f64 + 0.1, y0), (t as f64 + 0.9, y1)],
                            color.filled(),
                        ))
                    })
                    .collect();
                chart
                    .draw_series(rects)
                    .map_err(e)?
                    .label(style.tr(name))
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                    });
            }
        }
        chart
            .draw_series(LineSeries::new(cumulative, BLACK.stroke_width(2)))
            .map_err(e)?
            .label(style.tr("cumulative pre-tax cash flow"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        if let Some(p) = self.payback {
            let c = RGBColor(118, 42, 131);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p, bottom - pad), (p, top + pad)],
                    c.stroke_width(2),
                )))
                .map_err(e)?
                .label(if style.zh() {
                    format!("静态回收期 {p:.2} 年")
                } else {
                    format!("payback {p:.2} years")
                })
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
        }
        legend(style, &mut chart, SeriesLabelPosition::LowerRight)?;
        header(
            style,
            root,
            self.title,
            &style.tr("inflows above zero, outflows below, stacked by category (10k yuan)"),
        )?;
        Ok(())
    }
}

/// `cashflow.png` and `cashflow.svg` for a deterministic run.
pub struct CashflowChart;

impl Exporter for CashflowChart {
    fn render(&self, doc: &Document, style: Style) -> Result<Vec<File>> {
        let Document::Run {
            scenario,
            ledger,
            summary,
            ..
        } = doc
        else {
            return Ok(vec![]);
        };
        let title = format!(
            "{} — {}",
            title_name(&scenario.name, style),
            style.tr("annual cash flows")
        );
        let (png, svg) = both(
            &Cashflow {
                title: &title,
                ledger,
                payback: summary.payback_years.project_pre_tax,
            },
            style,
        )?;
        Ok(vec![
            ("cashflow.png".into(), png),
            ("cashflow.svg".into(), svg),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Chinese chart label must be drawable with the embedded subset: regenerate it with
    /// scripts/subset-cjk-font.sh when this fails.
    #[test]
    fn the_cjk_subset_covers_every_chinese_label() {
        let src = include_str!("charts.rs");
        let labels = &src[..src.find("#[cfg(test)]").unwrap_or(src.len())];
        let missing: String = labels
            .chars()
            .filter(|c| *c as u32 > 0x2E7F && !CJK_CHARS.contains(*c))
            .collect();
        assert!(
            missing.is_empty(),
            "characters missing from assets/fonts/shanglou-cjk.ttf: {missing}"
        );
        assert!(ab_glyph_parses(CJK_FONT));
    }

    fn ab_glyph_parses(bytes: &'static [u8]) -> bool {
        plotters::style::register_font("shanglou-test", FontStyle::Normal, bytes).is_ok()
    }

    #[test]
    fn chinese_title_uses_the_chinese_part_of_a_bilingual_name() {
        let zh = Style { lang: Lang::Zh };
        assert_eq!(
            title_name("深圳 新供应 (Shenzhen new supply)", zh),
            "深圳 新供应"
        );
        assert_eq!(
            title_name("鳕鱼 (Cod)", zh),
            "Cod",
            "a character outside the subset falls back to Latin"
        );
        let en = Style { lang: Lang::En };
        assert_eq!(
            title_name("深圳 新供应 (Shenzhen new supply)", en),
            "Shenzhen new supply"
        );
    }
}
