// Types of the generated engine/schemas/validators.js (see engine/load/validators.ts).
import type { ValidateFunction } from 'ajv';
export declare const SOURCE_HASH: string;
export declare const VALIDATORS: Readonly<Record<string, ValidateFunction>>;
