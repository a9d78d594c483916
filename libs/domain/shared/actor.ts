/** Who is acting: the signed-in user, as the token says. Roles per the contract. */
export const ROLES = ['admin', 'township_doctor', 'county_doctor', 'coordinator'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  institutionId: string | null;
}

export const isDoctor = (role: Role) => role === 'township_doctor' || role === 'county_doctor';
