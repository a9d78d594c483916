import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { alreadyExists, invalidField } from '../domain/errors/domain-error.js';
import type { Role } from '../domain/shared/actor.js';
import { InstitutionEntity } from '../persistence/entities/institution.entity.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { isUniqueViolation } from '../persistence/pg-errors.js';
import { hashPassword } from './password-hasher.js';
import { mapUser, type UserView } from './user.mapper.js';

export interface NewUser { username: string; password: string; displayName: string; role: Role; institutionId: string | null }

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>,
    private readonly cursors: CursorCodec,
  ) {}

  async create(input: NewUser): Promise<UserView> {
    const institutionId = await this.checkInstitution(input.role, input.institutionId);
    const passwordHash = await hashPassword(input.password);
    try {
      const saved = await this.users.save(
        this.users.create({ username: input.username, passwordHash, displayName: input.displayName, role: input.role, institutionId }),
      );
      return mapUser(saved);
    } catch (e) {
      if (isUniqueViolation(e)) throw alreadyExists(`The username "${input.username}" is taken.`, { field: 'username' });
      throw e;
    }
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ username });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async list(req: PageRequest): Promise<Page<UserView>> {
    const scope = 'users';
    const after = this.cursors.decode(scope, req.cursor) as [string, string] | undefined;
    const qb = this.users.createQueryBuilder('u').orderBy('u.username', 'ASC').addOrderBy('u.id', 'ASC').limit(req.limit + 1);
    if (after) qb.andWhere('(u.username, u.id) > (:username, :id)', { username: String(after[0]), id: String(after[1]) });
    const rows = await qb.getMany();
    return this.cursors.page(scope, rows, req.limit, (r) => [r.username, r.id], mapUser);
  }

  /** Every non-admin belongs to an existing institution; an admin belongs to none. */
  private async checkInstitution(role: Role, institutionId: string | null): Promise<string | null> {
    if (role === 'admin') {
      if (institutionId) throw invalidField('institutionId', 'an admin belongs to no institution; omit institutionId');
      return null;
    }
    if (!institutionId) throw invalidField('institutionId', 'institutionId is required for this role');
    const institution = await this.institutions.findOneBy({ id: institutionId });
    if (!institution) throw invalidField('institutionId', 'institutionId names no institution');
    if (role === 'county_doctor' && institution.level !== 'county') throw invalidField('institutionId', 'a county doctor belongs to a county institution');
    if (role === 'township_doctor' && institution.level === 'county') throw invalidField('institutionId', 'a township doctor belongs to a township or village institution');
    return institutionId;
  }
}
