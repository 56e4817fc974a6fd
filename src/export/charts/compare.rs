//! Several scenarios side by side: the three IRRs as grouped bars against the band.

use super::*;

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
            .margin_right(200)
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
            .y_label_formatter(&percent_tick)
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        let colors = [PALETTE[0], PALETTE[2], PALETTE[4]];
        let mut key = Vec::new();
        for (k, name) in series.iter().enumerate() {
            let color = colors[k];
            let bars = values.iter().enumerate().filter_map(|(i, v)| {
                v[k].map(|y| {
                    let x0 = i as f64 + 0.15 + 0.23 * k as f64;
                    Rectangle::new([(x0, 0.0), (x0 + 0.21, y)], color.filled())
                })
            });
            chart.draw_series(bars).map_err(e)?;
            key.push((Swatch::Box(color), style.tr(name)));
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
                .map_err(e)?;
            key.push((
                Swatch::Line(color),
                format!("{} {level:.1}%", style.tr(name)),
            ));
        }
        key_in_margin(style, root, 190, &key)?;
        let label =
            TextStyle::from((style.font(), 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, en) in self.entries.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, lo - pad));
            // as many characters as the group's width holds (≈ 7.5 px each at this size)
            let room = ((W as usize - 320) / n.max(1) * 2 / 15).max(6);
            // Chinese names take two Latin widths a character
            let whole = if style.zh() {
                title_name(&en.name, style)
            } else {
                ascii_title(&en.name)
            };
            let room = if whole.is_ascii() { room } else { room / 2 };
            let mut name: String = whole.chars().take(room).collect();
            if whole.chars().count() > room {
                name.pop();
                name.push('…');
            }
            root.draw(&Text::new(name, (px, py + 8), label.clone()))
                .map_err(e)?;
        }
        header(
            style,
            root,
            &style.tr("Scenario comparison — IRR by series"),
            &style.tr("bars: project pre-tax, project after tax, equity; lines: the verdict band"),
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
        pair("compare", &Compare { entries }, style)
    }
}
