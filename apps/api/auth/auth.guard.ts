import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthenticated } from '../../../libs/domain/errors/domain-error.js';
import type { Actor, Role } from '../../../libs/domain/shared/actor.js';
import { AuthService } from '../../../libs/identity/auth.service.js';
import { IS_PUBLIC, ROLES_KEY } from './auth.decorators.js';

/** Global guard: a valid bearer token on every route but @Public ones, then the @Roles check. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; actor?: Actor }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header.trim()) : null;
    if (!match) throw unauthenticated();
    request.actor = await this.auth.verify(match[1]);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(request.actor.role)) throw forbidden();
    return true;
  }
}
