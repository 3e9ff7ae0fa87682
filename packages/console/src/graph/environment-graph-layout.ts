/**
 * The picture of an environment as boxes and lines: a layered layout, left to right — the
 * environment, then its services (and the components defined directly in it), then the service
 * instances, then the components attached to instances. Pure geometry: no React, no API.
 */

/** One resource drawn as a box. */
export interface GraphResource {
  name: string;
  /** Deployment status (the service's own status for services). */
  status: string;
  templateName?: string;
  /** `major.minor` of the template the resource runs. */
  version?: string;
  /** A newer recommended version of its template, when there is one. */
  available?: string;
}

export interface GraphInstance extends GraphResource {
  serviceName: string;
}

export interface GraphComponent extends GraphResource {
  serviceName?: string;
  serviceInstanceName?: string;
}

/** What the environment graph shows, as loaded from the API. */
export interface EnvironmentGraphData {
  environment: GraphResource;
  services: GraphResource[];
  instances: GraphInstance[];
  components: GraphComponent[];
}

export type GraphNodeKind = 'environment' | 'service' | 'instance' | 'component';

export interface GraphNode {
  /** Unique in the graph: `environment:dev`, `service:web`, `instance:web/web-a`, `component:c`. */
  id: string;
  kind: GraphNodeKind;
  /** Top-left corner. */
  x: number;
  y: number;
  resource: GraphResource;
  /** Instances and attached components: the service they belong to. */
  serviceName?: string;
  /** Attached components: the instance they belong to. */
  serviceInstanceName?: string;
}

export interface GraphEdge {
  id: string;
  from: GraphNode;
  to: GraphNode;
}

export interface GraphColumn {
  title: string;
  /** Left edge of the column's boxes. */
  x: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  columns: GraphColumn[];
}

/** Box size and spacing, in SVG user units (CSS pixels at 1:1). */
export const GRAPH_SIZES = {
  nodeWidth: 236,
  nodeHeight: 92,
  columnGap: 76,
  rowGap: 18,
  top: 34,
  margin: 4,
} as const;

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** Positions every box and the lines between them. Boxes never overlap; a parent is centred on its children. */
export function environmentGraphLayout(data: EnvironmentGraphData): GraphLayout {
  const { nodeWidth, nodeHeight, columnGap, rowGap, top, margin } = GRAPH_SIZES;
  const rowY = (row: number) => top + row * (nodeHeight + rowGap);
  const columnX = (column: number) => margin + column * (nodeWidth + columnGap);

  const instanceKey = (service: string, instance: string) => `${service}/${instance}`;
  const instanceKeys = new Set(data.instances.map((i) => instanceKey(i.serviceName, i.name)));
  const attached = new Map<string, GraphComponent[]>();
  const standalone: GraphComponent[] = [];
  for (const c of [...data.components].sort(byName)) {
    const key =
      c.serviceName && c.serviceInstanceName
        ? instanceKey(c.serviceName, c.serviceInstanceName)
        : undefined;
    if (key && instanceKeys.has(key)) attached.set(key, [...(attached.get(key) ?? []), c]);
    else standalone.push(c);
  }
  const hasAttached = attached.size > 0;

  // Services known from their instances, plus any the data lists without one here.
  const serviceNames = [
    ...new Set([...data.services.map((s) => s.name), ...data.instances.map((i) => i.serviceName)]),
  ].sort((a, b) => a.localeCompare(b));
  const serviceOf = (name: string): GraphResource =>
    data.services.find((s) => s.name === name) ?? { name, status: 'UNKNOWN' };

  const environment: GraphNode = {
    id: `environment:${data.environment.name}`,
    kind: 'environment',
    x: columnX(0),
    y: 0,
    resource: data.environment,
  };
  const nodes: GraphNode[] = [environment];
  const edges: GraphEdge[] = [];
  const link = (from: GraphNode, to: GraphNode) =>
    edges.push({ id: `${from.id}->${to.id}`, from, to });

  let row = 0;
  for (const serviceName of serviceNames) {
    const instances = data.instances.filter((i) => i.serviceName === serviceName).sort(byName);
    const first = row;
    const placed: GraphNode[] = [];
    for (const instance of instances) {
      const components = attached.get(instanceKey(serviceName, instance.name)) ?? [];
      const rows = Math.max(1, components.length);
      const node: GraphNode = {
        id: `instance:${instanceKey(serviceName, instance.name)}`,
        kind: 'instance',
        x: columnX(2),
        y: (rowY(row) + rowY(row + rows - 1)) / 2,
        resource: instance,
        serviceName,
      };
      placed.push(node);
      components.forEach((c, k) => {
        const child: GraphNode = {
          id: `component:${c.name}`,
          kind: 'component',
          x: columnX(3),
          y: rowY(row + k),
          resource: c,
          serviceName,
          serviceInstanceName: instance.name,
        };
        nodes.push(child);
        link(node, child);
      });
      row += rows;
    }
    if (instances.length === 0) row += 1;
    const last = Math.max(first, row - 1);
    const service: GraphNode = {
      id: `service:${serviceName}`,
      kind: 'service',
      x: columnX(1),
      y: (rowY(first) + rowY(last)) / 2,
      resource: serviceOf(serviceName),
    };
    nodes.push(service, ...placed);
    link(environment, service);
    for (const node of placed) link(service, node);
  }
  for (const c of standalone) {
    const node: GraphNode = {
      id: `component:${c.name}`,
      kind: 'component',
      x: columnX(1),
      y: rowY(row),
      resource: c,
    };
    if (c.serviceName) node.serviceName = c.serviceName;
    if (c.serviceInstanceName) node.serviceInstanceName = c.serviceInstanceName;
    nodes.push(node);
    link(environment, node);
    row += 1;
  }
  const rows = Math.max(1, row);
  environment.y = (rowY(0) + rowY(rows - 1)) / 2;

  const columns: GraphColumn[] = [{ title: 'Environment', x: columnX(0) }];
  if (serviceNames.length > 0 || standalone.length > 0) {
    columns.push({
      title:
        serviceNames.length === 0
          ? 'Components'
          : standalone.length > 0
            ? 'Services and components'
            : 'Services',
      x: columnX(1),
    });
  }
  if (data.instances.length > 0) columns.push({ title: 'Service instances', x: columnX(2) });
  if (hasAttached) columns.push({ title: 'Components', x: columnX(3) });

  return {
    width: columnX(columns.length - 1) + nodeWidth + margin,
    height: rowY(rows - 1) + nodeHeight + margin,
    nodes,
    edges,
    columns,
  };
}

/** The SVG path of an edge: a smooth curve from the right side of one box to the left side of the next. */
export function edgePath(edge: GraphEdge): string {
  const { nodeWidth, nodeHeight } = GRAPH_SIZES;
  const x1 = edge.from.x + nodeWidth;
  const y1 = edge.from.y + nodeHeight / 2;
  const x2 = edge.to.x;
  const y2 = edge.to.y + nodeHeight / 2;
  const mid = (x1 + x2) / 2;
  return `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
}
