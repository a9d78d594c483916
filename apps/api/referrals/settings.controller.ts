import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { DeadlineSettingsService } from '../../../libs/referrals/deadline-settings.service.js';
import { Roles } from '../auth/auth.decorators.js';

@ApiTags('settings')
@ApiBearerAuth()
@Roles('admin')
@Controller('settings')
export class SettingsController {
  constructor(private readonly deadlines: DeadlineSettingsService) {}

  @Get('deadlines')
  get() {
    return this.deadlines.get();
  }

  /** Replaces the whole document; every field required (the domain validates it, 400 otherwise). */
  @Put('deadlines')
  @ApiBody({ schema: { type: 'object', description: 'the full deadline settings document' } })
  put(@Body() body: Record<string, unknown>) {
    return this.deadlines.replace(body);
  }
}
