//! Charts as PNG and SVG with plotters. Text uses DejaVu Sans embedded in the binary (the
//! `dejavu` crate; Bitstream Vera licence, free to embed), so charts render on a machine
//! with no system fonts. PNGs are encoded in memory so they go through the atomic write.

pub mod batch;
mod cashflow;
mod compare;
mod distribution;
mod sweep;
mod tornado;

pub use cashflow::{Cashflow, CashflowChart};
pub use compare::CompareChart;
pub use distribution::{Distribution, McCharts};
pub use sweep::SweepCharts;
pub use tornado::{Tornado, TornadoChart};

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
const CJK_FONT: &[u8] = include_bytes!("../../../assets/fonts/shanglou-cjk.ttf");
/// The characters that subset covers, to fall back to Latin text for anything else.
const CJK_CHARS: &str = include_str!("../../../assets/fonts/shanglou-cjk.chars.txt");

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
        "below floor" => "未能保本",
        "within the band" => "符合保本微利",
        "above cap" => "超过微利上限",
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
        "Portfolio: IRR against floor-area ratio" => "地块组合：内部收益率与容积率",
        "one dot per parcel, coloured by its verdict; lines mark the floor and the cap" => "每点一个地块，按结论着色；线为保本下限和微利上限",
        "Parcels ranked by IRR" => "地块按内部收益率排序",
        "Parcels ranked by the value solved for" => "地块按求解值排序",
        "the highest first; bars coloured by verdict" => "从高到低；按结论着色",
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
    // the families are registered with plotters only: name the fonts they are and a generic
    // family after them, so a browser or an editor without them does not fall back to a serif
    Ok(svg
        .replace(
            &format!("font-family=\"{LATIN}\""),
            &format!("font-family=\"{LATIN}, 'DejaVu Sans', 'Bitstream Vera Sans', sans-serif\""),
        )
        .replace(
            &format!("font-family=\"{CJK}\""),
            &format!("font-family=\"{CJK}, 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif\""),
        ))
}

/// Draws the same chart on an SVG and a bitmap backend; returns (png, svg) bytes.
/// `STEM.png` and `STEM.svg` of one chart, appended to `files`.
pub fn push_pair(
    files: &mut Vec<File>,
    stem: &str,
    chart: &impl Chart,
    style: Style,
) -> Result<()> {
    let (png, svg) = both(chart, style)?;
    files.push((format!("{stem}.png"), png));
    files.push((format!("{stem}.svg"), svg));
    Ok(())
}

/// `STEM.png` and `STEM.svg` of one chart.
pub fn pair(stem: &str, chart: &impl Chart, style: Style) -> Result<Vec<File>> {
    let mut files = Vec::with_capacity(2);
    push_pair(&mut files, stem, chart, style)?;
    Ok(files)
}

/// A scenario key as a reader names it: "rent (factory, yuan/m²/month)", or in Chinese charts
/// "产业用房租金（元/m²/月）".
pub fn key_label(key: &str, style: Style) -> String {
    let spec = shanglou::scenario::keys::find(key).map(|(_, k)| k);
    if style.zh() {
        let name = spec.map(|k| k.zh()).unwrap_or(key);
        match spec.map(|k| unit_zh(k.unit)).unwrap_or("") {
            "" => name.to_string(),
            u => format!("{name}（{u}）"),
        }
    } else {
        let (section, field) = key.split_once('.').unwrap_or(("", key));
        let words = field.replace('_', " ");
        match spec {
            // the Latin chart font has no CJK glyphs: a unit written in Chinese stays out
            _ if key == "site.far" => "floor-area ratio (FAR)".to_string(),
            Some(k) if !k.unit.is_empty() && k.unit.is_ascii() || k.unit.contains('²') => {
                format!("{words} ({section}, {})", k.unit)
            }
            _ => format!("{words} ({section})"),
        }
    }
}

/// A key's short name: the dotted key in English charts, its Chinese term in Chinese ones.
pub fn key_name(key: &str, style: Style) -> String {
    match shanglou::scenario::keys::find(key) {
        Some((_, k)) if style.zh() => k.zh().to_string(),
        _ => key.to_string(),
    }
}

/// A key's unit in Chinese; empty where a share or a rate needs none beside its name.
fn unit_zh(unit: &str) -> &'static str {
    match unit {
        "yuan/m²/month" => "元/m²/月",
        "yuan/m²" | "yuan/m² of GFA" => "元/m²",
        "yuan/m² of land/year" => "元/m²/年",
        "yuan" | "yuan, negative for a restoration cost" | "yuan per basis unit" => "元",
        "yuan/year" => "元/年",
        "years" | "years after t_op" => "年",
        "calendar year" | "year index t" => "",
        "floors" => "层",
        "m" => "m",
        "m²" => "m²",
        _ => "",
    }
}

