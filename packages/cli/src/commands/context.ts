// What every client verb gets: the resolved apiserver, the namespace, a lazily made
// Client, and kubectl-style output/error printing with the exit code to end with.
import type { Client } from '@kubesim/client';
import { configPath, readConfig, resolveServer, type ResolvedServer } from '../config.js';
import { formatError } from '../errors.js';

export interface GlobalOptions {
  server?: string;
  namespace?: string;
  requestTimeout?: string;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export class CliContext {
  exitCode = 0;
  private clientPromise?: Promise<Client>;

  constructor(
    readonly server: ResolvedServer,
    readonly namespace: string,
    /** -n was given (it then must match the namespace of manifests). */
    readonly explicitNamespace: boolean,
    readonly timeoutMs: number,
    readonly io: Io = processIo,
  ) {}

  static async fromOptions(g: GlobalOptions, io: Io = processIo): Promise<CliContext> {
    const flag = g.server;
    const env = process.env.KUBESIM_SERVER;
    // The context file is read only when it decides something.
    const config = flag || env ? undefined : await readConfig(configPath());
    const server = resolveServer({ flag, env, config });
    const timeout = Number(g.requestTimeout ?? '30');
    return new CliContext(server, g.namespace || 'default', !!g.namespace, Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 30_000, io);
  }

  client(): Promise<Client> {
    this.clientPromise ??= import('@kubesim/client').then(
      ({ Client }) => new Client({ endpoints: this.server.servers, timeoutMs: this.timeoutMs, userAgent: 'kubesim-cli', ...(this.server.token ? { token: this.server.token } : {}) }),
    );
    return this.clientPromise;
  }

  out(text: string): void {
    this.io.out(text);
  }

  err(text: string): void {
    this.io.err(text);
  }

  /** Prints an error as kubectl would and makes the command exit 1, without stopping it. */
  fail(err: unknown): void {
    this.io.err(formatError(err, this.server));
    this.exitCode = 1;
  }

  async close(): Promise<void> {
    if (this.clientPromise) (await this.clientPromise).close();
  }
}
