//! RFM scoring (recency, frequency, monetary): each member gets a score 1–5 per dimension from
//! their position among all scored members (quintiles), and a named segment from the three
//! scores. Marketing acts on the segment ("win back the at-risk"), so the rules live here,
//! once, and the store only ranks members in SQL and applies these functions.
//!
//! Quintiles are rank based: a member's score is decided by how many members are strictly
//! *worse* than them, so equal values always get the same score (a plain NTILE would split a
//! tie across two scores arbitrarily).

use serde::Serialize;

/// A named RFM segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// Bought recently, often and much.
    Champions,
    /// Buy often and not long ago.
    Loyal,
    /// Recent buyers who could buy more often.
    Potential,
    /// First purchase recently.
    New,
    /// Used to buy often, not lately: worth a call.
    AtRisk,
    /// Few purchases, a while ago.
    Hibernating,
    /// Few purchases, long ago.
    Lost,
}

impl Segment {
    /// Every segment, best first.
    pub const ALL: [Segment; 7] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::Potential,
        Segment::New,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::Potential => "potential",
            Segment::New => "new",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    /// The segment of a stored or API name.
    pub fn parse(s: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// Scores 1–5 of one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RfmScores {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
}

/// The quintile score (1–5) of a member when `worse` of the `n` scored members have a strictly
/// worse value: `1 + ⌊5 · worse / n⌋`. The best of five distinct values scores 5, the worst 1;
/// ties score alike. The store computes `worse` with `RANK() - 1` over the members.
pub fn quintile(worse: u64, n: u64) -> u8 {
    if n == 0 {
        return 1;
    }
    let worse = worse.min(n - 1) as u128;
    (1 + 5 * worse / n as u128).clamp(1, 5) as u8
}

/// Quintile cut points of one dimension, for scoring members without holding them all: the
/// store asks the database for the values at the ranks [`Quintiles::cut_ranks`], and scores
/// members by the [`Quintiles::bands`] (in SQL, set-based; [`Quintiles::score`] is the same
/// rule in Rust), which agree with [`quintile`] of the member's rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quintiles {
    /// The values at the cut ranks, ascending ("larger is better").
    pub cuts: [i64; 4],
}

impl Quintiles {
    /// The 1-based ranks (in ascending order of value) whose values are the cut points among
    /// `n` members: ⌈j·n/5⌉ for j = 1…4.
    pub fn cut_ranks(n: u64) -> [u64; 4] {
        [1, 2, 3, 4].map(|j| (j * n).div_ceil(5))
    }

    /// The scoring rule as bands, best first: a value strictly above `bound` scores `score`
    /// (the first band that matches wins); a value above none of them scores 1. With ascending
    /// cuts this is 1 plus the number of cut points the value exceeds.
    pub fn bands(&self) -> [(u8, i64); 4] {
        [
            (5, self.cuts[3]),
            (4, self.cuts[2]),
            (3, self.cuts[1]),
            (2, self.cuts[0]),
        ]
    }

    /// The score of `value` by the [`Quintiles::bands`].
    pub fn score(&self, value: i64) -> u8 {
        self.bands()
            .iter()
            .find(|(_, bound)| value > *bound)
            .map_or(1, |(score, _)| *score)
    }
}

impl RfmScores {
    /// Every combination of scores (5 × 5 × 5), for tabulating [`segment`] where the scores
    /// are computed (the store turns the table into SQL, so the rules stay here alone).
    pub fn all() -> impl Iterator<Item = RfmScores> {
        (1..=5u8).flat_map(|recency| {
            (1..=5u8).flat_map(move |frequency| {
                (1..=5u8).map(move |monetary| RfmScores {
                    recency,
                    frequency,
                    monetary,
                })
            })
        })
    }
}

/// One member's raw figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RfmInput {
    /// Days since the last purchase (fewer is better).
    pub recency_days: i64,
    /// Purchases (more is better).
    pub frequency: i64,
    /// Net spend in minor units (more is better).
    pub monetary_minor: i64,
}

/// Scores every member of `members` against the others (in memory; for small sets and as the
/// reference the SQL ranking must agree with).
pub fn score_all(members: &[RfmInput]) -> Vec<RfmScores> {
    let n = members.len() as u64;
    // "Better" is a larger key: recency is negated so that the most recent is the largest.
    let keys = |f: fn(&RfmInput) -> i64| {
        let mut sorted: Vec<i64> = members.iter().map(f).collect();
        sorted.sort_unstable();
        sorted
    };
    let r = keys(|m| -m.recency_days);
    let f = keys(|m| m.frequency);
    let m = keys(|m| m.monetary_minor);
    let worse = |sorted: &[i64], v: i64| sorted.partition_point(|x| *x < v) as u64;
    members
        .iter()
        .map(|x| RfmScores {
            recency: quintile(worse(&r, -x.recency_days), n),
            frequency: quintile(worse(&f, x.frequency), n),
            monetary: quintile(worse(&m, x.monetary_minor), n),
        })
        .collect()
}

