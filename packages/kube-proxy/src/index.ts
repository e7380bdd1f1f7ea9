// @kubesim/kube-proxy: the service proxy run by every docker node agent. Kubernetes'
// iptables mode: ClusterIP, NodePort and LoadBalancer traffic DNATed to ready endpoints in
// the nat table, written atomically with iptables-restore; the design is in DESIGN.md (pod network and service proxy).
export { KubeProxy, type KubeProxyOptions, type SyncInfo } from './proxy.js';
export {
  generateProxyRules,
  renderRestore,
  ruleLine,
  quoteArg,
  MASQ_MARK,
  type ProxyMode,
  type ProxyRules,
  type ProxyRulesInput,
  type JumpRule,
  type Table,
  type TableRules,
  type BuiltinChain,
} from './rules.js';
export {
  servicePorts,
  healthCheckServices,
  isProxied,
  DEFAULT_AFFINITY_SECONDS,
  type ServicePortInfo,
  type EndpointInfo,
  type HealthCheckService,
  type Protocol,
} from './endpoints.js';
export { IptablesApplier, removeNodeRules, removeAllKubesimRules, checkIptables, type IptablesApplierOptions, type ApplyResult } from './applier.js';
export { HealthCheckServers, healthCheckResponse, type HealthCheckServersOptions } from './healthcheck.js';
export { hostRunner, netnsRunner, type CommandRunner, type CommandResult } from './runner.js';
export { nodeChainPrefix, nodeChains, nodeComment, serviceChain, CHAIN_PREFIX, MAX_CHAIN_NAME, type NodeChains } from './names.js';
export { parseSave, splitArgs, commentOf, type SavedRule, type SavedTable } from './save.js';
