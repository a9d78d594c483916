import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { DomainError, unauthenticated } from '../domain/errors/domain-error.js';
import { ROLES, type Actor, type Role } from '../domain/shared/actor.js';
import { LoginFailureEntity } from '../persistence/entities/login-failure.entity.js';
import { dummyPasswordHash, verifyPassword } from './password-hasher.js';
import { mapUser, type UserView } from './user.mapper.js';
import { UsersService } from './users.service.js';

/** The contract's login limit: 10 failures per username in 15 minutes locks that username until the window passes. */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_WINDOW_MINUTES = 15;

interface TokenClaims { sub: string; usr: string; name: string; role: Role; inst: string | null; exp?: number }

/** Verified tokens kept at once (about one per signed-in user); the oldest go first. */
const VERIFIED_TOKENS = 10_000;

@Injectable()
export class AuthService {
  private readonly verified = new Map<string, { actor: Actor; until: number }>();

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @InjectRepository(LoginFailureEntity) private readonly failures: Repository<LoginFailureEntity>,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  async login(username: string, password: string): Promise<{ accessToken: string; user: UserView }> {
    // Failures are kept in the database, so the limit holds across several API processes.
    const recent = await this.failures
      .createQueryBuilder('f')
      .where('f.username = :username', { username })
      .andWhere(`f.attempted_at > now() - make_interval(mins => :mins)`, { mins: LOGIN_WINDOW_MINUTES })
      .getCount();
    if (recent >= LOGIN_FAILURE_LIMIT) {
      throw new DomainError('RATE_LIMITED', 'Too many failed sign-in attempts for this username; try again later.', {
        retryAfterSeconds: LOGIN_WINDOW_MINUTES * 60,
      });
    }
    const user = await this.users.findByUsername(username);
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await dummyPasswordHash(), password), false);
    if (!user || !ok) {
      await this.failures.insert({ username });
      throw unauthenticated('Wrong username or password.');
    }
    const claims: TokenClaims = { sub: user.id, usr: user.username, name: user.displayName, role: user.role, inst: user.institutionId };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.auth.tokenTtlSeconds });
    return { accessToken, user: mapUser(user) };
  }

  /**
   * A bearer token → the actor it names; any defect → 401. A token is immutable and valid until it expires (nothing
   * revokes one), so a verified token is kept until then: checking its signature was a noticeable share of every
   * request's CPU.
   */
  async verify(token: string): Promise<Actor> {
    const known = this.verified.get(token);
    if (known && known.until > Date.now()) return known.actor;
    return this.verifySignature(token);
  }

  private async verifySignature(token: string): Promise<Actor> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw unauthenticated('The access token is missing, malformed or expired.');
    }
    if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role)) throw unauthenticated('The access token is not valid.');
    const actor: Actor = { id: claims.sub, username: claims.usr, displayName: claims.name, role: claims.role, institutionId: claims.inst ?? null };
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { actor, until: claims.exp * 1000 });
    }
    return actor;
  }

  /** Drops failures older than the window (housekeeping). */
  async purgeOldFailures(): Promise<void> {
    await this.failures
      .createQueryBuilder()
      .delete()
      .where(`attempted_at < now() - make_interval(mins => :mins)`, { mins: LOGIN_WINDOW_MINUTES * 2 })
      .execute();
  }
}
