// The demo's static catalogue: who takes part, what they register, grant, list, buy, attest and book, month by
// month over a simulated year. scripts/demo.ts plays it on chain. Every name is fictional except the two exchanges'
// (modelled on Shenzhen and Beijing); figures follow DOMAIN.md §8 and the real cases it summarises. Amounts are in
// whole yuan; the demo converts them to fen of its 2-decimal settlement token.

/** Every participant, in the order of the signers it is played by. */
export const PARTIES = [
  { key: "admin", name: "Data Asset Ledger Consortium, platform operator (数据资产登记链联盟)" },
  { key: "szde", name: "Shenzhen Data Exchange (深圳数据交易所)" },
  { key: "bjidex", name: "Beijing International Big Data Exchange (北京国际大数据交易所)" },
  { key: "authority", name: "Lingjiang Municipal Data Bureau, public-data authority (临江市数据局，公共数据主管部门)" },
  { key: "operator", name: "Lingjiang Data Group, authorised operator of public data (临江数据集团有限公司，授权运营单位)" },
  { key: "inspection", name: "Lingjiang Institute of Inspection and Testing (临江市检验检测研究院)" },
  { key: "construction", name: "Huajian Urban Construction Group (华建城建集团有限公司)" },
  { key: "dataService", name: "Shengshi AI Data Technology (声识智能数据科技股份有限公司)" },
  { key: "merchant", name: "Shuhe Data Merchant Services (数合数商服务有限公司)" },
  { key: "arbiter", name: "Qianhai Data Dispute Mediation Centre (前海数据纠纷调解中心)" },
  { key: "assessor", name: "Hengxin Data Compliance and Quality Assessment (恒信数据合规与质量评估有限公司)" },
  { key: "appraiser", name: "Zhongping Data Asset Appraisal (中评数据资产评估有限公司)" },
  { key: "accountant", name: "Huaxin Certified Public Accountants (华信会计师事务所)" },
  { key: "bank", name: "Lingjiang Rural Commercial Bank (临江农村商业银行)" },
  { key: "insurer", name: "Pinghe Property and Casualty Insurance (平和财产保险股份有限公司)" },
  { key: "aiLab", name: "Shenyan LLM Technology (深言大模型科技有限公司)" },
  { key: "smartCity", name: "Zhibo Smart Parking Technology (智泊城市科技有限公司)" },
  { key: "logistics", name: "Shunchi Cold-Chain Logistics (顺驰冷链物流有限公司)" },
  { key: "proptech", name: "Anju Cloud Property Technology (安居云房产科技有限公司)" },
  { key: "developer", name: "Binhai Real Estate Development Group (滨海置业集团有限公司)" },
] as const;

export type PartyKey = (typeof PARTIES)[number]["key"];

/** Parties that hold money: funded with eCNY and approving the exchange. */
export const FUNDED: PartyKey[] = [
  "operator", "inspection", "construction", "dataService", "bank", "insurer", "aiLab", "smartCity", "logistics", "proptech", "developer",
];
/** eCNY minted to each funded party. */
export const FUNDING_YUAN = 50_000_000;

/** Entities whose books the accountant keeps (setAccountant). */
export const CLIENTS_OF_ACCOUNTANT: PartyKey[] = ["operator", "inspection", "construction", "dataService", "aiLab"];

/** The two exchanges: registrars (public notice) and venues (service fee); the signer is also the fee treasury. */
export const EXCHANGES = [
  { key: "szde", code: "SZDE", noticeDays: 5, feeBps: 100 },
  { key: "bjidex", code: "BJIDEX", noticeDays: 3, feeBps: 50 },
] as const;
export type ExchangeKey = (typeof EXCHANGES)[number]["key"];

/** Scope classes of licences (the published vocabulary behind `scopeMask`). */
export const SCOPE = { CREDIT: 1, INSURANCE: 2, URBAN: 4, COMMERCIAL: 8, AI_TRAINING: 16, RESEARCH: 32 } as const;
export const SCOPE_ALL = 63;

const GB = 1_000_000_000;
const TB = 1_000 * GB;

export interface AssetSpec {
  key: string;
  name: string;
  holder: PartyKey;
  registrar: ExchangeKey;
  /** Month of the simulated year it is submitted in (0 = first). */
  month: number;
  kind: "Resource" | "Product";
  source: "SelfCollected" | "Purchased" | "PublicAuthorised";
  grade: "General" | "Important";
  records: number;
  sizeBytes: number;
  frequency: "Once" | "Realtime" | "Daily" | "Weekly" | "Monthly" | "Quarterly" | "Yearly";
  /** Source assets and the share (bps) of this asset's net revenue each receives; 0 = lineage only. */
  parents?: [string, number][];
  /** The compliance assessment's verdict (default passed). */
  compliant?: boolean;
  objection?: { by: PartyKey; upheld: boolean };
  /** Refused by the registrar at formal review. */
  rejectReason?: string;
}

