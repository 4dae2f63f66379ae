//! The demo chain's members: three tiers buying at the member price list, the loyalty
//! programme (100 points per yuan, expiring at the end of the next year; top-up bonuses), and
//! 50,000 members with realistic Chinese names, mobile numbers, birthdays, home stores and —
//! for one in five — a stored-value balance from an opening top-up. The sales history then
//! attaches members to the member sales, so their points come from real sales through the
//! register's writer. Deterministic.

use crate::bulk::{self, Val};
use crate::clock;
use crate::customers::profiles;
use crate::db::Db;
use crate::error::StoreResult;
use crate::row;
use salepoint_domain::ids::CompanyId;
use time::{Duration, OffsetDateTime};

/// How many members the demo has.
pub const MEMBERS: usize = 50_000;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "华", "玉兰", "萍", "红", "建华", "文", "辉", "鹏",
    "丹", "宇", "浩", "晨", "欣怡", "梓涵", "子轩", "思远", "雨桐", "佳怡", "俊杰", "婷", "雪",
    "琳", "瑶", "博", "晓东", "海燕", "志强", "春梅",
];
const PREFIXES: &[&str] = &[
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "186",
    "187", "188", "189", "130", "131", "132", "155", "156", "133", "153", "177", "180", "181",
];

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Writes tiers, the programme and the members of `company`; returns the member ids (for the
/// sales history to attach).
pub async fn seed(db: &Db, company: CompanyId) -> StoreResult<Vec<String>> {
    let company = company.to_string();
    let now = clock::now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO loyalty_programs (company_id, redeem_points_per_unit, expiry_mode, expiry_months, tier_window_days, topup_bonus, updated_at) \
         VALUES ($1, 100, 'year_end', 12, 365, $2, $3)",
    )
    .bind(&company)
    .bind(r#"[{"min_minor":50000,"bonus_minor":3000},{"min_minor":100000,"bonus_minor":10000}]"#)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    for (i, (code, name, min, rate, discounted)) in [
        ("SILVER", "银卡会员", 0i64, "1", 0i64),
        ("GOLD", "金卡会员", 300_000, "1.5", 0),
        ("DIAMOND", "钻石会员", 1_000_000, "2", 1),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO member_tiers (id, company_id, code, name, price_tier, min_spend_minor, earn_per_unit, earn_on_discounted, sort, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'member', $5, $6, $7, $8, $9, $9)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&company)
        .bind(code)
        .bind(name)
        .bind(min)
        .bind(rate)
        .bind(discounted)
        .bind(i as i64 * 10)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    let stores: Vec<String> =
        sqlx::query("SELECT id FROM stores WHERE company_id = $1 AND kind = 'store' ORDER BY code")
            .bind(&company)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| row::text(r, "id"))
            .collect::<StoreResult<_>>()?;
    let mut rng = Rng(8_613_800);
    let mut ids = Vec::with_capacity(MEMBERS);
    let mut phones = std::collections::HashSet::new();
    let joined_base = OffsetDateTime::now_utc() - Duration::days(900);
    let mut customers = Vec::with_capacity(MEMBERS);
    let mut ledger = Vec::new();
    for n in 0..MEMBERS {
        let id = uuid::Uuid::now_v7().to_string();
        let name = format!(
            "{}{}",
            SURNAMES[rng.below(SURNAMES.len() as u64) as usize],
            GIVEN[rng.below(GIVEN.len() as u64) as usize]
        );
        let phone = loop {
            let p = format!(
                "+86{}{:08}",
                PREFIXES[rng.below(PREFIXES.len() as u64) as usize],
                rng.below(100_000_000)
            );
            if phones.insert(p.clone()) {
                break p;
            }
        };
        let member_no = format!("M{:08}", 10_000_000 + n);
        let card = format!("C{:010}", 6_200_000_000u64 + n as u64 * 7);
        let birthday = format!(
            "{}-{:02}-{:02}",
            1955 + rng.below(50),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        let gender = if rng.below(100) < 58 {
            "female"
        } else {
            "male"
        };
        let tier = match rng.below(100) {
            0..=74 => "SILVER",
            75..=94 => "GOLD",
            _ => "DIAMOND",
        };
        let joined = clock::format(joined_base + Duration::minutes(n as i64 * 25));
        let consent = rng.below(100) < 70;
        let balance = if rng.below(100) < 20 {
            (200 + rng.below(1800) as i64) * 100
        } else {
            0
        };
        let bonus = salepoint_domain::customers::loyalty::topup_bonus(
            balance,
            &[
                salepoint_domain::customers::loyalty::BonusRule {
                    min_minor: 50_000,
                    bonus_minor: 3_000,
                },
                salepoint_domain::customers::loyalty::BonusRule {
                    min_minor: 100_000,
                    bonus_minor: 10_000,
                },
            ],
        );
        let home = &stores[n % stores.len()];
        customers.push(vec![
            Val::from(id.clone()),
            company.as_str().into(),
            "person".into(),
            name.as_str().into(),
            phone.as_str().into(),
            member_no.as_str().into(),
            card.as_str().into(),
            birthday.into(),
            gender.into(),
            tier.into(),
            (if n % 11 == 0 { r#"["高频"]"# } else { "[]" }).into(),
            (consent as i64).into(),
            consent.then(|| joined.clone()).into(),
            consent.then(|| "register".to_string()).into(),
            home.as_str().into(),
            profiles::search_text(&name, Some(&member_no), Some(&phone), Some(&card), None).into(),
            (balance + bonus).into(),
            joined.as_str().into(),
            joined.as_str().into(),
        ]);
        for (kind, amount) in [("topup", balance), ("bonus", bonus)] {
            if amount > 0 {
                ledger.push(vec![
                    Val::from(uuid::Uuid::now_v7().to_string()),
                    company.as_str().into(),
                    id.as_str().into(),
                    Some(home.clone()).into(),
                    kind.into(),
                    amount.into(),
                    Some("CASH".to_string()).into(),
                    "top_up".into(),
                    id.as_str().into(),
                    joined.as_str().into(),
                ]);
            }
        }
        ids.push(id);
    }
    let mut tx = db.begin().await?;
    for chunk in customers.chunks(2_000) {
        bulk::insert(
            &mut tx,
            "INSERT INTO customers (id, company_id, kind, name, phone, member_no, card_code, birthday, gender, tier_code, tags, \
             marketing_consent, consent_at, consent_source, home_store_id, search_text, stored_value_minor, created_at, updated_at) VALUES ",
            chunk,
            "",
        )
        .await?;
    }
    for chunk in ledger.chunks(2_000) {
        bulk::insert(
            &mut tx,
            "INSERT INTO stored_value_ledger (id, company_id, customer_id, store_id, kind, amount_minor, tender_code, ref_type, ref_id, at) VALUES ",
            chunk,
            "",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids)
}
