import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import packages from source; end-to-end tests start the built CLI
// (packages/cli/dist) as separate processes, so `npm run build` comes first.
const alias = {
  '@kubesim/api': pkg('api'),
  '@kubesim/client': pkg('client'),
  '@kubesim/apiserver': pkg('apiserver'),
  '@kubesim/launcher': pkg('launcher'),
  '@kubesim/scheduler': pkg('scheduler'),
  '@kubesim/controller-manager': pkg('controller-manager'),
  '@kubesim/kubelet': pkg('kubelet'),
  '@kubesim/dns': pkg('dns'),
  '@kubesim/ingress': pkg('ingress'),
  '@kubesim/cloud-controller': pkg('cloud-controller'),
  '@kubesim/kube-proxy': pkg('kube-proxy'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
