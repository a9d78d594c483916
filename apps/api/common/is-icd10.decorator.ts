import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isIcd10Code } from '../../../libs/domain/catalogue/icd10.js';

/** A Chinese clinical ICD-10 code such as `I10`, `I10.x00` or `E11.900`. */
export function IsIcd10(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIcd10',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an ICD-10 code such as I10 or I10.x00`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isIcd10Code(value) },
    });
}
