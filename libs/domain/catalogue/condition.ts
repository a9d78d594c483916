/** A condition of the catalogue, in the contract's read shape (every read returns full conditions). */
export type Tier = 'township' | 'county';

export interface UpwardIndication {
  /** `<condition code>.up.NN`, stable once published. */
  code: string;
  text: string;
  /** 急诊转诊: an emergency indication. */
  emergency: boolean;
}

export interface DownwardCriterion {
  /** `<condition code>.down.NN`, stable once published. */
  code: string;
  text: string;
}

export interface Condition {
  code: string;
  nameZh: string;
  nameEn: string;
  pinyin: string;
  icd10: string[];
  category: string;
  tier: Tier;
  grassrootsFirst: boolean;
  upwardIndications: UpwardIndication[];
  downwardCriteria: DownwardCriterion[];
  verified: boolean;
  source: string;
  note: string;
}
