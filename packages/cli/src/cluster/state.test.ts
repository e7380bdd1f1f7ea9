import { describe, expect, it } from 'vitest';
import { ADDONS, parseDisabled } from './state.js';

describe('parseDisabled (kubesim up --disable)', () => {
  it('takes comma-separated add-on names, once each, in the order given', () => {
    expect(parseDisabled(undefined)).toEqual([]);
    expect(parseDisabled('')).toEqual([]);
    expect(parseDisabled('ingress-controller')).toEqual(['ingress-controller']);
    expect(parseDisabled(' dns , cloud-controller-manager,dns,')).toEqual(['dns', 'cloud-controller-manager']);
    expect(parseDisabled(ADDONS.join(','))).toEqual([...ADDONS]);
  });

  it('refuses a name that is no add-on, naming the flag and the known ones', () => {
    expect(() => parseDisabled('dns,traefik')).toThrow('invalid value "traefik" for --disable: must be one of dns, cloud-controller-manager, ingress-controller');
    // The core components are not add-ons.
    expect(() => parseDisabled('scheduler')).toThrow(/invalid value "scheduler" for --disable/);
  });
});
