//! Portfolio charts of a batch: every parcel's IRR against its FAR, coloured by verdict with the
//! band marked, and the parcels ranked by IRR (or by the value solved for).

use super::sweep::{ABOVE, BELOW, WITHIN};
use super::*;
use shanglou::metrics::Status;

/// IRR against FAR, one dot per parcel.
struct Scatter<'a> {
    points: &'a [(f64, f64, Status)],
    band: (f64, f64),
}

impl Chart for Scatter<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        let (floor, cap) = (self.band.0 * 100.0, self.band.1 * 100.0);
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, floor.min(cap), floor.max(cap));
        for (far, irr, _) in self.points {
            x0 = x0.min(*far);
            x1 = x1.max(*far);
            y0 = y0.min(irr * 100.0);
            y1 = y1.max(irr * 100.0);
        }
        // no parcel, or one FAR for all: a unit-wide axis around it
        if x0 >= x1 || !x0.is_finite() || !x1.is_finite() {
            let c = if x0.is_finite() { x0 } else { 0.0 };
            (x0, x1) = (c - 0.5, c + 0.5);
        }
        let (px, py) = ((x1 - x0) * 0.05, ((y1 - y0) * 0.08).max(0.5));
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_top(80)
            .margin_right(200)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc(key_label("site.far", style))
            .y_desc(style.tr("pre-tax IRR (%)"))
            .y_label_formatter(&percent_tick)
            .x_label_formatter(&plain_tick)
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        // thin dots for big portfolios so the colours still read
        let size = if self.points.len() > 5000 { 2 } else { 4 };
        for (status, color) in [
            (Status::BelowFloor, BELOW),
            (Status::Within, WITHIN),
            (Status::AboveCap, ABOVE),
        ] {
            chart
                .draw_series(
                    self.points
                        .iter()
                        .filter(|p| p.2 == status)
                        .map(|(far, irr, _)| {
                            Circle::new((*far, irr * 100.0), size, color.filled())
                        }),
                )
                .map_err(e)?;
        }
        for (level, color) in [(floor, RGBColor(0, 0, 0)), (cap, RGBColor(90, 0, 120))] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0 - px, level), (x1 + px, level)],
                    color.stroke_width(2),
                )))
                .map_err(e)?;
        }
        let count = |s: Status| self.points.iter().filter(|p| p.2 == s).count();
        key_in_margin(
            style,
            root,
            190,
            &[
                (
                    Swatch::Box(BELOW),
                    format!("{} {}", style.tr("below floor"), count(Status::BelowFloor)),
                ),
                (
                    Swatch::Box(WITHIN),
                    format!("{} {}", style.tr("within the band"), count(Status::Within)),
                ),
                (
                    Swatch::Box(ABOVE),
                    format!("{} {}", style.tr("above cap"), count(Status::AboveCap)),
                ),
                (
                    Swatch::Line(RGBColor(0, 0, 0)),
                    format!("{} {}", style.tr("floor"), percent_tick(&floor)),
                ),
                (
                    Swatch::Line(RGBColor(90, 0, 120)),
                    format!("{} {}", style.tr("cap"), percent_tick(&cap)),
                ),
            ],
        )?;
        header(
            style,
            root,
            &style.tr("Portfolio: IRR against floor-area ratio"),
            &style.tr(
                "one dot per parcel, coloured by its verdict; lines mark the floor and the cap",
            ),
        )
    }
}

/// The parcels ranked, best first.
struct Ranked<'a> {
    ranked: &'a [(f64, String)],
    /// The key solved for, or None for the IRR.
    key: Option<&'a str>,
    band: (f64, f64),
}

impl Chart for Ranked<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        let irr = self.key.is_none();
        let scale = if irr { 100.0 } else { 1.0 };
        let values: Vec<f64> = self.ranked.iter().map(|(v, _)| v * scale).collect();
        let lo = values.iter().copied().fold(0.0f64, f64::min);
        let hi = values.iter().copied().fold(0.0f64, f64::max);
        let hi = if irr { hi.max(self.band.1 * 100.0) } else { hi };
        let pad = ((hi - lo) * 0.08).max(0.5);
        let n = self.ranked.len().max(1);
        let names: Vec<String> = self
            .ranked
            .iter()
            .map(|(_, n)| {
                if style.zh() {
                    n.clone()
                } else {
                    ascii_title(n)
                }
            })
            .map(|n| n.chars().take(24).collect())
            .collect();
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_top(80)
            .x_label_area_size(50)
            .y_label_area_size(200)
            .build_cartesian_2d((lo - pad)..(hi + pad), 0.0..n as f64)
            .map_err(e)?;
        let x_desc = match self.key {
            None => style.tr("pre-tax IRR (%)"),
            Some(k) => key_label(k, style),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(x_desc)
            .x_label_formatter(&|v: &f64| if irr { percent_tick(v) } else { plain_tick(v) })
            .label_style((style.font(), 14))
            .draw()
            .map_err(e)?;
        let label = TextStyle::from((style.font(), 13).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, v) in values.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let color = if irr {
                let r = v / 100.0;
                if r < self.band.0 {
                    BELOW
                } else if r > self.band.1 {
                    ABOVE
                } else {
                    WITHIN
                }
            } else {
                PALETTE[0]
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0f64.min(*v), y + 0.15), (0.0f64.max(*v), y + 0.85)],
                    color.filled(),
                )))
                .map_err(e)?;
            let (px, py) = chart.backend_coord(&(lo - pad, y + 0.5));
            root.draw(&Text::new(names[i].clone(), (px - 8, py), label.clone()))
                .map_err(e)?;
        }
        let title = match self.key {
            None => style.tr("Parcels ranked by IRR"),
            Some(k) => format!(
                "{} — {}",
                style.tr("Parcels ranked by the value solved for"),
                key_name(k, style)
            ),
        };
        header(
            style,
            root,
            &title,
            &style.tr("the highest first; bars coloured by verdict"),
        )
    }
}

/// `batch_irr_far.png/.svg` and `batch_ranked.png/.svg`.
pub fn render(
    points: &[(f64, f64, Status)],
    ranked: &[(f64, String)],
    band: (f64, f64),
    key: Option<&str>,
    style: Style,
) -> Result<Vec<File>> {
    let mut files = Vec::new();
    push_pair(
        &mut files,
        "batch_irr_far",
        &Scatter { points, band },
        style,
    )?;
    push_pair(
        &mut files,
        "batch_ranked",
        &Ranked { ranked, key, band },
        style,
    )?;
    Ok(files)
}
