import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { InstitutionEntity } from '../persistence/entities/institution.entity.js';

export interface UserView { id: string; username: string; displayName: string; role: UserEntity['role']; institutionId: string | null }
export interface InstitutionView { id: string; code: string; name: string; level: InstitutionEntity['level'] }

/** The contract's user object: never the password hash. */
export const mapUser = (u: UserEntity): UserView => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  institutionId: u.institutionId,
});

export const mapInstitution = (i: InstitutionEntity): InstitutionView => ({ id: i.id, code: i.code, name: i.name, level: i.level });
