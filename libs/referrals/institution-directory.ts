import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { InstitutionEntity } from '../persistence/entities/institution.entity.js';

export type InstitutionFacts = Pick<InstitutionEntity, 'id' | 'name' | 'level'>;

/** Enough for any medical community; past it the cache stops growing and misses go to the database. */
const MAX_CACHED = 10_000;

/**
 * Institutions as the referral workflow needs them (a destination's level on create, both names in every view).
 * The engine creates institutions and never changes or deletes them (no such endpoint), so what was read once is
 * kept in the process; an id not found is not cached, so an institution created a moment ago is found at once.
 */
@Injectable()
export class InstitutionDirectory {
  private readonly known = new Map<string, InstitutionFacts>();

  constructor(@InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>) {}

  async get(id: string): Promise<InstitutionFacts | undefined> {
    return (await this.getMany([id])).get(id);
  }

  async getMany(ids: string[]): Promise<Map<string, InstitutionFacts>> {
    const found = new Map<string, InstitutionFacts>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.known.get(id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const i of await this.institutions.find({ select: { id: true, name: true, level: true }, where: { id: In(missing) } })) {
        const facts = { id: i.id, name: i.name, level: i.level };
        found.set(i.id, facts);
        if (this.known.size < MAX_CACHED) this.known.set(i.id, facts);
      }
    }
    return found;
  }
}
