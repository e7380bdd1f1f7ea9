// Host and path matching as the Ingress API defines it. Pure functions.
//
// Hosts: an exact host matches itself (case-insensitively, as DNS names are); a wildcard
// "*.foo.com" matches exactly one more label ("bar.foo.com", not "foo.com" and not
// "baz.bar.foo.com"); a rule with no host matches every request.
//
// Paths: Exact matches the request path exactly (case-sensitive, "/foo" is not "/foo/");
// Prefix matches element by element on '/'-separated elements, ignoring a trailing '/':
// "/foo/bar" matches "/foo/bar", "/foo/bar/" and "/foo/bar/baz" but not "/foo/barbaz";
// "/" matches everything. ImplementationSpecific is treated as Prefix here.

/** The host a request names: the Host header without port, lowercased, without a trailing dot. */
export function requestHost(header: string | undefined): string {
  if (!header) return '';
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    // An IPv6 literal, "[::1]:8080": keep the brackets, drop the port.
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The wildcard host that would match `host` ("bar.foo.com" -> "*.foo.com"), or undefined for a single label. */
export function wildcardFor(host: string): string | undefined {
  const dot = host.indexOf('.');
  if (dot <= 0 || dot === host.length - 1) return undefined;
  return `*${host.slice(dot)}`;
}

/** Does a rule host match a request host? "" matches every host. */
export function hostMatches(ruleHost: string, host: string): boolean {
  if (!ruleHost) return true;
  const rule = ruleHost.toLowerCase();
  if (rule.startsWith('*.')) return wildcardFor(host) === rule;
  return rule === host;
}

/** The non-empty '/'-separated elements of a path: "/foo//bar/" -> ["foo", "bar"]. */
export function pathElements(path: string): string[] {
  return path.split('/').filter((e) => e !== '');
}

/** Does the Prefix path `prefix` match the request path? */
export function prefixMatches(prefix: string, path: string): boolean {
  const want = pathElements(prefix);
  const got = pathElements(path);
  if (want.length > got.length) return false;
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) return false;
  return true;
}

/** Does the Exact path match the request path? */
export function exactMatches(exact: string, path: string): boolean {
  return exact === path;
}

/** The path part of a request target ("/a/b?x=1" -> "/a/b"); "*" and absolute URLs handled. */
export function requestPath(url: string | undefined): string {
  if (!url) return '/';
  let u = url;
  // An absolute-form target ("http://host/path") as proxies receive.
  const scheme = u.indexOf('://');
  if (scheme >= 0 && scheme < u.indexOf('/')) {
    const slash = u.indexOf('/', scheme + 3);
    u = slash >= 0 ? u.slice(slash) : '/';
  }
  const q = u.search(/[?#]/);
  if (q >= 0) u = u.slice(0, q);
  return u.startsWith('/') ? u : `/${u === '*' ? '' : u}`;
}
