//! The demo chain: a CNY, tax-inclusive grocery chain with 3 regions, 20 stores and 2
//! warehouses in real Chinese cities, 2–4 registers per store, four channels and one user per
//! role. Everything but ids and password hashes is fixed, so a figure seen once can be found
//! again. Later modules add their data here.

use crate::bootstrap::{self, ADMIN_USERNAME};
use crate::clock;
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use crate::org::CompanyInput;
use crate::secrets;
use crate::users::{self, NewUser};
use salepoint_domain::ids::{ChannelId, CompanyId, RegionId, RegisterId, StoreId, UserId};
use salepoint_domain::org::{Locale, RoundingRule, TaxMode};
use salepoint_domain::roles::Role;

/// The password of every demo user but `admin`.
pub const DEMO_PASSWORD: &str = "Salepoint-Demo-2026";

/// (code, name, region index, city address, kind)
const LOCATIONS: &[(&str, &str, usize, &str, &str)] = &[
    (
        "SH001",
        "上海南京东路店",
        0,
        "上海市黄浦区南京东路 300 号",
        "store",
    ),
    (
        "SH002",
        "上海徐家汇店",
        0,
        "上海市徐汇区漕溪北路 88 号",
        "store",
    ),
    (
        "SH003",
        "上海浦东陆家嘴店",
        0,
        "上海市浦东新区世纪大道 100 号",
        "store",
    ),
    (
        "HZ001",
        "杭州西湖店",
        0,
        "浙江省杭州市西湖区延安路 258 号",
        "store",
    ),
    (
        "HZ002",
        "杭州滨江店",
        0,
        "浙江省杭州市滨江区江南大道 588 号",
        "store",
    ),
    (
        "NJ001",
        "南京新街口店",
        0,
        "江苏省南京市秦淮区中山南路 1 号",
        "store",
    ),
    (
        "SZ101",
        "苏州观前街店",
        0,
        "江苏省苏州市姑苏区观前街 50 号",
        "store",
    ),
    (
        "GZ001",
        "广州天河城店",
        1,
        "广东省广州市天河区天河路 208 号",
        "store",
    ),
    (
        "GZ002",
        "广州北京路店",
        1,
        "广东省广州市越秀区北京路 168 号",
        "store",
    ),
    (
        "SZ001",
        "深圳福田店",
        1,
        "广东省深圳市福田区深南中路 3018 号",
        "store",
    ),
    (
        "SZ002",
        "深圳南山店",
        1,
        "广东省深圳市南山区海岸城 2 号",
        "store",
    ),
    (
        "XM001",
        "厦门中山路店",
        1,
        "福建省厦门市思明区中山路 99 号",
        "store",
    ),
    (
        "FS001",
        "佛山祖庙店",
        1,
        "广东省佛山市禅城区祖庙路 33 号",
        "store",
    ),
    (
        "BJ001",
        "北京王府井店",
        2,
        "北京市东城区王府井大街 138 号",
        "store",
    ),
    (
        "BJ002",
        "北京中关村店",
        2,
        "北京市海淀区中关村大街 15 号",
        "store",
    ),
    ("BJ003", "北京望京店", 2, "北京市朝阳区望京街 9 号", "store"),
    (
        "TJ001",
        "天津滨江道店",
        2,
        "天津市和平区滨江道 208 号",
        "store",
    ),
    (
        "QD001",
        "青岛台东店",
        2,
        "山东省青岛市市北区台东三路 66 号",
        "store",
    ),
    (
        "JN001",
        "济南泉城路店",
        2,
        "山东省济南市历下区泉城路 188 号",
        "store",
    ),
    (
        "SJZ01",
        "石家庄中山路店",
        2,
        "河北省石家庄市长安区中山东路 39 号",
        "store",
    ),
    (
        "WH-SH",
        "上海嘉定配送中心",
        0,
        "上海市嘉定区嘉涌路 1200 号",
        "warehouse",
    ),
    (
        "WH-GZ",
        "广州白云配送中心",
        1,
        "广东省广州市白云区太和镇 88 号",
        "warehouse",
    ),
];

const REGIONS: &[(&str, &str)] = &[("EAST", "华东区"), ("SOUTH", "华南区"), ("NORTH", "华北区")];

const CHANNELS: &[(&str, &str, &str)] = &[
    ("STORE", "门店零售", "store"),
    ("ONLINE", "线上商城", "online"),
    ("WHOLESALE", "批发", "wholesale"),
    ("DIST", "经销商", "distributor"),
];

/// A demo user: username, display name, role, stores and regions (by index into the lists
/// above), and what they see, in words.
type DemoPerson = (
    &'static str,
    &'static str,
    Role,
    &'static [usize],
    &'static [usize],
    &'static str,
);

/// One demo login.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    pub role: Role,
    pub username: String,
    pub password: String,
    pub scope: String,
}

