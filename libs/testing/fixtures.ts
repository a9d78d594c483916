import { randomBytes } from 'node:crypto';
import type { Role } from '../domain/shared/actor.js';
import type { TestApp } from './test-app.js';

export interface SignedIn { token: string; user: { id: string; username: string; displayName: string; role: Role; institutionId: string | null } }
export interface Institution { id: string; code: string; name: string; level: 'county' | 'township' | 'village' }

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
export const TEST_PASSWORD = 'test-password-1';

export async function login(t: TestApp, username: string, password: string): Promise<SignedIn> {
  const res = await t.http.post('/api/v1/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, user: res.body.user };
}

export const loginAdmin = (t: TestApp) => login(t, t.config.auth.adminUsername, t.config.auth.adminPassword);

export async function createInstitution(t: TestApp, admin: SignedIn, level: Institution['level'], name?: string): Promise<Institution> {
  const code = unique(level);
  const res = await t.http
    .post('/api/v1/institutions')
    .set('Authorization', `Bearer ${admin.token}`)
    .send({ code, name: name ?? `${level} ${code}`, level });
  if (res.status !== 201) throw new Error(`create institution failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Creates a user through the API and signs them in. */
export async function createUser(t: TestApp, admin: SignedIn, role: Role, institutionId: string | null, displayName?: string): Promise<SignedIn> {
  const username = unique(role.replace('_', '.'));
  const res = await t.http
    .post('/api/v1/users')
    .set('Authorization', `Bearer ${admin.token}`)
    .send({ username, password: TEST_PASSWORD, displayName: displayName ?? username, role, institutionId });
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return login(t, username, TEST_PASSWORD);
}

/** A small medical community: one county hospital and two townships, one user of each role where it works. */
export interface Community {
  admin: SignedIn;
  county: Institution;
  township: Institution;
  otherTownship: Institution;
  countyDoctor: SignedIn;
  countyCoordinator: SignedIn;
  townshipDoctor: SignedIn;
  townshipCoordinator: SignedIn;
  otherTownshipDoctor: SignedIn;
}

export async function createCommunity(t: TestApp): Promise<Community> {
  const admin = await loginAdmin(t);
  const county = await createInstitution(t, admin, 'county', '县人民医院');
  const township = await createInstitution(t, admin, 'township', '城关镇卫生院');
  const otherTownship = await createInstitution(t, admin, 'township', '和平镇卫生院');
  return {
    admin,
    county,
    township,
    otherTownship,
    countyDoctor: await createUser(t, admin, 'county_doctor', county.id, '李医生'),
    countyCoordinator: await createUser(t, admin, 'coordinator', county.id, '王协调员'),
    townshipDoctor: await createUser(t, admin, 'township_doctor', township.id, '张医生'),
    townshipCoordinator: await createUser(t, admin, 'coordinator', township.id, '陈协调员'),
    otherTownshipDoctor: await createUser(t, admin, 'township_doctor', otherTownship.id, '刘医生'),
  };
}

export const bearer = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
