// @ts-check
/**
 * The shapes the page reads from the query API (services/query/src/schemas.ts is the
 * contract; these JSDoc types mirror the parts the page uses). Types only: no code.
 */

/** @typedef {'NO_BASELINE' | 'MET' | 'MISSED' | 'OPEN'} GrowthStatus */
/** @typedef {'analyst' | 'admin' | 'partner' | 'ingest'} Role */

/**
 * @typedef {object} Rebate
 * @property {string} base
 * @property {string} growthBonus
 * @property {string} promotion
 * @property {string} volume
 * @property {string} total
 */

/**
 * @typedef {object} MonthReport
 * @property {string} month
 * @property {string} sales
 * @property {string} returns
 * @property {string} net
 * @property {number} orders
 * @property {number} units
 * @property {boolean} closed
 * @property {boolean} restated
 * @property {string | null} tier
 * @property {number | null} growthBps
 * @property {GrowthStatus} growthStatus
 * @property {number} targetBps
 * @property {Rebate} rebate
 */

/**
 * @typedef {object} ChannelDetail
 * @property {string} channelId
 * @property {string} name
 * @property {string} kind
 * @property {boolean} online
 * @property {string | null} tier
 * @property {string | null} [region]
 * @property {MonthReport[]} months
 */

/**
 * @typedef {object} ChannelListItem
 * @property {string} channelId
 * @property {string} name
 * @property {string} kind
 * @property {boolean} online
 * @property {string | null} region
 * @property {string | null} tier
 * @property {string} firstMonth
 * @property {string | null} lastClosedMonth
 * @property {string | null} lastClosedNet
 * @property {number | null} lastClosedGrowthBps
 * @property {GrowthStatus | null} lastClosedGrowthStatus
 * @property {string | null} quarter
 * @property {string | null} quarterRebateAccrued
 */

/**
 * @typedef {object} ProgramMonth
 * @property {string} month
 * @property {string} net
 * @property {string} onlineNet
 * @property {number | null} onlineShareBps
 * @property {number} activeChannels
 * @property {number} newChannels
 * @property {number} trainingsCompleted
 * @property {string | null} satisfactionAvg
 */

/**
 * @typedef {object} TierMovement
 * @property {string} channelId
 * @property {string} from
 * @property {string} to
 * @property {string} reviewMonth
 * @property {string} effectiveMonth
 * @property {'UPGRADE' | 'DOWNGRADE'} kind
 */

/**
 * @typedef {object} Alert
 * @property {string} id
 * @property {'GROWTH_TARGET_MISSED' | 'GROWTH_TARGET_MISS_RETRACTED' | 'TIER_DOWNGRADE_WARNING' | 'TIER_DOWNGRADED' | 'TARGET_BEHIND' | 'TARGET_BEHIND_RETRACTED' | 'CHANNEL_INACTIVE' | 'CHANNEL_INACTIVE_RETRACTED'} kind
 * @property {string} channelId
 * @property {string} month
 * @property {number | null} [growthBps]
 * @property {number} [targetBps]
 * @property {boolean} [restated]
 * @property {string} [tier]
 * @property {string} [qualifyingTier]
 * @property {string} [from]
 * @property {string} [to]
 * @property {string} [quarter]           (v2) TARGET_BEHIND…: "2026-Q1"
 * @property {string} [cumulativeNet]     (v2) TARGET_BEHIND
 * @property {string} [cumulativeTarget]  (v2) TARGET_BEHIND
 * @property {number} [idleMonths]        (v2) CHANNEL_INACTIVE
 * @property {string | null} [lastSaleMonth]  (v2) CHANNEL_INACTIVE
 */

/**
 * @typedef {object} AlertLog
 * @property {{ seq: number, alert: Alert }[]} alerts
 * @property {number} next
 */

/**
 * @typedef {object} Report
 * @property {{ lines: number, accepted: number, duplicates: number, rejected: number }} counts
 * @property {string | null} lastClosedMonth
 * @property {ChannelDetail[]} channels
 * @property {{ months: ProgramMonth[] }} program
 * @property {TierMovement[]} tierMovements
 * @property {Alert[]} alerts
 */

/**
 * @typedef {object} MoneyEvent
 * @property {string} eventId
 * @property {number} position
 * @property {'SaleRecorded' | 'SaleReturned'} type
 * @property {string} occurredAt
 * @property {string} orderId
 * @property {string} sku
 * @property {number} quantity
 * @property {string} amount
 */

/**
 * @typedef {object} Contribution
 * @property {string} eventId
 * @property {number} position
 * @property {'SaleRecorded' | 'SaleReturned'} type
 * @property {string} month
 * @property {string} amount
 * @property {number} bps
 * @property {string} contribution
 * @property {{ promotionId: string, eventId: string, position: number, bonusBps: number }[]} [promotions]
 * @property {{ eventId: string, position: number, bps: number } | null} [originalSale]
 */

/**
 * @typedef {object} Component
 * @property {string} figure
 * @property {string} computed
 * @property {string} unrounded
 * @property {boolean} applies
 * @property {string | null} reason
 * @property {string} rule
 * @property {string | null} [tier]
 * @property {number} [bps]
 * @property {{ months: { month: string, net: string }[], quarterNet: string, band: { minQuarterNet: string, rateBps: number } | null } | null} [quarter]
 * @property {Contribution[]} events
 */

