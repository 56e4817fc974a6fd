//! Policy packs (docs/model.md §11): the rules of each source policy as data files in `policies/`,
//! embedded in the binary, each quoting the words of its document, and the compliance check of a
//! scenario against them.

use crate::scenario::{Choice, Inputs};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The five source policies, as shipped: the pack and the document it reads.
const SOURCES: [(&str, &str, &str); 5] = [
    (
        "shenzhen-2023",
        include_str!("../../policies/shenzhen-2023.toml"),
        include_str!("../../policies/sources/shenzhen-2023-approval.txt"),
    ),
    (
        "wuhan-2024",
        include_str!("../../policies/wuhan-2024.toml"),
        include_str!("../../policies/sources/wuhan-2024-2026.txt"),
    ),
    (
        "jiaxing-2025",
        include_str!("../../policies/jiaxing-2025.toml"),
        include_str!("../../policies/sources/jiaxing-2024-draft.txt"),
    ),
    (
        "ningbo-2023",
        include_str!("../../policies/ningbo-2023.toml"),
        include_str!("../../policies/sources/ningbo-low-efficiency-land.txt"),
    ),
    (
        "yongjia-2023",
        include_str!("../../policies/yongjia-2023.toml"),
        include_str!("../../policies/sources/yongjia-2023.txt"),
    ),
];

/// How a rule compares the actual value with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// actual ≤ limit
    Le,
    /// actual ≥ limit
    Ge,
    /// limit[0] ≤ actual ≤ limit[1]
    Between,
}

/// The quantity a rule constrains, computed from the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// The basis IRR (保本微利), judged as the verdict is: by the sign of the NPV at the limit.
    Irr,
    /// 容积率
    Far,
    /// A_f / GFA
    FactoryShare,
    /// A_r / GFA
    ResidentialShare,
    /// A_d / A_f
    DormitoryToFactory,
    /// (A_s + A_d) / GFA
    SupportingDormitoryShare,
    /// factory.self_held_share (自持比例 of the factory space)
    SelfHeldShare,
    /// (A_fh + A_d + A_s) / GFA: the floor area the developer keeps
    SelfHeldGfaShare,
    FactoryRent,
    FactoryRentGrowth,
    LandTermYears,
    LandAreaM2,
    Floors,
    HeightM,
    /// construction.infrastructure_fee_per_m2 (a fee a policy may waive)
    InfrastructureFeePerM2,
    /// subsidy.construction_per_m2 (n/a when 0)
    ConstructionSubsidyPerM2,
    /// The construction subsidy paid, after its cap, per m² of 产业用房 (A_f), whatever base the
    /// scenario states it on (n/a when 0)
    ConstructionSubsidyPerFactoryM2,
    /// The construction subsidy paid, after its cap (n/a when 0)
    ConstructionSubsidyAmount,
    BasementSubsidyPerM2,
    BasementSubsidyAmount,
    /// far − A_fs / land area: the FAR left when the split-sold factory space is taken out
    /// (n/a when nothing is sold)
    FarNetOfSplitSale,
    /// The land area of a scheme that split-sells factory space (n/a when nothing is sold)
    SplitSaleLandAreaM2,
}

impl Quantity {
    /// The name as written in a pack file (`self_held_gfa_share`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Limit {
    One(f64),
    Range([f64; 2]),
}

/// A second test that also satisfies the rule (e.g. "FAR ≥ 2.5, or ≥ 6 floors and ≥ 24 m").
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub quantity: Quantity,
    pub op: Op,
    pub limit: Limit,
}

/// How a rule binds, from its wording (docs/model.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// 应 / 须 / 不得 / 必须: a breach fails.
    Binding,
    /// 原则上 / 一般: a breach fails, and an approved exception is possible.
    InPrinciple,
    /// 可 / 鼓励 / 宜, or a benefit the scheme does not claim: reported, never a failure.
    Advisory,
}

impl RuleKind {
    pub fn words(self) -> &'static str {
        match self {
            RuleKind::Binding => "binding 约束性",
            RuleKind::InPrinciple => "in principle 原则上",
            RuleKind::Advisory => "advisory 引导性",
        }
    }
}

/// The scenario keys that say what kind of project it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum WhenKey {
    #[serde(rename = "project.kind")]
    ProjectKind,
    #[serde(rename = "project.rent_only")]
    RentOnly,
    #[serde(rename = "site.location")]
    Location,
    #[serde(rename = "land.grant")]
    Grant,
}

