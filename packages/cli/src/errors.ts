// Turning failures into what kubectl prints: `Error from server (NotFound): ...`,
// `The Pod "x" is invalid: ...`, `The connection to the server ... was refused`.
import { StatusError } from '@kubesim/api';
import type { ResolvedServer } from './config.js';

/** A client-side error, printed as `error: <message>`. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prefixes a server error with what was being done to which file, keeping its reason. */
export function withSource(err: unknown, verb: string, source: string): unknown {
  if (err instanceof StatusError) return new StatusError(err.reason, `error when ${verb} "${source}": ${err.message}`, err.details);
  return err;
}

function isConnectionFailure(err: StatusError): boolean {
  return err.reason === 'ServiceUnavailable' && /ECONNREFUSED|No connection established|apiserver is unavailable|failed to connect/i.test(err.message);
}

/** The full text (ending in a newline) kubectl would print to stderr for `err`. */
export function formatError(err: unknown, server?: ResolvedServer): string {
  if (err instanceof CliError) return `error: ${err.message}\n`;
  if (err instanceof StatusError) {
    if (isConnectionFailure(err)) {
      const where = server?.servers.join(',') ?? 'the apiserver';
      if (/ECONNREFUSED|No connection established/i.test(err.message)) {
        let text = `The connection to the server ${where} was refused - did you specify the right host or port?\n`;
        if (server?.source === 'default') text += `(no --server flag, $KUBESIM_SERVER or current context in the config file: using the default ${where}; \`kubesim up\` starts a cluster)\n`;
        return text;
      }
      return `Unable to connect to the server ${where}: ${err.message}\n`;
    }
    const causes = err.details?.causes ?? [];
    if (err.reason === 'Invalid' && causes.length) {
      const head = err.details?.kind || err.details?.name ? `The ${err.details?.kind ?? ''} "${err.details?.name ?? ''}" is invalid: ` : 'The request is invalid: ';
      const msgs = causes.map((c) => c.message || `${c.field}: ${c.reason}`);
      return msgs.length === 1 ? `${head}${msgs[0]}\n` : `${head}\n${msgs.map((m) => `* ${m}\n`).join('')}`;
    }
    return `Error from server (${err.reason}): ${err.message}\n`;
  }
  if (err instanceof Error) return `error: ${err.message}\n`;
  return `error: ${String(err)}\n`;
}
