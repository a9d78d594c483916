import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, forbidden, invalidField, notFound, validationFailed, type FieldProblem } from '../domain/errors/domain-error.js';
import { evaluateGate, type GateResult } from '../domain/referral/gate.js';
import { checkHandover, type Handover } from '../domain/referral/handover.js';
import { checkPatient, idLast4, normalisePatient, patientKey, type Patient } from '../domain/referral/patient.js';
import { assertTransition, partyOf } from '../domain/referral/referral-machine.js';
import { isActionName, type ActionName, type Direction, type ReferralStatus, type Urgency } from '../domain/referral/referral-status.js';
import { isDoctor, type Actor } from '../domain/shared/actor.js';
import { ReferralEntity } from '../persistence/entities/referral.entity.js';
import { isUniqueViolation } from '../persistence/pg-errors.js';
import type { RequestContext } from '../idempotency/request-key.js';
import { parseActionPayload, type AcceptInput, type ArriveInput, type CancelInput, type CompleteInput, type ReturnInput } from './action-payloads.js';
import { InstitutionDirectory } from './institution-directory.js';
import { CATALOGUE_LOOKUP, type CatalogueLookup } from './catalogue-lookup.js';
import { snapshotOf, type ReferralView } from './referral.mapper.js';
import { ReferralQueries } from './referral-queries.service.js';
import { ReferralWriter } from './referral-writer.js';
import { RecentReferrals } from './recent-referrals.js';
import { ReasonCodesService } from './reason-codes.service.js';

/** The referral form as both create and PATCH carry it (validated for shape by the HTTP layer). */
export interface ReferralForm {
  urgency: Urgency;
  patient: Patient;
  toDepartment?: string | null;
  diagnosis: { icd10: string; text: string };
  reason: string;
  indications?: string[];
  override?: { justification: string } | null;
  consent: { obtained: true; by: 'patient' | 'guardian' };
  history?: string | null;
  allergies?: string | null;
  treatmentSoFar?: string | null;
  handover?: Handover | null;
}

export interface CreateReferralInput extends ReferralForm {
  direction: Direction;
  toInstitutionId: string;
  parentReferralId?: string;
  submit?: boolean;
}

const OPEN_UP_INDEX = 'UQ_referrals_open_up_per_patient';
const REQUEST_KEY_INDEX = 'UQ_referral_transitions_request_key';
const EDITABLE: ReferralStatus[] = ['draft', 'returned'];

/** Creating, editing and acting on referrals. Every status change goes through ReferralWriter. */
@Injectable()
export class ReferralCommands {
  constructor(
    @InjectRepository(ReferralEntity) private readonly referrals: Repository<ReferralEntity>,
    private readonly institutions: InstitutionDirectory,
    @Inject(CATALOGUE_LOOKUP) private readonly catalogue: CatalogueLookup,
    private readonly writer: ReferralWriter,
    private readonly queries: ReferralQueries,
    private readonly reasonCodes: ReasonCodesService,
    private readonly recent: RecentReferrals,
  ) {}

  async create(actor: Actor, input: CreateReferralInput, ctx: RequestContext = {}): Promise<ReferralView> {
    const earlier = await this.earlierAnswer(ctx, actor);
    if (earlier) return earlier;
    const creator = input.direction === 'up' ? 'township_doctor' : 'county_doctor';
    if (actor.role !== creator || !actor.institutionId) {
      throw forbidden(`Only a ${creator.replace('_', ' ')} may create ${input.direction === 'up' ? 'upward' : 'downward'} referrals.`);
    }
    const destination = await this.institutions.get(input.toInstitutionId);
    const wantedLevel = input.direction === 'up' ? ['county'] : ['township', 'village'];
    if (!destination || !wantedLevel.includes(destination.level)) {
      throw invalidField('toInstitutionId', `toInstitutionId must name a ${wantedLevel.join(' or ')} institution`);
    }
    const problems = this.checkForm(input.direction, input);
    if (input.parentReferralId) problems.push(...(await this.checkParent(input.parentReferralId, input.toInstitutionId, actor.institutionId)));
    if (problems.length > 0) throw validationFailed(problems);

    const submit = input.submit ?? true;
    const gate = submit && input.direction === 'up' ? await this.judge(input) : null;
    const patient = normalisePatient(input.patient);
    try {
      const created = await this.writer.insert(
        {
          direction: input.direction,
          urgency: input.urgency,
          status: submit ? 'submitted' : 'draft',
          fromInstitutionId: actor.institutionId,
          toInstitutionId: input.toInstitutionId,
          authorId: actor.id,
          parentReferralId: input.parentReferralId ?? null,
          gate: gate as never,
          ...this.formColumns(input, patient),
        },
        actor,
        {
          action: submit ? 'submit' : 'create',
          reason: null,
          catalogueVersion: gate?.catalogueVersion ?? null,
          correlationId: ctx.correlationId,
          requestKey: ctx.requestKey?.value,
        },
      );
      return await this.queries.present(created, actor);
    } catch (e) {
      const applied = await this.appliedUnderKey(e, ctx, actor);
      if (applied) return applied;
      throw await this.duplicateOr(e, actor.institutionId, patient);
    }
  }

