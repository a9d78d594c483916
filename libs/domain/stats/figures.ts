import { GATE_OUTCOMES, type GateOutcome } from '../referral/gate.js';
import { DIRECTIONS, REFERRAL_STATUSES, isReferralStatus, type Direction, type ReferralStatus } from '../referral/referral-status.js';
import { roundMinutes } from './quantile.js';
import { rate, ratio } from './rates.js';

/**
 * The figures reported for a set of referrals (a period, an institution, a condition, a month). The formulas are
 * in README.md, "Statistics: definitions"; the SQL that counts is in libs/stats/stats-sql.ts.
 */

export type StatusCounts = Record<ReferralStatus, number>;
export interface DirectionCounts { total: number; byStatus: StatusCounts }
export type GateOutcomeCounts = Record<GateOutcome, number>;
export interface ReasonCount { code: string; count: number }
/** Minutes, to a tenth; null when `count` is 0. */
export interface Durations { count: number; median: number | null; p90: number | null }
export interface FollowUp { due: number; met: number; rate: number | null }

export interface Figures {
  up: DirectionCounts;
  down: DirectionCounts;
  /** down.total ÷ up.total (下转/上转), null without up referrals. */
  downUpRatio: number | null;
  answered: number;
  accepted: number;
  returned: number;
  acceptanceRate: number | null;
  returnRate: number | null;
  returnReasons: ReasonCount[];
  minutesToAccept: Durations;
  minutesToArrive: Durations;
  deadlineBreaches: number;
  escalations: number;
  gateOutcomes: GateOutcomeCounts;
  /** override ÷ up referrals judged by the gate, null when none was. */
  overrideShare: number | null;
  careLoopsClosed: number;
  followUp: FollowUp;
}

/** The answers a set of referrals got, for one side (as referrer, as receiver). */
export interface SideFigures {
  total: number;
  answered: number;
  accepted: number;
  returned: number;
  acceptanceRate: number | null;
  returnRate: number | null;
  returnReasons: ReasonCount[];
}

/** What the database counts for one group; every number a non-negative integer. */
export interface CountRow {
  statuses: { direction: string; status: string; count: number }[];
  answered: number;
  accepted: number;
  returned: number;
  returnReasons: ReasonCount[];
  gateOutcomes: { outcome: string; count: number }[];
  careLoopsClosed: number;
  deadlineBreaches: number;
  escalations: number;
  followUpMet: number;
  followUpBreached: number;
}

export interface DurationRow { count: number; median: number | null; p90: number | null }

export const emptyCounts = (): CountRow => ({
  statuses: [],
  answered: 0,
  accepted: 0,
  returned: 0,
  returnReasons: [],
  gateOutcomes: [],
  careLoopsClosed: 0,
  deadlineBreaches: 0,
  escalations: 0,
  followUpMet: 0,
  followUpBreached: 0,
});

export const NO_DURATIONS: DurationRow = Object.freeze({ count: 0, median: null, p90: null });

