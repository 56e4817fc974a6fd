//! The annual cash flows of a run: inflows and outflows stacked by category, the cumulative
//! pre-tax flow and the payback year.

use super::*;

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
            .margin_right(320)
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
            .y_label_formatter(&|y| super::super::table::thousands(*y, 0))
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        let mut key = Vec::new();
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
                chart.draw_series(rects).map_err(e)?;
                key.push((Swatch::Box(color), style.tr(name)));
            }
        }
        chart
            .draw_series(LineSeries::new(cumulative, BLACK.stroke_width(2)))
            .map_err(e)?;
        key.push((
            Swatch::Line(BLACK),
            style.tr("cumulative pre-tax cash flow"),
        ));
        if let Some(p) = self.payback {
            let c = RGBColor(118, 42, 131);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p, bottom - pad), (p, top + pad)],
                    c.stroke_width(2),
                )))
                .map_err(e)?;
            key.push((
                Swatch::Line(c),
                if style.zh() {
                    format!("静态回收期 {p:.2} 年")
                } else {
                    format!("payback {p:.2} years")
                },
            ));
        }
        // the key sits in the right margin, where it cannot cover a bar
        key_in_margin(style, root, 310, &key)?;
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
        let title = titled(&scenario.name, style, "annual cash flows");
        pair(
            "cashflow",
            &Cashflow {
                title: &title,
                ledger,
                payback: summary.payback_years.project_pre_tax,
            },
            style,
        )
    }
}
