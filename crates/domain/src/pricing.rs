//! Price resolution: which price a register must charge for a product at a store, through a
//! channel, for a customer tier, at a moment. One function, used by the API, the register sync
//! and (later) the sale pricing, so that every place charges the same.
//!
//! A price list applies when each of its dimensions (channel, store, region, tier) is either
//! unset or equal to the context, and the moment is within its validity (`from` inclusive, `to`
//! exclusive). Among applicable lists the highest priority wins; at equal priority the more
//! specific (store 8, region 4, channel 2, tier 1 — a superset of constraints always weighs
//! more); then the lower price; then the smaller id. Without any, the product's list price.

/// One price-list entry for a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceRule {
    pub list_id: String,
    pub priority: i64,
    pub channel: Option<String>,
    pub store: Option<String>,
    pub region: Option<String>,
    pub tier: Option<String>,
    /// Unix seconds, inclusive.
    pub valid_from: Option<i64>,
    /// Unix seconds, exclusive.
    pub valid_to: Option<i64>,
    pub price_minor: i64,
}

/// Where and when a price is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceContext {
    pub store: Option<String>,
    pub region: Option<String>,
    pub channel: Option<String>,
    pub tier: Option<String>,
    /// Unix seconds.
    pub at: i64,
}

/// The resolved price and where it came from (`None` = the product's list price).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub price_minor: i64,
    pub list_id: Option<String>,
}

fn matches(rule: &Option<String>, ctx: &Option<String>) -> bool {
    match rule {
        None => true,
        Some(r) => ctx.as_ref() == Some(r),
    }
}

impl PriceRule {
    /// Whether the rule applies in `ctx`.
    pub fn applies(&self, ctx: &PriceContext) -> bool {
        matches(&self.channel, &ctx.channel)
            && matches(&self.store, &ctx.store)
            && matches(&self.region, &ctx.region)
            && matches(&self.tier, &ctx.tier)
            && self.valid_from.is_none_or(|f| ctx.at >= f)
            && self.valid_to.is_none_or(|t| ctx.at < t)
    }

    /// How specific the rule is: a strict superset of constraints always scores higher.
    pub fn specificity(&self) -> u8 {
        (self.store.is_some() as u8) * 8
            + (self.region.is_some() as u8) * 4
            + (self.channel.is_some() as u8) * 2
            + (self.tier.is_some() as u8)
    }
}

