/** Genesys `ErrorBody` responses (reference §1). */

export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  messageParams: Record<string, string>;
  contextId: string;
  details: unknown[];
  errors: unknown[];
}

export function errorBody(status: number, code: string, message: string, contextId: string): ErrorBody {
  return { message, code, status, messageParams: {}, contextId, details: [], errors: [] };
}

/** Thrown by route handlers; the server turns it into an ErrorBody response. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const notFound = (message = 'The requested resource was not found.', code = 'not.found'): ApiError =>
  new ApiError(404, code, message);

export const badRequest = (message: string, code = 'bad.request'): ApiError => new ApiError(400, code, message);
