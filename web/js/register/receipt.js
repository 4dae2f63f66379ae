// The local receipt: what the register prints for a sale the server has not seen yet (offline).
// A small self-contained HTML page for an 80 mm printer, made from what the register knew at
// the time of the sale. It says that it is provisional; the server's receipt (with its receipt
// number) can be printed once the sale is uploaded.
import { formatTime } from '../forms.js';
import { t } from '../i18n.js';
import { formatMoney } from '../money.js';
import { quantityString } from './decimal.js';

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

/**
 * What a local receipt needs, taken when the sale is completed: the store and register, the
 * cashier, the priced lines, the totals and the tenders (API shape plus their names).
 */
export function receiptData({ id, createdAt, store, register, cashier, cart, priced, pay, nameOf }) {
  return {
    id,
    created_at: createdAt,
    store: store ? { code: store.code, name: store.name, address: store.address || '' } : null,
    register: register ? { code: register.code, name: register.name } : null,
    cashier: cashier || '',
    lines: cart.lines.map((l, i) => ({
      name: nameOf(l),
      quantity: quantityString(l.qty_milli),
      unit_price_minor: l.unit_price_minor,
      gross_minor: priced.lines[i].gross,
      discount_minor: priced.lines[i].lineDiscount + priced.lines[i].orderDiscount,
      net_minor: priced.lines[i].net,
    })),
    subtotal_minor: priced.subtotal,
    discount_minor: priced.discount,
    tax_minor: priced.tax,
    total_minor: priced.total,
    rounding_minor: pay.rounding,
    amount_due_minor: pay.amountDue,
    change_minor: pay.change,
    tenders: pay.tenders.map((x) => ({ ...x })),
  };
}

/** The printable HTML of a local receipt. */
export function localReceiptHtml(r) {
  const money = (m) => esc(formatMoney(m));
  const row = (label, value, cls = '') => `<tr class="${cls}"><td>${esc(label)}</td><td class="r">${value}</td></tr>`;
  const lines = r.lines.map((l) => `
      <tr><td colspan="2">${esc(l.name)}</td></tr>
      <tr><td class="s">${esc(l.quantity)} × ${money(l.unit_price_minor)}${l.discount_minor ? ` − ${money(l.discount_minor)}` : ''}</td>
          <td class="r">${money(l.net_minor)}</td></tr>`).join('');
  const tenders = r.tenders.map((x) => {
    let s = row(x.name || x.code, money(x.amount_minor));
    if (x.tendered_minor) s += row(`  ${t('register.pay.tendered')}`, money(x.tendered_minor), 's');
    if (x.card_last4) s += row(`  ${t('register.pay.last4')}`, `**** ${esc(x.card_last4)}`, 's');
    if (x.reference) s += row(`  ${t('register.pay.reference')}`, esc(x.reference), 's');
    return s;
  }).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(t('register.receipt.localTitle'))}</title>
<style>
  body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", monospace; width: 72mm; margin: 0 auto; font-size: 12px; color: #000; }
  h1 { font-size: 15px; text-align: center; margin: 6px 0 2px; }
  .c { text-align: center; } .r { text-align: right; white-space: nowrap; } .s { font-size: 11px; }
  table { width: 100%; border-collapse: collapse; } td { padding: 1px 0; vertical-align: top; }
  .sep { border-top: 1px dashed #000; margin: 4px 0; } .big td { font-size: 14px; font-weight: bold; }
  .warn { border: 1px solid #000; padding: 3px; margin: 4px 0; text-align: center; font-weight: bold; }
  @media print { @page { size: 80mm auto; margin: 2mm; } }
</style></head><body data-test="local-receipt">
  <h1>${esc(r.store ? `${r.store.code} ${r.store.name}` : '')}</h1>
  <div class="c s">${esc(r.store?.address || '')}</div>
  <div class="warn">${esc(t('register.receipt.provisional'))}</div>
  <div class="s">${esc(t('register.receipt.register'))}: ${esc(r.register ? `${r.register.code} ${r.register.name}` : '')}</div>
  <div class="s">${esc(t('register.receipt.cashier'))}: ${esc(r.cashier)}</div>
  <div class="s">${esc(t('register.receipt.time'))}: ${esc(formatTime(r.created_at))}</div>
  <div class="s">${esc(t('register.receipt.saleId'))}: ${esc(r.id)}</div>
  <div class="sep"></div>
  <table>${lines}</table>
  <div class="sep"></div>
  <table>
    ${row(t('register.subtotal'), money(r.subtotal_minor))}
    ${r.discount_minor ? row(t('register.discountTotal'), `−${money(r.discount_minor)}`) : ''}
    ${row(t('register.tax'), money(r.tax_minor), 's')}
    ${row(t('register.total'), money(r.total_minor), 'big')}
    ${r.rounding_minor ? row(t('register.pay.rounding'), money(r.rounding_minor)) : ''}
    ${r.rounding_minor ? row(t('register.pay.due'), money(r.amount_due_minor), 'big') : ''}
  </table>
  <div class="sep"></div>
  <table>${tenders}${r.change_minor ? row(t('register.pay.change'), money(r.change_minor), 'big') : ''}</table>
  <div class="sep"></div>
  <div class="c s">${esc(t('register.receipt.thanks'))}</div>
</body></html>`;
}
