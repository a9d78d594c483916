import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { parseLimit } from '../../../libs/persistence/pagination.js';

/** `?limit=&cursor=` on every list; limit is parsed by the contract's rule (1–100, default 20). */
export class ListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 }) @IsOptional() @IsString() limit?: string;
  @ApiPropertyOptional({ description: 'opaque cursor from a previous page' }) @IsOptional() @IsString() cursor?: string;

  page() {
    return { limit: parseLimit(this.limit), cursor: this.cursor };
  }
}