export const ASSETS: AssetSpec[] = [
  // ---- month 0: the authority's public data, the first resources and datasets
  { key: "A1", name: "Lingjiang enterprise registration and credit public data (临江市企业登记与信用公共数据)", holder: "authority", registrar: "bjidex", month: 0, kind: "Resource", source: "PublicAuthorised", grade: "General", records: 2_460_000, sizeBytes: 18 * GB, frequency: "Daily" },
  { key: "A2", name: "Lingjiang real-estate registration data, desensitised (临江市不动产登记数据（脱敏）)", holder: "authority", registrar: "bjidex", month: 0, kind: "Resource", source: "PublicAuthorised", grade: "Important", records: 1_130_000, sizeBytes: 6 * GB, frequency: "Daily" },
  { key: "A3", name: "Lingjiang public-transport smart-card ridership (临江市公交一卡通客流数据)", holder: "authority", registrar: "bjidex", month: 0, kind: "Resource", source: "PublicAuthorised", grade: "General", records: 386_000_000, sizeBytes: 420 * GB, frequency: "Daily" },
  { key: "A4", name: "Lingjiang weather-station observations (临江市气象站观测数据)", holder: "authority", registrar: "bjidex", month: 0, kind: "Resource", source: "PublicAuthorised", grade: "General", records: 52_000_000, sizeBytes: 31 * GB, frequency: "Realtime" },
  { key: "A5", name: "Lingjiang medical-insurance settlement statistics (临江市医保结算统计数据)", holder: "authority", registrar: "bjidex", month: 0, kind: "Resource", source: "PublicAuthorised", grade: "Important", records: 9_400_000, sizeBytes: 5 * GB, frequency: "Monthly" },
  { key: "A6", name: "Lingjiang enterprise water, power and gas usage (临江市企业水电气用量数据)", holder: "authority", registrar: "bjidex", month: 0, kind: "Resource", source: "PublicAuthorised", grade: "General", records: 26_800_000, sizeBytes: 12 * GB, frequency: "Monthly" },
  { key: "I1", name: "Inspection and testing raw records 2019-2025 (检验检测原始记录库)", holder: "inspection", registrar: "szde", month: 0, kind: "Resource", source: "SelfCollected", grade: "Important", records: 12_600_000, sizeBytes: 2.3 * TB, frequency: "Daily" },
  { key: "C1", name: "Engineering construction data resource pool (工程建设数据资源池)", holder: "construction", registrar: "szde", month: 0, kind: "Resource", source: "SelfCollected", grade: "General", records: 48_000_000, sizeBytes: 9.6 * TB, frequency: "Daily" },
  { key: "S1", name: "Mandarin and dialect speech corpus, 12,000 hours (普通话及方言语音语料库 1.2万小时)", holder: "dataService", registrar: "szde", month: 0, kind: "Product", source: "SelfCollected", grade: "General", records: 8_600_000, sizeBytes: 1.9 * TB, frequency: "Once" },
  { key: "S2", name: "Autonomous-driving annotated images, 2 million frames (自动驾驶标注图像数据集 200万帧)", holder: "dataService", registrar: "szde", month: 0, kind: "Product", source: "SelfCollected", grade: "General", records: 2_000_000, sizeBytes: 14 * TB, frequency: "Quarterly" },
  // ---- month 1: the operator's products from public data, the inspection-data product, an objection each way
  { key: "P1", name: "SME credit profile API (中小微企业信用画像API)", holder: "operator", registrar: "bjidex", month: 1, kind: "Product", source: "PublicAuthorised", grade: "General", records: 1_850_000, sizeBytes: 3 * GB, frequency: "Daily", parents: [["A1", 3000], ["A6", 1500]] },
  { key: "P2", name: "Lingjiang housing price index, monthly report (临江住房价格指数月报)", holder: "operator", registrar: "bjidex", month: 1, kind: "Product", source: "PublicAuthorised", grade: "General", records: 12_000, sizeBytes: 0.04 * GB, frequency: "Monthly", parents: [["A2", 2500]] },
  { key: "P3", name: "Commuter-flow heat-map API (通勤客流热力API)", holder: "operator", registrar: "bjidex", month: 1, kind: "Product", source: "PublicAuthorised", grade: "General", records: 9_200_000, sizeBytes: 60 * GB, frequency: "Daily", parents: [["A3", 2500], ["A4", 500]] },
  { key: "I2", name: "Product-quality risk early-warning dataset (产品质量风险预警数据集)", holder: "inspection", registrar: "szde", month: 1, kind: "Product", source: "SelfCollected", grade: "General", records: 3_400_000, sizeBytes: 120 * GB, frequency: "Monthly", parents: [["I1", 0]] },
  { key: "I3", name: "Special-equipment inspection data (特种设备检验数据)", holder: "inspection", registrar: "szde", month: 1, kind: "Product", source: "SelfCollected", grade: "General", records: 860_000, sizeBytes: 18 * GB, frequency: "Monthly", parents: [["I1", 0]] },
  { key: "C2", name: "Building-materials price index (建材价格指数)", holder: "construction", registrar: "szde", month: 1, kind: "Product", source: "SelfCollected", grade: "General", records: 420_000, sizeBytes: 2 * GB, frequency: "Weekly", parents: [["C1", 0]], objection: { by: "proptech", upheld: false } },
  { key: "C3", name: "Project cost-estimation model dataset (工程造价估算模型数据集)", holder: "construction", registrar: "szde", month: 1, kind: "Product", source: "SelfCollected", grade: "General", records: 6_500_000, sizeBytes: 300 * GB, frequency: "Quarterly", parents: [["C1", 0]] },
  { key: "S3", name: "Chinese multi-turn dialogue fine-tuning dataset (中文多轮对话指令微调数据集)", holder: "dataService", registrar: "szde", month: 1, kind: "Product", source: "SelfCollected", grade: "General", records: 1_200_000, sizeBytes: 85 * GB, frequency: "Once" },
  { key: "X1", name: "Lingjiang second-hand housing listings, crawled (临江二手房源挂牌爬取数据)", holder: "proptech", registrar: "bjidex", month: 1, kind: "Product", source: "Purchased", grade: "General", records: 3_100_000, sizeBytes: 22 * GB, frequency: "Daily", compliant: false, objection: { by: "operator", upheld: true } },
  // ---- month 2: the derived product, more datasets and public data
  { key: "D1", name: "Enterprise risk knowledge base for LLMs (企业风险大模型知识库)", holder: "aiLab", registrar: "szde", month: 2, kind: "Product", source: "Purchased", grade: "General", records: 5_600_000, sizeBytes: 220 * GB, frequency: "Monthly", parents: [["P1", 2000], ["I2", 1500], ["S3", 1000]] },
  { key: "S4", name: "Medical imaging annotated dataset (医学影像标注数据集)", holder: "dataService", registrar: "szde", month: 2, kind: "Product", source: "Purchased", grade: "Important", records: 450_000, sizeBytes: 6 * TB, frequency: "Once" },
  { key: "L1", name: "Cold-chain logistics trajectories (冷链物流轨迹数据)", holder: "logistics", registrar: "bjidex", month: 2, kind: "Resource", source: "SelfCollected", grade: "General", records: 140_000_000, sizeBytes: 75 * GB, frequency: "Realtime" },
  { key: "I4", name: "Food-safety sampling results (食品安全抽检结果数据)", holder: "inspection", registrar: "bjidex", month: 2, kind: "Product", source: "SelfCollected", grade: "General", records: 2_300_000, sizeBytes: 9 * GB, frequency: "Monthly", parents: [["I1", 0]] },
  { key: "A7", name: "Lingjiang enterprise tax-credit grades (临江市纳税信用等级数据)", holder: "authority", registrar: "bjidex", month: 2, kind: "Resource", source: "PublicAuthorised", grade: "General", records: 310_000, sizeBytes: 0.2 * GB, frequency: "Yearly" },
  // ---- month 3
  { key: "Z1", name: "City parking-space occupancy API (城市停车泊位实时API)", holder: "smartCity", registrar: "bjidex", month: 3, kind: "Product", source: "SelfCollected", grade: "General", records: 24_000_000, sizeBytes: 40 * GB, frequency: "Realtime", parents: [["P3", 1500]] },
  { key: "N1", name: "Motor-insurance claims statistics (车险理赔统计数据)", holder: "insurer", registrar: "bjidex", month: 3, kind: "Product", source: "SelfCollected", grade: "Important", records: 3_800_000, sizeBytes: 14 * GB, frequency: "Monthly" },
  { key: "C4", name: "Construction workers' real-name attendance records (建筑工人实名制考勤数据)", holder: "construction", registrar: "szde", month: 3, kind: "Resource", source: "SelfCollected", grade: "Important", records: 18_000_000, sizeBytes: 35 * GB, frequency: "Daily" },
  { key: "S5", name: "Industrial defect-detection images (工业缺陷检测图像数据集)", holder: "dataService", registrar: "szde", month: 3, kind: "Product", source: "SelfCollected", grade: "General", records: 380_000, sizeBytes: 0.9 * TB, frequency: "Once" },
  { key: "I5", name: "Metrology calibration records (计量校准记录)", holder: "inspection", registrar: "szde", month: 3, kind: "Resource", source: "SelfCollected", grade: "General", records: 760_000, sizeBytes: 4 * GB, frequency: "Monthly", rejectReason: "formal review: calibration certificates for 2019-2020 missing from the source evidence" },
  // ---- month 4
  { key: "B1", name: "SME loan pre-screening features (小微企业贷款预审特征数据)", holder: "bank", registrar: "bjidex", month: 4, kind: "Product", source: "Purchased", grade: "Important", records: 920_000, sizeBytes: 7 * GB, frequency: "Monthly", parents: [["D1", 1200]] },
  { key: "C5", name: "Smart-site IoT safety monitoring data (智慧工地物联网安全监测数据)", holder: "construction", registrar: "szde", month: 4, kind: "Resource", source: "SelfCollected", grade: "General", records: 640_000_000, sizeBytes: 1.1 * TB, frequency: "Realtime" },
  { key: "D2", name: "Chinese legal Q&A evaluation set (中文法律问答评测集)", holder: "aiLab", registrar: "szde", month: 4, kind: "Product", source: "SelfCollected", grade: "General", records: 52_000, sizeBytes: 0.3 * GB, frequency: "Once" },
  { key: "L3", name: "Highway freight weigh-station records (高速公路货运称重数据)", holder: "logistics", registrar: "bjidex", month: 4, kind: "Resource", source: "SelfCollected", grade: "General", records: 96_000_000, sizeBytes: 40 * GB, frequency: "Daily" },
  { key: "L2", name: "Port container throughput (港口集装箱吞吐数据)", holder: "logistics", registrar: "bjidex", month: 4, kind: "Resource", source: "SelfCollected", grade: "General", records: 8_700_000, sizeBytes: 3 * GB, frequency: "Daily" },
  // ---- month 5
  { key: "A8", name: "Lingjiang commercial-premises lease filings (临江市商业物业租赁备案数据)", holder: "authority", registrar: "bjidex", month: 5, kind: "Resource", source: "PublicAuthorised", grade: "General", records: 640_000, sizeBytes: 1 * GB, frequency: "Monthly" },
  { key: "V1", name: "Residential community energy consumption (住宅社区能耗数据)", holder: "developer", registrar: "szde", month: 5, kind: "Resource", source: "SelfCollected", grade: "General", records: 31_000_000, sizeBytes: 16 * GB, frequency: "Daily" },
  { key: "C6", name: "Commercial building energy audits (商业楼宇能源审计数据)", holder: "construction", registrar: "szde", month: 5, kind: "Resource", source: "SelfCollected", grade: "General", records: 4_200_000, sizeBytes: 60 * GB, frequency: "Monthly" },
  // Registered to be financed (see PLEDGES): appraised, then pledged to the bank.
  { key: "F1", name: "Cold-chain temperature compliance data product (冷链温控合规数据产品)", holder: "logistics", registrar: "bjidex", month: 5, kind: "Product", source: "SelfCollected", grade: "General", records: 86_000_000, sizeBytes: 28 * GB, frequency: "Daily" },
  { key: "F2", name: "Prefabricated-component quality traceability data (装配式建筑构件质量追溯数据)", holder: "construction", registrar: "szde", month: 5, kind: "Resource", source: "SelfCollected", grade: "General", records: 7_300_000, sizeBytes: 110 * GB, frequency: "Daily" },
  { key: "F3", name: "Roadside parking payment records (城市路侧停车缴费数据)", holder: "smartCity", registrar: "bjidex", month: 5, kind: "Resource", source: "SelfCollected", grade: "General", records: 210_000_000, sizeBytes: 55 * GB, frequency: "Realtime" },
];

