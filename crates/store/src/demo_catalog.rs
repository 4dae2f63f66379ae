//! The demo catalog: about 5,000 products of a Chinese supermarket and convenience chain —
//! drinks, snacks, dairy, fresh produce sold by weight, grocery and household goods — with
//! zh and en names, valid EAN-13 barcodes (GS1 China prefixes 690–695), categories, tax
//! classes, costs and prices; a member price list; a scale label format. Deterministic: the
//! same products, codes and prices every time.

use crate::catalog::products::{Barcode, CheckedProduct};
use crate::catalog::{next_change, products};
use crate::clock;
use crate::db::Tx;
use crate::error::StoreResult;
use salepoint_domain::catalog::barcode::{BarcodeKind, with_check_digit};
use salepoint_domain::catalog::{ProductStatus, Unit};
use salepoint_domain::ids::CompanyId;
use std::collections::BTreeMap;

/// A tiny deterministic generator (an LCG), so the demo needs no randomness.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (code, zh, en, parent code)
const CATEGORIES: &[(&str, &str, &str, Option<&str>)] = &[
    ("DRINK", "饮料", "Drinks", None),
    ("DRINK-SODA", "碳酸饮料", "Soft drinks", Some("DRINK")),
    ("DRINK-WATER", "饮用水", "Water", Some("DRINK")),
    ("DRINK-TEA", "茶饮料", "Tea drinks", Some("DRINK")),
    ("DRINK-JUICE", "果汁", "Juice", Some("DRINK")),
    ("DRINK-COFFEE", "咖啡", "Coffee", Some("DRINK")),
    ("SNACK", "休闲零食", "Snacks", None),
    ("SNACK-CHIPS", "薯片膨化", "Chips", Some("SNACK")),
    ("SNACK-BISCUIT", "饼干糕点", "Biscuits", Some("SNACK")),
    ("SNACK-CANDY", "糖果巧克力", "Sweets", Some("SNACK")),
    ("SNACK-NUTS", "坚果炒货", "Nuts", Some("SNACK")),
    ("DAIRY", "乳制品", "Dairy", None),
    ("DAIRY-MILK", "牛奶", "Milk", Some("DAIRY")),
    ("DAIRY-YOGURT", "酸奶", "Yogurt", Some("DAIRY")),
    ("FRESH", "生鲜", "Fresh", None),
    ("FRESH-FRUIT", "水果", "Fruit", Some("FRESH")),
    ("FRESH-VEG", "蔬菜", "Vegetables", Some("FRESH")),
    ("FRESH-MEAT", "肉禽", "Meat", Some("FRESH")),
    ("GROCERY", "粮油调味", "Grocery", None),
    (
        "GROCERY-RICE",
        "米面杂粮",
        "Rice and flour",
        Some("GROCERY"),
    ),
    ("GROCERY-OIL", "食用油", "Cooking oil", Some("GROCERY")),
    ("GROCERY-SAUCE", "调味品", "Condiments", Some("GROCERY")),
    (
        "GROCERY-NOODLE",
        "方便食品",
        "Instant food",
        Some("GROCERY"),
    ),
    ("HOME", "日用百货", "Household", None),
    ("HOME-PAPER", "纸品", "Paper", Some("HOME")),
    ("HOME-CLEAN", "清洁用品", "Cleaning", Some("HOME")),
    ("HOME-CARE", "个人护理", "Personal care", Some("HOME")),
];

/// (category, brands (zh, en), bases (zh, en, base price in fen), variants (zh, en, price factor %), unit, tax)
type Line = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str, i64)],
    &'static [(&'static str, &'static str, i64)],
    Unit,
    &'static str,
);

