import type { INestApplicationContext } from '@nestjs/common';
import { makeResidentId } from '../../../libs/domain/referral/resident-id.js';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { InstitutionsService } from '../../../libs/identity/institutions.service.js';
import { UsersService } from '../../../libs/identity/users.service.js';
import type { CreateReferralInput } from '../../../libs/referrals/referral-commands.service.js';

export const TOWNSHIPS = 10;

/** The bench's medical community, as plain data (it is handed to the load processes). */
export interface Community {
  county: string;
  /** Two coordinators, then four county doctors. */
  countyStaff: Actor[];
  /** The first doctor of each township. */
  townDoctors: Actor[];
}

/** One county hospital and TOWNSHIPS township centres, each with two doctors and a coordinator. */
export async function seedCommunity(app: INestApplicationContext): Promise<Community> {
  const institutions = app.get(InstitutionsService);
  const users = app.get(UsersService);
  const actor = async (username: string, role: Actor['role'], institutionId: string): Promise<Actor> => {
    const u = await users.create({ username, password: 'bench-password-1', displayName: username, role, institutionId });
    return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, institutionId: u.institutionId };
  };
  const county = (await institutions.create({ code: 'bench-county', name: '基准县人民医院', level: 'county' })).id;
  const countyStaff = [
    await actor('bench.county.coord1', 'coordinator', county),
    await actor('bench.county.coord2', 'coordinator', county),
    ...(await Promise.all([1, 2, 3, 4].map((i) => actor(`bench.county.doctor${i}`, 'county_doctor', county)))),
  ];
  const townDoctors: Actor[] = [];
  for (let i = 1; i <= TOWNSHIPS; i++) {
    const town = (await institutions.create({ code: `bench-town-${i}`, name: `基准镇卫生院${i}`, level: 'township' })).id;
    townDoctors.push(await actor(`bench.town${i}.doctor1`, 'township_doctor', town));
    await actor(`bench.town${i}.doctor2`, 'township_doctor', town);
    await actor(`bench.town${i}.coord`, 'coordinator', town);
  }
  return { county, countyStaff, townDoctors };
}

/** A routine upward referral for patient number `n` (distinct n, distinct resident ID). */
export function referralBody(c: Community, n: number): CreateReferralInput {
  const seq = String(n % 1000).padStart(3, '0');
  const region = String(110000 + (Math.floor(n / 1000) % 890000));
  return {
    direction: 'up',
    urgency: 'routine',
    patient: { name: `压测患者${n}`, gender: 'unknown', birthDate: '1960-05-05', idNumber: makeResidentId(region, '1960-05-05', seq) },
    toInstitutionId: c.county,
    diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
    reason: '血压控制不佳',
    indications: ['hypertension.up.14'],
    consent: { obtained: true, by: 'patient' },
  };
}
