import { InstitutionEntity } from './institution.entity.js';
import { LoginFailureEntity } from './login-failure.entity.js';
import { UserEntity } from './user.entity.js';

export { InstitutionEntity, LoginFailureEntity, UserEntity };
export * from './institution.entity.js';
export * from './user.entity.js';

/** Every entity the engine maps; the app, the CLI and the tests use this one list. */
export const ENTITIES = [InstitutionEntity, UserEntity, LoginFailureEntity];