/// The named segment of a member's scores, the first rule that matches:
/// champions (R, F and M ≥ 4), new (R ≥ 4, F = 1), loyal (R ≥ 3, F ≥ 3), potential (R ≥ 3),
/// at risk (F ≥ 3, R ≤ 2), hibernating (R = 2), else lost.
pub fn segment(s: RfmScores) -> Segment {
    let RfmScores {
        recency: r,
        frequency: f,
        monetary: m,
    } = s;
    if r >= 4 && f >= 4 && m >= 4 {
        Segment::Champions
    } else if r >= 4 && f <= 1 {
        Segment::New
    } else if r >= 3 && f >= 3 {
        Segment::Loyal
    } else if r >= 3 {
        Segment::Potential
    } else if f >= 3 {
        Segment::AtRisk
    } else if r == 2 {
        Segment::Hibernating
    } else {
        Segment::Lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(days: i64, freq: i64, money: i64) -> RfmInput {
        RfmInput {
            recency_days: days,
            frequency: freq,
            monetary_minor: money,
        }
    }

    #[test]
    fn quintiles_of_five_distinct_values() {
        let scores: Vec<u8> = (0..5).map(|w| quintile(w, 5)).collect();
        assert_eq!(scores, vec![1, 2, 3, 4, 5]);
        assert_eq!(quintile(0, 1), 1);
        assert_eq!(quintile(0, 0), 1);
        assert_eq!(quintile(99, 100), 5);
        assert_eq!(quintile(20, 100), 2);
        assert_eq!(quintile(19, 100), 1);
    }

    #[test]
    fn the_best_customer_is_a_champion_and_the_worst_lost() {
        let members: Vec<RfmInput> = (0..10)
            .map(|i| input(10 + 40 * i, 20 - 2 * i, 100_000 - 9_000 * i))
            .collect();
        let scores = score_all(&members);
        assert_eq!(
            scores[0],
            RfmScores {
                recency: 5,
                frequency: 5,
                monetary: 5
            }
        );
        assert_eq!(segment(scores[0]), Segment::Champions);
        assert_eq!(
            scores[9],
            RfmScores {
                recency: 1,
                frequency: 1,
                monetary: 1
            }
        );
        assert_eq!(segment(scores[9]), Segment::Lost);
    }

    #[test]
    fn ties_score_alike() {
        let members = vec![input(5, 1, 100), input(5, 1, 100), input(300, 1, 100)];
        let s = score_all(&members);
        assert_eq!(s[0], s[1]);
        assert!(s[0].recency > s[2].recency);
        assert_eq!(s[0].frequency, 1);
    }

    #[test]
    fn named_segments() {
        let s = |r, f, m| {
            segment(RfmScores {
                recency: r,
                frequency: f,
                monetary: m,
            })
        };
        assert_eq!(s(5, 5, 5), Segment::Champions);
        assert_eq!(s(5, 1, 1), Segment::New);
        assert_eq!(s(4, 4, 2), Segment::Loyal);
        assert_eq!(s(3, 2, 5), Segment::Potential);
        assert_eq!(s(1, 5, 5), Segment::AtRisk);
        assert_eq!(s(2, 2, 2), Segment::Hibernating);
        assert_eq!(s(1, 1, 5), Segment::Lost);
        for g in Segment::ALL {
            assert_eq!(Segment::parse(g.as_str()), Some(g));
        }
        let all: Vec<RfmScores> = RfmScores::all().collect();
        assert_eq!(all.len(), 125);
        assert!(all.contains(&RfmScores {
            recency: 1,
            frequency: 5,
            monetary: 3
        }));
        assert_eq!(Segment::parse("vip"), None);
    }

    proptest! {
        #[test]
        fn scores_stay_in_range_and_follow_the_order(
            raw in proptest::collection::vec((0i64..1000, 0i64..50, -10_000i64..1_000_000), 1..60)
        ) {
            let members: Vec<RfmInput> = raw.iter().map(|(d, f, m)| input(*d, *f, *m)).collect();
            let scores = score_all(&members);
            for (a, sa) in members.iter().zip(&scores) {
                for v in [sa.recency, sa.frequency, sa.monetary] {
                    prop_assert!((1..=5).contains(&v));
                }
                for (b, sb) in members.iter().zip(&scores) {
                    // Better (or equal) figures never score lower.
                    if a.recency_days <= b.recency_days {
                        prop_assert!(sa.recency >= sb.recency);
                    }
                    if a.frequency >= b.frequency {
                        prop_assert!(sa.frequency >= sb.frequency);
                    }
                    if a.monetary_minor >= b.monetary_minor {
                        prop_assert!(sa.monetary >= sb.monetary);
                    }
                }
            }
        }

        #[test]
        fn cut_points_agree_with_ranks(values in proptest::collection::vec(-50i64..50, 1..80)) {
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let n = sorted.len() as u64;
            let q = Quintiles { cuts: Quintiles::cut_ranks(n).map(|k| sorted[(k - 1) as usize]) };
            for v in &values {
                let worse = sorted.partition_point(|x| x < v) as u64;
                prop_assert_eq!(q.score(*v), quintile(worse, n));
            }
        }

        #[test]
        fn bands_score_one_plus_the_cuts_exceeded(
            mut cuts in proptest::array::uniform4(-50i64..50), v in -60i64..60
        ) {
            cuts.sort_unstable();
            let q = Quintiles { cuts };
            prop_assert_eq!(q.score(v), 1 + cuts.iter().filter(|c| v > **c).count() as u8);
        }

        #[test]
        fn quintile_is_monotonic_and_bounded(n in 1u64..1_000_000, a in 0u64..1_000_000, b in 0u64..1_000_000) {
            let (lo, hi) = (a.min(b).min(n - 1), a.max(b).min(n - 1));
            prop_assert!(quintile(lo, n) <= quintile(hi, n));
            prop_assert!((1..=5).contains(&quintile(a, n)));
        }

        #[test]
        fn every_score_has_a_segment(r in 1u8..=5, f in 1u8..=5, m in 1u8..=5) {
            let g = segment(RfmScores { recency: r, frequency: f, monetary: m });
            // The extremes are what their names promise.
            if r == 5 && f == 5 && m == 5 { prop_assert_eq!(g, Segment::Champions); }
            if r == 1 && f == 1 { prop_assert_eq!(g, Segment::Lost); }
            prop_assert!(Segment::ALL.contains(&g));
        }
    }
}
