/**
 * A partner statement as one printable HTML page: self-contained (no script, no external
 * style, font or image), A4 print CSS, every label in English and Chinese (a statement goes to
 * partners of either language; one page serves both and prints the same). The figures are the
 * JSON document's, as written (amounts exact, bps also as a percentage); the SHA-256 of its
 * canonical JSON is printed in the header and the footer says how to check it.
 */
import type { StatementComponent, StatementMonth, StatementRebate } from '@chanperf/domain';
import type { SealedStatement } from './statementsDocument.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function esc(value: string | number | boolean | null | undefined): string {
  return String(value ?? '—').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A label in both languages. */
const L = (en: string, zh: string) => `${esc(en)}<span class="zh">${esc(zh)}</span>`;

/** Basis points as a percentage with two decimals (exact: bps are integers). */
function pct(bps: number | null): string {
  if (bps === null) return '—';
  const sign = bps < 0 ? '−' : '';
  const a = Math.abs(bps);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')} %`;
}

function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

const STATUS: Record<string, string> = {
  MET: '达成',
  MISSED: '未达成',
  OPEN: '未关账',
  NO_BASELINE: '无基期',
};

function monthRows(s: SealedStatement): string[][] {
  const row = (m: StatementMonth): string[] => [
    esc(m.month),
    esc(m.sales),
    esc(m.returns),
    `<b>${esc(m.net)}</b>`,
    esc(m.previousNet),
    pct(m.growthBps),
    pct(m.targetBps),
    `${esc(m.growthStatus)} <span class="zh">${esc(STATUS[m.growthStatus])}</span>`,
    esc(m.tier),
    esc(m.rebate.total),
  ];
  const t = s.totals;
  const total = [
    L('Quarter', '季度合计'),
    esc(t.sales),
    esc(t.returns),
    `<b>${esc(t.net)}</b>`,
    '',
    '',
    '',
    '',
    '',
    `<b>${esc(t.rebate.total)}</b>`,
  ];
  return [...s.months.map(row), total];
}

function rebateRows(s: SealedStatement): string[][] {
  const rows = s.rebates.map((r, i) => {
    const m = s.months[i];
    return [
      esc(r.month),
      esc(r.base.figure),
      esc(r.growthBonus.figure),
      esc(r.promotion.figure),
      esc(r.volume.figure),
      `<b>${esc(r.total)}</b>`,
      m?.closed === true ? '✓' : '—',
    ];
  });
  const t = s.totals.rebate;
  return [
    ...rows,
    [
      L('Quarter', '季度合计'),
      esc(t.base),
      esc(t.growthBonus),
      esc(t.promotion),
      esc(t.volume),
      `<b>${esc(t.total)}</b>`,
      '',
    ],
  ];
}

function componentBlock(name: string, c: StatementComponent): string {
  const why = c.applies ? '' : ` — ${esc(c.reason)}`;
  const rate = c.bps === null ? '' : ` @ ${c.bps} bps`;
  const head = `<h4>${name}: <b>${esc(c.figure)}</b>${rate}${why}</h4>`;
  if (c.events.length === 0) return head;
  const rows = c.events.map((e) => [
    esc(e.eventId),
    esc(e.position),
    esc(e.type),
    esc(e.month),
    esc(e.amount),
    esc(e.bps),
    esc(e.contribution),
  ]);
  rows.push(['', '', '', '', '', 'Σ', esc(c.unrounded)]);
  return (
    head +
    table(
      [
        L('Event', '事件'),
        L('Position', '位置'),
        L('Type', '类型'),
        L('Month', '月份'),
        L('Amount', '金额'),
        'bps',
        L('Contribution', '贡献'),
      ],
      rows,
      'events',
    )
  );
}

function evidence(r: StatementRebate): string {
  return `<section class="month"><h3>${esc(r.month)} — ${L('rebate', '返点')} <b>${esc(r.total)}</b></h3>
${componentBlock(L('Base', '基础返点'), r.base)}
${componentBlock(L('Growth bonus', '增长奖励'), r.growthBonus)}
${componentBlock(L('Promotion', '促销奖励'), r.promotion)}
${componentBlock(L('Volume', '季度量返'), r.volume)}
</section>`;
}