impl WhenKey {
    pub fn name(self) -> &'static str {
        match self {
            WhenKey::ProjectKind => "project.kind",
            WhenKey::RentOnly => "project.rent_only",
            WhenKey::Location => "site.location",
            WhenKey::Grant => "land.grant",
        }
    }

    /// The scenario's word for this key, `None` when it does not give one.
    fn value(self, i: &Inputs<f64>) -> Option<String> {
        match self {
            WhenKey::ProjectKind => i.project.kind.map(|k| k.name().to_string()),
            WhenKey::RentOnly => i.project.rent_only.map(|b| b.to_string()),
            WhenKey::Location => i.site.location.map(|l| l.name().to_string()),
            WhenKey::Grant => i.land.grant.map(|g| g.name().to_string()),
        }
    }
}

/// What a rule does when the scenario does not say what the condition asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfMissing {
    /// n/a, naming the key that would make it checkable.
    #[default]
    NotApplicable,
    /// Checked anyway, with a note that the key was not given.
    Apply,
}

/// A condition on the kind of project: the rule applies when `key` is one of `is` (or, with
/// `not`, when it is none of them).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub key: WhenKey,
    #[serde(default)]
    pub is: Vec<String>,
    #[serde(default)]
    pub not: Vec<String>,
    #[serde(default)]
    pub if_missing: IfMissing,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub quantity: Quantity,
    pub op: Op,
    pub limit: Limit,
    /// The rule also passes when all of these pass (e.g. "FAR ≥ 2.5, or ≥ 6 floors and ≥ 24 m").
    #[serde(default)]
    pub alternative: Vec<Condition>,
    #[serde(default)]
    pub when: Vec<When>,
    /// The article in the document's current numbering.
    pub article: String,
    /// The exact words of the document the rule enforces (whitespace aside).
    pub quote: String,
    pub kind: RuleKind,
    pub text_zh: String,
    pub text_en: String,
    /// How the pack reads the article, where that needs saying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// One source policy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub document: String,
    /// The document's text in `policies/sources/`.
    pub source: String,
    /// 保本: the verdict floor, where the document sets a band.
    pub irr_floor: Option<f64>,
    /// 微利: the verdict cap, where the document sets a band.
    pub irr_cap: Option<f64>,
    /// Factory rent cap (yuan/m²/month) that Monte Carlo enforces, when the pack has one.
    pub rent_cap: Option<f64>,
    /// Yearly factory rent growth cap that Monte Carlo enforces, when the pack has one.
    pub growth_cap: Option<f64>,
    /// Each article the rules cite, by the words that open it in the document: articles are
    /// found by these words, not by walking headings, because the draft texts keep the struck-out
    /// numbers beside the new ones.
    pub articles: std::collections::BTreeMap<String, String>,
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

impl Pack {
    /// The document's text.
    pub fn text(&self) -> &'static str {
        SOURCES
            .iter()
            .find(|(id, _, _)| *id == self.id)
            .map(|(_, _, text)| *text)
            .unwrap_or("")
    }

    /// The IRR band the document sets, if it sets one.
    pub fn band(&self) -> Option<(f64, f64)> {
        self.irr_floor.zip(self.irr_cap)
    }

    /// The paragraph of the document that an article reference points at, found by the
    /// words that open it (`articles` in the pack file).
    pub fn article_text(&self, article: &str) -> Option<String> {
        match self.articles.get(&squeeze(article)) {
            Some(anchor) => paragraph_at(self.text(), anchor),
            // an article no rule cites: a line that opens with its number (第九条, 四、)
            None => {
                let a = squeeze(article);
                let line = self.text().lines().find(|l| {
                    !a.is_empty() && squeeze(l).trim_start_matches(['*', '#']).starts_with(&a)
                })?;
                paragraph_at(self.text(), line)
            }
        }
    }
}

/// Every shipped pack, parsed once. The files are part of the build and a test parses them,
/// so a broken file cannot ship.
pub fn packs() -> &'static [Pack] {
    static PACKS: OnceLock<Vec<Pack>> = OnceLock::new();
    PACKS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(id, src, _)| {
                let p: Pack = toml::from_str(src)
                    .unwrap_or_else(|e| panic!("policies/{id}.toml is invalid: {e}"));
                assert_eq!(&p.id, id, "policies/{id}.toml has id {}", p.id);
                p
            })
            .collect()
    })
}

pub fn pack(id: &str) -> Option<&'static Pack> {
    packs().iter().find(|p| p.id == id)
}

/// The built-in packs, as scenario validation looks them up.
pub struct BuiltIn;

impl crate::scenario::PackLookup for BuiltIn {
    fn band(&self, name: &str) -> Option<Option<(f64, f64)>> {
        pack(name).map(Pack::band)
    }
    fn names(&self) -> Vec<&'static str> {
        names()
    }
}

pub fn names() -> Vec<&'static str> {
    packs().iter().map(|p| p.id.as_str()).collect()
}

