import type { Condition } from '../domain/catalogue/condition.js';

/** What the referral workflow needs from the catalogue (the gate), provided by the catalogue module. */
export interface CatalogueLookup {
  latestPublishedVersion(): Promise<number>;
  matchCondition(icd10: string, version: number): Promise<Condition | null>;
  unknownIndicationCodes(codes: string[], version: number): Promise<string[]>;
}

export const CATALOGUE_LOOKUP = Symbol('CATALOGUE_LOOKUP');