const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Codes with a count above 0, most frequent first, then by code; the same code listed twice is added up. */
export function reasonList(entries: readonly ReasonCount[]): ReasonCount[] {
  const totals = new Map<string, number>();
  for (const { code, count } of entries) totals.set(code, (totals.get(code) ?? 0) + count);
  return [...totals]
    .filter(([, count]) => count > 0)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Adds two groups' counts (the sides of an institution are disjoint sets of referrals). */
export function addCounts(a: CountRow, b: CountRow): CountRow {
  return {
    statuses: [...a.statuses, ...b.statuses],
    answered: a.answered + b.answered,
    accepted: a.accepted + b.accepted,
    returned: a.returned + b.returned,
    returnReasons: reasonList([...a.returnReasons, ...b.returnReasons]),
    gateOutcomes: [...a.gateOutcomes, ...b.gateOutcomes],
    careLoopsClosed: a.careLoopsClosed + b.careLoopsClosed,
    deadlineBreaches: a.deadlineBreaches + b.deadlineBreaches,
    escalations: a.escalations + b.escalations,
    followUpMet: a.followUpMet + b.followUpMet,
    followUpBreached: a.followUpBreached + b.followUpBreached,
  };
}

function directionCounts(rows: CountRow['statuses'], direction: Direction): DirectionCounts {
  const byStatus = zeroes(REFERRAL_STATUSES);
  for (const r of rows) {
    if (r.direction !== direction) continue;
    if (!isReferralStatus(r.status)) throw new RangeError(`unknown status ${r.status}`);
    byStatus[r.status] += r.count;
  }
  return { total: Object.values(byStatus).reduce((s, n) => s + n, 0), byStatus };
}

const durations = (d: DurationRow): Durations => ({ count: d.count, median: roundMinutes(d.median), p90: roundMinutes(d.p90) });

export function buildFigures(counts: CountRow, toAccept: DurationRow = NO_DURATIONS, toArrive: DurationRow = NO_DURATIONS): Figures {
  const [up, down] = DIRECTIONS.map((d) => directionCounts(counts.statuses, d));
  const gateOutcomes = zeroes(GATE_OUTCOMES);
  for (const g of counts.gateOutcomes) {
    if (!(GATE_OUTCOMES as readonly string[]).includes(g.outcome)) throw new RangeError(`unknown gate outcome ${g.outcome}`);
    gateOutcomes[g.outcome as GateOutcome] += g.count;
  }
  const judged = Object.values(gateOutcomes).reduce((s, n) => s + n, 0);
  const followUpDue = counts.followUpMet + counts.followUpBreached;
  return {
    up,
    down,
    downUpRatio: ratio(down.total, up.total),
    answered: counts.answered,
    accepted: counts.accepted,
    returned: counts.returned,
    acceptanceRate: rate(counts.accepted, counts.answered),
    returnRate: rate(counts.returned, counts.answered),
    returnReasons: reasonList(counts.returnReasons),
    minutesToAccept: durations(toAccept),
    minutesToArrive: durations(toArrive),
    deadlineBreaches: counts.deadlineBreaches,
    escalations: counts.escalations,
    gateOutcomes,
    overrideShare: rate(gateOutcomes.override, judged),
    careLoopsClosed: counts.careLoopsClosed,
    followUp: { due: followUpDue, met: counts.followUpMet, rate: rate(counts.followUpMet, followUpDue) },
  };
}

export function buildSide(counts: CountRow): SideFigures {
  const total = counts.statuses.reduce((s, r) => s + r.count, 0);
  return {
    total,
    answered: counts.answered,
    accepted: counts.accepted,
    returned: counts.returned,
    acceptanceRate: rate(counts.accepted, counts.answered),
    returnRate: rate(counts.returned, counts.answered),
    returnReasons: reasonList(counts.returnReasons),
  };
}

/** `GET /stats/summary` exactly as the contract shapes it. */
export interface Summary {
  from: string | null;
  to: string | null;
  institutionId: string | null;
  up: DirectionCounts;
  down: DirectionCounts;
  acceptanceRate: number | null;
  returnRate: number | null;
  returnReasons: ReasonCount[];
  medianMinutesToAccept: number | null;
  deadlineBreaches: number;
  gateOutcomes: GateOutcomeCounts;
}

export function toSummary(scope: { from: Date | null; to: Date | null; institutionId: string | null }, f: Figures): Summary {
  return {
    from: scope.from?.toISOString() ?? null,
    to: scope.to?.toISOString() ?? null,
    institutionId: scope.institutionId,
    up: f.up,
    down: f.down,
    acceptanceRate: f.acceptanceRate,
    returnRate: f.returnRate,
    returnReasons: f.returnReasons,
    medianMinutesToAccept: f.minutesToAccept.median,
    deadlineBreaches: f.deadlineBreaches,
    gateOutcomes: f.gateOutcomes,
  };
}
