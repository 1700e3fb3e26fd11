/** `fixed`: the value becomes the given string (null stays null). */
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

export const fixed: MaskingStrategy<'fixed'> = {
  name: 'fixed',
  apply: (value, params) => (isAbsent(value) ? null : params.value),
};
