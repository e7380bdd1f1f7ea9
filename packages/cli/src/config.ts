// The context file that `kubesim up` writes and every client verb reads:
// `$KUBESIM_CONFIG` or `~/.kubesim/config.json`, shaped
// { "currentContext": "NAME", "contexts": { "NAME": { "servers": ["127.0.0.1:6443"], "token": "" } } }.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_SERVER } from './flags.js';

export interface KubesimContext {
  servers: string[];
  token?: string;
}

export interface KubesimConfig {
  currentContext?: string;
  contexts: Record<string, KubesimContext>;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBESIM_CONFIG || join(homedir(), '.kubesim', 'config.json');
}

/** Reads the context file; undefined when it does not exist. Throws on a malformed file. */
export async function readConfig(path: string = configPath()): Promise<KubesimConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, path = 'config'): KubesimConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`error loading config file "${path}": ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`error loading config file "${path}": not a JSON object`);
  const r = raw as { currentContext?: unknown; contexts?: unknown };
  const contexts: Record<string, KubesimContext> = {};
  if (r.contexts !== undefined) {
    if (typeof r.contexts !== 'object' || r.contexts === null) throw new Error(`error loading config file "${path}": contexts must be an object`);
    for (const [name, c] of Object.entries(r.contexts as Record<string, unknown>)) {
      const servers = (c as { servers?: unknown })?.servers;
      if (!Array.isArray(servers) || !servers.every((s) => typeof s === 'string')) {
        throw new Error(`error loading config file "${path}": context "${name}": servers must be a list of "host:port"`);
      }
      const token = (c as { token?: unknown }).token;
      contexts[name] = { servers, ...(typeof token === 'string' && token ? { token } : {}) };
    }
  }
  return { ...(typeof r.currentContext === 'string' ? { currentContext: r.currentContext } : {}), contexts };
}

/** Writes the file atomically (temp file + rename), readable only by its owner (it may hold a token). */
export async function writeConfig(cfg: KubesimConfig, path: string = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}

/** Adds or replaces a context (and makes it current unless told not to). */
export async function setContext(name: string, ctx: KubesimContext, opts: { path?: string; makeCurrent?: boolean } = {}): Promise<KubesimConfig> {
  const path = opts.path ?? configPath();
  const cfg = (await readConfig(path)) ?? { contexts: {} };
  cfg.contexts[name] = ctx;
  if (opts.makeCurrent !== false) cfg.currentContext = name;
  await writeConfig(cfg, path);
  return cfg;
}

/** Removes a context; clears currentContext if it pointed there. */
export async function removeContext(name: string, path: string = configPath()): Promise<void> {
  const cfg = await readConfig(path);
  if (!cfg || !(name in cfg.contexts)) return;
  delete cfg.contexts[name];
  if (cfg.currentContext === name) delete cfg.currentContext;
  await writeConfig(cfg, path);
}

export interface ResolvedServer {
  servers: string[];
  token?: string;
  /** Where the address came from; "default" means nothing was configured. */
  source: 'flag' | 'env' | 'context' | 'default';
}

function splitServers(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim().replace(/^(grpc|https?):\/\//, ''))
    .filter(Boolean);
}

/** Picks the apiserver address(es): --server, then $KUBESIM_SERVER, then the current context, then the default. */
export function resolveServer(input: { flag?: string; env?: string; config?: KubesimConfig; token?: string }): ResolvedServer {
  if (input.flag && splitServers(input.flag).length) return { servers: splitServers(input.flag), source: 'flag', ...(input.token ? { token: input.token } : {}) };
  if (input.env && splitServers(input.env).length) return { servers: splitServers(input.env), source: 'env', ...(input.token ? { token: input.token } : {}) };
  const cfg = input.config;
  const ctx = cfg?.currentContext ? cfg.contexts[cfg.currentContext] : undefined;
  if (ctx && ctx.servers.length) {
    const token = input.token ?? ctx.token;
    return { servers: ctx.servers, source: 'context', ...(token ? { token } : {}) };
  }
  return { servers: [DEFAULT_SERVER], source: 'default', ...(input.token ? { token: input.token } : {}) };
}