/**
 * @typedef {object} Explanation
 * @property {string} channelId
 * @property {string} month
 * @property {number} position
 * @property {boolean} consistent
 * @property {{ figure: string, computed: string, rule: string, events: MoneyEvent[] }} sales
 * @property {{ figure: string, computed: string, rule: string, events: MoneyEvent[] }} returns
 * @property {{ figure: string, computed: string }} net
 * @property {{ figure: { growthBps: number | null, growthStatus: GrowthStatus }, computed: { growthBps: number | null, growthStatus: GrowthStatus }, net: string, previous: { month: string, net: string, events: MoneyEvent[] }, targetBps: number, closed: boolean, rule: string }} growth
 * @property {{ base: Component, growthBonus: Component, promotion: Component, volume: Component, total: { figure: string, computed: string, rule: string } }} rebate
 */

/**
 * GET /v1/channels/:id/trainings: a channel's trainings and certifications, read from the log.
 * @typedef {object} Trainings
 * @property {string} channelId
 * @property {{ month: string, trainings: number, certifications: number }[]} months   the channel's months, ascending
 * @property {{ traineeId: string, certifications: { certification: string, courseId: string, month: string, eventId: string }[] }[]} trainees   by traineeId
 * @property {number} certifiedLast12Months   distinct trainees certified in the 12 months ending with the latest month
 * @property {{ from: string, to: string }} certificationWindow   the months that count: M−11 … M
 */

/**
 * The derived facts of GET /v1/live (packages/runtime/src/facts.ts).
 * @typedef {(
 *   | { kind: 'MonthFiguresChanged', channelId: string, month: string, position: number }
 *   | { kind: 'MonthClosed', month: string, position: number }
 *   | { kind: 'AlertRaised', alert: Alert, position: number }
 *   | { kind: 'TierChanged', movement: TierMovement, position: number }
 * )} DerivedFact
 */

/**
 * Who the page is signed in as. `channelId` is set for a partner key.
 * @typedef {object} Session
 * @property {string | null} key   null when the server has no keys configured
 * @property {Role} role
 * @property {string} [channelId]
 */

/**
 * An alert as the feed shows it: `seq` when read from /v1/alerts, `live` when it arrived on
 * the stream while the page was open.
 * @typedef {object} FeedAlert
 * @property {Alert} alert
 * @property {number} [seq]
 * @property {boolean} live
 */

// --- spec v2 (packages/domain/src/v2Report.ts; the routes of services/query answer these) ----

/** @typedef {'OPEN' | 'ON_TRACK' | 'BEHIND'} PaceStatus */

/**
 * A channel's annual target and its attainment (GET /v1/channels/:id/targets, /v1/targets).
 * @typedef {object} TargetReport
 * @property {string} channelId
 * @property {string} year
 * @property {string} annualTarget
 * @property {string} targetEventId
 * @property {string} ytdNet
 * @property {number} attainmentBps
 * @property {number} closedMonths
 * @property {number} sellingMonths
 * @property {string} closedNet
 * @property {string | null} projectedNet   the run-rate projection of the year's net
 * @property {PaceStatus} status
 * @property {{ quarter: string, target: string, net: string, cumulativeTarget: string, cumulativeNet: string, status: PaceStatus }[]} quarters
 */

/**
 * @typedef {object} PriceChangeReport
 * @property {string} changeId
 * @property {string} sku
 * @property {string} oldUnitPrice
 * @property {string} newUnitPrice
 * @property {string} effectiveAt
 * @property {string} month
 * @property {number | null} windowDays
 * @property {boolean} protected
 */

/**
 * @typedef {object} ClaimReport
 * @property {string} channelId
 * @property {string} sku
 * @property {string} changeId
 * @property {string} month
 * @property {number} purchasedUnits
 * @property {number} returnedUnits
 * @property {number} windowUnits
 * @property {number | null} onHand
 * @property {number} eligibleUnits
 * @property {string} unitCredit
 * @property {string} credit
 * @property {boolean} restated
 * @property {{ sales: string[], returns: string[], inventory: string | null }} basis
 */

/**
 * GET /v1/channels/:id/claims/:changeId/explain: the events behind a claim, to the cent
 * (an `INVENTORY_CAP` line has no `eventId` when no inventory report was in the window).
 * @typedef {object} ClaimExplain
 * @property {string} channelId
 * @property {string} changeId
 * @property {string} sku
 * @property {string} month
 * @property {string} unitCredit
 * @property {string} credit
 * @property {number} eligibleUnits
 * @property {{ eventId: string | null, type: 'SaleRecorded' | 'ReturnRecorded' | 'InventoryReported' | 'INVENTORY_CAP', occurredAt: string | null, units: number, credit: string, note: string }[]} lines
 * @property {{ label: string, value: string }[]} steps
 */

/**
 * A top-level partner's tree, month by month (GET /v1/rollups, /v1/channels/:id/rollup).
 * @typedef {object} RollupReport
 * @property {string} channelId
 * @property {{ month: string, members: string[], net: string, previousNet: string, growthBps: number | null, growthStatus: GrowthStatus, targetBps: number }[]} months
 */

/**
 * @typedef {object} SatisfactionReport
 * @property {string} channelId
 * @property {{ quarter: string, surveys: number, respondents: number, satisfactionAvg: string | null }[]} quarters
 */

/**
 * @typedef {object} ProgramQuarterReport
 * @property {string} quarter
 * @property {number} channels
 * @property {number} surveyedChannels
 * @property {number | null} surveyCoverageBps
 * @property {string | null} satisfactionAvg
 */

export {};
