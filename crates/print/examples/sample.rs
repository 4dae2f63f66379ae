//! Writes a sample receipt as `receipt.html`, `receipt.pdf` and `receipt.bin` (ESC/POS) into
//! the folder given as the first argument, to look at the layout or send it to a printer
//! (`nc printer 9100 < receipt.bin`).

use salepoint_print::{Block, Document, escpos, html, pdf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let pair = |label: &str, value: &str| Block::Pair {
        label: label.into(),
        value: value.into(),
    };
    let item = |name: &str, detail: &str, amount: &str| Block::Item {
        name: name.into(),
        detail: detail.into(),
        amount: amount.into(),
    };
    let doc = Document {
        copy: true,
        blocks: vec![
            Block::Title("示例便利店 中关村店".into()),
            Block::Text("北京市海淀区中关村大街1号 电话 010-12345678".into()),
            Block::Text("SH001-20261127-0007  2026-11-27 14:05".into()),
            Block::Rule,
            item("可口可乐 330ml", "2 × ￥3.50", "￥7.00"),
            item(
                "农夫山泉饮用天然水550ml（整箱装，二十四瓶）特惠促销装限时供应",
                "1 × ￥39.90",
                "￥39.90",
            ),
            item("Bananas, loose", "0.532 kg × ￥7.98", "￥4.25"),
            Block::Rule,
            Block::Total {
                label: "合计 Total".into(),
                value: "￥51.15".into(),
            },
            pair("现金 Cash", "￥60.00"),
            pair("找零 Change", "￥8.85"),
            pair("收银员 Cashier", "王小明"),
            Block::Rule,
            Block::Code("SH001-20261127-0007".into()),
            Block::Text("谢谢惠顾，欢迎再次光临！".into()),
        ],
    };
    std::fs::write(dir.join("receipt.html"), html(&doc, "zh-CN"))?;
    std::fs::write(dir.join("receipt.pdf"), pdf(&doc)?)?;
    std::fs::write(dir.join("receipt.bin"), escpos(&doc)?)?;
    Ok(())
}