  /** PATCH: an origin doctor edits a draft or a returned referral (then resubmits it). */
  async patch(actor: Actor, id: string, version: number, changes: Partial<ReferralForm>): Promise<ReferralView> {
    const referral = await this.queries.findVisible(id, actor);
    const party = partyOf(snapshotOf(referral), actor);
    if (party !== 'origin' || !isDoctor(actor.role)) throw forbidden('Only a doctor of the referring institution may edit a referral.');
    if (referral.version !== version) throw new DomainError('VERSION_CONFLICT', 'The referral was changed by someone else; reload it and try again.');
    if (!EDITABLE.includes(referral.status as ReferralStatus)) {
      throw new DomainError('ILLEGAL_TRANSITION', `A referral can be edited only while draft or returned (it is ${referral.status}).`, { status: referral.status });
    }
    const merged: ReferralForm = { ...this.formOf(referral), ...stripUndefined(changes) };
    const problems = this.checkForm(referral.direction as Direction, merged);
    if (problems.length > 0) throw validationFailed(problems);
    const patient = normalisePatient(merged.patient);
    try {
      await this.writer.update(id, version, EDITABLE, {
        ...this.formColumns(merged, patient),
        urgency: merged.urgency,
        priority: merged.urgency === 'emergency' ? 0 : 1,
      });
    } catch (e) {
      throw await this.duplicateOr(e, referral.fromInstitutionId, patient);
    }
    return this.queries.view(id, actor);
  }

  /**
   * `POST /referrals/:id/actions/:action`, checked in the contract's order: 404, 404, 409, 409, 400. When this
   * process knows the referral at the version the body names (RecentReferrals), it acts on that row without reading
   * it; if anything refuses the action there, it is judged again on a fresh read, so the answer is always the one
   * the database's current row gives (a refusal happens before the write, so the first attempt wrote nothing).
   */
  async act(actor: Actor, id: string, actionName: string, body: Record<string, unknown>, ctx: RequestContext = {}): Promise<ReferralView> {
    const earlier = await this.earlierAnswer(ctx, actor);
    if (earlier) return earlier;
    try {
      const known = this.recent.at(id, body?.version);
      if (known) {
        try {
          return await this.actOn(this.queries.visible(known, actor), actor, actionName, body, ctx);
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
        }
      }
      return await this.actOn(await this.queries.findVisible(id, actor), actor, actionName, body, ctx);
    } catch (e) {
      const applied = await this.appliedUnderKey(e, ctx, actor);
      if (applied) return applied;
      throw e;
    }
  }

  /**
   * A retry that took over the Idempotency-Key of a first attempt that died (its lease lapsed): if that attempt's
   * change committed before it died, it is on a history row under the key, and the retry answers with the referral
   * instead of acting again (where it would meet the new version: 409).
   */
  private earlierAnswer(ctx: RequestContext, actor: Actor): Promise<ReferralView | undefined> {
    return ctx.requestKey?.takenOver ? this.changeUnderKey(ctx.requestKey.value, actor) : Promise.resolve(undefined);
  }

  /** The first attempt committed while this one ran (its lease lapsed first): the unique key refuses a second change. */
  private appliedUnderKey(error: unknown, ctx: RequestContext, actor: Actor): Promise<ReferralView | undefined> {
    return ctx.requestKey && isUniqueViolation(error, REQUEST_KEY_INDEX) ? this.changeUnderKey(ctx.requestKey.value, actor) : Promise.resolve(undefined);
  }

