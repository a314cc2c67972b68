/**
 * Sentences the API writes (explain's rules and reasons, a claim's line notes and steps) in the
 * page's language. The API has one language, English; its sentences come from a fixed set of
 * templates (packages/domain/src/projection/explainRules.ts and explainRebate.ts,
 * services/query/src/routes/v2Explain.ts), matched here with their figures kept. A sentence no
 * template matches is shown as the server wrote it, marked English and not translatable.
 */
import { h } from './dom.js';
import { lang } from './i18n.js';

/** @type {[RegExp, string][]} English template → Chinese, `$1`… the figures. */
const ZH = [
  [/^Σ SaleRecorded\.netAmount of the month$/, '当月 SaleRecorded.netAmount 之和'],
  [/^Σ SaleReturned\.netAmount of the month$/, '当月 SaleReturned.netAmount 之和'],
  [
    /^prev = net of the previous month; prev ≤ 0: no baseline; else growthBps = floor\(\(net − prev\) × 10000 \/ prev\), and the target is met when net × 10000 ≥ prev × \(10000 \+ targetBps\); an open month is OPEN$/,
    'prev = 上月净额；prev ≤ 0：无基数；否则 growthBps = floor((net − prev) × 10000 / prev)，当 net × 10000 ≥ prev × (10000 + targetBps) 时达标；未结账月份为 OPEN（进行中）',
  ],
  [
    /^round\(Σ signed amount × rebateBps of the tier in effect \/ 10000\) = round\(net × rebateBps \/ 10000\), half away from zero$/,
    'round(Σ 带符号金额 × 当时等级的 rebateBps / 10000) = round(net × rebateBps / 10000)，四舍五入（远离零）',
  ],
  [
    /^round\(net × growthBonusBps \/ 10000\), only when the month is closed with status MET, half away from zero$/,
    'round(net × growthBonusBps / 10000)，仅当该月已结账且状态为 MET（达标），四舍五入（远离零）',
  ],
  [
    /^round\(\(Σ sale × bonusBps\(sale\) − Σ return × bonusBps\(original sale\)\) \/ 10000\), half away from zero; bonusBps\(sale\) = Σ bonusBps of promotions scheduled earlier in the log whose \[startsAt, endsAt\) holds the sale and whose skus\/channelIds match; a return’s original sale is the latest earlier SaleRecorded of the same channel, orderId and sku \(none: 0 bps\)$/,
    'round((Σ 销售 × bonusBps(销售) − Σ 退货 × bonusBps(原销售)) / 10000)，四舍五入（远离零）；bonusBps(销售) = 日志中更早安排、[startsAt, endsAt) 覆盖该销售且 skus/channelIds 匹配的促销的 bonusBps 之和；退货的原销售是同一渠道、orderId 和 sku 的最近一笔更早的 SaleRecorded（没有则 0 bps）',
  ],
  [
    /^on the last month of a quarter, once closed: Q = net of the quarter’s three months; rate = rateBps of the highest band with minQuarterNet ≤ Q; round\(Q × rate \/ 10000\) when Q > 0, else 0$/,
    '在季度最后一个月结账后：Q = 该季度三个月的净额；rate = minQuarterNet ≤ Q 的最高档的 rateBps；Q > 0 时为 round(Q × rate / 10000)，否则为 0',
  ],
  [
    /^base \+ growthBonus \+ promotion \+ volume, each already rounded$/,
    'base + growthBonus + promotion + volume，各项均已取整',
  ],
  [/^no program in effect for the month$/, '该月没有生效的计划'],
  [/^the month is not closed yet$/, '该月尚未结账'],
  [/^growth status is (\w+), not MET$/, '增长状态为 $1，不是 MET（达标）'],
  [/^not the last month of a quarter$/, '不是季度的最后一个月'],
  [/^the quarter net is not positive$/, '季度净额不为正'],
  [/^the quarter net reaches no volume band$/, '季度净额未达到任何量级档'],
  [/^sale of (\d+) unit\(s\) in the window (.+)$/, '窗口 $2 内销售 $1 件'],
  [
    /^return of (\d+) unit\(s\) of a sale at (\S+), in the window; (\d+) counted \(window units never go below 0\)$/,
    '退货 $1 件（原销售于 $2，在窗口内）；计入 $3 件（窗口数量不低于 0）',
  ],
  [/^return of (\d+) unit\(s\) of a sale at (\S+), in the window$/, '退货 $1 件（原销售于 $2，在窗口内）'],
  [/^no inventory report with asOf in (.+): nothing is eligible$/, '在 $1 内没有库存报告：无可保数量'],
  [/^on hand (\d+) as of (\S+) ≥ window units (\d+): no cut$/, '截至 $2 库存 $1 ≥ 窗口数量 $3：不削减'],
  [
    /^on hand (\d+) as of (\S+) < window units (\d+): (\d+) unit\(s\) cut$/,
    '截至 $2 库存 $1 < 窗口数量 $3：削减 $4 件',
  ],
  [/^max\(0, purchased − returned\) = window units$/, 'max(0, 采购 − 退货) = 窗口数量'],
  [
    /^min\(window units, on hand\) = eligible units \(no report: 0\)$/,
    'min(窗口数量, 库存) = 可保数量（无报告：0）',
  ],
  [/^eligible units × unit credit = credit$/, '可保数量 × 单位补偿 = 补偿金额'],
];

/**
 * `text` in the page's language, or undefined when the page is in English or no template
 * matches.
 * @param {string} text
 * @returns {string | undefined}
 */
export function translateApiText(text) {
  if (lang() !== 'zh') return undefined;
  for (const [pattern, zh] of ZH) if (pattern.test(text)) return text.replace(pattern, zh);
  return undefined;
}

/**
 * An API sentence as an element: translated when it can be (`lang="zh"`), else as the server
 * wrote it (`lang="en"`). Both are `translate="no"`: their formulas name the API's fields
 * (growthBonus, rebateBps) and functions (round, max), which stay as they are in any language.
 * @param {string} text
 * @param {'span' | 'td'} [tag]
 */
export function apiText(text, tag = 'span') {
  const zh = translateApiText(text);
  return zh === undefined
    ? h(tag, { class: 'api-text', translate: 'no', lang: 'en' }, text)
    : h(tag, { class: 'api-text', translate: 'no', lang: 'zh' }, zh);
}