async fn insert_location(
    tx: &mut Tx,
    company: CompanyId,
    id: StoreId,
    region: RegionId,
    loc: &(&str, &str, usize, &str, &str),
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO stores (id, company_id, region_id, code, name, kind, address, time_zone, \
         business_day_cutoff_hour, cash_rounding, negative_stock_policy, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'Asia/Shanghai', 4, $8, $9, 1, $10, $10)",
    )
    .bind(id.to_string())
    .bind(company.to_string())
    .bind(region.to_string())
    .bind(loc.0)
    .bind(loc.1)
    .bind(loc.4)
    .bind(loc.3)
    .bind(if loc.4 == "store" { "0.1" } else { "none" })
    .bind(if loc.4 == "store" { "allow" } else { "refuse" })
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Fills an empty database with the demo chain. Returns one login per role, or `None` if the
/// database already holds data.
pub async fn seed(
    db: &Db,
    admin_password_env: Option<String>,
) -> StoreResult<Option<Vec<DemoLogin>>> {
    if !bootstrap::is_empty(db).await? {
        return Ok(None);
    }
    let (admin_password, _) = bootstrap::admin_password(admin_password_env)?;
    let now = clock::now();
    let demo_hash = secrets::hash_password(DEMO_PASSWORD.into()).await?;
    let mut tx = db.begin().await?;
    let (company, _) = bootstrap::create_company_and_admin(
        &mut tx,
        &CompanyInput {
            name: "鲜丰汇连锁超市".into(),
            currency: "CNY".into(),
            default_locale: Locale::ZhCn,
            tax_mode: TaxMode::Inclusive,
            rounding_rule: RoundingRule::HalfUp,
            time_zone: "Asia/Shanghai".into(),
            version: None,
        },
        &admin_password,
    )
    .await?;
    let mut region_ids = Vec::new();
    for (code, name) in REGIONS {
        let id = RegionId::new();
        sqlx::query("INSERT INTO regions (id, company_id, code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(id.to_string())
            .bind(company.to_string())
            .bind(*code)
            .bind(*name)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        region_ids.push(id);
    }
    let mut store_ids = Vec::new();
    for (i, loc) in LOCATIONS.iter().enumerate() {
        let id = StoreId::new();
        insert_location(&mut tx, company, id, region_ids[loc.2], loc, &now).await?;
        if loc.4 == "store" {
            for n in 1..=(2 + i % 3) {
                sqlx::query(
                    "INSERT INTO registers (id, company_id, store_id, code, name, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
                )
                .bind(RegisterId::new().to_string())
                .bind(company.to_string())
                .bind(id.to_string())
                .bind(format!("POS{n:02}"))
                .bind(format!("{n} 号收银台"))
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        store_ids.push(id);
    }
    for (code, name, kind) in CHANNELS {
        sqlx::query("INSERT INTO channels (id, company_id, code, name, kind, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)")
            .bind(ChannelId::new().to_string())
            .bind(company.to_string())
            .bind(*code)
            .bind(*name)
            .bind(*kind)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
    }
    let people: &[DemoPerson] = &[
        (
            "region.east",
            "王建国",
            Role::RegionalManager,
            &[],
            &[0],
            "华东区 / East region",
        ),
        (
            "manager.sh001",
            "李娜",
            Role::StoreManager,
            &[0],
            &[],
            "SH001 上海南京东路店",
        ),
        (
            "cashier.sh001",
            "张伟",
            Role::Cashier,
            &[0],
            &[],
            "SH001 上海南京东路店",
        ),
        (
            "stock.sh001",
            "刘洋",
            Role::StockClerk,
            &[0, 20],
            &[],
            "SH001 + WH-SH",
        ),
        (
            "manager.bj001",
            "陈静",
            Role::StoreManager,
            &[13],
            &[],
            "BJ001 北京王府井店",
        ),
        (
            "cashier.bj001",
            "杨磊",
            Role::Cashier,
            &[13],
            &[],
            "BJ001 北京王府井店",
        ),
        (
            "accountant",
            "赵敏",
            Role::Accountant,
            &[],
            &[0, 1, 2],
            "all regions",
        ),
        (
            "auditor",
            "孙丽",
            Role::Auditor,
            &[],
            &[],
            "all stores (read only)",
        ),
    ];
    let mut logins = vec![DemoLogin {
        role: Role::Admin,
        username: ADMIN_USERNAME.into(),
        password: admin_password.clone(),
        scope: "all stores".into(),
    }];
    for (username, display, role, stores, regions, scope) in people {
        users::insert(
            &mut tx,
            company,
            UserId::new(),
            &NewUser {
                username: (*username).into(),
                display_name: (*display).into(),
                phone: None,
                locale: Some(Locale::ZhCn),
                role: *role,
                password: String::new(),
                store_ids: stores.iter().map(|i| store_ids[*i]).collect(),
                region_ids: regions.iter().map(|i| region_ids[*i]).collect(),
            },
            &demo_hash,
        )
        .await?;
        logins.push(DemoLogin {
            role: *role,
            username: (*username).into(),
            password: DEMO_PASSWORD.into(),
            scope: (*scope).into(),
        });
    }
    crate::demo_catalog::seed(&mut tx, company).await?;
    tx.commit().await?;
    analyze(db).await?;
    Ok(Some(logins))
}

/// Refreshes PostgreSQL's planner statistics after a bulk load (without them it plans the
/// first queries as if the tables were empty); SQLite plans without them.
pub async fn analyze(db: &Db) -> StoreResult<()> {
    if db.backend == crate::db::Backend::Postgres {
        let mut tx = db.begin().await?;
        crate::db::execute(&mut tx, "ANALYZE").await?;
        tx.commit().await?;
    }
    Ok(())
}
