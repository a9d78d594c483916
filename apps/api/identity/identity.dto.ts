import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../../libs/domain/shared/actor.js';
import { INSTITUTION_LEVELS, type InstitutionLevel } from '../../../libs/persistence/entities/institution.entity.js';
import { ListQueryDto } from '../common/list-query.dto.js';

export class CreateInstitutionDto {
  @ApiProperty({ example: 'township-xinhua' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'code must be 1-64 letters, digits, "-" or "_"' })
  code: string;
  @ApiProperty({ example: '新华镇卫生院' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ enum: INSTITUTION_LEVELS }) @IsIn(INSTITUTION_LEVELS) level: InstitutionLevel;
}

export class InstitutionListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: INSTITUTION_LEVELS }) @IsOptional() @IsIn(INSTITUTION_LEVELS) level?: InstitutionLevel;
}

export class CreateUserDto {
  @ApiProperty({ example: 'xinhua.doctor' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3-64 letters, digits, ".", "_" or "-"' })
  username: string;
  @ApiProperty({ minLength: 8 }) @IsString() @Length(8, 200) password: string;
  @ApiProperty({ example: '赵医生' }) @IsString() @Length(1, 100) displayName: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
  @ApiProperty({ nullable: true, format: 'uuid' })
  @ValidateIf((o: CreateUserDto) => o.institutionId !== null && o.institutionId !== undefined)
  @IsUUID('all', { message: 'institutionId must be a UUID' })
  institutionId: string | null;
}
