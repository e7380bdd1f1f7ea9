// Which containers are the nodes of a docker-compose cluster: those labelled
// io.kubesim.node=true (deploy/compose/docker-compose.yml) whose name is CLUSTER-node-N.

export interface ContainerRow {
  name: string;
  labels: Record<string, string>;
  running: boolean;
}

export const NODE_LABEL = 'io.kubesim.node';

/** The node containers of cluster `name` (the compose KUBESIM_NAME), sorted by name. */
export function clusterNodeContainers(rows: readonly ContainerRow[], name: string): ContainerRow[] {
  const prefix = `${name}-node-`;
  return rows.filter((r) => r.labels[NODE_LABEL] === 'true' && r.name.startsWith(prefix) && /^\d+$/.test(r.name.slice(prefix.length))).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** Parses `docker ps -a --format '{{.Names}}\t{{.State}}\t{{.Labels}}'`. */
export function parseContainerRows(text: string): ContainerRow[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [name = '', state = '', labels = ''] = line.split('\t');
      const map: Record<string, string> = {};
      for (const kv of labels.split(',')) {
        const i = kv.indexOf('=');
        if (i > 0) map[kv.slice(0, i)] = kv.slice(i + 1);
      }
      return { name, running: state === 'running', labels: map };
    });
}
