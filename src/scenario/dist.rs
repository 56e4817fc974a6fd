//! Distributions a numeric key may take instead of a number (docs/model.md §10), their central
//! (deterministic) value and parameter checks. Sampling lives in `mc`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Dist {
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Beta-PERT with λ = 4.
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Clipped into [min, max] when given (and always into the key's valid range).
    Normal {
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Parameterised by the variable's own mean and sd, as analysts quote it.
    Lognormal {
        mean: f64,
        sd: f64,
    },
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

impl Dist {
    /// The value a deterministic run uses: mode, mean, midpoint or most likely value.
    pub fn central(&self) -> f64 {
        match self {
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { mode, .. } | Dist::Pert { mode, .. } => *mode,
            Dist::Normal { mean, min, max, .. } => {
                let lo = min.unwrap_or(f64::NEG_INFINITY);
                let hi = max.unwrap_or(f64::INFINITY);
                mean.max(lo).min(hi)
            }
            Dist::Lognormal { mean, .. } => *mean,
            Dist::Discrete { values, weights } => {
                let mut best = 0;
                for (i, w) in weights.iter().enumerate() {
                    if *w > weights[best] {
                        best = i;
                    }
                }
                values[best]
            }
        }
    }

    /// Smallest and largest value a draw can take before the key's own range clips it.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Uniform { min, max }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (*min, *max),
            Dist::Normal { min, max, .. } => (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            ),
            Dist::Lognormal { .. } => (0.0, f64::INFINITY),
            Dist::Discrete { values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                }),
        }
    }

    /// True when every draw is the same number (a "fixed" distribution).
    pub fn is_degenerate(&self) -> bool {
        let (lo, hi) = self.support();
        match self {
            Dist::Normal { sd, .. } | Dist::Lognormal { sd, .. } => *sd == 0.0 || lo == hi,
            _ => lo == hi,
        }
    }
}

