import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { alreadyExists, notFound } from '../domain/errors/domain-error.js';
import { ReasonCodeEntity } from '../persistence/entities/reason-code.entity.js';
import type { Page } from '../persistence/pagination.js';
import { isUniqueViolation } from '../persistence/pg-errors.js';
import { SeedRunner } from '../persistence/seed-runner.js';

export interface ReasonCodeView { code: string; labelZh: string; labelEn: string; active: boolean }

/** 退回原因: seeded on first start; admins add and retire codes. No official list exists (domain brief §4). */
export const SEED_REASON_CODES: Omit<ReasonCodeView, 'active'>[] = [
  { code: 'capacity_full', labelZh: '床位或号源已满', labelEn: 'Capacity full' },
  { code: 'information_incomplete', labelZh: '转诊资料不完整', labelEn: 'Information incomplete' },
  { code: 'manageable_at_grassroots', labelZh: '按目录可在基层诊治', labelEn: 'Manageable at the grassroots per the catalogue' },
  { code: 'wrong_department', labelZh: '科室不符', labelEn: 'Wrong department' },
  { code: 'patient_declined', labelZh: '患者拒绝转诊', labelEn: 'Patient declined' },
  { code: 'other', labelZh: '其他', labelEn: 'Other' },
];

const view = (r: ReasonCodeEntity): ReasonCodeView => ({ code: r.code, labelZh: r.labelZh, labelEn: r.labelEn, active: r.active });

@Injectable()
export class ReasonCodesService implements OnModuleInit {
  constructor(
    @InjectRepository(ReasonCodeEntity) private readonly codes: Repository<ReasonCodeEntity>,
    private readonly seeds: SeedRunner,
  ) {}

  onModuleInit(): void {
    this.seeds.register({
      order: 30,
      name: 'reason codes',
      run: async () => {
        if ((await this.codes.count()) > 0) return;
        // Distinct timestamps keep the seeded order (the list is ordered by creation).
        const t0 = Date.now();
        await this.codes.insert(SEED_REASON_CODES.map((c, i) => ({ ...c, active: true, createdAt: new Date(t0 + i) })));
      },
    });
  }

  /** The whole list (it is short): the contract answers `{ items, nextCursor: null }`. */
  async list(): Promise<Page<ReasonCodeView>> {
    const rows = await this.codes.find({ order: { createdAt: 'ASC', code: 'ASC' } });
    return { items: rows.map(view), nextCursor: null };
  }

  async create(input: Omit<ReasonCodeView, 'active'>): Promise<ReasonCodeView> {
    try {
      await this.codes.insert({ ...input, active: true });
    } catch (e) {
      if (isUniqueViolation(e) || (e as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw alreadyExists(`The reason code "${input.code}" exists.`, { field: 'code' });
      }
      throw e;
    }
    return view((await this.codes.findOneBy({ code: input.code }))!);
  }

  async update(code: string, patch: Partial<Omit<ReasonCodeView, 'code'>>): Promise<ReasonCodeView> {
    const row = await this.codes.findOneBy({ code });
    if (!row) throw notFound('Reason code');
    Object.assign(row, patch);
    return view(await this.codes.save(row));
  }

  /** An active code → its labels; unknown or retired → null. */
  async findActive(code: string): Promise<ReasonCodeView | null> {
    const row = await this.codes.findOneBy({ code, active: true });
    return row ? view(row) : null;
  }
}