/** Rights granted outside the exchange: the authority's grants to its operator (授权运营) and a sublicence. */
export interface GrantSpec {
  key: string;
  month: number;
  asset: string;
  by: PartyKey;
  to: PartyKey;
  kind: "ProcessingUse" | "ProductOperation";
  sublicensable: boolean;
  scopeMask: number;
  /** A sublicence of this grant (by its holder). */
  parent?: string;
  /** Months of term from the start; default: to the end of the asset's registration. */
  months?: number;
  /** Granted ahead of its term: starts on the first day of the next month. */
  startsNextMonth?: boolean;
}

export const GRANTS: GrantSpec[] = [
  // The operator may process the public data for its own products and operate (sell) products made from it.
  ...(["A1", "A2", "A3", "A4", "A6"] as const).flatMap((asset): GrantSpec[] => [
    { key: `use:${asset}`, month: 0, asset, by: "authority", to: "operator", kind: "ProcessingUse", sublicensable: true, scopeMask: SCOPE_ALL },
    { key: `op:${asset}`, month: 0, asset, by: "authority", to: "operator", kind: "ProductOperation", sublicensable: true, scopeMask: SCOPE_ALL },
  ]),
  // Medical-insurance data is only processed, in a privacy-computing sandbox, never operated as a product.
  { key: "op:A5", month: 0, asset: "A5", by: "authority", to: "operator", kind: "ProcessingUse", sublicensable: true, scopeMask: SCOPE.INSURANCE | SCOPE.RESEARCH },
  { key: "op:A7", month: 2, asset: "A7", by: "authority", to: "operator", kind: "ProductOperation", sublicensable: true, scopeMask: SCOPE_ALL },
  { key: "op:A8", month: 5, asset: "A8", by: "authority", to: "operator", kind: "ProductOperation", sublicensable: true, scopeMask: SCOPE_ALL },
  // A sandbox pilot for the insurer, sublicensed ahead of its term; revoked in month 8 (see STORY).
  { key: "sub:A5:insurer", month: 3, asset: "A5", by: "operator", to: "insurer", kind: "ProcessingUse", sublicensable: false, scopeMask: SCOPE.INSURANCE, parent: "op:A5", months: 6, startsNextMonth: true },
];

