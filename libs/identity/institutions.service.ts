import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { alreadyExists } from '../domain/errors/domain-error.js';
import { InstitutionEntity, type InstitutionLevel } from '../persistence/entities/institution.entity.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';
import { isUniqueViolation } from '../persistence/pg-errors.js';
import { mapInstitution, type InstitutionView } from './user.mapper.js';

@Injectable()
export class InstitutionsService {
  constructor(
    @InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>,
    private readonly cursors: CursorCodec,
  ) {}

  async create(input: { code: string; name: string; level: InstitutionLevel }): Promise<InstitutionView> {
    try {
      const saved = await this.institutions.save(this.institutions.create(input));
      return mapInstitution(saved);
    } catch (e) {
      if (isUniqueViolation(e)) throw alreadyExists(`An institution with code "${input.code}" already exists.`, { field: 'code' });
      throw e;
    }
  }

  findById(id: string): Promise<InstitutionEntity | null> {
    return this.institutions.findOneBy({ id });
  }

  async list(req: PageRequest & { level?: InstitutionLevel }): Promise<Page<InstitutionView>> {
    const scope = `institutions:${req.level ?? ''}`;
    const after = this.cursors.decode(scope, req.cursor) as [string, string] | undefined;
    const qb = this.institutions.createQueryBuilder('i').orderBy('i.code', 'ASC').addOrderBy('i.id', 'ASC').limit(req.limit + 1);
    if (req.level) qb.andWhere('i.level = :level', { level: req.level });
    if (after) qb.andWhere('(i.code, i.id) > (:code, :id)', { code: String(after[0]), id: String(after[1]) });
    const rows = await qb.getMany();
    return this.cursors.page(scope, rows, req.limit, (r) => [r.code, r.id], mapInstitution);
  }
}