/// Text without white space, for finding a quote or a heading whatever the line breaks.
pub fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            c => c,
        })
        .collect()
}

/// Whether the document holds `quote` (white space and full-width brackets and commas aside).
pub fn quoted_in(text: &str, quote: &str) -> bool {
    !quote.trim().is_empty() && squeeze(text).contains(&squeeze(quote))
}

/// The paragraph that starts at the line holding `anchor`, with its continuation lines (a
/// paragraph broken across lines by the source's layout) up to the next heading.
fn paragraph_at(text: &str, anchor: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let want = squeeze(anchor);
    let at = lines.iter().position(|l| squeeze(l).contains(&want))?;
    let mut out = vec![lines[at].trim().to_string()];
    for l in &lines[at + 1..] {
        let s = squeeze(l);
        let s = s.trim_start_matches(['*', '#']);
        let heading = s.starts_with('(')
            || s.chars().next().is_some_and(|c| c.is_ascii_digit())
            || s.starts_with('第')
            || s.chars().nth(1) == Some('、')
            || s.starts_with("附件");
        if heading || out.len() >= 8 {
            break;
        }
        if !s.is_empty() {
            out.push(l.trim().to_string());
        }
    }
    Some(out.join("\n"))
}

mod check;
pub use check::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_pack_parses_and_quotes_its_document() {
        assert_eq!(
            names(),
            [
                "shenzhen-2023",
                "wuhan-2024",
                "jiaxing-2025",
                "ningbo-2023",
                "yongjia-2023"
            ]
        );
        for p in packs() {
            assert!(!p.rules.is_empty(), "{}", p.id);
            assert!(!p.text().is_empty(), "{}: no source text", p.id);
            if let Some((floor, cap)) = p.band() {
                assert!(floor <= cap);
            }
            assert_eq!(p.irr_floor.is_some(), p.irr_cap.is_some(), "{}", p.id);
            for r in &p.rules {
                assert!(
                    !r.article.is_empty() && !r.text_zh.is_empty() && !r.text_en.is_empty(),
                    "{}",
                    r.id
                );
                assert!(
                    quoted_in(p.text(), &r.quote),
                    "{} {}: the quote is not in {}: {}",
                    p.id,
                    r.id,
                    p.source,
                    r.quote
                );
                // the quote stands in (one of) the article(s) the rule cites
                let places: Vec<Option<String>> =
                    r.article.split(';').map(|a| p.article_text(a)).collect();
                for (place, text) in r.article.split(';').zip(&places) {
                    assert!(
                        text.is_some(),
                        "{} {}: article {place} is not in the pack's [articles] or not in {}",
                        p.id,
                        r.id,
                        p.source
                    );
                }
                assert!(
                    places.iter().flatten().any(|t| quoted_in(t, &r.quote)),
                    "{} {}: the quote is in none of the articles cited ({})",
                    p.id,
                    r.id,
                    r.article
                );
                if r.op == Op::Between {
                    assert!(
                        matches!(r.limit, Limit::Range(_)),
                        "{} needs [lo, hi]",
                        r.id
                    );
                }
            }
        }
        assert_eq!(pack("shenzhen-2023").unwrap().rent_cap, Some(35.0));
        // only Shenzhen and Wuhan set an IRR band
        let banded: Vec<&str> = packs()
            .iter()
            .filter(|p| p.band().is_some())
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(banded, ["shenzhen-2023", "wuhan-2024"]);
    }

    #[test]
    fn an_article_reference_finds_its_paragraph() {
        let sz = pack("shenzhen-2023").unwrap();
        let t = sz.article_text("一(二)5").unwrap();
        assert!(t.contains("自持比例≥2/3"), "{t}");
        let t = sz.article_text("二（三）4").unwrap();
        assert!(t.contains("原则上≤4.5"), "{t}");
        let yj = pack("yongjia-2023").unwrap();
        assert!(yj
            .article_text("第七条")
            .unwrap()
            .contains("容积率超出 2.0"));
        // a paragraph the source breaks across lines comes back whole
        assert!(yj.article_text("第三条").unwrap().contains("补足至 40 年"));
        assert!(sz.article_text("九(九)9").is_none());
        // an article no rule cites, found by its number
        assert!(yj.article_text("第九条").unwrap().contains("支持国资参与"));
    }

    #[test]
    fn quotes_ignore_white_space_and_bracket_width() {
        assert!(quoted_in(
            "容积率按≤6.5 进行\n规划设计",
            "容积率按≤6.5进行规划设计"
        ));
        assert!(quoted_in("（三）建设要求", "(三)建设要求"));
        assert!(!quoted_in("容积率", ""));
    }
}