export interface ListingSpec {
  key: string;
  month: number;
  asset: string;
  seller: PartyKey;
  /** Sold under this product-operation right (a grant key, or a trade key whose licence is one) instead of as holder. */
  via?: string;
  venue: ExchangeKey;
  offer: "ProcessingUse" | "ProductOperation" | "HoldingTransfer";
  price: number;
  termDays?: number;
  scopeMask?: number;
  sublicensable?: boolean;
  /** Licences sold may be transferred (and so pledged, as a certificate: see PLEDGES). */
  transferable?: boolean;
  maxQuantity?: number;
  merchantBps?: number;
}

export const LISTINGS: ListingSpec[] = [
  // Public data: the operator sells processing-use sublicences at the government-guided price.
  { key: "LA1", month: 0, asset: "A1", seller: "operator", via: "op:A1", venue: "bjidex", offer: "ProcessingUse", price: 20_000, scopeMask: SCOPE.CREDIT | SCOPE.INSURANCE | SCOPE.COMMERCIAL },
  { key: "LA3", month: 0, asset: "A3", seller: "operator", via: "op:A3", venue: "bjidex", offer: "ProcessingUse", price: 36_000, scopeMask: SCOPE.URBAN | SCOPE.COMMERCIAL },
  { key: "LC1", month: 0, asset: "C1", seller: "construction", venue: "szde", offer: "ProcessingUse", price: 150_000, scopeMask: SCOPE.COMMERCIAL | SCOPE.URBAN | SCOPE.INSURANCE },
  { key: "LS2", month: 0, asset: "S2", seller: "dataService", venue: "szde", offer: "ProcessingUse", price: 380_000, termDays: 730, scopeMask: SCOPE.AI_TRAINING, merchantBps: 600 },
  { key: "LP1", month: 1, asset: "P1", seller: "operator", venue: "szde", offer: "ProcessingUse", price: 120_000, scopeMask: SCOPE.CREDIT | SCOPE.INSURANCE | SCOPE.COMMERCIAL, merchantBps: 500 },
  { key: "LP2", month: 1, asset: "P2", seller: "operator", venue: "bjidex", offer: "ProcessingUse", price: 8_000, scopeMask: SCOPE.COMMERCIAL | SCOPE.CREDIT | SCOPE.URBAN },
  { key: "LP2op", month: 1, asset: "P2", seller: "operator", venue: "bjidex", offer: "ProductOperation", price: 150_000, termDays: 730, scopeMask: SCOPE.COMMERCIAL | SCOPE.CREDIT, sublicensable: true, transferable: true, maxQuantity: 1 },
  { key: "LP3", month: 1, asset: "P3", seller: "operator", venue: "bjidex", offer: "ProcessingUse", price: 60_000, scopeMask: SCOPE.URBAN | SCOPE.COMMERCIAL },
  { key: "LI2", month: 1, asset: "I2", seller: "inspection", venue: "szde", offer: "ProcessingUse", price: 45_000, scopeMask: SCOPE.INSURANCE | SCOPE.CREDIT | SCOPE.RESEARCH | SCOPE.AI_TRAINING, merchantBps: 800 },
  { key: "LI3", month: 1, asset: "I3", seller: "inspection", venue: "szde", offer: "ProcessingUse", price: 30_000, scopeMask: SCOPE.INSURANCE | SCOPE.URBAN },
  { key: "LC2", month: 1, asset: "C2", seller: "construction", venue: "szde", offer: "ProcessingUse", price: 18_000, scopeMask: SCOPE.COMMERCIAL | SCOPE.CREDIT },
  // The same index also filed with the second exchange.
  { key: "LC2b", month: 1, asset: "C2", seller: "construction", venue: "bjidex", offer: "ProcessingUse", price: 18_000, scopeMask: SCOPE.COMMERCIAL },
  { key: "LS3", month: 1, asset: "S3", seller: "dataService", venue: "szde", offer: "ProcessingUse", price: 160_000, termDays: 730, scopeMask: SCOPE.AI_TRAINING, merchantBps: 600 },
  { key: "LD1", month: 2, asset: "D1", seller: "aiLab", venue: "szde", offer: "ProcessingUse", price: 200_000, scopeMask: SCOPE.CREDIT | SCOPE.INSURANCE | SCOPE.COMMERCIAL, merchantBps: 500 },
  { key: "LS4", month: 2, asset: "S4", seller: "dataService", venue: "szde", offer: "ProcessingUse", price: 280_000, termDays: 730, scopeMask: SCOPE.AI_TRAINING | SCOPE.RESEARCH },
  { key: "LI4", month: 2, asset: "I4", seller: "inspection", venue: "bjidex", offer: "ProcessingUse", price: 15_000, scopeMask: SCOPE.COMMERCIAL | SCOPE.AI_TRAINING },
  { key: "LL1", month: 2, asset: "L1", seller: "logistics", venue: "bjidex", offer: "ProcessingUse", price: 50_000, scopeMask: SCOPE.INSURANCE | SCOPE.COMMERCIAL | SCOPE.AI_TRAINING | SCOPE.RESEARCH },
  { key: "LA7", month: 2, asset: "A7", seller: "operator", via: "op:A7", venue: "bjidex", offer: "ProcessingUse", price: 12_000, scopeMask: SCOPE.CREDIT | SCOPE.INSURANCE },
  // The exclusive reseller of the housing index sublicenses under the product-operation right it bought.
  { key: "LP2r", month: 3, asset: "P2", seller: "proptech", via: "T-P2op", venue: "bjidex", offer: "ProcessingUse", price: 9_800, scopeMask: SCOPE.COMMERCIAL },
  { key: "LZ1", month: 3, asset: "Z1", seller: "smartCity", venue: "bjidex", offer: "ProcessingUse", price: 24_000, scopeMask: SCOPE.URBAN | SCOPE.COMMERCIAL },
  { key: "LN1", month: 3, asset: "N1", seller: "insurer", venue: "bjidex", offer: "ProcessingUse", price: 90_000, scopeMask: SCOPE.CREDIT | SCOPE.AI_TRAINING | SCOPE.RESEARCH },
  { key: "LD2", month: 4, asset: "D2", seller: "aiLab", venue: "szde", offer: "ProcessingUse", price: 60_000, scopeMask: SCOPE.AI_TRAINING | SCOPE.RESEARCH },
  // Three generations up: the bank's features pay the knowledge base, which pays the credit API, which pays the authority.
  { key: "LB1", month: 5, asset: "B1", seller: "bank", venue: "bjidex", offer: "ProcessingUse", price: 65_000, scopeMask: SCOPE.CREDIT | SCOPE.INSURANCE },
  // Data resources sold outright (the holding right changes hands): comparables for the market approach.
  { key: "LL3", month: 5, asset: "L3", seller: "logistics", venue: "bjidex", offer: "HoldingTransfer", price: 980_000 },
  { key: "LV1", month: 6, asset: "V1", seller: "developer", venue: "szde", offer: "HoldingTransfer", price: 1_150_000, merchantBps: 300 },
  { key: "LC6", month: 7, asset: "C6", seller: "construction", venue: "szde", offer: "HoldingTransfer", price: 1_600_000 },
  { key: "LC5", month: 5, asset: "C5", seller: "construction", venue: "szde", offer: "ProcessingUse", price: 40_000, scopeMask: SCOPE.INSURANCE | SCOPE.URBAN },
  { key: "LC3", month: 7, asset: "C3", seller: "construction", venue: "szde", offer: "ProcessingUse", price: 90_000, scopeMask: SCOPE.COMMERCIAL },
  // The speech corpus held as inventory is sold outright: the holding right moves at settlement.
  { key: "LS1", month: 8, asset: "S1", seller: "dataService", venue: "szde", offer: "HoldingTransfer", price: 3_200_000, maxQuantity: 1, merchantBps: 200 },
  // Licences of the revenue-pledged product: the holder's net goes to its pledgees in rank order (see PLEDGES).
  { key: "LF1", month: 7, asset: "F1", seller: "logistics", venue: "bjidex", offer: "ProcessingUse", price: 420_000, scopeMask: SCOPE.COMMERCIAL | SCOPE.INSURANCE | SCOPE.RESEARCH },
];