/// Builds a `Dist` from the raw table, returning every problem with its parameters.
pub fn build(raw: &super::raw::RawDist) -> Result<Dist, Vec<String>> {
    let mut errs = Vec::new();
    let family = raw.dist.as_str();
    let allowed: &[&str] = match family {
        "uniform" => &["min", "max"],
        "triangular" | "pert" => &["min", "mode", "max"],
        "normal" => &["mean", "sd", "min", "max"],
        "lognormal" => &["mean", "sd"],
        "discrete" => &["values", "weights"],
        other => {
            return Err(vec![format!(
                "unknown distribution \"{other}\": expected one of uniform, triangular, pert, normal, lognormal, discrete"
            )])
        }
    };
    let present = [
        ("min", raw.min.is_some()),
        ("max", raw.max.is_some()),
        ("mode", raw.mode.is_some()),
        ("mean", raw.mean.is_some()),
        ("sd", raw.sd.is_some()),
        ("values", raw.values.is_some()),
        ("weights", raw.weights.is_some()),
    ];
    for (name, is) in present {
        if is && !allowed.contains(&name) {
            errs.push(format!(
                "`{name}` is not a parameter of {family} (it takes {})",
                allowed.join(", ")
            ));
        }
    }
    let need = |v: Option<f64>, name: &str, errs: &mut Vec<String>| -> f64 {
        match v {
            Some(x) if x.is_finite() => x,
            Some(x) => {
                errs.push(format!("{family} `{name}` = {x} is not a finite number"));
                f64::NAN
            }
            None => {
                errs.push(format!(
                    "{family} needs `{name}` (it takes {})",
                    allowed.join(", ")
                ));
                f64::NAN
            }
        }
    };
    let opt = |v: Option<f64>, name: &str, errs: &mut Vec<String>| -> Option<f64> {
        match v {
            Some(x) if !x.is_finite() => {
                errs.push(format!("{family} `{name}` = {x} is not a finite number"));
                None
            }
            o => o,
        }
    };
    let dist = match family {
        "uniform" => {
            let (min, max) = (
                need(raw.min, "min", &mut errs),
                need(raw.max, "max", &mut errs),
            );
            if min > max {
                errs.push(format!(
                    "uniform min {min} is above max {max}: need min ≤ max"
                ));
            }
            Dist::Uniform { min, max }
        }
        "triangular" | "pert" => {
            let min = need(raw.min, "min", &mut errs);
            let mode = need(raw.mode, "mode", &mut errs);
            let max = need(raw.max, "max", &mut errs);
            if min > max {
                errs.push(format!(
                    "{family} min {min} is above max {max}: need min ≤ mode ≤ max"
                ));
            } else if !(min <= mode && mode <= max) {
                errs.push(format!(
                    "{family} mode {mode} lies outside [min, max] = [{min}, {max}]"
                ));
            }
            if family == "pert" {
                Dist::Pert { min, mode, max }
            } else {
                Dist::Triangular { min, mode, max }
            }
        }
        "normal" => {
            let mean = need(raw.mean, "mean", &mut errs);
            let sd = need(raw.sd, "sd", &mut errs);
            let min = opt(raw.min, "min", &mut errs);
            let max = opt(raw.max, "max", &mut errs);
            if sd < 0.0 {
                errs.push(format!("normal sd {sd} is negative: need sd ≥ 0"));
            }
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    errs.push(format!("normal min {a} is above max {b}: need min ≤ max"));
                }
            }
            Dist::Normal { mean, sd, min, max }
        }
        "lognormal" => {
            let mean = need(raw.mean, "mean", &mut errs);
            let sd = need(raw.sd, "sd", &mut errs);
            if mean <= 0.0 {
                errs.push(format!(
                    "lognormal mean {mean} must be > 0 (a lognormal variable is positive)"
                ));
            }
            if sd < 0.0 {
                errs.push(format!("lognormal sd {sd} is negative: need sd ≥ 0"));
            }
            Dist::Lognormal { mean, sd }
        }
        _ => {
            let values = raw.values.clone().unwrap_or_default();
            let weights = match &raw.weights {
                Some(w) => w.clone(),
                None => vec![1.0; values.len()],
            };
            if values.is_empty() {
                errs.push("discrete needs a non-empty `values` list".to_string());
            }
            if weights.len() != values.len() {
                errs.push(format!(
                    "discrete has {} values but {} weights: give one weight per value",
                    values.len(),
                    weights.len()
                ));
            }
            if values.iter().any(|v| !v.is_finite()) {
                errs.push("discrete values must be finite numbers".to_string());
            }
            if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
                errs.push("discrete weights must be finite numbers ≥ 0".to_string());
            } else if !weights.is_empty() && weights.iter().sum::<f64>() <= 0.0 {
                errs.push("discrete weights must have a positive sum".to_string());
            }
            Dist::Discrete { values, weights }
        }
    };
    if errs.is_empty() {
        Ok(dist)
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::RawDist;

    fn raw(dist: &str) -> RawDist {
        RawDist {
            dist: dist.into(),
            ..Default::default()
        }
    }

    #[test]
    fn central_values_follow_model_10() {
        assert_eq!(Dist::Uniform { min: 2.0, max: 4.0 }.central(), 3.0);
        assert_eq!(
            Dist::Pert {
                min: 1.0,
                mode: 1.5,
                max: 4.0
            }
            .central(),
            1.5
        );
        let n = Dist::Normal {
            mean: 1.2,
            sd: 0.1,
            min: None,
            max: Some(1.0),
        };
        assert_eq!(n.central(), 1.0);
        let d = Dist::Discrete {
            values: vec![0.0, 1.0, 2.0],
            weights: vec![0.3, 0.5, 0.5],
        };
        assert_eq!(d.central(), 1.0, "ties go to the first listed");
    }

    #[test]
    fn bad_parameters_are_named() {
        let mut r = raw("triangular");
        r.min = Some(1.0);
        r.mode = Some(5.0);
        r.max = Some(3.0);
        let e = build(&r).unwrap_err();
        assert!(e[0].contains("mode 5"), "{e:?}");
        let mut r = raw("normal");
        r.mean = Some(1.0);
        r.sd = Some(-1.0);
        assert!(build(&r).unwrap_err()[0].contains("sd -1"));
        let mut r = raw("uniform");
        r.min = Some(1.0);
        r.max = Some(2.0);
        r.mode = Some(1.5);
        assert!(build(&r).unwrap_err()[0].contains("not a parameter of uniform"));
        let mut r = raw("discrete");
        r.values = Some(vec![1.0, 2.0]);
        r.weights = Some(vec![1.0, 0.0]);
        assert!(build(&r).is_ok(), "a zero weight is allowed");
        r.weights = Some(vec![0.0, 0.0]);
        assert!(build(&r).unwrap_err()[0].contains("positive sum"));
        r.weights = Some(vec![1.0, -1.0]);
        assert!(build(&r).unwrap_err()[0].contains("≥ 0"));
        assert!(build(&raw("beta")).unwrap_err()[0].contains("unknown distribution"));
    }
}
