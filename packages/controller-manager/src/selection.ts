// Which controllers run, as kube-controller-manager's --controllers: "*" enables every
// controller, "name" enables one, "-name" disables one; a name or "-name" wins over "*".
export function selectControllers(known: readonly string[], flags: readonly string[] | undefined): string[] {
  const list = flags && flags.length ? flags.map((f) => f.trim()).filter(Boolean) : ['*'];
  const unknown = list.map((f) => f.replace(/^-/, '')).filter((n) => n !== '*' && !known.includes(n));
  if (unknown.length) throw new Error(`unknown controller(s) in --controllers: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const all = list.includes('*');
  return known.filter((name) => {
    if (list.includes(`-${name}`)) return false;
    if (list.includes(name)) return true;
    return all;
  });
}