  private async changeUnderKey(requestKey: string, actor: Actor): Promise<ReferralView | undefined> {
    const referralId = await this.queries.changedUnderKey(requestKey);
    return referralId ? this.queries.view(referralId, actor) : undefined;
  }

  private async actOn(referral: ReferralEntity, actor: Actor, actionName: string, body: Record<string, unknown>, ctx: RequestContext): Promise<ReferralView> {
    if (actor.role === 'admin') throw forbidden('Admins read referrals but take no actions.');
    if (!isActionName(actionName)) throw notFound('Action');
    const { version, ...payload } = body ?? {};
    if (typeof version !== 'number' || !Number.isInteger(version)) throw invalidField('version', 'version must be the integer version you last read');
    if (version !== referral.version) throw new DomainError('VERSION_CONFLICT', 'The referral was changed by someone else; reload it and try again.');
    const snapshot = snapshotOf(referral);
    const to = assertTransition(snapshot, actionName, { kind: 'user', actor });
    const step = await this.prepare(referral, actionName, payload, actor);
    const changed = await this.writer.transition({
      referral,
      expectedVersion: version,
      from: snapshot.status,
      to,
      action: actionName,
      actor,
      changes: step.changes,
      reason: step.reason,
      catalogueVersion: step.catalogueVersion,
      correlationId: ctx.correlationId,
      requestKey: ctx.requestKey?.value,
    });
    return this.queries.present(changed, actor);
  }

  /** The deadline engine's actions (no_show, expire): same machine, same write path, no user. */
  async actAsEngine(id: string, action: Extract<ActionName, 'no_show' | 'expire'>, expectedVersion: number, reason: string): Promise<void> {
    const referral = await this.referrals.findOneBy({ id });
    if (!referral || referral.version !== expectedVersion) return;
    const to = assertTransition(snapshotOf(referral), action, { kind: 'engine' });
    await this.writer.transition({ referral, expectedVersion, from: referral.status as ReferralStatus, to, action, actor: null, reason });
  }

  /** Payload checks and the columns an action sets. */
  private async prepare(
    referral: ReferralEntity,
    action: ActionName,
    payload: Record<string, unknown>,
    actor: Actor,
  ): Promise<{ changes: Partial<ReferralEntity>; reason: string | null; catalogueVersion: number | null }> {
    const direction = referral.direction as Direction;
    const none = { changes: {}, reason: null, catalogueVersion: null };
    const by = { id: actor.id, displayName: actor.displayName };
    switch (action) {
      case 'submit':
      case 'resubmit': {
        parseActionPayload(action, direction, payload);
        if (direction !== 'up') return none;
        const gate = await this.judge(this.formOf(referral));
        return { changes: { gate: gate as never }, reason: null, catalogueVersion: gate.catalogueVersion };
      }
      case 'accept': {
        const p = parseActionPayload<AcceptInput>(action, direction, payload);
        const at = p.appointmentAt ? new Date(p.appointmentAt).toISOString() : null;
        return { ...none, changes: { appointment: { department: p.department, at }, toDepartment: referral.toDepartment ?? p.department } };
      }
      case 'return': {
        const p = parseActionPayload<ReturnInput>(action, direction, payload);
        const code = await this.reasonCodes.findActive(p.reasonCode);
        if (!code) throw invalidField('reasonCode', 'reasonCode must be an active return reason code');
        const returnReason = { code: code.code, labelZh: code.labelZh, labelEn: code.labelEn, comment: p.comment ?? null, at: new Date().toISOString(), by };
        return { ...none, changes: { returnReason }, reason: p.comment ? `${code.code}: ${p.comment}` : code.code };
      }
      case 'cancel': {
        const p = parseActionPayload<CancelInput>(action, direction, payload);
        const reason = [p.reasonCode, p.comment].filter(Boolean).join(': ') || null;
        return { ...none, reason };
      }
      case 'arrive': {
        const p = parseActionPayload<ArriveInput>(action, direction, payload);
        return { ...none, changes: { arrivedAt: p.arrivedAt ? new Date(p.arrivedAt) : new Date() } };
      }
      case 'complete': {
        const p = parseActionPayload<CompleteInput>(action, direction, payload);
        return { ...none, changes: { outcome: { ...p.outcome, at: new Date().toISOString(), by } } };
      }
      default:
        parseActionPayload(action, direction, payload);
        return none;
    }
  }

