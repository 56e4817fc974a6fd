//! A scenario parsed once and loaded many times with different overrides (a batch's
//! template): the file is deserialized once, and each load sets the overridden fields on a copy
//! of the raw scenario before validating it, instead of cloning and deserializing the whole TOML
//! table per row.

use super::raw::{RawNum, RawScenario};
use super::ScenarioError;
use super::{keys, load_table, override_value, validate, Override, PackLookup, Scenario};

/// A parsed template and, when it deserializes, its raw scenario.
#[derive(Debug, Clone)]
pub struct Template {
    table: toml::Table,
    /// The template as read and whether it has a `[mix]` section (validation asks).
    raw: Option<(RawScenario, bool)>,
}

impl Template {
    pub fn new(table: toml::Table) -> Template {
        let has_mix = table.contains_key("mix");
        let raw =
            serde_path_to_error::deserialize::<_, RawScenario>(toml::Value::Table(table.clone()))
                .ok()
                .map(|r| (r, has_mix));
        Template { table, raw }
    }

    /// [`load_table`] of the template with `overrides`, the same scenario or the same problems.
    /// Overrides the raw scenario can take directly (a number or a distribution for a numeric
    /// key, a word for a word key) are set on a copy; anything else, and any load that finds a
    /// problem, goes through [`load_table`], so messages are always its own.
    pub fn load(
        &self,
        src: &str,
        overrides: &[Override],
        packs: &dyn PackLookup,
    ) -> Result<Scenario, ScenarioError> {
        if let Some(sc) = self.load_direct(src, overrides, packs) {
            return Ok(sc);
        }
        load_table(self.table.clone(), src, overrides, packs)
    }

    fn load_direct(
        &self,
        src: &str,
        overrides: &[Override],
        packs: &dyn PackLookup,
    ) -> Option<Scenario> {
        let (raw, has_mix) = self.raw.as_ref()?;
        let mut raw = raw.clone();
        let mut has_mix = *has_mix;
        for o in overrides {
            set(&mut raw, &o.key, override_value(o).ok()?)?;
            // as in load_table: an override of a [mix] key makes the section
            has_mix |= o.key.starts_with("mix.");
        }
        let overridden: Vec<&str> = overrides.iter().map(|o| o.key.as_str()).collect();
        validate::validate(&raw, has_mix, src, &overridden, packs).ok()
    }
}

/// Sets one dotted key of the raw scenario to a TOML value as deserializing the file would
/// have; `None` when this key or value is not one it takes (the caller falls back).
fn set(raw: &mut RawScenario, key: &str, v: toml::Value) -> Option<()> {
    if let Some((_, spec)) = keys::find(key) {
        // RawNum's visitor: an integer or a float is its value, a table a distribution
        *spec.raw_mut(raw) = Some(match v {
            toml::Value::Float(x) => RawNum::Value(x),
            toml::Value::Integer(i) => RawNum::Value(i as f64),
            toml::Value::Table(_) => v.try_into().ok()?,
            _ => return None,
        });
        return Some(());
    }
    let word = |v: toml::Value| match v {
        toml::Value::String(s) => Some(s),
        _ => None,
    };
    match key {
        "project.name" => raw.project.name = Some(word(v)?),
        "project.kind" => raw.project.kind = Some(word(v)?),
        "project.rent_only" => raw.project.rent_only = Some(v.as_bool()?),
        "policy.pack" => raw.policy.pack = Some(word(v)?),
        "site.location" => raw.site.location = Some(word(v)?),
        "land.grant" => raw.land.grant = Some(word(v)?),
        "land.price_basis" => raw.land.price_basis = Some(word(v)?),
        "finance.repayment" => raw.finance.repayment = Some(word(v)?),
        "tax.lat_method" => raw.tax.lat_method = Some(word(v)?),
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_table;

    /// No packs: enough for the equality, which holds for any lookup.
    struct Packs;
    impl PackLookup for Packs {
        fn band(&self, name: &str) -> Option<Option<(f64, f64)>> {
            ["shenzhen-2023", "wuhan-2024"]
                .contains(&name)
                .then_some(Some((0.0, 0.045)))
                .or_else(|| (name == "ningbo-2023").then_some(None))
        }
        fn names(&self) -> Vec<&'static str> {
            vec!["shenzhen-2023", "wuhan-2024", "ningbo-2023"]
        }
    }

    /// Loading through the template gives what load_table gives, scenario or problems, for
    /// numbers, whole numbers, distributions, words of each word key, the [mix] keys, values
    /// out of range, values of the wrong type, unknown keys and keys with no direct setter.
    #[test]
    fn template_loads_equal_load_table() {
        let rows: &[&[&str]] = &[
            &[],
            &[
                "site.far=3.5",
                "site.land_area_m2=42000",
                "land.price=612.5",
            ],
            &["subsidy.construction_per_m2=0", "project.start_year=2030"],
            &["factory.rent={ dist = \"uniform\", min = 20, max = 30 }"],
            &["mix.residential=0.1", "mix.factory=0.75"],
            &["mix.residential=0.3"],
            &["policy.pack=ningbo-2023", "project.kind=new_supply"],
            &["policy.pack=nowhere"],
            &[
                "project.rent_only=true",
                "site.location=county",
                "land.grant=standard",
            ],
            &[
                "project.name=\"地块 7\"",
                "finance.repayment=bullet",
                "tax.lat_method=effective",
            ],
            &["land.price_basis=gfa", "site.far=-1"],
            &["site.far=abc"],
            &["project.rent_only=maybe"],
            &["site.nowhere=1"],
            &["construction.schedule=[0.5, 0.5]"],
            &["factory.rent=1e400"],
            &["site.far=99999999999999999999"],
        ];
        let mut loaded = 0;
        for src in [
            include_str!("../../scenarios/wuhan-subsidy-loan.toml"),
            include_str!("../../scenarios/shenzhen-renewal-uncertain.toml"),
            include_str!("../../scenarios/yongjia-basement.toml"),
        ] {
            let table = parse_table(src).unwrap();
            let t = Template::new(table.clone());
            assert!(t.raw.is_some());
            for row in rows {
                let ov: Vec<Override> = row.iter().map(|s| Override::parse(s).unwrap()).collect();
                let want = load_table(table.clone(), src, &ov, &Packs);
                if want.is_ok() {
                    // an array value has no direct setter; every other valid row is served
                    let array = row.iter().any(|r| r.contains('['));
                    assert_eq!(t.load_direct(src, &ov, &Packs).is_some(), !array, "{row:?}");
                    loaded += usize::from(!array);
                }
                assert_eq!(t.load(src, &ov, &Packs), want, "{row:?}");
            }
        }
        assert!(loaded >= 12, "valid rows loaded directly: {loaded}");
    }
}