/** How an order ends: buyer accepts; acceptance window lapses and the seller settles; buyer disputes and the
 * arbiter refunds part; seller never delivers and the buyer takes a refund. */
export type Plan = "accept" | "timeout" | "dispute" | "undelivered";

export interface TradeSpec {
  month: number;
  listing: string;
  buyer: PartyKey;
  plan?: Plan;
  /** For a dispute: the share of the price the arbiter refunds, in bps. */
  refundBps?: number;
  /** Pay with an EIP-2612 permit instead of the standing approval. */
  permit?: boolean;
  /** Name for later reference (a seller certificate, an accounting cost entry). */
  key?: string;
}

const T = (month: number, listing: string, buyer: PartyKey, more: Partial<TradeSpec> = {}): TradeSpec => ({ month, listing, buyer, ...more });

export const TRADES: TradeSpec[] = [
  T(0, "LA1", "bank"), T(0, "LA1", "insurer"), T(0, "LC1", "developer"), T(0, "LS2", "aiLab"),
  T(1, "LA1", "aiLab"), T(1, "LA3", "smartCity"), T(1, "LC1", "proptech"), T(1, "LP1", "bank"), T(1, "LP1", "insurer", { permit: true }),
  T(1, "LP2", "developer"), T(1, "LP3", "smartCity", { plan: "dispute", refundBps: 3000 }), T(1, "LP2op", "proptech", { key: "T-P2op" }),
  T(1, "LI2", "insurer"), T(1, "LS3", "aiLab"),
  T(2, "LP1", "logistics"), T(2, "LP2", "bank"), T(2, "LI2", "bank", { plan: "timeout" }), T(2, "LC2", "developer"), T(2, "LP3", "developer"),
  T(2, "LA3", "logistics"), T(2, "LI3", "insurer"), T(2, "LD1", "bank"),
  T(3, "LC2b", "proptech"), T(3, "LS4", "aiLab", { plan: "undelivered" }), T(3, "LP2r", "developer"), T(3, "LP1", "developer", { plan: "timeout" }),
  T(3, "LS2", "smartCity"), T(3, "LI4", "logistics"), T(3, "LA7", "bank"),
  T(4, "LD1", "insurer"), T(4, "LL1", "insurer"), T(4, "LZ1", "developer"), T(4, "LP2", "insurer"), T(4, "LC2", "bank"), T(4, "LA1", "proptech"),
  T(4, "LN1", "aiLab"),
  T(5, "LS4", "aiLab"), T(5, "LI2", "logistics"), T(5, "LP2r", "bank"), T(5, "LP3", "logistics", { plan: "timeout" }), T(5, "LC1", "insurer"),
  T(5, "LZ1", "logistics"), T(5, "LD2", "bank"), T(5, "LL3", "operator"),
  T(6, "LS3", "bank"), T(6, "LP1", "proptech"), T(6, "LD1", "proptech"), T(6, "LI3", "developer"), T(6, "LL1", "inspection"), T(6, "LC5", "insurer"), T(6, "LB1", "insurer"), T(6, "LV1", "smartCity"),
  T(7, "LC3", "developer"), T(7, "LI2", "aiLab"), T(7, "LA3", "developer"), T(7, "LP2r", "insurer"), T(7, "LN1", "bank"), T(7, "LC2", "logistics"),
  T(7, "LA7", "insurer"), T(7, "LC6", "developer"),
  T(8, "LS1", "aiLab", { key: "T-S1" }), T(8, "LP1", "smartCity"), T(8, "LC1", "bank"), T(8, "LI4", "aiLab"), T(8, "LD1", "logistics", { plan: "timeout" }),
  T(9, "LC3", "proptech"), T(9, "LI2", "developer"), T(9, "LZ1", "proptech"), T(9, "LP2", "construction"), T(9, "LA1", "logistics"),
  T(9, "LC5", "insurer"), T(9, "LD2", "insurer"),
  T(10, "LD1", "developer"), T(10, "LP1", "insurer"), T(10, "LC2b", "developer"), T(10, "LL1", "aiLab"), T(10, "LS3", "insurer"), T(10, "LB1", "logistics"),
  // A year on, licences are renewed.
  T(11, "LP1", "bank"), T(11, "LA1", "bank"), T(11, "LC1", "developer"), T(11, "LI2", "insurer"), T(11, "LP3", "smartCity"), T(11, "LD1", "bank"),
  // The food-safety lab licenses the cold-chain compliance data; the price net of the fee repays the bank's loan.
  T(7, "LF1", "inspection"),
];

/** Months in which every party withdraws its exchange credits (the last quarter's are left to show). */
export const WITHDRAWAL_MONTHS = [2, 5, 8];

/** Six quality scores: accuracy, consistency, completeness, conformity, timeliness, accessibility. */
export type Scores = [number, number, number, number, number, number];
export interface QualitySpec {
  month: number;
  asset: string;
  scores: Scores;
  /** Re-assessment replacing the earlier quality attestation of the same asset. */
  supersedes?: boolean;
}