  /** The gate against the latest published catalogue; unknown indication codes are a 400 first. */
  private async judge(form: Pick<ReferralForm, 'diagnosis' | 'urgency' | 'indications' | 'override'>): Promise<GateResult> {
    const version = await this.catalogue.latestPublishedVersion();
    const indications = form.indications ?? [];
    const unknown = indications.length ? await this.catalogue.unknownIndicationCodes(indications, version) : [];
    if (unknown.length > 0) {
      throw validationFailed(
        unknown.map((code) => ({ field: 'indications', message: `indication ${code} exists in no condition of catalogue version ${version}` })),
      );
    }
    const condition = await this.catalogue.matchCondition(form.diagnosis.icd10, version);
    return evaluateGate({ urgency: form.urgency, indications, override: form.override ?? null, condition, catalogueVersion: version });
  }

  private checkForm(direction: Direction, form: ReferralForm): FieldProblem[] {
    const problems = checkPatient(form.patient);
    if (direction === 'down') {
      if (!form.handover) problems.push({ field: 'handover', message: 'a downward referral needs a handover' });
      else problems.push(...checkHandover(form.handover).map((p) => ({ ...p, field: p.field.startsWith('handover') ? p.field : `handover.${p.field}` })));
    }
    return problems;
  }

  /** A down referral's parent: an upward referral from its destination to the caller, arrived or completed. */
  private async checkParent(parentId: string, toInstitutionId: string, callerInstitutionId: string): Promise<FieldProblem[]> {
    const parent = await this.referrals.findOneBy({ id: parentId });
    const ok =
      parent &&
      parent.direction === 'up' &&
      parent.fromInstitutionId === toInstitutionId &&
      parent.toInstitutionId === callerInstitutionId &&
      (parent.status === 'arrived' || parent.status === 'completed');
    return ok ? [] : [{ field: 'parentReferralId', message: 'parentReferralId must name an arrived or completed upward referral from the destination to your institution' }];
  }

  private formOf(r: ReferralEntity): ReferralForm {
    return {
      urgency: r.urgency as Urgency,
      patient: r.patient as unknown as Patient,
      toDepartment: r.toDepartment,
      diagnosis: { icd10: r.diagnosisIcd10, text: r.diagnosisText },
      reason: r.reason,
      indications: r.indications,
      override: r.override,
      consent: r.consent as ReferralForm['consent'],
      history: r.history,
      allergies: r.allergies,
      treatmentSoFar: r.treatmentSoFar,
      handover: r.handover as Handover | null,
    };
  }

  private formColumns(form: ReferralForm, patient: Patient): Partial<ReferralEntity> {
    return {
      patient: patient as never,
      patientKey: patientKey(patient),
      patientName: patient.name,
      patientIdLast4: idLast4(patient),
      toDepartment: form.toDepartment ?? null,
      diagnosisIcd10: form.diagnosis.icd10,
      diagnosisText: form.diagnosis.text,
      reason: form.reason,
      indications: form.indications ?? [],
      override: form.override ?? null,
      consent: form.consent as never,
      history: form.history ?? null,
      allergies: form.allergies ?? null,
      treatmentSoFar: form.treatmentSoFar ?? null,
      handover: (form.handover ?? null) as never,
    };
  }

  /** The partial unique index refused a second open upward referral: 409 naming the open one. */
  private async duplicateOr(error: unknown, fromInstitutionId: string, patient: Patient): Promise<unknown> {
    if (!isUniqueViolation(error, OPEN_UP_INDEX)) return error;
    const existing = await this.referrals
      .createQueryBuilder('r')
      .select('r.id')
      .where(`r.from_institution_id = :from AND r.patient_key = :key AND r.direction = 'up'`, { from: fromInstitutionId, key: patientKey(patient) })
      .andWhere(`r.status IN ('draft', 'submitted', 'returned', 'accepted', 'arrived')`)
      .getOne();
    return new DomainError('DUPLICATE_OPEN_REFERRAL', 'This patient already has an open upward referral from your institution.', {
      referralId: existing?.id ?? null,
    });
  }
}

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
