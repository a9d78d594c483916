import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainError } from '../errors/domain-error.js';
import { ROLES, type Actor, type Role } from '../shared/actor.js';
import {
  DOWNWARD_MACHINE,
  UPWARD_MACHINE,
  allowedActions,
  assertTransition,
  can,
  isTerminal,
  machineFor,
  partyOf,
  reachableStatuses,
  targetStatus,
  type ActingParty,
  type ReferralSnapshot,
} from './referral-machine.js';
import {
  ACTIONS,
  DIRECTIONS,
  REFERRAL_STATUSES,
  TERMINAL_STATUSES,
  URGENCIES,
  isActionName,
  type ActionName,
  type Direction,
  type ReferralStatus,
  type Urgency,
} from './referral-status.js';

const FROM = 'inst-from';
const TO = 'inst-to';
const OTHER = 'inst-other';

type Side = 'origin' | 'destination' | 'none';
type Caller = { label: string; role: Role | 'engine'; side: Side | 'engine'; who: ActingParty };

const user = (role: Role, institutionId: string | null): Actor => ({
  id: `${role}@${institutionId}`,
  username: `${role}-${institutionId}`,
  displayName: role,
  role,
  institutionId,
});
const institutionOf: Record<Side, string> = { origin: FROM, destination: TO, none: OTHER };

/** Every role at every side, an admin without institution, and the deadline engine. */
const CALLERS: Caller[] = [
  ...ROLES.flatMap((role) =>
    (['origin', 'destination', 'none'] as const).map(
      (side): Caller => ({ label: `${role}@${side}`, role, side, who: { kind: 'user', actor: user(role, institutionOf[side]) } }),
    ),
  ),
  { label: 'admin@null', role: 'admin', side: 'none', who: { kind: 'user', actor: user('admin', null) } },
  { label: 'engine', role: 'engine', side: 'engine', who: { kind: 'engine' } },
];

const snapshot = (direction: Direction, status: ReferralStatus, urgency: Urgency): ReferralSnapshot => ({
  direction,
  urgency,
  status,
  fromInstitutionId: FROM,
  toInstitutionId: TO,
});

// ---- The contract's action table, transcribed independently of the implementation. ----
const isDoctorRole = (r: Caller['role']) => r === 'township_doctor' || r === 'county_doctor';
const originDoctor = (c: Caller) => c.side === 'origin' && isDoctorRole(c.role);
const originAny = (c: Caller) => c.side === 'origin' && (isDoctorRole(c.role) || c.role === 'coordinator');
const destination = (c: Caller) => c.side === 'destination' && (isDoctorRole(c.role) || c.role === 'coordinator');
const engine = (c: Caller) => c.side === 'engine';

/** `to` where the contract has the move from `status` (whoever asks), and whether `c` may make it. */
function expected(status: ReferralStatus, action: ActionName, urgency: Urgency, c: Caller): { to: ReferralStatus | null; may: boolean } {
  const row = (to: ReferralStatus | null, may: boolean) => ({ to, may: to !== null && may });
  switch (action) {
    case 'submit':
      return row(status === 'draft' ? 'submitted' : null, originDoctor(c));
    case 'accept':
      return row(status === 'submitted' ? 'accepted' : null, destination(c));
    case 'return':
      return row(status === 'submitted' ? 'returned' : null, destination(c));
    case 'resubmit':
      return row(status === 'returned' ? 'submitted' : null, originDoctor(c));
    case 'cancel':
      return row(['draft', 'submitted', 'returned', 'accepted'].includes(status) ? 'cancelled' : null, originAny(c));
    case 'arrive':
      return row(status === 'accepted' || (status === 'submitted' && urgency === 'emergency') ? 'arrived' : null, destination(c));
    case 'no_show':
      return row(status === 'accepted' ? 'no_show' : null, destination(c) || engine(c));
    case 'complete':
      return row(status === 'arrived' ? 'completed' : null, destination(c));
    case 'expire':
      return row(status === 'submitted' ? 'expired' : null, engine(c));
  }
}

