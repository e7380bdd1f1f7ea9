import { describe, expect, it } from 'vitest';
import { composeNodeCommands, composeNodeContainer } from './compose-node.js';

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
  });
});
