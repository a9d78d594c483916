import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UsersService } from '../../../libs/identity/users.service.js';
import { Roles } from '../auth/auth.decorators.js';
import { ListQueryDto } from '../common/list-query.dto.js';
import { CreateUserDto } from './identity.dto.js';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@Body() body: CreateUserDto) {
    return this.users.create({ ...body, institutionId: body.institutionId ?? null });
  }

  @Get()
  list(@Query() query: ListQueryDto) {
    return this.users.list(query.page());
  }
}
