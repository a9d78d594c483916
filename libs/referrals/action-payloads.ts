import { plainToInstance, Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, MaxLength, Matches, ValidateNested, validateSync } from 'class-validator';
import { validationFailed, type FieldProblem } from '../domain/errors/domain-error.js';
import type { ActionName, Direction } from '../domain/referral/referral-status.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const TEXT = 4000;

class NoPayload {}

class AcceptPayload {
  @IsString() @Length(1, 200) department: string;
  @IsOptional() @IsString() @Matches(RFC3339, { message: 'appointmentAt must be an RFC 3339 time' }) appointmentAt?: string;
}

class ReturnPayload {
  @IsString() @Length(1, 64) reasonCode: string;
  @IsOptional() @IsString() @MaxLength(TEXT) comment?: string;
}

class CancelPayload {
  @IsOptional() @IsString() @Length(1, 64) reasonCode?: string;
  @IsOptional() @IsString() @MaxLength(TEXT) comment?: string;
}

class ArrivePayload {
  @IsOptional() @IsString() @Matches(RFC3339, { message: 'arrivedAt must be an RFC 3339 time' }) arrivedAt?: string;
}

class UpOutcome {
  @IsString() @Length(1, TEXT) diagnosis: string;
  @IsString() @Length(1, TEXT) summary: string;
  @IsOptional() @IsString() @MaxLength(TEXT) recommendations?: string;
}

class DownOutcome {
  @IsString() @Length(1, 200) familyDoctor: string;
  @IsString() @Length(1, TEXT) summary: string;
}

class CompleteUpPayload {
  @IsObject() @ValidateNested() @Type(() => UpOutcome) outcome: UpOutcome;
}

class CompleteDownPayload {
  @IsObject() @ValidateNested() @Type(() => DownOutcome) outcome: DownOutcome;
}

const PAYLOADS: Record<ActionName, (direction: Direction) => new () => object> = {
  submit: () => NoPayload,
  resubmit: () => NoPayload,
  accept: () => AcceptPayload,
  return: () => ReturnPayload,
  cancel: () => CancelPayload,
  arrive: () => ArrivePayload,
  no_show: () => NoPayload,
  expire: () => NoPayload,
  complete: (d) => (d === 'up' ? CompleteUpPayload : CompleteDownPayload),
};

export type AcceptInput = AcceptPayload;
export type ReturnInput = ReturnPayload;
export type CancelInput = CancelPayload;
export type ArriveInput = ArrivePayload;
export type CompleteInput = { outcome: Record<string, string> };

function problemsOf(errors: ReturnType<typeof validateSync>, parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((message) => ({ field, message })), ...problemsOf(e.children ?? [], field)];
  });
}

/** Validates an action's payload (the body without `version`); unknown fields are refused. Throws 400. */
export function parseActionPayload<T>(action: ActionName, direction: Direction, payload: Record<string, unknown>): T {
  const type = PAYLOADS[action](direction);
  if (type === NoPayload) {
    // class-validator refuses a class without rules, so "no fields" is checked here.
    const extra = Object.keys(payload).map((field) => ({ field, message: `property ${field} should not exist` }));
    if (extra.length > 0) throw validationFailed(extra);
    return {} as T;
  }
  const instance = plainToInstance(type, payload);
  const problems = problemsOf(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }));
  if (action === 'accept' || action === 'arrive') {
    const at = (payload as { appointmentAt?: string; arrivedAt?: string }).appointmentAt ?? (payload as { arrivedAt?: string }).arrivedAt;
    if (typeof at === 'string' && RFC3339.test(at) && Number.isNaN(Date.parse(at))) {
      problems.push({ field: action === 'accept' ? 'appointmentAt' : 'arrivedAt', message: 'not a real time' });
    }
  }
  if (problems.length > 0) throw validationFailed(problems);
  return instance as T;
}

export const ACTION_KINDS = Object.keys(PAYLOADS) as ActionName[];
