// Resource quantities ("100m", "1.5", "128Mi", "1e3"). (stub: to be implemented)
/** Parses a quantity to milli-units (cpu "100m" -> 100n, memory "1Ki" -> 1024000n). Throws on a bad string. */
export function parseQuantity(text: string): bigint { void text; throw new Error('not implemented'); }
/** Errors for a quantity string (empty when valid). */
export function validateQuantity(text: string): string[] { void text; throw new Error('not implemented'); }
