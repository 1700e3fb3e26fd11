/**
 * Operational logs (pino) and a progress line for long applies.
 *
 * Logs are JSON lines by default and pretty-printed (pino-pretty) when stdout is a terminal.
 * Values under keys that hold secrets or personal data are replaced by `[redacted]` at any depth
 * up to `REDACT_DEPTH`, whatever object they sit in (`REDACT_KEYS`). Redaction works on keys: never
 * put personal data in a message string; pass record ids and keyed hashes instead.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import PinoPretty from 'pino-pretty';
import { UserError } from './cli/errors.ts';
import { rawStderrWrite, terminalSafe } from './cli/terminal.ts';

export type { Logger } from 'pino';

/** Keys whose values never reach a log. */
export const REDACT_KEYS = [
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'client_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'token',
  'apiKey',
  'privateKey',
  'signingKey',
  'hmacKey',
  'authorization',
  'Authorization',
  'cookie',
  'set-cookie',
  'email',
  'emails',
  'phone',
  'phones',
  'mobile',
  'identifiers',
  'identifier',
  'subject',
  'name',
  'firstName',
  'lastName',
  'FirstName',
  'LastName',
  'Email',
  'Phone',
  'MobilePhone',
  'address',
  'fields',
] as const;

/** How deep below the top level keys are redacted (`a.b.c.password` is depth 3). */
export const REDACT_DEPTH = 4;

const SAFE_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The pino `redact.paths` for `REDACT_KEYS` at every depth up to `REDACT_DEPTH`. */
export function redactPaths(keys: readonly string[] = REDACT_KEYS, depth = REDACT_DEPTH): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const leaf = SAFE_KEY.test(k) ? k : `["${k}"]`;
    for (let d = 0; d <= depth; d++) {
      const prefix = '*.'.repeat(d);
      out.push(leaf.startsWith('[') ? (d === 0 ? leaf : `${prefix.slice(0, -1)}${leaf}`) : `${prefix}${leaf}`);
    }
  }
  return out;
}

export const REDACTED = '[redacted]';

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Recorded as `component` on every line (not `name`: that key is redacted as personal data). */
  name?: string;
  /** Where to write (default stdout). Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /** Pretty output (default: when writing to stdout and it is a terminal). */
  pretty?: boolean;
}

function named(logger: Logger, name: string | undefined): Logger {
  return name ? logger.child({ component: name }) : logger;
}

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The level from LETHE_LOG_LEVEL (default info); an unknown value is a UserError naming the choices. */
export function checkLogLevel(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const raw = env.LETHE_LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new UserError(`LETHE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw.slice(0, 40))})`);
  }
  return raw as LevelWithSilent;
}

/** Deep copy of a log object with every string made terminal-safe (pretty output goes to a terminal). */
function safeStrings(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return terminalSafe(v);
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => safeStrings(x, depth + 1));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [terminalSafe(k), safeStrings(x, depth + 1)]));
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? checkLogLevel();
  const base = {
    level,
    redact: { paths: redactPaths(), censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    const stream = PinoPretty({
      colorize: true,
      translateTime: 'SYS:standard',
      ignore: 'pid,hostname',
      destination: options.destination ?? 1,
      sync: true,
      // Values and messages may carry system text: escaped before pino-pretty adds its own colours.
      messageFormat: (log, key) => terminalSafe(String(log[key] ?? '')),
    });
    return named(pino({ ...base, formatters: { log: (o: Record<string, unknown>) => safeStrings(o) as Record<string, unknown> } }, stream), options.name);
  }
  return named(pino(base, options.destination ?? pino.destination({ dest: 1, sync: true })), options.name);
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  total: number;
  label?: string;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Default process.env (a set `CI` silences the display). */
  env?: Record<string, string | undefined>;
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  /** Minimum time between redraws (default 250 ms). */
  intervalMs?: number;
}

export interface Progress {
  readonly enabled: boolean;
  tick(n?: number): void;
  /** Redraws a final line and moves to the next line. */
  done(): void;
  /** The current status line (also when disabled), e.g. for a final log entry. */
  line(): string;
}

function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** `label 120/1000 (12%) 35.2/s ETA 25s`. */
export function formatProgress(p: { label: string; done: number; total: number; elapsedMs: number }): string {
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? ((p.total - p.done) / rate) * 1000 : Number.POSITIVE_INFINITY;
  const prefix = p.label ? `${p.label} ` : '';
  return `${prefix}${p.done}/${p.total} (${pct}%) ${rate.toFixed(1)}/s ETA ${p.done >= p.total ? '0s' : fmtDuration(eta)}`;
}

/** A one-line progress display on stderr, only on a terminal and never in CI. */
export function createProgress(options: ProgressOptions): Progress {
  // The progress line's own cursor controls bypass the output boundary's escaping.
  const stream = options.stream ?? { isTTY: process.stderr.isTTY, write: rawStderrWrite };
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 250;
  const enabled = stream.isTTY === true && !env.CI;
  const start = now();
  let count = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  const line = (): string => formatProgress({ label: options.label ?? '', done: count, total: options.total, elapsedMs: now() - start });
  const draw = (): void => {
    lastDraw = now();
    stream.write(`\r\x1b[2K${line()}`);
  };
  return {
    enabled,
    tick(n = 1) {
      count += n;
      if (enabled && now() - lastDraw >= interval) draw();
    },
    done() {
      if (!enabled) return;
      draw();
      stream.write('\n');
    },
    line,
  };
}
