// Label selectors: parsing the string form (`a=b,c in (x,y),!d`), turning a
// LabelSelector spec into the same form, matching, and printing as kubectl does.
import { badRequest } from './errors.js';
import type { LabelSelector } from './gen/types.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals';
export interface LabelRequirement { key: string; operator: SelectorOperator; values: string[]; }
/** A parsed selector: all requirements must hold. Empty matches everything. */
export type Selector = LabelRequirement[];

/**
 * The selector that matches nothing (what a nil LabelSelector means in Kubernetes).
 * It is one requirement no label set can satisfy ("In" an empty set), so the generic
 * matcher needs no special case. Prints as "" like Kubernetes' Nothing(): never send its
 * string form to a List call, test it with isNothing() first.
 */
export const NOTHING: Selector = Object.freeze([Object.freeze({ key: '', operator: 'In', values: Object.freeze([]) as unknown as string[] })]) as unknown as Selector;

export function isNothing(selector: Selector): boolean {
  return selector.some((r) => r.operator === 'In' && r.values.length === 0);
}

type Tok = 'ident' | 'in' | 'notin' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' | 'end';
interface Token { t: Tok; lit: string; }

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS = new Set(['=', '==', '!=', '!', '(', ')', ',', '>', '<']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) { i++; continue; }
    if (SPECIAL.has(c)) {
      // Longest symbol wins: "!=" and "==" before "!" and "=".
      const two = text.slice(i, i + 2);
      const sym = SYMBOLS.has(two) ? two : c;
      out.push({ t: sym as Tok, lit: sym });
      i += sym.length;
      continue;
    }
    let j = i;
    while (j < text.length && !isSpace(text[j]) && !SPECIAL.has(text[j])) j++;
    const word = text.slice(i, j);
    out.push({ t: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'ident', lit: word });
    i = j;
  }
  out.push({ t: 'end', lit: '' });
  return out;
}

/** Errors in the key or values of a requirement, in Kubernetes' field-error wording. */
function requirementProblem(r: LabelRequirement): string | undefined {
  const keyErrs = isQualifiedName(r.key);
  if (keyErrs.length) return `key: Invalid value: ${JSON.stringify(r.key)}: ${keyErrs.join('; ')}`;
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (r.values.length === 0) return "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty";
      break;
    case 'Equals':
    case 'NotEquals':
      if (r.values.length !== 1) return `values: Invalid value: ${JSON.stringify(r.values)}: exact-match compatibility requires one single value`;
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (r.values.length !== 0) return `values: Invalid value: ${JSON.stringify(r.values)}: values set must be empty for exists and does not exist`;
      break;
  }
  for (let i = 0; i < r.values.length; i++) {
    const errs = isValidLabelValue(r.values[i]);
    if (errs.length) return `values[${i}][${r.key}]: Invalid value: ${JSON.stringify(r.values[i])}: ${errs.join('; ')}`;
  }
  return undefined;
}

