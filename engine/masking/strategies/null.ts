/** `null`: the value becomes null. */
import type { MaskingStrategy } from '../strategy.ts';

export const nullStrategy: MaskingStrategy<'null'> = {
  name: 'null',
  apply: () => null,
};
