import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InstitutionsService } from '../../../libs/identity/institutions.service.js';
import { Roles } from '../auth/auth.decorators.js';
import { CreateInstitutionDto, InstitutionListQueryDto } from './identity.dto.js';

@ApiTags('institutions')
@ApiBearerAuth()
@Controller('institutions')
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Roles('admin')
  @Post()
  create(@Body() body: CreateInstitutionDto) {
    return this.institutions.create(body);
  }

  /** Any signed-in user: needed to pick a referral's destination. */
  @Get()
  list(@Query() query: InstitutionListQueryDto) {
    return this.institutions.list({ ...query.page(), level: query.level });
  }
}
