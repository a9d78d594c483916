import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { unauthenticated } from '../../../libs/domain/errors/domain-error.js';
import { AuthService } from '../../../libs/identity/auth.service.js';
import { mapUser } from '../../../libs/identity/user.mapper.js';
import { UsersService } from '../../../libs/identity/users.service.js';
import { CurrentActor, Public } from './auth.decorators.js';
import { LoginDto } from './auth.dto.js';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: LoginDto) {
    return this.auth.login(body.username, body.password);
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentActor() actor: Actor) {
    const user = await this.users.findById(actor.id);
    if (!user) throw unauthenticated('The account no longer exists.');
    return mapUser(user);
  }
}
