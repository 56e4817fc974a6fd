//! Policy packs: the verdict band and the caps each source policy sets (MODEL.md §11).

/// What a pack sets for the verdict and for Monte Carlo clipping.
#[derive(Debug, Clone, PartialEq)]
pub struct Pack {
    pub id: &'static str,
    pub title: &'static str,
    /// 保本: the verdict floor.
    pub irr_floor: f64,
    /// 微利: the verdict cap.
    pub irr_cap: f64,
    /// Factory rent cap, yuan/m²/month, when the pack has one.
    pub rent_cap: Option<f64>,
    /// Yearly factory rent growth cap, when the pack has one.
    pub growth_cap: Option<f64>,
}

/// The five source policies of `shared/policies/`.
pub static PACKS: &[Pack] = &[
    Pack {
        id: "shenzhen-2023",
        title: "深府函〔2023〕20号 附件1",
        irr_floor: 0.0,
        irr_cap: 0.045,
        rent_cap: Some(35.0),
        growth_cap: Some(0.05),
    },
    Pack {
        id: "wuhan-2024",
        title: "武汉 工业上楼实施方案 2024–2026",
        irr_floor: 0.0,
        irr_cap: 0.045,
        rent_cap: None,
        growth_cap: None,
    },
    Pack {
        id: "jiaxing-2025",
        title: "嘉兴 若干意见(征求意见稿)",
        irr_floor: 0.0,
        irr_cap: 0.045,
        rent_cap: None,
        growth_cap: None,
    },
    Pack {
        id: "ningbo-2023",
        title: "宁波 低效工业用地整治",
        irr_floor: 0.0,
        irr_cap: 0.045,
        rent_cap: None,
        growth_cap: None,
    },
    Pack {
        id: "yongjia-2023",
        title: "永政办发〔2023〕2号",
        irr_floor: 0.0,
        irr_cap: 0.045,
        rent_cap: None,
        growth_cap: None,
    },
];

pub fn pack(id: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.id == id)
}

pub fn names() -> Vec<&'static str> {
    PACKS.iter().map(|p| p.id).collect()
}

/// Deterministic runs never clip (MODEL.md §4): a rent or growth above the pack's cap is a
/// compliance problem to report, not something to change.
pub fn cap_warnings(inp: &crate::scenario::Inputs<f64>) -> Vec<String> {
    let Some(p) = inp.policy.pack.as_deref().and_then(pack) else {
        return vec![];
    };
    let mut w = Vec::new();
    let lease = &inp.factory.lease;
    if let Some(cap) = p.rent_cap {
        if lease.rent > cap {
            w.push(format!(
                "factory.rent = {} is above the {} rent cap of {cap} yuan/m²/month ({})",
                lease.rent, p.id, p.title
            ));
        }
    }
    if let Some(cap) = p.growth_cap {
        if lease.rent_growth > cap {
            w.push(format!(
                "factory.rent_growth = {} is above the {} growth cap of {cap}/yr ({})",
                lease.rent_growth, p.id, p.title
            ));
        }
    }
    w
}
