/** `drop`: the field is removed from the output (in an anonymize action: set to null). */
import { DROP, type MaskingStrategy } from '../strategy.ts';

export const drop: MaskingStrategy<'drop'> = {
  name: 'drop',
  apply: () => DROP,
};
