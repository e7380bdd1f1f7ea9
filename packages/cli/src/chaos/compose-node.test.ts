import { describe, expect, it } from 'vitest';
import { composeNodeCommands, composeNodeContainer, lossRule } from './compose-node.js';

describe('chaos node verbs on a compose cluster', () => {
  it('name the node container as docker-compose.yml does', () => {
    expect(composeNodeContainer('kubesim', 'node-2')).toBe('kubesim-node-2');
  });

  it('map each verb to the Docker command that is that failure', () => {
    const c = 'kubesim-node-2';
    expect(composeNodeCommands('kill', c)).toEqual([['kill', '--signal', 'KILL', c]]);
    expect(composeNodeCommands('start', c)).toEqual([['start', c]]);
    expect(composeNodeCommands('pause', c)).toEqual([['pause', c]]);
    expect(composeNodeCommands('resume', c)).toEqual([['unpause', c]]);
    expect(composeNodeCommands('partition', c, ['p_default', 'p_extra'])).toEqual([
      ['network', 'disconnect', 'p_default', c],
      ['network', 'disconnect', 'p_extra', c],
    ]);
    expect(composeNodeCommands('heal', c, ['p_default'])).toEqual([['network', 'connect', 'p_default', c]]);
    expect(composeNodeCommands('loss', c, [], 0.1)).toEqual([['exec', c, ...lossRule('-I', 0.1)]]);
  });

  it('drop a share of what the node sends to the apiservers, with a rule that the same call removes', () => {
    const add = lossRule('-I', 0.25);
    expect(add.join(' ')).toBe('iptables -I OUTPUT -p tcp --dport 6443 -m statistic --mode random --probability 0.25 -m comment --comment kubesim-chaos loss -j DROP');
    expect(lossRule('-D', 0.25).slice(2)).toEqual(add.slice(2));
  });
});