const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const byKey = (a: LabelRequirement, b: LabelRequirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  /** In value position "in" and "notin" are plain words (a label may be called "in"). */
  private peek(asValue: boolean): Token {
    const tok = this.toks[this.pos];
    return asValue && (tok.t === 'in' || tok.t === 'notin') ? { t: 'ident', lit: tok.lit } : tok;
  }
  private next(asValue: boolean): Token {
    const tok = this.peek(asValue);
    if (this.pos < this.toks.length - 1) this.pos++;
    return tok;
  }

  parse(): Selector {
    const reqs: Selector = [];
    for (;;) {
      const tok = this.peek(true);
      if (tok.t === 'end') break;
      if (tok.t !== 'ident' && tok.t !== '!') throw new Error(`found '${tok.lit}', expected: !, identifier, or 'end of string'`);
      let r: LabelRequirement;
      try {
        r = this.requirement();
      } catch (e) {
        throw new Error(`unable to parse requirement: ${(e as Error).message}`);
      }
      reqs.push(r);
      const after = this.next(true);
      if (after.t === 'end') break;
      if (after.t !== ',') throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.t !== 'ident' && following.t !== '!') throw new Error(`found '${following.lit}', expected: identifier after ','`);
    }
    return reqs.sort(byKey);
  }

  private requirement(): LabelRequirement {
    let tok = this.next(true);
    let negated = false;
    if (tok.t === '!') {
      negated = true;
      tok = this.next(true);
    }
    if (tok.t !== 'ident') throw new Error(`found '${tok.lit}', expected: identifier`);
    const key = tok.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new Error(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    // "!key" stands alone; whatever follows it is for parse() to judge.
    if (negated) return { key, operator: 'DoesNotExist', values: [] };
    const ahead = this.peek(true).t;
    if (ahead === 'end' || ahead === ',') return { key, operator: 'Exists', values: [] };
    const op = this.next(false);
    let operator: SelectorOperator;
    let values: string[];
    switch (op.t) {
      case 'in':
      case 'notin':
        operator = op.t === 'in' ? 'In' : 'NotIn';
        values = this.setValues();
        break;
      case '=':
      case '==':
      case '!=':
        operator = op.t === '!=' ? 'NotEquals' : 'Equals';
        values = [this.exactValue()];
        break;
      case '>':
      case '<':
        throw new Error(`operator '${op.lit}' is not supported`);
      default:
        throw new Error(`found '${op.lit}', expected: in, notin, =, ==, !=`);
    }
    const r = { key, operator, values };
    const problem = requirementProblem(r);
    if (problem) throw new Error(problem);
    return r;
  }

  private exactValue(): string {
    const ahead = this.peek(true);
    if (ahead.t === 'end' || ahead.t === ',') return '';
    const tok = this.next(true);
    if (tok.t !== 'ident') throw new Error(`found '${tok.lit}', expected: identifier`);
    return tok.lit;
  }

  /** `(a, b, c)`; empty entries (`(a,)`, `()`) stand for the empty value, as in Kubernetes. */
  private setValues(): string[] {
    const open = this.next(true);
    if (open.t !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const values = new Set<string>();
    let expectValue = true;
    for (;;) {
      const tok = this.next(true);
      if (tok.t === 'ident') {
        if (!expectValue) throw new Error(`found '${tok.lit}', expected: ',' or ')'`);
        values.add(tok.lit);
        expectValue = false;
      } else if (tok.t === ',') {
        if (expectValue) values.add('');
        expectValue = true;
      } else if (tok.t === ')') {
        if (expectValue) values.add('');
        return sortedUnique(values);
      } else {
        throw new Error(`found '${tok.lit}', expected: ',', ')' or identifier`);
      }
    }
  }
}

/** Parses `a=b,c!=d,e in (x,y),!f,g` (throws StatusError BadRequest naming the problem). */
export function parseLabelSelector(text: string): Selector {
  try {
    return new Parser(tokenize(text)).parse();
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

/**
 * The selector of a LabelSelector spec (matchLabels + matchExpressions).
 * As in Kubernetes, an absent (nil) selector matches nothing — a controller with no
 * selector must never adopt every pod — while an empty one (`{}`) matches everything.
 * Throws StatusError BadRequest on an unknown operator or invalid key/values.
 */
export function selectorFromSpec(spec: LabelSelector | undefined): Selector {
  if (spec === undefined || spec === null) return NOTHING;
  const reqs: Selector = [];
  for (const [key, value] of Object.entries(spec.matchLabels ?? {})) reqs.push({ key, operator: 'Equals', values: [value] });
  for (const expr of spec.matchExpressions ?? []) {
    const key = expr.key ?? '';
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        reqs.push({ key, operator: expr.operator, values: sortedUnique(values) });
        break;
      case 'Exists':
      case 'DoesNotExist':
        reqs.push({ key, operator: expr.operator, values: [...values] });
        break;
      default:
        throw badRequest(`${JSON.stringify(expr.operator ?? '')} is not a valid label selector operator`);
    }
  }
  for (const r of reqs) {
    const problem = requirementProblem(r);
    if (problem) throw badRequest(problem);
  }
  return reqs.sort(byKey);
}

function matchesRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
    case 'Equals':
      return has && r.values.includes(labels[r.key]);
    // Objects without the key match "!=" and "notin": they certainly lack the value.
    case 'NotIn':
    case 'NotEquals':
      return !has || !r.values.includes(labels[r.key]);
  }
}

export function matchesSelector(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  return selector.every((r) => matchesRequirement(r, set));
}

function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${r.values[0] ?? ''}`;
    case 'NotEquals':
      return `${r.key}!=${r.values[0] ?? ''}`;
    case 'In':
      return `${r.key} in (${[...r.values].sort().join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${[...r.values].sort().join(',')})`;
  }
}

/** Canonical string form (kubectl's), e.g. for printing: requirements sorted by key. */
export function selectorToString(selector: Selector): string {
  if (isNothing(selector)) return '';
  return [...selector].sort(byKey).map(requirementToString).join(',');
}

/** A selector from plain key=value pairs (a Service's selector, a nodeSelector). */
export function selectorFromSet(set: Record<string, string> | undefined): Selector {
  return Object.entries(set ?? {})
    .map(([key, value]): LabelRequirement => ({ key, operator: 'Equals', values: [value] }))
    .sort(byKey);
}
