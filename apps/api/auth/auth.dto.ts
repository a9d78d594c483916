import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'town.doctor' }) @IsString() @Length(1, 200) username: string;
  @ApiProperty({ example: 'demo12345' }) @IsString() @Length(1, 200) password: string;
}