function attempt(ref: ReferralSnapshot, action: ActionName, who: ActingParty): ReferralStatus | DomainError {
  try {
    return assertTransition(ref, action, who);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
}

describe('referral state machine: exhaustive table against the contract', () => {
  const combos = DIRECTIONS.flatMap((direction) => REFERRAL_STATUSES.map((status) => [direction, status] as const));
  const perCombo = ACTIONS.length * CALLERS.length * URGENCIES.length;

  it.each(combos)(`%s referral in %s: every action × caller × urgency (${perCombo} cases each)`, (direction, status) => {
    const mismatches: string[] = [];
    for (const urgency of URGENCIES) {
      const ref = snapshot(direction, status, urgency);
      for (const action of ACTIONS) {
        for (const caller of CALLERS) {
          const want = expected(status, action, urgency, caller);
          const where = `${direction}/${status}/${urgency}/${action}/${caller.label}`;
          if (targetStatus(ref, action) !== want.to) mismatches.push(`${where}: targetStatus ${targetStatus(ref, action)} ≠ ${want.to}`);
          if (can(ref, action, caller.who) !== want.may) mismatches.push(`${where}: can ≠ ${want.may}`);
          if (allowedActions(ref, caller.who).includes(action) !== want.may) mismatches.push(`${where}: allowedActions ≠ ${want.may}`);
          const got = attempt(ref, action, caller.who);
          if (want.may) {
            if (got !== want.to) mismatches.push(`${where}: assertTransition → ${String(got)} ≠ ${want.to}`);
          } else if (!(got instanceof DomainError) || got.code !== 'ILLEGAL_TRANSITION' || got.status !== 409) {
            mismatches.push(`${where}: expected ILLEGAL_TRANSITION, got ${String(got)}`);
          } else if (JSON.stringify(got.details) !== JSON.stringify({ status, action })) {
            mismatches.push(`${where}: details ${JSON.stringify(got.details)}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lists allowed actions in the contract order, e.g. a destination coordinator on a submitted emergency', () => {
    const coordinator: ActingParty = { kind: 'user', actor: user('coordinator', TO) };
    expect(allowedActions(snapshot('up', 'submitted', 'emergency'), coordinator)).toEqual(['accept', 'return', 'arrive']);
    expect(allowedActions(snapshot('up', 'submitted', 'routine'), coordinator)).toEqual(['accept', 'return']);
    const doctor: ActingParty = { kind: 'user', actor: user('township_doctor', FROM) };
    expect(allowedActions(snapshot('up', 'draft', 'routine'), doctor)).toEqual(['submit', 'cancel']);
    expect(allowedActions(snapshot('up', 'returned', 'urgent'), doctor)).toEqual(['resubmit', 'cancel']);
    expect(allowedActions(snapshot('up', 'submitted', 'urgent'), { kind: 'engine' })).toEqual(['expire']);
    expect(allowedActions(snapshot('down', 'accepted', 'urgent'), { kind: 'engine' })).toEqual(['no_show']);
  });

  it('tells a wrong status apart from a wrong caller in the message, with the same code and details', () => {
    const coordinator: ActingParty = { kind: 'user', actor: user('coordinator', FROM) };
    expect(() => assertTransition(snapshot('up', 'completed', 'routine'), 'cancel', coordinator)).toThrow(/status 'completed'/);
    const e = attempt(snapshot('up', 'draft', 'routine'), 'submit', coordinator) as DomainError;
    expect(e).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { status: 'draft', action: 'submit' } });
    expect(e.message).toMatch(/You may not/);
  });
});

describe('referral state machine: shape and reachability', () => {
  it.each(DIRECTIONS)('%s: every status is present, and terminal statuses (only those) have no exits', (direction) => {
    const machine = machineFor(direction);
    expect(Object.keys(machine).sort()).toEqual([...REFERRAL_STATUSES].sort());
    for (const status of REFERRAL_STATUSES) {
      expect(machine[status].length === 0).toBe(isTerminal(status));
    }
    expect(REFERRAL_STATUSES.filter(isTerminal).sort()).toEqual([...TERMINAL_STATUSES].sort());
  });

  it.each(DIRECTIONS)('%s: every status is reachable from draft', (direction) => {
    expect([...reachableStatuses(direction)].sort()).toEqual([...REFERRAL_STATUSES].sort());
  });

  it('uses the same table both ways and picks it by direction', () => {
    expect(machineFor('up')).toBe(UPWARD_MACHINE);
    expect(machineFor('down')).toBe(DOWNWARD_MACHINE);
    expect(DOWNWARD_MACHINE).toEqual(UPWARD_MACHINE);
  });

  it('cannot be changed at run time by a careless caller', () => {
    expect(() => UPWARD_MACHINE.completed.push({ action: 'submit', to: 'submitted', who: ['engine'] })).toThrow(TypeError);
    expect(() => {
      UPWARD_MACHINE.draft[0].who.push('engine');
    }).toThrow(TypeError);
    expect(allowedActions(snapshot('up', 'draft', 'routine'), { kind: 'engine' })).toEqual([]);
  });

  it('recognises action names, and only those', () => {
    for (const a of ACTIONS) expect(isActionName(a)).toBe(true);
    for (const s of ['create', 'Submit', '', 'reject', 'toString', '__proto__']) expect(isActionName(s)).toBe(false);
  });
});

describe('partyOf', () => {
  const ref = snapshot('up', 'submitted', 'routine');
  it('places users by institution and admins nowhere', () => {
    expect(partyOf(ref, user('township_doctor', FROM))).toBe('origin');
    expect(partyOf(ref, user('coordinator', TO))).toBe('destination');
    expect(partyOf(ref, user('county_doctor', OTHER))).toBeNull();
    expect(partyOf(ref, user('admin', null))).toBeNull();
    expect(partyOf(ref, user('admin', FROM))).toBeNull();
  });
});

describe('referral state machine: random walks (fast-check)', () => {
  type Step = { action: ActionName; who: ActingParty; pickAllowed: boolean; pick: number };
  type Entry = { from: ReferralStatus; to: ReferralStatus; action: ActionName; who: ActingParty };

  const whoArb: fc.Arbitrary<ActingParty> = fc.oneof(
    fc.constant<ActingParty>({ kind: 'engine' }),
    fc
      .record({ role: fc.constantFrom(...ROLES), inst: fc.constantFrom<string | null>(FROM, TO, OTHER, null) })
      .map(({ role, inst }): ActingParty => ({ kind: 'user', actor: user(role, inst) })),
  );
  const stepArb: fc.Arbitrary<Step> = fc.record({
    action: fc.constantFrom(...ACTIONS),
    who: whoArb,
    pickAllowed: fc.boolean(),
    pick: fc.nat(),
  });

  it('keeps the invariants whatever anyone tries', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DIRECTIONS), fc.constantFrom(...URGENCIES), fc.array(stepArb, { maxLength: 40 }), (direction, urgency, steps) => {
        const ref = snapshot(direction, 'draft', urgency);
        const history: Entry[] = [];
        for (const step of steps) {
          const allowed = allowedActions(ref, step.who);
          // Half the time take an allowed action, so walks get deep instead of bouncing off the table.
          const action = step.pickAllowed && allowed.length > 0 ? allowed[step.pick % allowed.length] : step.action;
          const before = ref.status;
          const got = attempt(ref, action, step.who);
          if (got instanceof DomainError) {
            expect(got.code).toBe('ILLEGAL_TRANSITION');
            expect(got.details).toEqual({ status: before, action });
            expect(allowed).not.toContain(action);
          } else {
            expect(allowed).toContain(action);
            history.push({ from: before, to: got, action, who: step.who });
            ref.status = got;
          }
          if (isTerminal(ref.status)) {
            for (const a of ACTIONS) expect(targetStatus(ref, a)).toBeNull();
            expect(allowedActions(ref, step.who)).toEqual([]);
            expect(allowedActions(ref, { kind: 'engine' })).toEqual([]);
          }
        }
        // The history chains from draft to the current status.
        let at: ReferralStatus = 'draft';
        for (const entry of history) {
          expect(entry.from).toBe(at);
          at = entry.to;
        }
        expect(at).toBe(ref.status);
        // Only terminal statuses end a walk for good, and nothing follows a terminal entry.
        history.slice(0, -1).forEach((e) => expect(isTerminal(e.to)).toBe(false));
        for (const entry of history) {
          if (entry.who.kind === 'user') {
            expect(entry.who.actor.role).not.toBe('admin');
            expect(partyOf(ref, entry.who.actor)).not.toBeNull();
          }
          if (entry.action === 'cancel') {
            expect(entry.who.kind === 'user' && partyOf(ref, entry.who.actor) === 'origin').toBe(true);
          }
          if (entry.action === 'expire') expect(entry.who.kind).toBe('engine');
          if (entry.who.kind === 'engine') expect(['expire', 'no_show']).toContain(entry.action);
          if (entry.action === 'arrive' && entry.from === 'submitted') expect(urgency).toBe('emergency');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
