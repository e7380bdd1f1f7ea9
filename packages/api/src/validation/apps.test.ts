import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../gen/types.js';
import { deployment, problems, replicaSet } from './testing.js';

function expectProblems(got: string[], want: string[]): void {
  expect(got, JSON.stringify(got)).toHaveLength(want.length);
  got.forEach((g, i) => expect(g.startsWith(want[i]), g).toBe(true));
}

describe('ReplicaSet', () => {
  it('accepts the fixture', () => expect(problems(replicaSet())).toEqual([]));

  it.each<[string, (r: ReplicaSet) => void, string[]]>([
    ['negative replicas', (r) => (r.spec!.replicas = -1), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['zero replicas', (r) => (r.spec!.replicas = 0), []],
    ['no selector', (r) => delete r.spec!.selector, ['spec.selector: Required value']],
    ['empty selector', (r) => (r.spec!.selector = {}), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    ['selector not matching', (r) => (r.spec!.selector = { matchLabels: { app: 'db' } }), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
    ['expression selector matching', (r) => (r.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }), []],
    ['bad selector operator', (r) => (r.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }), ['spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']],
    ['restartPolicy Never', (r) => (r.spec!.template!.spec!.restartPolicy = 'Never'), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ['activeDeadlineSeconds', (r) => (r.spec!.template!.spec!.activeDeadlineSeconds = 10), ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported']],
    ['no template', (r) => delete r.spec!.template, ['spec.template: Required value']],
    ['bad template label', (r) => (r.spec!.template!.metadata!.labels!['x/y/z'] = 'a'), ['spec.template.metadata.labels: Invalid value: "x/y/z": a qualified name']],
    ['bad template container', (r) => (r.spec!.template!.spec!.containers![0].image = ''), ['spec.template.spec.containers[0].image: Required value']],
    ['negative minReadySeconds', (r) => (r.spec!.minReadySeconds = -5), ['spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0']],
  ])('%s', (_n, mutate, want) => expectProblems(problems(replicaSet(mutate)), want));

  it('keeps the selector on update', () => {
    expect(problems(replicaSet((r) => (r.spec!.replicas = 5)), replicaSet())).toEqual([]);
    const moved = replicaSet((r) => {
      r.spec!.selector = { matchLabels: { app: 'web', v: '2' } };
      r.spec!.template!.metadata!.labels = { app: 'web', v: '2' };
    });
    expect(problems(moved, replicaSet())).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable']);
  });
});

describe('Deployment', () => {
  it('accepts the fixture', () => expect(problems(deployment())).toEqual([]));

  it.each<[string, (d: Deployment) => void, string[]]>([
    ['negative replicas', (d) => (d.spec!.replicas = -1), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['selector not matching', (d) => (d.spec!.template!.metadata!.labels = { app: 'other' }), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`']],
    ['no template labels', (d) => delete d.spec!.template!.metadata, ['spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`']],
    ['strategy type', (d) => (d.spec!.strategy = { type: 'BlueGreen' }), ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
    ['rollingUpdate with Recreate', (d) => (d.spec!.strategy!.type = 'Recreate'), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
    ['Recreate alone', (d) => (d.spec!.strategy = { type: 'Recreate' }), []],
    ['bad percent', (d) => (d.spec!.strategy!.rollingUpdate!.maxSurge = '25'), ["spec.strategy.rollingUpdate.maxSurge: Invalid value: \"25\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')"]],
    ['over 100%', (d) => (d.spec!.strategy!.rollingUpdate!.maxUnavailable = '150%'), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%']],
    ['negative maxSurge', (d) => (d.spec!.strategy!.rollingUpdate!.maxSurge = -1), ['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0']],
    ['ints', (d) => (d.spec!.strategy!.rollingUpdate = { maxSurge: 1, maxUnavailable: 0 }), []],
    ['both zero', (d) => (d.spec!.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 }), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']],
    ['both zero percent', (d) => (d.spec!.strategy!.rollingUpdate = { maxSurge: '0%', maxUnavailable: 0 }), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']],
    ['negative revisionHistoryLimit', (d) => (d.spec!.revisionHistoryLimit = -1), ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
    ['progress deadline not over minReady', (d) => { d.spec!.minReadySeconds = 30; d.spec!.progressDeadlineSeconds = 30; }, ['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds']],
    ['progress deadline over minReady', (d) => { d.spec!.minReadySeconds = 30; d.spec!.progressDeadlineSeconds = 31; }, []],
    ['template restartPolicy', (d) => (d.spec!.template!.spec!.restartPolicy = 'OnFailure'), ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']],
  ])('%s', (_n, mutate, want) => expectProblems(problems(deployment(mutate)), want));

  it('keeps the selector on update, but lets the template change', () => {
    expect(problems(deployment((d) => (d.spec!.template!.spec!.containers![0].image = 'nginx:2')), deployment())).toEqual([]);
    const got = problems(deployment((d) => { d.spec!.selector = { matchLabels: { app: 'web2' } }; d.spec!.template!.metadata!.labels = { app: 'web2' }; }), deployment());
    expect(got).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable']);
  });
});
