import type { ProtonImportRequest } from '@nucleon/protocol';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { editableYaml, requestWith, verdictOf } from '../src/api/import-requests.js';

const service: ProtonImportRequest = {
  kind: 'SERVICE',
  name: 'frontend',
  templateName: 'fargate-svc',
  templateMajorVersion: '1',
  spec: 'proton: ServiceSpec\ninstances: []\n',
  stacks: [
    { target: 'instance/one', stackName: 's1', stackId: 'id1', template: '{}' },
    { target: 'pipeline', stackName: 's2', stackId: 'id2', template: '{}' },
  ],
};
const folders: ProtonImportRequest = {
  kind: 'COMPONENT',
  name: 'cache',
  stacks: [],
  folders: [
    { target: 'component', folder: 'prod/cache', files: [{ path: 'main.tf', content: '' }] },
  ],
};

describe('the import wizard’s per-resource spec', () => {
  test('shows a service with a pipeline with its source repository fields to fill in', () => {
    expect(parse(editableYaml(service))).toEqual({
      templateName: 'fargate-svc',
      templateMajorVersion: '1',
      spec: service.spec,
      repositoryConnectionArn: '',
      repositoryId: '',
      branchName: '',
    });
  });

  test('sends the edits with what discovery read; empty fields are left out, the stacks are kept', () => {
    const yaml = `templateName: fargate-svc\ntemplateMajorVersion: 1\nspec: "x"\nrepositoryId: acme/web\nbranchName: ''\nname: renamed\n`;
    expect(requestWith(service, yaml)).toEqual({
      kind: 'SERVICE',
      name: 'frontend',
      templateName: 'fargate-svc',
      templateMajorVersion: '1',
      spec: 'x',
      repositoryId: 'acme/web',
      stacks: service.stacks,
    });
  });

  test('puts the outputs the user gives on the folders', () => {
    const yaml = editableYaml(folders).replace('component: {}', 'component:\n    url: https://q');
    expect(requestWith(folders, yaml).folders).toEqual([
      { ...folders.folders![0], outputs: [{ key: 'url', value: 'https://q' }] },
    ]);
  });

  test('says which resource’s YAML does not parse', () => {
    expect(() => requestWith(service, 'spec: [')).toThrow(/service frontend: the spec is not YAML/);
  });

  test('a resource is identical only when every stack is', () => {
    const r = { target: 't', stackName: 's', adopted: false };
    expect(verdictOf({ results: [{ ...r, match: 'EXACT' }] })).toBe('identical');
    expect(
      verdictOf({
        results: [
          { ...r, match: 'EXACT' },
          { ...r, match: 'DIFFERENT' },
        ],
      }),
    ).toBe('differs');
    expect(verdictOf({ results: [], unmatched: 'no environment' })).toBe('unmatched');
  });
});
