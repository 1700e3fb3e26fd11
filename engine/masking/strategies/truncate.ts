/**
 * `truncate`: the first `length` characters (code points, so no character is split). A value no
 * longer than `length` passes whole: this is a generalisation, not a masking, strategy.
 */
import { asText } from '../format.ts';
import { isAbsent, type MaskingStrategy } from '../strategy.ts';

export const truncate: MaskingStrategy<'truncate'> = {
  name: 'truncate',
  apply(value, params) {
    if (isAbsent(value)) return null;
    return Array.from(asText(value)).slice(0, params.length).join('');
  },
};
