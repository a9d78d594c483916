import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { validationFailed } from '../domain/errors/domain-error.js';
import { checkDeadlineSettings, DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings } from '../domain/referral/deadlines.js';
import { SettingEntity } from '../persistence/entities/setting.entity.js';

const KEY = 'deadlines';

/** Deadline and escalation settings (admin); new settings apply to deadlines opened afterwards. */
@Injectable()
export class DeadlineSettingsService {
  constructor(@InjectRepository(SettingEntity) private readonly settings: Repository<SettingEntity>) {}

  async get(manager?: EntityManager): Promise<DeadlineSettings> {
    const repo = manager ? manager.getRepository(SettingEntity) : this.settings;
    const row = await repo.findOneBy({ key: KEY });
    return (row?.value as DeadlineSettings | undefined) ?? DEFAULT_DEADLINE_SETTINGS;
  }

  async replace(value: unknown): Promise<DeadlineSettings> {
    const problems = checkDeadlineSettings(value);
    if (problems.length > 0) throw validationFailed(problems);
    await this.settings.upsert({ key: KEY, value: value as DeadlineSettings }, ['key']);
    return value as DeadlineSettings;
  }
}