const LINES: &[Line] = &[
    (
        "DRINK-SODA",
        &[
            ("可口可乐", "Coca-Cola"),
            ("百事", "Pepsi"),
            ("雪碧", "Sprite"),
            ("芬达", "Fanta"),
            ("元气森林", "Genki Forest"),
            ("美年达", "Mirinda"),
        ],
        &[
            ("汽水", "soda", 300),
            ("无糖汽水", "zero sugar soda", 350),
            ("气泡水", "sparkling water", 450),
            ("柠檬味汽水", "lemon soda", 320),
        ],
        &[
            ("330ml 罐装", "330ml can", 100),
            ("500ml 瓶装", "500ml bottle", 120),
            ("1.25L 瓶装", "1.25L bottle", 230),
            ("2L 瓶装", "2L bottle", 320),
            ("330ml×6 罐", "330ml x6 cans", 560),
            ("330ml×24 箱", "330ml x24 case", 2000),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "DRINK-WATER",
        &[
            ("农夫山泉", "Nongfu Spring"),
            ("怡宝", "C'estbon"),
            ("百岁山", "Ganten"),
            ("娃哈哈", "Wahaha"),
            ("康师傅", "Master Kong"),
        ],
        &[
            ("饮用天然水", "natural water", 200),
            ("纯净水", "purified water", 180),
            ("矿泉水", "mineral water", 300),
            ("苏打水", "soda water", 400),
        ],
        &[
            ("550ml", "550ml", 100),
            ("380ml", "380ml", 80),
            ("1.5L", "1.5L", 200),
            ("4L 桶装", "4L jug", 450),
            ("550ml×12 箱", "550ml x12 case", 1000),
            ("550ml×24 箱", "550ml x24 case", 1900),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "DRINK-TEA",
        &[
            ("康师傅", "Master Kong"),
            ("统一", "Uni-President"),
            ("东方树叶", "Oriental Leaf"),
            ("三得利", "Suntory"),
            ("王老吉", "Wanglaoji"),
            ("加多宝", "JDB"),
        ],
        &[
            ("冰红茶", "iced black tea", 300),
            ("绿茶", "green tea", 300),
            ("乌龙茶", "oolong tea", 450),
            ("茉莉花茶", "jasmine tea", 450),
            ("凉茶", "herbal tea", 400),
            ("柠檬茶", "lemon tea", 350),
        ],
        &[
            ("500ml", "500ml", 100),
            ("250ml 盒装", "250ml carton", 70),
            ("1L", "1L", 180),
            ("500ml×15 箱", "500ml x15 case", 1300),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "DRINK-JUICE",
        &[
            ("汇源", "Huiyuan"),
            ("美汁源", "Minute Maid"),
            ("农夫果园", "Nongfu Orchard"),
            ("味全", "Weichuan"),
            ("零度果坊", "Zero Fruit"),
        ],
        &[
            ("橙汁", "orange juice", 550),
            ("苹果汁", "apple juice", 550),
            ("桃汁", "peach juice", 600),
            ("葡萄汁", "grape juice", 600),
            ("芒果汁", "mango juice", 650),
            ("混合果汁", "mixed juice", 600),
        ],
        &[
            ("450ml", "450ml", 100),
            ("1L", "1L", 190),
            ("2L", "2L", 330),
            ("250ml×6 盒", "250ml x6 cartons", 280),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "DRINK-COFFEE",
        &[
            ("雀巢", "Nescafé"),
            ("星巴克", "Starbucks"),
            ("三顿半", "Saturnbird"),
            ("瑞幸", "Luckin"),
            ("隅田川", "Sumida"),
        ],
        &[
            ("即饮咖啡", "ready-to-drink coffee", 700),
            ("拿铁", "latte", 800),
            ("美式黑咖啡", "americano", 700),
            ("速溶咖啡", "instant coffee", 3500),
            ("挂耳咖啡", "drip coffee bags", 4500),
        ],
        &[
            ("268ml", "268ml", 100),
            ("瓶装 280ml", "280ml bottle", 110),
            ("12 条装", "12 sticks", 90),
            ("30 条装", "30 sticks", 200),
            ("10 片装", "10 pack", 100),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "SNACK-CHIPS",
        &[
            ("乐事", "Lay's"),
            ("可比克", "Copico"),
            ("上好佳", "Oishi"),
            ("品客", "Pringles"),
            ("旺旺", "Want Want"),
        ],
        &[
            ("原味薯片", "classic chips", 700),
            ("黄瓜味薯片", "cucumber chips", 700),
            ("番茄味薯片", "tomato chips", 700),
            ("烧烤味薯片", "BBQ chips", 700),
            ("鲜虾片", "prawn crackers", 600),
            ("雪饼", "rice crackers", 800),
        ],
        &[
            ("40g", "40g", 60),
            ("70g", "70g", 100),
            ("135g", "135g", 170),
            ("家庭装 200g", "family 200g", 240),
        ],
        Unit::Bag,
        "VAT13",
    ),
    (
        "SNACK-BISCUIT",
        &[
            ("奥利奥", "Oreo"),
            ("好丽友", "Orion"),
            ("达利园", "Daliyuan"),
            ("康师傅", "Master Kong"),
            ("嘉士利", "Jiashili"),
            ("三只松鼠", "Three Squirrels"),
        ],
        &[
            ("夹心饼干", "sandwich cookies", 900),
            ("苏打饼干", "soda crackers", 800),
            ("派", "pie", 1500),
            ("法式软面包", "soft bread", 1200),
            ("蛋卷", "egg rolls", 1100),
            ("威化饼干", "wafers", 900),
        ],
        &[
            ("97g", "97g", 100),
            ("194g", "194g", 180),
            ("388g", "388g", 320),
            ("6 枚装", "6 pieces", 110),
            ("12 枚装", "12 pieces", 200),
        ],
        Unit::Box,
        "VAT13",
    ),
    (
        "SNACK-CANDY",
        &[
            ("德芙", "Dove"),
            ("士力架", "Snickers"),
            ("大白兔", "White Rabbit"),
            ("阿尔卑斯", "Alpenliebe"),
            ("费列罗", "Ferrero"),
            ("徐福记", "Hsu Fu Chi"),
        ],
        &[
            ("牛奶巧克力", "milk chocolate", 1200),
            ("黑巧克力", "dark chocolate", 1400),
            ("奶糖", "milk candy", 1000),
            ("硬糖", "hard candy", 800),
            ("榛果威化", "hazelnut wafer", 3000),
            ("酥心糖", "crispy candy", 1500),
        ],
        &[
            ("43g", "43g", 60),
            ("80g", "80g", 100),
            ("252g 碗装", "252g bowl", 280),
            ("500g 袋装", "500g bag", 480),
            ("礼盒装", "gift box", 900),
        ],
        Unit::Pack,
        "VAT13",
    ),
    (
        "SNACK-NUTS",
        &[
            ("三只松鼠", "Three Squirrels"),
            ("良品铺子", "Bestore"),
            ("洽洽", "Chacha"),
            ("百草味", "Be & Cheery"),
            ("沃隆", "Wolong"),
        ],
        &[
            ("每日坚果", "daily nuts", 1500),
            ("瓜子", "sunflower seeds", 900),
            ("夏威夷果", "macadamia", 2500),
            ("碧根果", "pecans", 2800),
            ("开心果", "pistachios", 3000),
            ("巴旦木", "almonds", 2400),
        ],
        &[
            ("25g", "25g", 30),
            ("150g", "150g", 100),
            ("260g", "260g", 170),
            ("500g", "500g", 310),
            ("礼盒 750g", "gift box 750g", 480),
        ],
        Unit::Bag,
        "VAT13",
    ),
    (
        "DAIRY-MILK",
        &[
            ("伊利", "Yili"),
            ("蒙牛", "Mengniu"),
            ("光明", "Bright"),
            ("特仑苏", "Telunsu"),
            ("金典", "Satine"),
            ("三元", "Sanyuan"),
        ],
        &[
            ("纯牛奶", "whole milk", 550),
            ("低脂牛奶", "low-fat milk", 580),
            ("有机纯牛奶", "organic milk", 850),
            ("鲜牛奶", "fresh milk", 900),
            ("早餐奶", "breakfast milk", 500),
        ],
        &[
            ("250ml", "250ml", 60),
            ("950ml", "950ml", 180),
            ("250ml×12 盒", "250ml x12", 600),
            ("250ml×24 箱", "250ml x24 case", 1150),
        ],
        Unit::Box,
        "VAT13",
    ),
    (
        "DAIRY-YOGURT",
        &[
            ("安慕希", "Ambrosial"),
            ("纯甄", "Just Yogurt"),
            ("简爱", "Simplove"),
            ("光明", "Bright"),
            ("君乐宝", "Junlebao"),
            ("养乐多", "Yakult"),
        ],
        &[
            ("原味酸奶", "plain yogurt", 600),
            ("草莓酸奶", "strawberry yogurt", 650),
            ("希腊酸奶", "Greek yogurt", 900),
            ("乳酸菌饮品", "probiotic drink", 1200),
            ("风味发酵乳", "fermented milk", 700),
        ],
        &[
            ("200g", "200g", 100),
            ("100g×4 杯", "100g x4 cups", 150),
            ("1kg 桶", "1kg tub", 400),
            ("100ml×5 瓶", "100ml x5", 110),
        ],
        Unit::Box,
        "VAT13",
    ),
    (
        "GROCERY-RICE",
        &[
            ("金龙鱼", "Arawana"),
            ("福临门", "Fortune"),
            ("十月稻田", "Shiyue Daotian"),
            ("五得利", "Wudeli"),
            ("香满园", "Xiangmanyuan"),
        ],
        &[
            ("东北大米", "northeast rice", 3000),
            ("泰国香米", "jasmine rice", 4500),
            ("五常稻花香", "Wuchang rice", 6900),
            ("高筋面粉", "bread flour", 2500),
            ("小米", "millet", 2000),
            ("挂面", "dried noodles", 800),
        ],
        &[
            ("1kg", "1kg", 40),
            ("2.5kg", "2.5kg", 100),
            ("5kg", "5kg", 190),
            ("10kg", "10kg", 360),
        ],
        Unit::Bag,
        "VAT9",
    ),
    (
        "GROCERY-OIL",
        &[
            ("金龙鱼", "Arawana"),
            ("鲁花", "Luhua"),
            ("福临门", "Fortune"),
            ("多力", "Dori"),
            ("胡姬花", "Hujihua"),
        ],
        &[
            ("花生油", "peanut oil", 9000),
            ("菜籽油", "rapeseed oil", 6000),
            ("玉米油", "corn oil", 6500),
            ("葵花籽油", "sunflower oil", 7000),
            ("调和油", "blended oil", 5500),
        ],
        &[
            ("900ml", "900ml", 25),
            ("1.8L", "1.8L", 45),
            ("5L", "5L", 100),
            ("5L×2 桶", "5L x2", 195),
        ],
        Unit::Bottle,
        "VAT9",
    ),
    (
        "GROCERY-SAUCE",
        &[
            ("海天", "Haday"),
            ("李锦记", "Lee Kum Kee"),
            ("老干妈", "Lao Gan Ma"),
            ("千禾", "Qianhe"),
            ("太太乐", "Totole"),
            ("恒顺", "Hengshun"),
        ],
        &[
            ("生抽", "light soy sauce", 1000),
            ("老抽", "dark soy sauce", 1000),
            ("蚝油", "oyster sauce", 1200),
            ("香醋", "vinegar", 900),
            ("辣椒酱", "chili sauce", 1100),
            ("鸡精", "chicken bouillon", 1300),
        ],
        &[
            ("500ml", "500ml", 100),
            ("1.28L", "1.28L", 210),
            ("280g", "280g", 90),
            ("1.9L", "1.9L", 290),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "GROCERY-NOODLE",
        &[
            ("康师傅", "Master Kong"),
            ("统一", "Uni-President"),
            ("白象", "Baixiang"),
            ("今麦郎", "Jinmailang"),
            ("日清", "Nissin"),
            ("好欢螺", "Haohuanluo"),
        ],
        &[
            ("红烧牛肉面", "braised beef noodles", 450),
            ("老坛酸菜面", "pickled cabbage noodles", 450),
            ("香辣牛肉面", "spicy beef noodles", 450),
            ("螺蛳粉", "river snail noodles", 1500),
            ("自热火锅", "self-heating hotpot", 3000),
            ("酸辣粉", "hot and sour noodles", 900),
        ],
        &[
            ("袋装", "pouch", 70),
            ("桶装", "cup", 100),
            ("5 连包", "5-pack", 320),
            ("12 桶箱装", "12-cup case", 1100),
        ],
        Unit::Pack,
        "VAT13",
    ),
    (
        "HOME-PAPER",
        &[
            ("维达", "Vinda"),
            ("清风", "Breeze"),
            ("心相印", "Hearttex"),
            ("洁柔", "C&S"),
            ("得宝", "Tempo"),
        ],
        &[
            ("抽纸", "facial tissue", 1500),
            ("卷纸", "toilet roll", 2500),
            ("湿巾", "wet wipes", 1200),
            ("厨房纸", "kitchen towel", 1800),
            ("手帕纸", "pocket tissue", 1000),
        ],
        &[
            ("3 层 100 抽×3 包", "3-ply 100 x3", 100),
            ("3 层 120 抽×6 包", "3-ply 120 x6", 190),
            ("10 卷", "10 rolls", 140),
            ("27 卷", "27 rolls", 320),
            ("80 片", "80 sheets", 90),
        ],
        Unit::Pack,
        "VAT13",
    ),
    (
        "HOME-CLEAN",
        &[
            ("蓝月亮", "Bluemoon"),
            ("立白", "Liby"),
            ("汰渍", "Tide"),
            ("奥妙", "OMO"),
            ("威猛先生", "Mr Muscle"),
            ("超能", "Chaoneng"),
        ],
        &[
            ("洗衣液", "laundry liquid", 4000),
            ("洗衣粉", "washing powder", 2500),
            ("洗洁精", "dish soap", 1200),
            ("消毒液", "disinfectant", 2000),
            ("厨房清洁剂", "kitchen cleaner", 2500),
            ("洗衣凝珠", "laundry pods", 5000),
        ],
        &[
            ("500g", "500g", 40),
            ("1kg", "1kg", 70),
            ("2kg", "2kg", 100),
            ("3kg", "3kg", 140),
            ("补充装 1kg", "refill 1kg", 60),
        ],
        Unit::Bottle,
        "VAT13",
    ),
    (
        "HOME-CARE",
        &[
            ("海飞丝", "Head & Shoulders"),
            ("潘婷", "Pantene"),
            ("舒肤佳", "Safeguard"),
            ("高露洁", "Colgate"),
            ("云南白药", "Yunnan Baiyao"),
            ("六神", "Liushen"),
        ],
        &[
            ("洗发水", "shampoo", 4500),
            ("护发素", "conditioner", 4500),
            ("沐浴露", "body wash", 4000),
            ("牙膏", "toothpaste", 1500),
            ("香皂", "soap", 800),
            ("花露水", "floral water", 1200),
        ],
        &[
            ("200ml", "200ml", 60),
            ("400ml", "400ml", 100),
            ("750ml", "750ml", 160),
            ("120g", "120g", 100),
            ("3 块装", "3 bars", 120),
        ],
        Unit::Bottle,
        "VAT13",
    ),
];

/// Fresh goods sold by weight: (category, zh, en, price per kg in fen)
const FRESH: &[(&str, &str, &str, i64)] = &[
    ("FRESH-FRUIT", "苹果", "Apple", 1198),
    ("FRESH-FRUIT", "香蕉", "Banana", 698),
    ("FRESH-FRUIT", "橙子", "Orange", 998),
    ("FRESH-FRUIT", "葡萄", "Grapes", 1598),
    ("FRESH-FRUIT", "西瓜", "Watermelon", 398),
    ("FRESH-FRUIT", "梨", "Pear", 898),
    ("FRESH-FRUIT", "芒果", "Mango", 1398),
    ("FRESH-FRUIT", "猕猴桃", "Kiwi", 1698),
    ("FRESH-FRUIT", "火龙果", "Dragon fruit", 1298),
    ("FRESH-FRUIT", "草莓", "Strawberry", 3998),
    ("FRESH-FRUIT", "车厘子", "Cherries", 7998),
    ("FRESH-FRUIT", "荔枝", "Lychee", 2598),
    ("FRESH-VEG", "西红柿", "Tomato", 598),
    ("FRESH-VEG", "黄瓜", "Cucumber", 498),
    ("FRESH-VEG", "土豆", "Potato", 298),
    ("FRESH-VEG", "大白菜", "Napa cabbage", 198),
    ("FRESH-VEG", "胡萝卜", "Carrot", 398),
    ("FRESH-VEG", "青椒", "Green pepper", 698),
    ("FRESH-VEG", "茄子", "Eggplant", 598),
    ("FRESH-VEG", "西兰花", "Broccoli", 998),
    ("FRESH-VEG", "菠菜", "Spinach", 798),
    ("FRESH-VEG", "洋葱", "Onion", 298),
    ("FRESH-VEG", "生姜", "Ginger", 1198),
    ("FRESH-VEG", "大蒜", "Garlic", 998),
    ("FRESH-MEAT", "猪五花肉", "Pork belly", 2998),
    ("FRESH-MEAT", "猪里脊", "Pork loin", 3598),
    ("FRESH-MEAT", "牛腩", "Beef brisket", 6998),
    ("FRESH-MEAT", "鸡胸肉", "Chicken breast", 1998),
    ("FRESH-MEAT", "鸡翅中", "Chicken wings", 3998),
    ("FRESH-MEAT", "羊排", "Lamb ribs", 8998),
];

/// Grades and origins that multiply the fresh goods into realistic separate items.
const FRESH_VARIANTS: &[(&str, &str, i64)] = &[
    ("", "", 100),
    ("精选", "select", 130),
    ("有机", "organic", 180),
    ("特级", "premium", 150),
];

/// Seeds tax classes, categories, products, a member price list and a scale format; returns
/// how many products were created.
pub async fn seed(tx: &mut Tx, company: CompanyId) -> StoreResult<usize> {
    let now = clock::now();
    let mut tax_ids = BTreeMap::new();
    for (code, name, rate) in [
        ("VAT13", "增值税 13%", "0.13"),
        ("VAT9", "增值税 9%", "0.09"),
        ("VAT6", "增值税 6%", "0.06"),
        ("VAT0", "免税 0%", "0"),
    ] {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO tax_classes (id, company_id, code, name, rate, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(&id)
            .bind(company.to_string())
            .bind(code)
            .bind(name)
            .bind(rate)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
        tax_ids.insert(code, id);
    }
    let mut cat_ids: BTreeMap<&str, String> = BTreeMap::new();
    for (i, (code, zh, en, parent)) in CATEGORIES.iter().enumerate() {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO categories (id, company_id, parent_id, code, name, name_en, sort, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(company.to_string())
        .bind(parent.map(|p| cat_ids[p].clone()))
        .bind(*code)
        .bind(*zh)
        .bind(*en)
        .bind(i as i64)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        cat_ids.insert(code, id);
    }
    let seq = next_change(tx, company).await?;
    let mut rng = Lcg(20261127);
    let mut count = 0usize;
    let mut member_items: Vec<(String, i64)> = Vec::new();
    let mut batch: Vec<(String, CheckedProduct)> = Vec::new();
    let mut used_codes = std::collections::HashSet::new();
    let mut ean = |rng: &mut Lcg| loop {
        let body = format!("69{}{:09}", rng.below(6), rng.below(1_000_000_000));
        let code = with_check_digit(&body);
        if used_codes.insert(code.clone()) {
            return code;
        }
    };
    // Packaged goods: brand × base × variant, regular and bonus pack (加量装), until 4,880.
    'lines: for (edition_zh, edition_en, edition_factor) in
        [("", "", 100), ("加量装 ", "bonus pack ", 110)]
    {
        for (cat, brands, bases, variants, unit, tax) in LINES {
            for (bzh, ben) in brands.iter() {
                for (nzh, nen, price) in bases.iter() {
                    for (vzh, ven, factor) in variants.iter() {
                        count += 1;
                        let (vzh, ven) =
                            (format!("{edition_zh}{vzh}"), format!("{edition_en}{ven}"));
                        let factor = factor * edition_factor / 100;
                        let list = ((price * factor / 100) / 10 * 10 + 90).max(90); // prices end in .x9 / .x0
                        let cost = list * (60 + rng.below(20) as i64) / 100;
                        let product = CheckedProduct {
                            sku: format!("P{count:06}"),
                            name_zh: format!("{bzh}{nzh} {vzh}"),
                            name_en: format!("{ben} {nen} {ven}"),
                            receipt_name: format!("{bzh}{nzh}{vzh}")
                                .chars()
                                .filter(|c| !c.is_whitespace())
                                .take(16)
                                .collect(),
                            category_id: Some(cat_ids[cat].clone()),
                            brand: bzh.to_string(),
                            unit: *unit,
                            sold_by_weight: false,
                            quantity_precision: 0,
                            tax_class_id: tax_ids[tax].clone(),
                            cost_price_minor: cost,
                            list_price_minor: list,
                            status: if rng.below(50) == 0 {
                                ProductStatus::Discontinued
                            } else {
                                ProductStatus::Active
                            },
                            image_url: None,
                            attributes: BTreeMap::from([("规格".to_string(), vzh.clone())]),
                            family_code: Some(format!("F{:05}", count / variants.len().max(1))),
                            plu: None,
                            barcodes: vec![Barcode {
                                code: ean(&mut rng),
                                kind: BarcodeKind::Ean13,
                            }],
                        };
                        let id = uuid::Uuid::now_v7().to_string();
                        if rng.below(5) < 2 {
                            member_items.push((id.clone(), list * 95 / 100 / 10 * 10));
                        }
                        batch.push((id, product));
                        if count >= 4_880 {
                            break 'lines;
                        }
                    }
                }
            }
        }
    }
    // Fresh goods by weight, with PLUs for the scales.
    let mut plu = 0;
    for (cat, zh, en, per_kg) in FRESH {
        for (gzh, grade_en, factor) in FRESH_VARIANTS {
            plu += 1;
            count += 1;
            let list = per_kg * factor / 100;
            let product = CheckedProduct {
                sku: format!("F{plu:05}"),
                name_zh: format!("{gzh}{zh}"),
                name_en: format!("{grade_en} {en}").trim().to_string(),
                receipt_name: format!("{gzh}{zh}"),
                category_id: Some(cat_ids[cat].clone()),
                brand: String::new(),
                unit: Unit::Kg,
                sold_by_weight: true,
                quantity_precision: 3,
                tax_class_id: tax_ids["VAT9"].clone(),
                cost_price_minor: list * 65 / 100,
                list_price_minor: list,
                status: ProductStatus::Active,
                image_url: None,
                attributes: BTreeMap::new(),
                family_code: None,
                plu: Some(format!("{}", 10_000 + plu)),
                barcodes: vec![],
            };
            batch.push((uuid::Uuid::now_v7().to_string(), product));
        }
    }
    products::insert_many(tx, company, &batch, seq).await?;
    // The member price list (tier "member", 5 % off about 40 % of packaged goods).
    let list_id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO price_lists (id, company_id, code, name, customer_tier, priority, active, created_at, updated_at) \
         VALUES ($1, $2, 'MEMBER', '会员价', 'member', 0, 1, $3, $3)",
    )
    .bind(&list_id)
    .bind(company.to_string())
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    for chunk in member_items.chunks(300) {
        let mut q = crate::sql::Sql::new(
            "INSERT INTO price_list_items (price_list_id, product_id, price_minor) VALUES ",
        );
        for (i, (product, price)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.bind(list_id.clone())
                .push(", ")
                .bind(product.clone())
                .push(", ")
                .bind(*price)
                .push(")");
        }
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args).execute(&mut **tx).await?;
    }
    sqlx::query(
        "INSERT INTO scale_formats (id, company_id, code, name, prefix, plu_digits, value_kind, value_digits, active, created_at, updated_at) \
         VALUES ($1, $2, 'SCALE-W', '称重标签（2+5位PLU+6位重量克）', '2', 5, 'weight', 6, 1, $3, $3)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(company.to_string())
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(count)
}
