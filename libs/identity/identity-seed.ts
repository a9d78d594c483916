import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import type { Role } from '../domain/shared/actor.js';
import { InstitutionEntity, type InstitutionLevel } from '../persistence/entities/institution.entity.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import { SeedRunner } from '../persistence/seed-runner.js';
import { hashPassword } from './password-hasher.js';

export const DEMO_PASSWORD = 'demo12345';

/** The demo medical community (DEMO_DATA=true): one county hospital, three township centres. */
export const DEMO_INSTITUTIONS: { code: string; name: string; level: InstitutionLevel }[] = [
  { code: 'county-people', name: '示范县人民医院', level: 'county' },
  { code: 'township-chengguan', name: '城关镇卫生院', level: 'township' },
  { code: 'township-heping', name: '和平镇卫生院', level: 'township' },
  { code: 'township-qingshan', name: '青山乡卫生院', level: 'township' },
];

export const DEMO_USERS: { username: string; displayName: string; role: Role; institution: string }[] = [
  { username: 'county.doctor', displayName: '李医生（县医院心内科）', role: 'county_doctor', institution: 'county-people' },
  { username: 'county.coordinator', displayName: '王协调员（县医院转诊中心）', role: 'coordinator', institution: 'county-people' },
  { username: 'town.doctor', displayName: '张医生（城关镇卫生院）', role: 'township_doctor', institution: 'township-chengguan' },
  { username: 'town.coordinator', displayName: '陈协调员（城关镇卫生院）', role: 'coordinator', institution: 'township-chengguan' },
  { username: 'heping.doctor', displayName: '刘医生（和平镇卫生院）', role: 'township_doctor', institution: 'township-heping' },
];

/** Seeds the first admin from configuration and, when DEMO_DATA is on, the demo community. Idempotent. */
@Injectable()
export class IdentitySeed implements OnModuleInit {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly runner: SeedRunner,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>,
  ) {}

  onModuleInit(): void {
    this.runner.register({ order: 10, name: 'admin', run: () => this.seedAdmin() });
    if (this.config.seed.demoData) this.runner.register({ order: 90, name: 'demo community', run: () => this.seedDemo() });
  }

  private async seedAdmin(): Promise<void> {
    const { adminUsername, adminPassword } = this.config.auth;
    if (await this.users.existsBy({ username: adminUsername })) return;
    await this.users.insert({
      username: adminUsername,
      passwordHash: await hashPassword(adminPassword),
      displayName: '医共体管理员',
      role: 'admin',
      institutionId: null,
    });
    this.logger.log(`created the first admin "${adminUsername}"`);
  }

  private async seedDemo(): Promise<void> {
    const ids = new Map<string, string>();
    for (const inst of DEMO_INSTITUTIONS) {
      const found = await this.institutions.findOneBy({ code: inst.code });
      ids.set(inst.code, found ? found.id : (await this.institutions.save(this.institutions.create(inst))).id);
    }
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    let created = 0;
    for (const u of DEMO_USERS) {
      if (await this.users.existsBy({ username: u.username })) continue;
      await this.users.insert({ username: u.username, passwordHash, displayName: u.displayName, role: u.role, institutionId: ids.get(u.institution)! });
      created++;
    }
    if (created > 0 || this.config.nodeEnv !== 'test') {
      this.logger.log(
        `demo medical community loaded; sign in as ${DEMO_USERS.map((u) => u.username).join(', ')} with password "${DEMO_PASSWORD}"` +
          ` (admin: "${this.config.auth.adminUsername}")`,
      );
    }
  }
}
