import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { CursorCodec } from '../persistence/pagination.js';
import { SeedRunner } from '../persistence/seed-runner.js';
import { AuthService } from './auth.service.js';
import { IdentitySeed } from './identity-seed.js';
import { InstitutionsService } from './institutions.service.js';
import { UsersService } from './users.service.js';

/** Institutions, users, sign-in and tokens; also the shared seed runner and cursor codec every module uses. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [ENGINE_CONFIG],
      // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it as a public
      // key on every verify, which cost about 8 % of the API's CPU under load.
      useFactory: (config: EngineConfig) => ({
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')) as unknown as string,
        signOptions: { algorithm: 'HS256' },
      }),
    }),
  ],
  providers: [
    AuthService,
    UsersService,
    InstitutionsService,
    IdentitySeed,
    SeedRunner,
    { provide: CursorCodec, inject: [ENGINE_CONFIG], useFactory: (c: EngineConfig) => new CursorCodec(`cursor:${c.auth.jwtSecret}`) },
  ],
  exports: [AuthService, UsersService, InstitutionsService, SeedRunner, CursorCodec],
})
export class IdentityModule {}
