// @ts-check
/**
 * The Chinese catalogue entries of the What-if view (whatif.js, whatifResult.js), spread into
 * the page's catalogue (i18n.zh.js). 模拟测算 is "what if"; 按实际 "as logged"; 方案 "proposal".
 */

/** @type {Readonly<Record<string, string>>} */
export const ZH_WHATIF = {
  'What if': '模拟测算',
  'What the figures would have been under another program: the log replayed as it is and with your proposal, side by side. Nothing is written.':
    '换一套渠道计划，数据会怎样：按实际记录重放一遍，再按您的方案重放一遍，逐项对比。不会写入任何数据。',
  'Reading the current program…': '正在读取当前渠道计划…',
  'the current program': '当前渠道计划',
  'No program has been published yet.': '尚未发布任何渠道计划。',
  'Proposed program': '拟议方案',
  'From month': '起始月份',
  'Growth target (%)': '增长目标（%）',
  'Growth bonus (%)': '增长奖励（%）',
  'Rebate rate (%)': '返利比例（%）',
  'Minimum trailing net': '近三个月净额下限',
  'Minimum certified trainees': '获认证学员下限',
  'Volume band {n}': '销量档 {n}',
  'Minimum quarter net': '季度净额下限',
  'Rate (%)': '比例（%）',
  Run: '测算',
  'Start again from the current program': '从当前渠道计划重新开始',
  'Running the proposal over the log…': '正在按方案重放记录…',
  'The proposal could not be run: {error}': '方案无法测算：{error}',
  'Under the proposal, from {month}': '按方案测算（自 {month} 起）',
  'Rebates as logged': '实际返利',
  'Rebates proposed': '方案返利',
  'Partners whose tier moves': '等级变化的合作伙伴',
  'Growth statuses that change': '增长状态变化',
  'Rebates per quarter': '每季度返利',
  'as logged, and under the proposal': '实际与方案对比',
  'As logged': '实际',
  Proposed: '方案',
  'Change in rebates per month': '每月返利变化',
  'proposed minus as logged': '方案减实际',
  'Rebates of all partners per quarter': '全部合作伙伴每季度返利',
  'Rebates per partner': '各合作伙伴返利',
  'Growth bonus change': '增长奖励变化',
  'Tier after review': '评审后等级',
  unchanged: '不变',
  'Would be raised: {alert}': '将会触发：{alert}',
  'Would not be raised: {alert}': '不会触发：{alert}',
  'No alert changes.': '预警没有变化。',
  '…and {n} more': '……另有 {n} 条',
  '{raised} alerts would be raised that were not, {notRaised} would not be raised that were.':
    '将新增 {raised} 条预警，{notRaised} 条原有预警将不再触发。',
};
