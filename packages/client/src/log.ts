// One pino logger per process, with a child per component. Logs go to stderr (as
// Kubernetes components log), written synchronously so a SIGKILLed process loses nothing.
import { pino, type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

function rootLogger(): Logger {
  // Tests stay quiet unless asked: KUBESIM_LOG_LEVEL=debug npx vitest ...
  const level = process.env.KUBESIM_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  root ??= pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
  return root;
}

/** A logger whose every line carries `component` (and any extra bindings). */
export function newLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
