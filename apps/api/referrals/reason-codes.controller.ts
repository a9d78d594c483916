import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ReasonCodesService } from '../../../libs/referrals/reason-codes.service.js';
import { Roles } from '../auth/auth.decorators.js';
import { ReasonCodeCreateDto, ReasonCodePatchDto } from './referral.dto.js';

@ApiTags('reason codes')
@ApiBearerAuth()
@Controller('reason-codes')
export class ReasonCodesController {
  constructor(private readonly codes: ReasonCodesService) {}

  @Get()
  list() {
    return this.codes.list();
  }

  @Roles('admin')
  @Post()
  create(@Body() body: ReasonCodeCreateDto) {
    return this.codes.create(body);
  }

  @Roles('admin')
  @Patch(':code')
  update(@Param('code') code: string, @Body() body: ReasonCodePatchDto) {
    return this.codes.update(code, body);
  }
}
