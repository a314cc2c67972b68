/**
 * The feed's static catalogue, all fictional: SKUs and their list prices, the kinds of
 * partner with their size and activity, the words partner names are made of (English and
 * Chinese), regions, training courses, the ERP systems that send, and the sales trends a
 * partner follows.
 */
import type { Random } from './random.js';

export interface Sku {
  readonly id: string;
  /** List price in major units. */
  readonly price: number;
}

export const SKUS: readonly Sku[] = [
  { id: 'RTR-AX3000', price: 1299 },
  { id: 'SW-24G-POE', price: 3999 },
  { id: 'AP-WIFI6-PRO', price: 899 },
  { id: 'NAS-4BAY', price: 5499 },
  { id: 'CAM-2K-OUT', price: 399 },
  { id: 'UPS-1500VA', price: 2199 },
  { id: 'LIC-CLOUD-1Y', price: 12000 },
  { id: 'SVC-INSTALL', price: 500 },
];

export const KINDS = ['distributor', 'reseller', 'retailer', 'ecommerce', 'agent'] as const;
export type Kind = (typeof KINDS)[number];

export interface KindProfile {
  readonly share: number;
  /** Monthly net range, major units (log-uniform). */
  readonly minNet: number;
  readonly maxNet: number;
  /** Relative number of sale lines. */
  readonly lines: number;
  /** Trainings per month. */
  readonly trainings: number;
  readonly names: readonly string[];
  readonly zhNames: readonly string[];
}

export const PROFILES: Readonly<Record<Kind, KindProfile>> = {
  distributor: {
    share: 0.1,
    minNet: 600_000,
    maxNet: 2_800_000,
    lines: 1.6,
    trainings: 2,
    names: ['Distribution Co., Ltd.', 'Supply Chain Co.', 'Trading Group'],
    zhNames: ['商贸有限公司', '供应链有限公司'],
  },
  reseller: {
    share: 0.3,
    minNet: 60_000,
    maxNet: 600_000,
    lines: 1.0,
    trainings: 0.5,
    names: ['Solutions', 'Systems Integration', 'Networks Co.'],
    zhNames: ['科技有限公司', '系统集成有限公司'],
  },
  retailer: {
    share: 0.3,
    minNet: 20_000,
    maxNet: 200_000,
    lines: 0.8,
    trainings: 0.3,
    names: ['Electronics Store', 'Digital Retail', 'Computer Mart'],
    zhNames: ['数码专卖店', '电脑城门店'],
  },
  ecommerce: {
    share: 0.15,
    minNet: 100_000,
    maxNet: 1_500_000,
    lines: 1.2,
    trainings: 0.45,
    names: ['Online Flagship Store', 'E-Shop', 'Web Store'],
    zhNames: ['官方旗舰店', '网络专营店'],
  },
  agent: {
    share: 0.15,
    minNet: 30_000,
    maxNet: 300_000,
    lines: 0.7,
    trainings: 0.3,
    names: ['Sales Agency', 'Commercial Agents', 'Partners Agency'],
    zhNames: ['代理服务部', '商务代理有限公司'],
  },
};

/** The first word of an English partner name. */
export const NAME_WORDS = [
  'Jade',
  'Golden Bridge',
  'Blue Sky',
  'Pine Ridge',
  'Harbor',
  'Summit',
  'Red Lantern',
  'Silver Birch',
  'Evergreen',
  'Lotus',
  'Northstar',
  'Bamboo Grove',
  'Crescent',
  'Orchid',
  'Granite',
  'Maple Leaf',
  'Cloud Peak',
  'River Gate',
  'Sunrise',
  'Willow',
  'Phoenix Hill',
  'Bright Stone',
  'Tidewater',
  'Lantern Bay',
] as const;
/** Chinese name words, and the Chinese names of the regions. */
export const ZH_WORDS = [
  '翠峰',
  '金桥',
  '蓝天',
  '松涛',
  '星河',
  '青禾',
  '云帆',
  '长风',
  '明湖',
  '远航',
] as const;
export const ZH_REGION: Readonly<Record<string, string>> = {
  North: '华北',
  East: '华东',
  South: '华南',
  West: '西部',
  Central: '华中',
  Northeast: '东北',
  Northwest: '西北',
  Southwest: '西南',
};
export const REGIONS = Object.keys(ZH_REGION);

export const COURSES: readonly { id: string; certification?: string }[] = [
  { id: 'INTRO-100' },
  { id: 'SALES-101', certification: 'CERT-SALES' },
  { id: 'PRODUCT-201', certification: 'CERT-PRODUCT' },
  { id: 'TECH-301', certification: 'CERT-TECH' },
  { id: 'ONLINE-OPS-110' },
  { id: 'SERVICE-150', certification: 'CERT-SERVICE' },
];

/** The ERP systems that send sales (`erp-k3-01` sends milliseconds). */
export const ERP_SOURCES = ['erp-sap-01', 'erp-sap-02', 'erp-k3-01'] as const;

type Trend = 'growth' | 'flat' | 'decline' | 'volatile';

/** A partner's underlying month-over-month growth, and the noise around it. */
export interface TrendParams {
  readonly growthBps: number;
  /** Month-to-month noise, ± bps. */
  readonly noiseBps: number;
}

/** The trend a partner of `kind` follows (online sellers grow more often). */
export function drawTrend(rnd: Random, kind: Kind): TrendParams {
  const trend: Trend = rnd.weighted<Trend>(
    ['growth', 'flat', 'decline', 'volatile'],
    kind === 'ecommerce' ? [0.6, 0.25, 0.05, 0.1] : [0.25, 0.35, 0.2, 0.2],
  );
  switch (trend) {
    case 'growth':
      return { growthBps: rnd.int(1100, 2200), noiseBps: 300 };
    case 'flat':
      return { growthBps: rnd.int(-200, 400), noiseBps: 500 };
    case 'decline':
      return { growthBps: rnd.int(-1500, -400), noiseBps: 400 };
    case 'volatile':
      return { growthBps: rnd.int(-300, 600), noiseBps: 3500 };
  }
}
