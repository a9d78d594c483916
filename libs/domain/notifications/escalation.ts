import { escalationDueAt, type EscalationStep } from '../referral/deadlines.js';

/** The ladder in the order it runs: by `afterMinutes`, ties kept in the settings' order. */
export function orderedLadder(steps: readonly EscalationStep[]): EscalationStep[] {
  return steps.map((step, i) => ({ step, i })).sort((a, b) => a.step.afterMinutes - b.step.afterMinutes || a.i - b.i).map((x) => x.step);
}

/**
 * The escalation steps due now for a deadline breached at `breachedAt` that has already run `done` of them:
 * the next steps of the ordered ladder whose time has come, each once, in order.
 */
export function dueEscalations(steps: readonly EscalationStep[], done: number, breachedAt: Date, now: Date): { index: number; step: EscalationStep }[] {
  const ladder = orderedLadder(steps);
  const due: { index: number; step: EscalationStep }[] = [];
  for (let index = Math.max(0, done); index < ladder.length; index++) {
    if (escalationDueAt(breachedAt, ladder[index]).getTime() > now.getTime()) break;
    due.push({ index, step: ladder[index] });
  }
  return due;
}
