import { BENCH_ADMIN } from './engine-process.js';
import { EngineClient } from './engine-client.js';

/**
 * The bench's medical community, created through the API: 1 county hospital, 20 township centres and 200 users
 * (a doctor and 8 staff per township, the rest at the county), signed in as the users the load acts as.
 * `--quick` seeds a smaller one.
 */
export interface Shape { townships: number; users: number }
export const FULL: Shape = { townships: 20, users: 200 };
export const QUICK: Shape = { townships: 5, users: 50 };
export const PASSWORD = 'bench-password-1';

export interface Community {
  shape: Shape;
  county: string;
  townships: string[];
  /** Access tokens: one doctor per township, the county's coordinator and one county doctor. */
  townDoctors: string[];
  countyCoordinator: string;
  countyDoctor: string;
}

export async function seedCommunity(base: string, shape: Shape): Promise<Community> {
  const http = new EngineClient(base);
  const admin = await http.login(BENCH_ADMIN.username, BENCH_ADMIN.password);
  const institution = (code: string, name: string, level: string) => http.call<{ id: string }>('POST', '/api/v1/institutions', admin, { code, name, level });
  const county = (await institution('bench-county', '基准县人民医院', 'county')).id;
  const townships: string[] = [];
  for (let i = 1; i <= shape.townships; i++) townships.push((await institution(`bench-town-${i}`, `基准镇卫生院${i}`, 'township')).id);

  const users: [string, string, string][] = [
    ['bench.county.coordinator', 'coordinator', county],
    ['bench.county.doctor', 'county_doctor', county],
  ];
  for (let i = 1; i <= shape.townships; i++) {
    users.push([`bench.town.doctor.${i}`, 'township_doctor', townships[i - 1]]);
    for (let j = 1; j <= 8; j++) users.push([`bench.town${i}.staff${j}`, j <= 5 ? 'township_doctor' : 'coordinator', townships[i - 1]]);
  }
  for (let k = users.length + 1; k <= shape.users; k++) users.push([`bench.county.staff${k}`, k % 2 ? 'county_doctor' : 'coordinator', county]);
  // Password hashing dominates: a few at a time keeps both cores busy.
  await inParallel(users, 4, ([username, role, institutionId]) =>
    http.call('POST', '/api/v1/users', admin, { username, password: PASSWORD, displayName: username, role, institutionId }),
  );

  const login = (username: string) => http.login(username, PASSWORD);
  return {
    shape,
    county,
    townships,
    townDoctors: await inParallel(townships.map((_, i) => `bench.town.doctor.${i + 1}`), 4, login),
    countyCoordinator: await login('bench.county.coordinator'),
    countyDoctor: await login('bench.county.doctor'),
  };
}

/** `work` over the items with at most `limit` running at once; results in the items' order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
