import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { GENDERS, type Gender } from '../../../libs/domain/referral/patient.js';
import { DIRECTIONS, REFERRAL_STATUSES, URGENCIES, type Direction, type ReferralStatus, type Urgency } from '../../../libs/domain/referral/referral-status.js';
import { ListQueryDto } from '../common/list-query.dto.js';
import { IsIcd10 } from '../common/is-icd10.decorator.js';

const TEXT = 4000;

export class PatientDto {
  @ApiProperty({ example: '王建国' }) @IsString() @Length(1, 100) name: string;
  @ApiProperty({ enum: GENDERS }) @IsIn(GENDERS) gender: Gender;
  @ApiProperty({ example: '1958-03-07' }) @IsString() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' }) birthDate: string;
  @ApiPropertyOptional({ description: '18-character resident ID (GB 11643)' }) @IsOptional() @IsString() @MaxLength(18) idNumber?: string;
  @ApiPropertyOptional({ example: '13812345678' }) @IsOptional() @IsString() @MaxLength(32) phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) healthRecordNo?: string;
}

export class DiagnosisDto {
  @ApiProperty({ example: 'I10.x00' }) @IsString() @IsIcd10() icd10: string;
  @ApiProperty({ example: '原发性高血压' }) @IsString() @Length(1, 500) text: string;
}

export class OverrideDto {
  @ApiProperty({ description: 'at least 10 characters after trimming' }) @IsString() @MaxLength(TEXT) justification: string;
}

export class ConsentDto {
  @ApiProperty({ enum: [true] }) @Equals(true, { message: 'consent.obtained must be true: referral needs informed consent' }) obtained: true;
  @ApiProperty({ enum: ['patient', 'guardian'] }) @IsIn(['patient', 'guardian']) by: 'patient' | 'guardian';
}

export class MedicationItemDto {
  @ApiProperty({ example: '氨氯地平片' }) @IsString() @Length(1, 200) drug: string;
  @ApiProperty({ example: '5mg' }) @IsString() @Length(1, 100) dose: string;
  @ApiProperty({ example: 'qd' }) @IsString() @Length(1, 100) frequency: string;
  @ApiProperty({ minimum: 1, maximum: 84 }) @IsInt() days: number;
}

export class HandoverDto {
  @ApiProperty() @IsString() @Length(1, TEXT) diagnosis: string;
  @ApiProperty() @IsString() @Length(1, TEXT) treatmentSummary: string;
  @ApiProperty({ type: [MedicationItemDto] }) @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => MedicationItemDto) medicationPlan: MedicationItemDto[];
  @ApiProperty() @IsString() @Length(1, TEXT) followUpPlan: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT) rehabilitationAdvice?: string;
}

export class CreateReferralDto {
  @ApiProperty({ enum: DIRECTIONS }) @IsIn(DIRECTIONS) direction: Direction;
  @ApiProperty({ enum: URGENCIES }) @IsIn(URGENCIES) urgency: Urgency;
  @ApiProperty({ type: PatientDto }) @IsObject() @ValidateNested() @Type(() => PatientDto) patient: PatientDto;
  @ApiProperty({ format: 'uuid' }) @IsUUID('all') toInstitutionId: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) toDepartment?: string;
  @ApiProperty({ type: DiagnosisDto }) @IsObject() @ValidateNested() @Type(() => DiagnosisDto) diagnosis: DiagnosisDto;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(TEXT) reason: string;
  @ApiPropertyOptional({ type: [String], example: ['hypertension.up.14'] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(100, { each: true })
  indications?: string[];
  @ApiPropertyOptional({ type: OverrideDto, nullable: true }) @IsOptional() @IsObject() @ValidateNested() @Type(() => OverrideDto) override?: OverrideDto | null;
  @ApiProperty({ type: ConsentDto }) @IsObject() @ValidateNested() @Type(() => ConsentDto) consent: ConsentDto;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT) history?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT) allergies?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(TEXT) treatmentSoFar?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') parentReferralId?: string;
  @ApiPropertyOptional({ type: HandoverDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => HandoverDto) handover?: HandoverDto;
  @ApiPropertyOptional({ default: true, description: 'false saves a draft' }) @IsOptional() @IsBoolean() submit?: boolean;
}

export class PatchReferralDto extends PartialType(OmitType(CreateReferralDto, ['direction', 'toInstitutionId', 'parentReferralId', 'submit'] as const)) {
  @ApiProperty({ description: 'the version you last read' }) @IsInt() @Min(1) version: number;
}

export class ReferralListQueryDto extends ListQueryDto {
  @ApiProperty({ enum: ['outgoing', 'incoming'] }) @IsIn(['outgoing', 'incoming']) box: 'outgoing' | 'incoming';
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES }) @IsOptional() @IsIn(REFERRAL_STATUSES) status?: ReferralStatus;
  @ApiPropertyOptional({ enum: DIRECTIONS }) @IsOptional() @IsIn(DIRECTIONS) direction?: Direction;
  @ApiPropertyOptional({ enum: URGENCIES }) @IsOptional() @IsIn(URGENCIES) urgency?: Urgency;
  @ApiPropertyOptional({ description: 'referral number, patient name, or last 4 of the ID' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
}

export class ReasonCodeCreateDto {
  @ApiProperty({ example: 'equipment_unavailable' }) @IsString() @Matches(/^[a-z0-9_]{2,64}$/, { message: 'code must be 2-64 of a-z, 0-9, _' }) code: string;
  @ApiProperty({ example: '设备不可用' }) @IsString() @Length(1, 200) labelZh: string;
  @ApiProperty({ example: 'Equipment unavailable' }) @IsString() @Length(1, 200) labelEn: string;
}

export class ReasonCodePatchDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) labelZh?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) labelEn?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}