/// Resolves the price of one product from its list price and its price-list entries.
pub fn resolve(list_price_minor: i64, rules: &[PriceRule], ctx: &PriceContext) -> Resolved {
    let best = rules.iter().filter(|r| r.applies(ctx)).min_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.specificity().cmp(&a.specificity()))
            .then(a.price_minor.cmp(&b.price_minor))
            .then(a.list_id.cmp(&b.list_id))
    });
    match best {
        Some(r) => Resolved {
            price_minor: r.price_minor,
            list_id: Some(r.list_id.clone()),
        },
        None => Resolved {
            price_minor: list_price_minor,
            list_id: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> PriceContext {
        PriceContext {
            store: Some("S1".into()),
            region: Some("R1".into()),
            channel: Some("STORE".into()),
            tier: Some("gold".into()),
            at: 1_000,
        }
    }

    fn rule(id: &str, price: i64) -> PriceRule {
        PriceRule {
            list_id: id.into(),
            priority: 0,
            channel: None,
            store: None,
            region: None,
            tier: None,
            valid_from: None,
            valid_to: None,
            price_minor: price,
        }
    }

    #[test]
    fn list_price_without_rules() {
        assert_eq!(
            resolve(350, &[], &ctx()),
            Resolved {
                price_minor: 350,
                list_id: None
            }
        );
    }

    #[test]
    fn store_beats_region_beats_company_and_priority_beats_all() {
        let mut store = rule("store", 300);
        store.store = Some("S1".into());
        let mut region = rule("region", 280);
        region.region = Some("R1".into());
        let company = rule("company", 250);
        assert_eq!(
            resolve(
                350,
                &[company.clone(), region.clone(), store.clone()],
                &ctx()
            )
            .list_id
            .as_deref(),
            Some("store")
        );
        let mut promo = company.clone();
        promo.list_id = "promo".into();
        promo.priority = 10;
        assert_eq!(
            resolve(350, &[store, region, promo], &ctx())
                .list_id
                .as_deref(),
            Some("promo")
        );
    }

    #[test]
    fn other_store_tier_or_time_does_not_apply() {
        let mut r = rule("x", 1);
        r.store = Some("S2".into());
        assert_eq!(resolve(350, &[r], &ctx()).list_id, None);
        let mut t = rule("member", 1);
        t.tier = Some("gold".into());
        let mut c = ctx();
        c.tier = None;
        assert_eq!(resolve(350, std::slice::from_ref(&t), &c).list_id, None);
        assert_eq!(
            resolve(350, &[t], &ctx()).list_id.as_deref(),
            Some("member")
        );
        let mut expired = rule("old", 1);
        expired.valid_to = Some(1_000); // exclusive
        assert_eq!(resolve(350, &[expired], &ctx()).list_id, None);
    }

    fn arb_rule() -> impl Strategy<Value = PriceRule> {
        (
            "[a-z]{1,4}",
            0i64..3,
            proptest::option::of(prop_oneof![
                Just("STORE".to_string()),
                Just("ONLINE".to_string())
            ]),
            proptest::option::of(prop_oneof![Just("S1".to_string()), Just("S2".to_string())]),
            proptest::option::of(prop_oneof![Just("R1".to_string()), Just("R2".to_string())]),
            proptest::option::of(prop_oneof![
                Just("gold".to_string()),
                Just("silver".to_string())
            ]),
            proptest::option::of(0i64..2_000),
            proptest::option::of(0i64..2_000),
            1i64..10_000,
        )
            .prop_map(
                |(id, priority, channel, store, region, tier, from, to, price)| PriceRule {
                    list_id: id,
                    priority,
                    channel,
                    store,
                    region,
                    tier,
                    valid_from: from,
                    valid_to: to,
                    price_minor: price,
                },
            )
    }

    proptest! {
        #[test]
        fn an_expired_or_future_list_never_applies(rules in proptest::collection::vec(arb_rule(), 0..8)) {
            let c = ctx();
            let r = resolve(99_999, &rules, &c);
            if let Some(id) = r.list_id {
                let chosen = rules.iter().find(|x| x.list_id == id && x.price_minor == r.price_minor && x.applies(&c));
                prop_assert!(chosen.is_some(), "the winner applies");
            } else {
                prop_assert!(rules.iter().all(|x| !x.applies(&c)));
                prop_assert_eq!(r.price_minor, 99_999);
            }
        }

        #[test]
        fn more_specific_wins_at_equal_priority(base in arb_rule(), extra in 0usize..4) {
            // `general` applies; `specific` has the same constraints plus one more that matches.
            let c = ctx();
            let mut general = base.clone();
            general.valid_from = None;
            general.valid_to = None;
            general.channel = general.channel.filter(|_| false);
            general.store = None;
            general.region = None;
            general.tier = None;
            general.list_id = "general".into();
            let mut specific = general.clone();
            specific.list_id = "specific".into();
            specific.price_minor = general.price_minor + 1; // dearer: only specificity can make it win
            match extra {
                0 => specific.store = c.store.clone(),
                1 => specific.region = c.region.clone(),
                2 => specific.channel = c.channel.clone(),
                _ => specific.tier = c.tier.clone(),
            }
            let r = resolve(1, &[general, specific], &c);
            prop_assert_eq!(r.list_id.as_deref(), Some("specific"));
        }

        #[test]
        fn a_superset_of_constraints_always_weighs_more(a in arb_rule(), b in arb_rule()) {
            let subset = |x: &Option<String>, y: &Option<String>| x.is_none() || x == y;
            let a_sub_b = subset(&a.channel, &b.channel) && subset(&a.store, &b.store)
                && subset(&a.region, &b.region) && subset(&a.tier, &b.tier);
            if a_sub_b && a.specificity() != b.specificity() {
                prop_assert!(b.specificity() > a.specificity());
            }
        }

        #[test]
        fn resolution_does_not_depend_on_order(mut rules in proptest::collection::vec(arb_rule(), 0..8)) {
            let c = ctx();
            let first = resolve(500, &rules, &c);
            rules.reverse();
            prop_assert_eq!(resolve(500, &rules, &c), first);
        }
    }
}