export const QUALITY: QualitySpec[] = [
  { month: 0, asset: "A1", scores: [95, 93, 90, 96, 92, 88] },
  { month: 0, asset: "I1", scores: [97, 95, 93, 96, 88, 82] },
  { month: 0, asset: "C1", scores: [91, 88, 86, 90, 84, 80] },
  { month: 0, asset: "S1", scores: [96, 94, 92, 95, 70, 85] },
  { month: 0, asset: "S2", scores: [93, 90, 88, 92, 80, 86] },
  { month: 1, asset: "I2", scores: [94, 91, 83, 92, 90, 87] },
  { month: 1, asset: "P1", scores: [92, 90, 89, 93, 95, 90] },
  { month: 1, asset: "S3", scores: [90, 88, 91, 89, 85, 88] },
  { month: 1, asset: "C2", scores: [88, 86, 84, 90, 93, 85] },
  { month: 2, asset: "D1", scores: [89, 87, 85, 88, 90, 86] },
  { month: 2, asset: "L1", scores: [90, 86, 88, 87, 96, 84] },
  { month: 3, asset: "N1", scores: [93, 90, 92, 91, 85, 80] },
  { month: 4, asset: "L3", scores: [88, 85, 90, 86, 92, 82] },
  { month: 5, asset: "V1", scores: [90, 89, 87, 91, 88, 84] },
  { month: 5, asset: "C6", scores: [92, 90, 85, 93, 78, 86] },
  // Completeness fixed after the first assessment.
  { month: 7, asset: "I2", scores: [94, 92, 92, 93, 91, 88], supersedes: true },
];

export interface AppraisalSpec {
  month: number;
  asset: string;
  method: "Cost" | "Market" | "Income";
  value: number;
  /** Replaces the appraiser's earlier report on the asset. */
  supersedes?: boolean;
}

/** Valuation date of each report: the last day of the month before it is attested. */
export const APPRAISALS: AppraisalSpec[] = [
  { month: 5, asset: "S1", method: "Market", value: 3_200_000 }, // supports the inventory write-down to net realisable value
  { month: 6, asset: "C1", method: "Cost", value: 2_473_900 }, // 2,860,000 x quality 86.5%
  { month: 9, asset: "I2", method: "Market", value: 1_350_000 },
  { month: 10, asset: "P1", method: "Income", value: 3_965_000 },
  { month: 11, asset: "C1", method: "Cost", value: 2_802_600, supersedes: true }, // 3,240,000 x 86.5%
  { month: 11, asset: "D1", method: "Income", value: 2_680_000 },
  // Appraised for the bank before financing (质押率: the loan over the appraised value).
  { month: 6, asset: "F1", method: "Income", value: 8_600_000 },
  { month: 6, asset: "F2", method: "Cost", value: 2_150_000 },
  { month: 6, asset: "F3", method: "Market", value: 2_400_000 },
];

type CostSourceName = "Purchased" | "SelfDeveloped" | "Other";
export type BookOp =
  | {
      op: "recognise";
      category: "Intangible" | "Inventory" | "Development";
      source: CostSourceName;
      lifeMonths: number;
      /** An intangible bought now and ready for use later (recogniseAwaitingUse): its life comes with "ready". */
      awaitingUse?: boolean;
      memo: string;
    }
  | { op: "cost"; amount: number; source: CostSourceName; phase?: "Research" | "Development"; memo: string; trade?: string }
  | { op: "ready"; lifeMonths: number; memo: string }
  | { op: "impair"; amount: number; memo: string }
  | { op: "reverse"; amount: number; memo: string }
  | { op: "derecognise"; reason: "Sale" | "Lapse" | "Other"; proceeds: number; memo: string };

export interface BookSpec {
  key: string;
  entity: PartyKey;
  asset: string;
  /** Who records the entries: the entity itself or its accountant. */
  by: "entity" | "accountant";
  entries: [month: number, entry: BookOp][];
}

