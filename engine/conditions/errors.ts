/** The error a condition that cannot be compiled raises: it names the operator and where it sits. */
export class ConditionError extends Error {
  /** The offending operator, e.g. `method`. */
  readonly operator: string;
  /** Where in the condition, as a JSON pointer (`/and/1/in/0`); `""` is the whole condition. */
  readonly location: string;

  constructor(operator: string, location: string, reason: string) {
    super(`condition operator ${JSON.stringify(operator.slice(0, 80))} ${reason}${location ? ` (at ${location})` : ''}`);
    this.name = 'ConditionError';
    this.operator = operator;
    this.location = location;
  }
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
