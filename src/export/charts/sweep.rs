//! Sweep charts: P(within) and the median IRR against the first key, and the heat map over
//! the first two keys.

use super::*;
use shanglou::metrics::Status;

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

impl SweepLines<'_> {
    /// (label, [(x, y)]) per line of a statistic.
    fn series(
        &self,
        style: Style,
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
                    .map(|(a, v)| {
                        let shown = match &a.labels {
                            Some(_) => a.label(*v),
                            None => plain_tick(v),
                        };
                        format!("{} = {shown}", key_name(a.key, style))
                    })
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
                    self.series(style, |p| p.mc.as_ref().map(|m| m.p_within * 100.0)),
                    false,
                )
            } else {
                (
                    "pre-tax IRR (%)",
                    self.series(style, |p| p.irr_pre_tax.map(|v| v * 100.0)),
                    true,
                )
            },
            (
                "median IRR (%)",
                self.series(style, |p| {
                    shanglou::sweep::median_or_irr(p).map(|v| v * 100.0)
                }),
                true,
            ),
        ];
        let mut key: Vec<(Swatch, String)> = Vec::new();
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
                .margin_right(215)
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
                .x_desc(key_label(self.axes[0].key, style))
                .y_desc(style.tr(ylabel))
                .x_label_formatter(&|v: &f64| match &self.axes[0].labels {
                    // a word axis: the word at each whole index, nothing between
                    Some(_) if (v - v.round()).abs() < 1e-9 => self.axes[0].label(v.round()),
                    Some(_) => String::new(),
                    None => plain_tick(v),
                })
                .y_label_formatter(&percent_tick)
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
                chart
                    .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                    .map_err(e)?;
                // both panels draw the same lines: one key serves them
                if !label.is_empty() && !key.iter().any(|(_, l)| l == label) {
                    key.push((Swatch::Line(color), label.clone()));
                }
                chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, color.filled())))
                    .map_err(e)?;
            }
        }
        key_in_margin(style, root, 205, &key)?;
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

/// The three verdict colours of the heat map: below the floor, within the band, above the cap.
pub const BELOW: RGBColor = RGBColor(207, 34, 46);
pub const WITHIN: RGBColor = RGBColor(45, 164, 78);
pub const ABOVE: RGBColor = RGBColor(225, 111, 36);

/// A cell's colour is its verdict against the policy band, not its rank in the grid: a
/// compliant scheme is green whatever the other cells are.
fn band_color(v: f64, floor: f64, cap: f64) -> RGBColor {
    if v < floor {
        BELOW
    } else if v > cap {
        ABOVE
    } else {
        WITHIN
    }
}

impl Chart for SweepHeat<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, style: Style) -> Result<()> {
        let (xa, ya) = (&self.axes[0], &self.axes[1]);
        let (nx, ny) = (xa.values.len(), ya.values.len());
        // value at (i, j): the first point with those two values (other axes at their first value)
        let mut grid = vec![vec![f64::NAN; ny]; nx];
        // a deterministic point carries its own verdict, against its own pack's band when
        // policy.pack is an axis: the cell takes that colour
        let mut verdict: Vec<Vec<Option<Status>>> = vec![vec![None; ny]; nx];
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
                if p.mc.is_none() {
                    verdict[i][j] = Some(p.status);
                }
            }
        }
        let (floor, cap) = (self.floor * 100.0, self.cap * 100.0);
        let mut chart = ChartBuilder::on(root)
            .margin(20)
            .margin_right(215)
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
            .x_desc(key_label(xa.key, style))
            .y_desc(key_label(ya.key, style))
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
            root.draw(&Text::new(xa.label(*v), (px, py + 6), centre.clone()))
                .map_err(e)?;
        }
        for (j, v) in ya.values.iter().enumerate().step_by(ny.div_ceil(12)) {
            let (px, py) = chart.backend_coord(&(0.0, j as f64 + 0.5));
            root.draw(&Text::new(ya.label(*v), (px - 6, py), right.clone()))
                .map_err(e)?;
        }
        for (i, column) in grid.iter().enumerate() {
            for (j, &v) in column.iter().enumerate() {
                let color = match verdict[i][j] {
                    Some(Status::BelowFloor) => BELOW,
                    Some(Status::Within) => WITHIN,
                    Some(Status::AboveCap) => ABOVE,
                    _ if v.is_finite() => band_color(v, floor, cap),
                    _ => RGBColor(200, 200, 200),
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
                            format!("{v:.2}%"),
                            (i as f64 + 0.2, j as f64 + 0.6),
                            (style.font(), 12).into_font(),
                        )))
                        .map_err(e)?;
                }
            }
        }
        // contour: the cell edges between values on either side of the level
        let mut contours = Vec::new();
        for (level, color, name) in [
            (floor, RGBColor(0, 0, 0), "floor"),
            (cap, RGBColor(90, 0, 120), "cap"),
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
            chart
                .draw_series(
                    segs.into_iter()
                        .map(|s| PathElement::new(s, color.stroke_width(4))),
                )
                .map_err(e)?;
            contours.push((color, format!("{} {level:.2}%", style.tr(name))));
        }
        // the key sits in the right margin, outside the cells: a swatch per verdict, a line per
        // contour
        let mut key: Vec<(Swatch, String)> = [
            (BELOW, "below floor"),
            (WITHIN, "within the band"),
            (ABOVE, "above cap"),
        ]
        .into_iter()
        .map(|(c, name)| (Swatch::Box(c), style.tr(name)))
        .collect();
        key.extend(
            contours
                .into_iter()
                .map(|(c, label)| (Swatch::Line(c), label)),
        );
        key_in_margin(style, root, 200, &key)?;
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
                    "{}；红色未能保本，绿色符合保本微利，橙色超过微利上限；线为上下限等值线",
                    style.tr(what)
                )
            } else {
                format!("{what}; red below the floor, green within the band, orange above the cap; lines mark both contours")
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
        let title = titled(&scenario.name, style, "sweep");
        let mut files = Vec::new();
        push_pair(
            &mut files,
            "sweep_lines",
            &SweepLines {
                title: &title,
                axes,
                points,
                cap: pol.irr_cap,
                floor: pol.irr_floor,
            },
            style,
        )?;
        if axes.len() >= 2 {
            push_pair(
                &mut files,
                "sweep_heatmap",
                &SweepHeat {
                    title: &title,
                    axes,
                    points,
                    floor: pol.irr_floor,
                    cap: pol.irr_cap,
                },
                style,
            )?;
        }
        Ok(files)
    }
}
