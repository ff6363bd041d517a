/** Turns a driver's connection failure into one message that says what is wrong and how to fix it. */
import { redactCredentials } from '../../config/store-url.js';
import { UserError } from '../../errors.js';

/** Errors of the network and of PostgreSQL itself (SQLSTATE) that mean "cannot use this database". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
]);

/** The parts of a PostgreSQL URL a message can name (never the password). */
export function describeServer(url: string): {
  host: string;
  port: string;
  user: string;
  database: string;
  shown: string;
} {
  const parsed = new URL(url);
  const database =
    decodeURIComponent(parsed.pathname.replace(/^\//, '')) ||
    decodeURIComponent(parsed.username) ||
    'postgres';
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    user: decodeURIComponent(parsed.username) || '(the OS user)',
    database,
    shown: redactCredentials(url),
  };
}

/**
 * A UserError for a failure to reach or log into the server, or undefined when `error` is some other
 * failure (a bad query is a bug, not the user's URL). The message never holds the password.
 */
export function connectionError(error: unknown, url: string): UserError | undefined {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const server = describeServer(url);
  const password = safeDecode(new URL(url).password);
  const clean = (text: string) => redactCredentials(password ? text.split(password).join('***') : text);
  const fail = (what: string, hint: string) =>
    new UserError(clean(what), server.shown, hint, { cause: error });

  if (code === 'ECONNREFUSED') {
    return fail(
      `cannot connect to PostgreSQL at ${server.host}:${server.port}: connection refused`,
      `start the server (e.g. pg_ctlcluster --skip-systemctl-redirect <version> main start), or fix the host and port in the URL`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return fail(`cannot find the PostgreSQL host "${server.host}"`, 'check the host name in the URL');
  }
  if (code === '28P01' || code === '28000') {
    return fail(
      `PostgreSQL refused the login of user "${server.user}": ${message}`,
      'check the user and password in the URL (percent-encode special characters), or the server’s pg_hba.conf',
    );
  }
  if (code === '3D000') {
    return fail(
      `the PostgreSQL database "${server.database}" does not exist on ${server.host}:${server.port}`,
      `create it: createdb -h ${server.host} -p ${server.port} ${server.database} (or CREATE DATABASE "${server.database}"; in psql)`,
    );
  }
  if (code === '57P03') {
    return fail(
      `PostgreSQL at ${server.host}:${server.port} is starting up or shutting down`,
      'retry in a moment',
    );
  }
  if (
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    /timeout|terminated unexpectedly/i.test(message)
  ) {
    return fail(
      `cannot reach PostgreSQL at ${server.host}:${server.port}: ${message}`,
      'check that the server is running and reachable from here',
    );
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
