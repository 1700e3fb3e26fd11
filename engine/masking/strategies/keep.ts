/** `keep`: the value passes through unchanged. */
import type { MaskingStrategy } from '../strategy.ts';

export const keep: MaskingStrategy<'keep'> = {
  name: 'keep',
  apply: (value) => value,
};