export const BOOKS: BookSpec[] = [
  {
    key: "C1", entity: "construction", asset: "C1", by: "accountant",
    entries: [
      [0, { op: "recognise", category: "Intangible", source: "SelfDeveloped", lifeMonths: 60, memo: "board resolution: the data pool is used in-house and licensed; finite life of 5 years" }],
      [0, { op: "cost", amount: 1_860_000, source: "SelfDeveloped", memo: "collection of records from 1,240 projects, 2019-2025" }],
      [0, { op: "cost", amount: 642_000, source: "SelfDeveloped", memo: "cleaning, desensitisation and labelling" }],
      [0, { op: "cost", amount: 271_500, source: "SelfDeveloped", memo: "storage and security infrastructure allocated" }],
      [0, { op: "cost", amount: 86_500, source: "Other", memo: "compliance assessment, quality evaluation and registration fees" }],
      [6, { op: "cost", amount: 380_000, source: "SelfDeveloped", memo: "integration and desensitisation of 2026 project data" }],
    ],
  },
  {
    key: "C2", entity: "construction", asset: "C2", by: "accountant",
    entries: [
      [1, { op: "recognise", category: "Intangible", source: "SelfDeveloped", lifeMonths: 36, memo: "index licensed to developers and banks" }],
      [1, { op: "cost", amount: 680_000, source: "SelfDeveloped", memo: "price-survey network and index compilation" }],
    ],
  },
  {
    key: "C3", entity: "construction", asset: "C3", by: "entity",
    entries: [
      [1, { op: "recognise", category: "Development", source: "SelfDeveloped", lifeMonths: 0, memo: "project approved; research phase starts" }],
      [1, { op: "cost", amount: 260_000, source: "SelfDeveloped", phase: "Research", memo: "feasibility study and sample modelling (expensed)" }],
      [2, { op: "cost", amount: 420_000, source: "SelfDeveloped", phase: "Development", memo: "CAS 6 conditions met: feature engineering of 6.5 million cost items" }],
      [3, { op: "cost", amount: 390_000, source: "SelfDeveloped", phase: "Development", memo: "model training data alignment" }],
      [4, { op: "cost", amount: 510_000, source: "SelfDeveloped", phase: "Development", memo: "annotation of bills of quantities" }],
      [5, { op: "cost", amount: 280_000, source: "SelfDeveloped", phase: "Development", memo: "validation against 320 settled projects" }],
      [6, { op: "ready", lifeMonths: 36, memo: "accepted for use by the cost-management department" }],
    ],
  },
  {
    key: "P1", entity: "operator", asset: "P1", by: "accountant",
    entries: [
      [1, { op: "recognise", category: "Intangible", source: "Other", lifeMonths: 36, memo: "product built on public data under the authorised-operation agreement" }],
      [1, { op: "cost", amount: 1_600_000, source: "Other", memo: "processing of authorised public data and API service development" }],
    ],
  },
  {
    key: "I2", entity: "inspection", asset: "I2", by: "accountant",
    entries: [
      [1, { op: "recognise", category: "Intangible", source: "SelfDeveloped", lifeMonths: 36, memo: "inspection-data product, compliance assessed and registered" }],
      [1, { op: "cost", amount: 960_000, source: "SelfDeveloped", memo: "governance, desensitisation and productisation of inspection records" }],
    ],
  },
  {
    key: "S1", entity: "dataService", asset: "S1", by: "accountant",
    entries: [
      [0, { op: "recognise", category: "Inventory", source: "SelfDeveloped", lifeMonths: 0, memo: "dataset held for sale" }],
      [0, { op: "cost", amount: 1_280_000, source: "SelfDeveloped", memo: "recording of 3,600 speakers in 12 dialect areas" }],
      [0, { op: "cost", amount: 2_360_000, source: "SelfDeveloped", memo: "transcription and labelling" }],
      [0, { op: "cost", amount: 186_000, source: "SelfDeveloped", memo: "quality inspection and registration fees" }],
      [5, { op: "impair", amount: 626_000, memo: "net realisable value fell after open-source corpora were released (appraisal, market approach)" }],
      [8, { op: "derecognise", reason: "Sale", proceeds: 3_200_000, memo: "sold on the exchange: holding right transferred" }],
    ],
  },
  {
    key: "S2", entity: "dataService", asset: "S2", by: "accountant",
    entries: [
      [0, { op: "recognise", category: "Inventory", source: "SelfDeveloped", lifeMonths: 0, memo: "dataset held for sale (licensed)" }],
      [0, { op: "cost", amount: 1_650_000, source: "SelfDeveloped", memo: "road data collection" }],
      [0, { op: "cost", amount: 1_300_000, source: "SelfDeveloped", memo: "2D/3D annotation" }],
      [3, { op: "impair", amount: 350_000, memo: "price competition: net realisable value below cost" }],
      [5, { op: "cost", amount: 420_000, source: "SelfDeveloped", memo: "annotation of 400,000 additional frames" }],
      [9, { op: "reverse", amount: 150_000, memo: "demand recovered: write-down partly reversed" }],
    ],
  },
  {
    key: "S3", entity: "dataService", asset: "S3", by: "accountant",
    entries: [
      [1, { op: "recognise", category: "Inventory", source: "SelfDeveloped", lifeMonths: 0, memo: "dataset held for sale (licensed)" }],
      [1, { op: "cost", amount: 1_180_000, source: "SelfDeveloped", memo: "dialogue writing and review" }],
      [7, { op: "cost", amount: 240_000, source: "SelfDeveloped", memo: "second round of labelling" }],
    ],
  },
  {
    key: "S4", entity: "dataService", asset: "S4", by: "accountant",
    entries: [
      [2, { op: "recognise", category: "Inventory", source: "Purchased", lifeMonths: 0, memo: "images bought for annotation and sale" }],
      [2, { op: "cost", amount: 860_000, source: "Purchased", memo: "de-identified images bought from a hospital consortium" }],
      [2, { op: "cost", amount: 540_000, source: "SelfDeveloped", memo: "annotation by radiologists" }],
      [9, { op: "cost", amount: 180_000, source: "SelfDeveloped", memo: "second reading" }],
    ],
  },
  {
    key: "S5", entity: "dataService", asset: "S5", by: "accountant",
    entries: [
      [3, { op: "recognise", category: "Inventory", source: "SelfDeveloped", lifeMonths: 0, memo: "dataset held for sale" }],
      [3, { op: "cost", amount: 420_000, source: "SelfDeveloped", memo: "collection and annotation" }],
      [10, { op: "derecognise", reason: "Lapse", proceeds: 0, memo: "registration cancelled: superseded by a re-annotated edition" }],
    ],
  },
  {
    key: "D1", entity: "aiLab", asset: "D1", by: "accountant",
    entries: [
      [2, { op: "recognise", category: "Intangible", source: "SelfDeveloped", lifeMonths: 24, memo: "knowledge base used in its own models and licensed" }],
      [2, { op: "cost", amount: 1_350_000, source: "SelfDeveloped", memo: "knowledge extraction and alignment" }],
    ],
  },
  {
    key: "aiS1", entity: "aiLab", asset: "S1", by: "accountant",
    entries: [
      [8, { op: "recognise", category: "Intangible", source: "Purchased", lifeMonths: 0, awaitingUse: true, memo: "corpus bought for in-house model training; not yet ready for use" }],
      [8, { op: "cost", amount: 3_200_000, source: "Purchased", memo: "purchase price, settled on the exchange", trade: "T-S1" }],
      [8, { op: "cost", amount: 56_000, source: "Purchased", memo: "cleaning and integration to bring it to intended use" }],
      [9, { op: "ready", lifeMonths: 36, memo: "integrated into the training pipeline: ready for use, amortised from this month" }],
    ],
  },
];

/** Other lifecycle events, in the month's housekeeping slot. */
export type StoryEvent =
  | { month: number; kind: "version"; asset: string; note: string }
  | { month: number; kind: "change"; asset: string; records: number; sizeBytes: number; note: string }
  | { month: number; kind: "transfer"; asset: string; to: PartyKey; note: string }
  | { month: number; kind: "reprice"; listing: string; price: number }
  | { month: number; kind: "revoke"; grant: string; reason: string }
  | { month: number; kind: "renew"; asset: string; years: number }
  | { month: number; kind: "cancel"; asset: string; reason: string };

const monthly = (asset: string, from: number, to: number, note: string): StoryEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ month: from + i, kind: "version" as const, asset, note: `${note} ${from + i}` }));

export const STORY: StoryEvent[] = [
  // Evidence of every monthly release (区块链存证): a new content hash per version.
  ...monthly("I2", 2, 11, "monthly release, month"),
  ...monthly("P2", 2, 11, "monthly index report, month"),
  { month: 3, kind: "version", asset: "C1", note: "quarterly refresh" },
  { month: 5, kind: "version", asset: "S2", note: "v2: 2.4 million frames" },
  { month: 5, kind: "change", asset: "S2", records: 2_400_000, sizeBytes: 16.8 * TB, note: "scale after v2" },
  { month: 6, kind: "version", asset: "C1", note: "quarterly refresh with 2026 projects" },
  { month: 6, kind: "change", asset: "C1", records: 61_500_000, sizeBytes: 12.4 * TB, note: "2026 projects integrated" },
  { month: 6, kind: "transfer", asset: "L2", to: "operator", note: "port data consolidated into the city's data group (share purchase agreement)" },
  { month: 6, kind: "reprice", listing: "LC2", price: 21_600 },
  { month: 8, kind: "revoke", grant: "sub:A5:insurer", reason: "audit found use outside the agreed sandbox scope (超出约定用途)" },
  { month: 9, kind: "version", asset: "C1", note: "quarterly refresh" },
  { month: 10, kind: "cancel", asset: "S5", reason: "superseded by a re-annotated edition; data retired (注销)" },
  { month: 11, kind: "renew", asset: "A1", years: 2 },
];

