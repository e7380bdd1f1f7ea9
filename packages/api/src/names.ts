// Name and label rules, with Kubernetes' own error wording. (stub: to be implemented)
/** Errors for a DNS-1123 subdomain (most object names); empty when valid. */
export function isDNS1123Subdomain(value: string): string[] { void value; throw new Error('not implemented'); }
/** Errors for a DNS-1123 label (namespace, service names); empty when valid. */
export function isDNS1123Label(value: string): string[] { void value; throw new Error('not implemented'); }
/** Errors for a qualified name ([prefix/]name: label and annotation keys); empty when valid. */
export function isQualifiedName(value: string): string[] { void value; throw new Error('not implemented'); }
/** Errors for a label value; empty when valid. */
export function isValidLabelValue(value: string): string[] { void value; throw new Error('not implemented'); }
