// What `kubesim version` reports about the server.
import type { VersionInfo } from '@kubesim/api';

export const GIT_VERSION = 'v1.32.0-kubesim';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386' };

export function versionInfo(etcdVersion: string, serverId: string): VersionInfo {
  return { gitVersion: GIT_VERSION, platform: `${process.platform}/${ARCH[process.arch] ?? process.arch}`, etcdVersion, serverId };
}
