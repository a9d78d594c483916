import { ApiHideProperty, ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { CONDITION_CODE, LIMITS, TIERS } from '../../../libs/domain/catalogue/condition-input.js';
import type { Tier } from '../../../libs/domain/catalogue/condition.js';
import { isIcd10Range } from '../../../libs/domain/catalogue/icd10.js';
import { ListQueryDto } from '../common/list-query.dto.js';

/** An ICD-10 code or range as the catalogue writes them: `I10-I15`, `E11`, `M50.0-M50.1`. */
export function IsIcd10Range(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIcd10Range',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `each ${String(propertyName)} entry must be an ICD-10 code or range such as I10-I15, E11 or M50.0-M50.1`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isIcd10Range(value) },
    });
}

const VERSION_DESCRIPTION = 'a published version (integer; default: the latest), or "draft" (admins only)';

// ---- Requests ----------------------------------------------------------------------------------------------------

export class UpwardIndicationDto {
  @ApiPropertyOptional({ example: 'hypertension.up.01', description: 'kept when given; assigned (next free NN) when missing' })
  @IsOptional()
  @IsString()
  code?: string;
  @ApiProperty({ example: '急诊转诊：意识丧失或模糊' }) @IsString() @Length(1, LIMITS.text) text: string;
  @ApiProperty({ description: '急诊转诊: an emergency indication' }) @IsBoolean() emergency: boolean;
}

export class DownwardCriterionDto {
  @ApiPropertyOptional({ example: 'hypertension.down.01' }) @IsOptional() @IsString() code?: string;
  @ApiProperty({ example: '县级医院→乡镇卫生院：已明确诊断' }) @IsString() @Length(1, LIMITS.text) text: string;
}

export class CreateConditionDto {
  @ApiProperty({ example: 'hypertension', pattern: CONDITION_CODE.source })
  @IsString()
  @Matches(CONDITION_CODE, { message: 'code must be 2-64 lower-case letters, digits or "_"' })
  code: string;
  @ApiProperty({ example: '高血压' }) @IsString() @Length(1, LIMITS.name) nameZh: string;
  @ApiProperty({ example: 'Hypertension' }) @IsString() @Length(1, LIMITS.name) nameEn: string;
  @ApiProperty({ type: [String], example: ['I10-I15'], description: 'ICD-10 codes or ranges; ranges of two conditions may only nest' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(LIMITS.ranges)
  @IsIcd10Range({ each: true })
  icd10: string[];
  @ApiProperty({ example: 'cardiovascular', description: 'free text' }) @IsString() @Length(1, LIMITS.category) category: string;
  @ApiProperty({ enum: TIERS }) @IsIn(TIERS) tier: Tier;
  @ApiProperty() @IsBoolean() grassrootsFirst: boolean;
  @ApiProperty({ type: [UpwardIndicationDto] })
  @IsArray()
  @ArrayMaxSize(LIMITS.items)
  @ValidateNested({ each: true })
  @Type(() => UpwardIndicationDto)
  upwardIndications: UpwardIndicationDto[];
  @ApiProperty({ type: [DownwardCriterionDto] })
  @IsArray()
  @ArrayMaxSize(LIMITS.items)
  @ValidateNested({ each: true })
  @Type(() => DownwardCriterionDto)
  downwardCriteria: DownwardCriterionDto[];
  @ApiPropertyOptional({ default: false, description: 'found in an official list' }) @IsOptional() @IsBoolean() verified?: boolean;
  @ApiPropertyOptional({ default: '' }) @IsOptional() @IsString() @MaxLength(LIMITS.longText) source?: string;
  @ApiPropertyOptional({ default: '' }) @IsOptional() @IsString() @MaxLength(LIMITS.longText) note?: string;
  /** Always computed from nameZh; accepted and ignored, so a condition read from the API can be sent back. */
  @ApiHideProperty() @IsOptional() pinyin?: unknown;
}

/** Any subset of the fields; the code cannot change. */
export class UpdateConditionDto extends PartialType(OmitType(CreateConditionDto, ['code'] as const)) {}

export class PublishDto {
  @ApiPropertyOptional({ example: '补充高血压下转标准', default: '' }) @IsOptional() @IsString() @MaxLength(LIMITS.text) note?: string;
}

export class VersionQueryDto {
  @ApiPropertyOptional({ description: VERSION_DESCRIPTION, example: '1' }) @IsOptional() @IsString() version?: string;
}

export class ConditionListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Chinese or English name, pinyin (gaoxueya) or its initials (gxy), condition code or ICD-10 code' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ example: 'cardiovascular' }) @IsOptional() @IsString() @MaxLength(LIMITS.category) category?: string;
  @ApiPropertyOptional({ description: VERSION_DESCRIPTION }) @IsOptional() @IsString() version?: string;
}

export class MatchQueryDto extends VersionQueryDto {
  @ApiProperty({ example: 'I10.x00', description: 'an ICD-10 code (Chinese clinical extensions allowed)' }) @IsString() icd10: string;
}

// ---- Responses (documentation) -----------------------------------------------------------------------------------

export class ConditionDto extends OmitType(CreateConditionDto, ['upwardIndications', 'downwardCriteria', 'pinyin'] as const) {
  @ApiProperty({ example: 'gaoxueya', description: 'computed from nameZh' }) pinyin: string;
  @ApiProperty({ type: [UpwardIndicationDto] }) upwardIndications: UpwardIndicationDto[];
  @ApiProperty({ type: [DownwardCriterionDto] }) downwardCriteria: DownwardCriterionDto[];
  @ApiProperty() declare verified: boolean;
  @ApiProperty() declare source: string;
  @ApiProperty() declare note: string;
}

export class ConditionPageDto {
  @ApiProperty({ type: [ConditionDto] }) items: ConditionDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class MatchResultDto {
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['draft'] }] }) version: number | 'draft';
  @ApiProperty({ type: ConditionDto, nullable: true }) condition: ConditionDto | null;
}

export class UserRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
}

export class VersionDto {
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
  @ApiProperty({ type: UserRefDto, nullable: true }) publishedBy: UserRefDto | null;
  @ApiProperty() note: string;
  @ApiProperty() changeCount: number;
}

export class VersionPageDto {
  @ApiProperty({ type: [VersionDto] }) items: VersionDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ChangeDto {
  @ApiProperty({ example: 'hypertension' }) code: string;
  @ApiProperty({ enum: ['added', 'removed', 'modified'] }) change: 'added' | 'removed' | 'modified';
  @ApiProperty({ type: [String], example: ['nameEn', 'upwardIndications'], description: 'the fields a modification changed' }) fields: string[];
}

export class DiffDto {
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['draft'] }] }) version: number | 'draft';
  @ApiProperty({ type: Number, nullable: true }) previousVersion: number | null;
  @ApiProperty({ type: [ChangeDto] }) changes: ChangeDto[];
}

export class PublishResultDto {
  @ApiProperty({ example: 2 }) version: number;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
  @ApiProperty({ type: [ChangeDto] }) changes: ChangeDto[];
}

export class ImportResultDto {
  @ApiProperty({ description: 'codes that were not in the draft' }) created: number;
  @ApiProperty({ description: 'codes already in the draft' }) updated: number;
}

export class AuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ['create', 'update', 'delete', 'import', 'publish', 'seed'] }) action: string;
  @ApiProperty({ type: UserRefDto, nullable: true }) by: UserRefDto | null;
  @ApiProperty({ type: String, nullable: true }) conditionCode: string | null;
  @ApiProperty({ type: Number, nullable: true }) version: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'what changed' }) details: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
