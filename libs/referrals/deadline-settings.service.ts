import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { validationFailed } from '../domain/errors/domain-error.js';
import { checkDeadlineSettings, DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings } from '../domain/referral/deadlines.js';
import { SettingEntity } from '../persistence/entities/setting.entity.js';

const KEY = 'deadlines';
/** Settings are read on every transition; other API processes see a change within this long. */
const CACHE_MS = 5000;

/** Deadline and escalation settings (admin); new settings apply to deadlines opened afterwards. */
@Injectable()
export class DeadlineSettingsService {
  private cached: { value: DeadlineSettings; until: number } | undefined;

  constructor(@InjectRepository(SettingEntity) private readonly settings: Repository<SettingEntity>) {}

  async get(): Promise<DeadlineSettings> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.value;
    const row = await this.settings.findOneBy({ key: KEY });
    const value = (row?.value as DeadlineSettings | undefined) ?? DEFAULT_DEADLINE_SETTINGS;
    this.cached = { value, until: Date.now() + CACHE_MS };
    return value;
  }

  async replace(value: unknown): Promise<DeadlineSettings> {
    const problems = checkDeadlineSettings(value);
    if (problems.length > 0) throw validationFailed(problems);
    await this.settings.upsert({ key: KEY, value: value as DeadlineSettings }, ['key']);
    this.cached = undefined;
    return value as DeadlineSettings;
  }
}