function v2Sections(s: SealedStatement): string {
  const parts: string[] = [];
  const t = s.target;
  if (t !== null) {
    const q = t.quarter;
    parts.push(
      `<h2>${L('Annual target', '年度目标')} ${esc(t.year)}</h2>` +
        table(
          [
            L('Target', '目标'),
            L('YTD net', '年初至今净额'),
            L('Attainment', '达成率'),
            L('Pace', '进度'),
            L('Quarter commitment', '季度承诺'),
            L('Quarter net', '季度净额'),
            L('Status', '状态'),
          ],
          [
            [
              esc(t.annualTarget),
              esc(t.ytdNet),
              pct(t.attainmentBps),
              esc(t.status),
              esc(q?.target),
              esc(q?.net),
              esc(q?.status),
            ],
          ],
        ),
    );
  }
  if (s.claims.length > 0) {
    const rows = s.claims.map((c) => [
      esc(c.changeId),
      esc(c.sku),
      esc(c.month),
      esc(c.eligibleUnits),
      esc(c.unitCredit),
      `<b>${esc(c.credit)}</b>`,
      c.restated ? '✓' : '',
    ]);
    parts.push(
      `<h2>${L('Price protection', '价保')}</h2>` +
        table(
          [
            L('Change', '调价'),
            'SKU',
            L('Month', '月份'),
            L('Eligible units', '可补数量'),
            L('Unit credit', '单位补差'),
            L('Credit', '补差'),
            L('Restated', '已重述'),
          ],
          rows,
        ),
    );
  }
  return parts.join('\n');
}

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 "Noto Sans", "WenQuanYi Micro Hei", "PingFang SC", sans-serif; color: #111; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 12.5pt; margin: 18px 0 6px; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 12px 0 4px; } h4 { font-size: 10pt; font-weight: normal; margin: 6px 0 2px; }
.zh { color: #555; margin-left: .35em; font-size: .92em; }
th .zh { display: block; margin-left: 0; font-weight: normal; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #eee; font-weight: 600; }
tbody tr:last-child td { border-top: 2px solid #555; }
table.events { font-size: 8.5pt; } table.events tbody tr:last-child td { border-top: 1px solid #888; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
.seal { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; word-break: break-all; padding: 6px 8px; border: 1px solid #555; background: #f6f6f6; }
footer { margin-top: 18px; font-size: 8.5pt; color: #444; border-top: 1px solid #999; padding-top: 6px; }
@media print { body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; } th, td { padding: 2px 4px; } table { font-size: 8.5pt; } th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.month { break-inside: avoid-page; } h2, h3 { break-after: avoid; } }
`;

/** The statement as a self-contained, printable HTML page. */
export function statementHtml(s: SealedStatement): string {
  const c = s.channel;
  const review =
    s.tierReview === null
      ? L('pending (quarter not closed)', '待季度关账')
      : `${esc(s.tierReview.tier)} (${L('review of', '评审月')} ${esc(s.tierReview.reviewMonth)})`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.name)} — ${esc(s.quarter)} statement</title><style>${CSS}</style></head>
<body>
<h1>${L('Partner statement', '合作伙伴季度对账单')} — ${esc(s.quarter)}</h1>
<div class="meta">
<span>${L('Partner', '合作伙伴')}</span><span><b>${esc(c.name)}</b> (${esc(c.channelId)}, ${esc(c.kind)}${c.online ? ', online' : ''})</span>
<span>${L('Currency', '币种')}</span><span>${esc(s.currency)} · ${esc(s.timeZone)}</span>
<span>${L('Log position', '日志位置')}</span><span>${esc(s.position)} · ${L('last closed month', '最近关账月')} ${esc(s.lastClosedMonth)}</span>
<span>${L('Tier after review', '评审后等级')}</span><span>${review}</span>
</div>
<div class="seal">SHA-256 ${esc(s.seal.sha256)}</div>
<h2>${L('Months', '月度业绩')}</h2>
${table([L('Month', '月份'), L('Sales', '销售'), L('Returns', '退货'), L('Net', '净额'), L('Previous net', '上月净额'), L('Growth', '增长'), L('Target', '目标'), L('Status', '状态'), L('Tier', '等级'), L('Rebate', '返点')], monthRows(s))}
<h2>${L('Rebates', '返点')}</h2>
${table([L('Month', '月份'), L('Base', '基础'), L('Growth bonus', '增长奖励'), L('Promotion', '促销'), L('Volume', '量返'), L('Total', '合计'), L('Closed', '已关账')], rebateRows(s))}
${v2Sections(s)}
<h2>${L('Events behind each rebate', '返点明细')}</h2>
${s.rebates.map(evidence).join('\n')}
<footer>${L('This statement is pinned to log position', '本对账单对应日志位置')} ${esc(s.position)}. SHA-256 = ${esc(s.seal.canonical)}.
${L('Check it with', '核验：')} <code>chanperf verify-statement FILE --db PATH</code>.</footer>
</body></html>
`;
}