/// An axis tick of a percentage: "4.5%", "-2%", "12.25%".
pub fn percent_tick(v: &f64) -> String {
    format!("{}%", plain_tick(v))
}

/// An axis tick of a plain number: thousands separated, no trailing zeros ("1,250", "0.25").
pub fn plain_tick(v: &f64) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { *v };
    if v.abs() >= 1000.0 {
        super::table::thousands(v, 0)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A chart title: the scenario's name, a dash, and what the chart shows.
pub fn titled(name: &str, style: Style, what: &str) -> String {
    format!("{} — {}", title_name(name, style), style.tr(what))
}

fn both(chart: &impl Chart, style: Style) -> Result<(Vec<u8>, Vec<u8>)> {
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

/// Series colours, shared by every chart with several lines or bars.
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
    /// The verdict band of `policy` with the shares of a Monte Carlo run.
    pub fn of(policy: &shanglou::scenario::Policy, m: &shanglou::mc::stats::McSummary) -> Band {
        Band {
            floor: policy.irr_floor,
            cap: policy.irr_cap,
            within: m.prob.within,
            above: m.prob.above_cap,
            below: m.prob.below_floor,
            undefined: m.prob.undefined,
        }
    }

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

/// What a key entry shows: a filled box (a bar or a cell colour) or a line (a series).
#[derive(Clone, Copy)]
pub enum Swatch {
    Box(RGBColor),
    Line(RGBColor),
}

/// A key drawn in the right margin, `width` pixels wide, outside the data: one swatch and label
/// per entry, top down.
pub fn key_in_margin<DB: DrawingBackend>(
    style: Style,
    root: &DrawingArea<DB, Shift>,
    width: u32,
    entries: &[(Swatch, String)],
) -> Result<()> {
    let (w, _) = root.dim_in_pixel();
    let x = w.saturating_sub(width) as i32;
    let font = TextStyle::from((style.font(), 13).into_font());
    let mut y = 90;
    for (swatch, label) in entries {
        match *swatch {
            Swatch::Box(c) => root.draw(&Rectangle::new([(x, y), (x + 18, y + 14)], c.filled())),
            Swatch::Line(c) => root.draw(&PathElement::new(
                vec![(x, y + 7), (x + 18, y + 7)],
                c.stroke_width(4),
            )),
        }
        .map_err(e)?;
        root.draw(&Text::new(label.clone(), (x + 26, y), font.clone()))
            .map_err(e)?;
        y += 24;
    }
    Ok(())
}

/// Title and a note line in a band above the plot.
pub fn header<DB: DrawingBackend>(
    style: Style,
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Result<()> {
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(
        title.to_string(),
        (30, 14),
        (style.font(), fitting(title, w, 24.0)).into_font(),
    ))
    .map_err(e)?;
    root.draw(&Text::new(
        note.to_string(),
        (30, 50),
        (style.font(), fitting(note, w, 17.0)).into_font(),
    ))
    .map_err(e)?;
    Ok(())
}

/// The largest font size up to `size` at which `text` fits the chart's width (a CJK character
/// is about as wide as the size, a Latin one a little over half), never below 11.
fn fitting(text: &str, width: u32, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum();
    let room = width as f64 - 60.0;
    (room / ems.max(1.0)).clamp(11.0, size)
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

/// The series a verdict reads, in words for titles and axes.
pub fn basis_words(basis: shanglou::scenario::Basis, style: Style) -> &'static str {
    use shanglou::scenario::Basis::*;
    match (basis, style.zh()) {
        (ProjectPreTax, false) => "project IRR before income tax",
        (ProjectAfterTax, false) => "project IRR after income tax",
        (Equity, false) => "equity IRR",
        (ProjectPreTax, true) => "项目投资税前内部收益率",
        (ProjectAfterTax, true) => "项目投资税后内部收益率",
        (Equity, true) => "资本金内部收益率",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_as_a_person_writes_them() {
        assert_eq!(percent_tick(&4.5), "4.5%");
        assert_eq!(percent_tick(&-2.0), "-2%");
        assert_eq!(percent_tick(&1e-12), "0%");
        assert_eq!(plain_tick(&250000.0), "250,000");
        assert_eq!(plain_tick(&0.25), "0.25");
    }

    /// Every Chinese chart label must be drawable with the embedded subset: regenerate it with
    /// scripts/subset-cjk-font.sh when this fails.
    #[test]
    fn the_cjk_subset_covers_every_chinese_label() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("cashflow.rs"),
            include_str!("compare.rs"),
            include_str!("distribution.rs"),
            include_str!("sweep.rs"),
            include_str!("tornado.rs"),
            include_str!("batch.rs"),
            // the keys' Chinese terms label the axes and bars of Chinese charts
            include_str!("../../scenario/keys.rs"),
        ];
        let labels: String = sources
            .iter()
            .map(|src| &src[..src.find("#[cfg(test)]").unwrap_or(src.len())])
            .collect();
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
