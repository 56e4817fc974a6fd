//! The tornado chart: the basis IRR with each input at its low and high value.

use super::*;

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
        let names: Vec<String> = bars.iter().map(|b| key_name(&b.key, style)).collect();
        // a CJK character is about twice as wide as a Latin letter
        let label_width = names
            .iter()
            .map(|n| {
                n.chars()
                    .map(|c| if c.is_ascii() { 9 } else { 16 })
                    .sum::<u32>()
            })
            .max()
            .unwrap_or(90)
            + 20;
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
            .x_desc(format!("{} (%)", basis_words(self.t.basis, style)))
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
            root.draw(&Text::new(names[i].clone(), (px - 8, py), label.clone()))
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
        let Document::Sensitivity { scenario, analysis } = doc else {
            return Ok(vec![]);
        };
        let tornado = &analysis.tornado;
        let title = titled(&scenario.name, style, "sensitivity of the IRR");
        pair(
            "tornado",
            &Tornado {
                title: &title,
                t: tornado,
            },
            style,
        )
    }
}
