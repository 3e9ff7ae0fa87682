import { describe, expect, test } from 'vitest';
import {
  GRAPH_SIZES,
  edgePath,
  environmentGraphLayout,
  type EnvironmentGraphData,
  type GraphNode,
} from '../src/graph/environment-graph-layout.js';

const ok = 'SUCCEEDED';
const base: EnvironmentGraphData = {
  environment: { name: 'dev', status: ok, templateName: 'cb-env', version: '1.0' },
  services: [
    { name: 'web', status: 'ACTIVE', templateName: 'cb-svc' },
    { name: 'api', status: 'ACTIVE', templateName: 'cb-svc' },
  ],
  instances: [
    {
      name: 'web-b',
      serviceName: 'web',
      status: 'IN_PROGRESS',
      templateName: 'cb-svc',
      version: '1.0',
      available: '1.1',
    },
    { name: 'web-a', serviceName: 'web', status: ok, templateName: 'cb-svc', version: '1.1' },
    { name: 'api-a', serviceName: 'api', status: 'FAILED', templateName: 'cb-svc', version: '1.0' },
  ],
  components: [],
};

const byId = (nodes: GraphNode[], id: string) => {
  const node = nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
};
const centre = (n: GraphNode) => n.y + GRAPH_SIZES.nodeHeight / 2;
const overlaps = (a: GraphNode, b: GraphNode) =>
  a.x < b.x + GRAPH_SIZES.nodeWidth &&
  b.x < a.x + GRAPH_SIZES.nodeWidth &&
  a.y < b.y + GRAPH_SIZES.nodeHeight &&
  b.y < a.y + GRAPH_SIZES.nodeHeight;

describe('the environment graph layout', () => {
  test('puts the environment, services and instances in three columns, sorted by name, edges from parent to child', () => {
    const layout = environmentGraphLayout(base);
    expect(layout.columns.map((c) => c.title)).toEqual([
      'Environment',
      'Services',
      'Service instances',
    ]);
    const env = byId(layout.nodes, 'environment:dev');
    const api = byId(layout.nodes, 'service:api');
    const web = byId(layout.nodes, 'service:web');
    const [apiA, webA, webB] = [
      'instance:api/api-a',
      'instance:web/web-a',
      'instance:web/web-b',
    ].map((id) => byId(layout.nodes, id));
    expect([env.x < api.x, api.x === web.x, api.x < apiA!.x, apiA!.x === webA!.x]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(apiA!.y).toBeLessThan(webA!.y);
    expect(webA!.y).toBeLessThan(webB!.y);
    // A service sits level with the middle of its instances; the environment with the middle of everything.
    expect(centre(web)).toBe((centre(webA!) + centre(webB!)) / 2);
    expect(centre(api)).toBe(centre(apiA!));
    expect(centre(env)).toBe((centre(apiA!) + centre(webB!)) / 2);
    expect(layout.edges.map((e) => e.id).sort()).toEqual(
      [
        'environment:dev->service:api',
        'environment:dev->service:web',
        'service:api->instance:api/api-a',
        'service:web->instance:web/web-a',
        'service:web->instance:web/web-b',
      ].sort(),
    );
    for (const a of layout.nodes)
      for (const b of layout.nodes)
        if (a !== b) expect(overlaps(a, b), `${a.id} / ${b.id}`).toBe(false);
    for (const n of layout.nodes) {
      expect(n.x + GRAPH_SIZES.nodeWidth).toBeLessThanOrEqual(layout.width);
      expect(n.y + GRAPH_SIZES.nodeHeight).toBeLessThanOrEqual(layout.height);
    }
    expect(byId(layout.nodes, 'instance:web/web-b').resource.available).toBe('1.1');
  });

  test('puts attached components next to their instance, and environment components with the services', () => {
    const layout = environmentGraphLayout({
      ...base,
      components: [
        { name: 'cache', status: ok, serviceName: 'web', serviceInstanceName: 'web-a' },
        { name: 'queue', status: ok, serviceName: 'web', serviceInstanceName: 'web-a' },
        { name: 'shared-bucket', status: 'DELETE_FAILED' },
        { name: 'orphan', status: ok, serviceName: 'gone', serviceInstanceName: 'gone-a' },
      ],
    });
    expect(layout.columns.map((c) => c.title)).toEqual([
      'Environment',
      'Services and components',
      'Service instances',
      'Components',
    ]);
    const webA = byId(layout.nodes, 'instance:web/web-a');
    const cache = byId(layout.nodes, 'component:cache');
    const queue = byId(layout.nodes, 'component:queue');
    expect(cache.x).toBeGreaterThan(webA.x);
    expect(centre(webA)).toBe((centre(cache) + centre(queue)) / 2);
    expect(cache.serviceInstanceName).toBe('web-a');
    const bucket = byId(layout.nodes, 'component:shared-bucket');
    expect(bucket.x).toBe(byId(layout.nodes, 'service:web').x);
    expect(byId(layout.nodes, 'component:orphan').x).toBe(bucket.x);
    expect(layout.edges.map((e) => e.id)).toEqual(
      expect.arrayContaining([
        'instance:web/web-a->component:cache',
        'environment:dev->component:shared-bucket',
      ]),
    );
    for (const a of layout.nodes)
      for (const b of layout.nodes)
        if (a !== b) expect(overlaps(a, b), `${a.id} / ${b.id}`).toBe(false);
  });

  test('draws an environment with nothing in it as a single box', () => {
    const layout = environmentGraphLayout({ ...base, services: [], instances: [] });
    expect(layout.nodes.map((n) => n.id)).toEqual(['environment:dev']);
    expect(layout.edges).toEqual([]);
    expect(layout.width).toBe(GRAPH_SIZES.nodeWidth + 2 * GRAPH_SIZES.margin);
    expect(layout.height).toBe(GRAPH_SIZES.top + GRAPH_SIZES.nodeHeight + GRAPH_SIZES.margin);
  });

  test('curves an edge from the right side of the parent to the left side of the child', () => {
    const layout = environmentGraphLayout(base);
    const edge = layout.edges.find((e) => e.id === 'service:api->instance:api/api-a')!;
    const y = centre(edge.from);
    expect(edgePath(edge)).toMatch(
      new RegExp(
        `^M ${edge.from.x + GRAPH_SIZES.nodeWidth} ${y} C .* ${edge.to.x} ${centre(edge.to)}$`,
      ),
    );
  });
});