/** Public institutions (行政事业单位): the pledge registry refuses their pledges (财资〔2024〕1号). */
export const PUBLIC_INSTITUTIONS: PartyKey[] = ["authority"];

/** What a pledge secures (担保范围, 民法典 art. 389): PledgeTerms.scope bits. */
export const PLEDGE_SCOPE = { PRINCIPAL: 1, INTEREST: 2, PENALTIES: 4, DAMAGES: 8, ENFORCEMENT_COSTS: 16 } as const;

/**
 * Pledges (质押) of data assets, each registered first with the PBOC's unified registry (中登网, 动产融资统一登记公示
 * 系统) as a receivables / other-rights security: its registration number and time (UTC+8) are mirrored on chain and
 * rank the pledges of one asset (or of one certificate). Filed by the pledgor on the 22nd of `month` and accepted by
 * the pledgee the same day; due `termMonths` later (on the 22nd, 00:00).
 */
export interface PledgeSpec {
  key: string;
  month: number;
  asset: string;
  pledgor: PartyKey;
  pledgee: PartyKey;
  collateral: "Holding" | "Revenue" | "Certificate";
  /** For a certificate pledge: the trade (or grant) key whose transferable rights certificate is pledged. */
  certificate?: string;
  /** Secured amount, whole yuan. */
  amount: number;
  scope: number;
  termMonths: number;
  /** The legal registration: day and hour of `month`, and its number (登记证明编号). */
  registered: { day: number; hour: number; minute: number; number: string };
  licensingAllowed?: boolean;
  selfSaleAllowed?: boolean;
  /** The least a sale by the pledgee alone may ask, whole yuan (default none). */
  reservePrice?: number;
  /** The main (loan or guarantee) contract, hashed as its evidence. */
  contract: string;
}

const SECURED = PLEDGE_SCOPE.PRINCIPAL | PLEDGE_SCOPE.INTEREST | PLEDGE_SCOPE.PENALTIES;

export const PLEDGES: PledgeSpec[] = [
  // A one-year data-asset loan (数据资产质押贷款) against the appraised product's revenue: 3.0 m yuan on an income
  // appraisal of 8.6 m (质押率 35%); its licence revenue repays the bank first.
  {
    key: "bank:F1", month: 6, asset: "F1", pledgor: "logistics", pledgee: "bank", collateral: "Revenue", amount: 3_000_000, scope: SECURED, termMonths: 12,
    registered: { day: 21, hour: 15, minute: 30, number: "06628631000493052871" },
    contract: "流动资金借款合同 临农商银(2026)质贷字第0183号: 3,000,000 yuan, 12 months, LPR + 45 bp",
  },
  // Second rank: the insurer's counter-guarantee (反担保) for the loan-guarantee insurance it wrote on that loan.
  {
    key: "insurer:F1", month: 6, asset: "F1", pledgor: "logistics", pledgee: "insurer", collateral: "Revenue", amount: 600_000, scope: SECURED | PLEDGE_SCOPE.DAMAGES, termMonths: 12,
    registered: { day: 22, hour: 9, minute: 10, number: "06628631000493117640" },
    contract: "贷款保证保险反担保合同 平和财险(2026)反担字第0412号",
  },
  // Working capital repaid early from project receipts: released (注销登记) in month 9.
  {
    key: "bank:F2", month: 6, asset: "F2", pledgor: "construction", pledgee: "bank", collateral: "Holding", amount: 1_200_000, scope: SECURED, termMonths: 12,
    registered: { day: 21, hour: 10, minute: 0, number: "06628631000492870215" }, licensingAllowed: true,
    contract: "流动资金借款合同 临农商银(2026)质贷字第0179号: 1,200,000 yuan, 12 months",
  },
  // A three-month bridge loan the parking operator does not repay: default, an arbitral order, a sale on the exchange
  // (1,960,000 yuan, above the reserve price of 75% of the 2.4 m market appraisal agreed at filing).
  {
    key: "bank:F3", month: 6, asset: "F3", pledgor: "smartCity", pledgee: "bank", collateral: "Holding", amount: 1_500_000, scope: SECURED | PLEDGE_SCOPE.ENFORCEMENT_COSTS, termMonths: 3,
    registered: { day: 20, hour: 16, minute: 45, number: "06628631000492733308" }, reservePrice: 1_800_000,
    contract: "流动资金借款合同 临农商银(2026)质贷字第0177号: 1,500,000 yuan, 3 months",
  },
  // The housing index's exclusive reseller pledges the transferable product-operation right it bought (经营权质押),
  // not the asset: it keeps sublicensing under it, and on default the bank may sell the right itself, for no less
  // than 80% of the 150,000 yuan it cost.
  {
    key: "bank:T-P2op", month: 11, asset: "P2", certificate: "T-P2op", pledgor: "proptech", pledgee: "bank", collateral: "Certificate", amount: 90_000, scope: SECURED, termMonths: 6,
    registered: { day: 20, hour: 11, minute: 20, number: "06628631000531204476" }, licensingAllowed: true, selfSaleAllowed: true, reservePrice: 120_000,
    contract: "流动资金借款合同 临农商银(2026)质贷字第0236号: 90,000 yuan, 6 months",
  },
];

/** Later steps of the pledges, on the 22nd to 24th of their month. */
export type PledgeEvent =
  | { month: number; kind: "release"; pledge: string; note: string }
  | { month: number; kind: "default"; pledge: string }
  /** An arbiter's order for the sale (the pledge does not allow self-sale and the pledgor did not agree). */
  | { month: number; kind: "order-sale"; pledge: string; ruling: string }
  /** The enforcement sale on the exchange (拍卖/变卖): listed, ordered, delivered by the pledgee, accepted. */
  | { month: number; kind: "enforce"; pledge: string; price: number; costs: number; costsNote: string; buyer: PartyKey };

export const PLEDGE_STORY: PledgeEvent[] = [
  { month: 9, kind: "release", pledge: "bank:F2", note: "loan repaid early from project receipts" },
  { month: 9, kind: "default", pledge: "bank:F3" },
  { month: 9, kind: "order-sale", pledge: "bank:F3", ruling: "前海数据纠纷调解中心 arbitral award: sale of the pledged parking data ordered" },
  // 3% auction commission and the re-appraisal: 58,800 yuan of enforcement costs, paid first from the proceeds.
  { month: 10, kind: "enforce", pledge: "bank:F3", price: 1_960_000, costs: 58_800, costsNote: "auction commission 3% and re-appraisal fee", buyer: "operator" },
];

/** Months the demo simulates. */
export const MONTHS = 12;
