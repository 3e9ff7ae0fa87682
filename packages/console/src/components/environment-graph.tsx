import type { MouseEvent, ReactNode } from 'react';
import { loadEnvironmentGraph } from '../api/load-environment-graph.js';
import {
  GRAPH_SIZES,
  edgePath,
  environmentGraphLayout,
  type GraphNode,
  type GraphNodeKind,
} from '../graph/environment-graph-layout.js';
import { useQuery } from '../hooks/use-query.js';
import { navigate, pathOf } from '../router.js';
import { ErrorBanner, Loading, isRunning, toneOf } from './ui.js';

const kindLabel: Record<GraphNodeKind, string> = {
  environment: 'Environment',
  service: 'Service',
  instance: 'Service instance',
  component: 'Component',
};

function hrefOf(node: GraphNode): string {
  const name = node.resource.name;
  if (node.kind === 'environment') return pathOf('environments', name);
  if (node.kind === 'service') return pathOf('services', name);
  if (node.kind === 'instance')
    return pathOf('services', node.serviceName ?? '', 'instances', name);
  return pathOf('components', name);
}

const statusWords = (status: string) => status.replace(/_/g, ' ').toLowerCase();

/** Shortens text to fit a box; the whole text stays in the link's accessible name and tooltip. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The line under the name: template and version, or what a component is attached to. */
function detailOf(node: GraphNode): string {
  const r = node.resource;
  if (node.kind === 'component')
    return node.serviceInstanceName
      ? `attached to ${node.serviceInstanceName}`
      : 'defined in the environment';
  if (node.kind === 'service')
    return r.templateName ? `template ${r.templateName}` : 'template unknown';
  return `${r.templateName ?? ''} ${r.version ?? ''}`.trim();
}

/** What a screen reader hears for a box (and the tooltip). */
function describe(node: GraphNode): string {
  const r = node.resource;
  const parts = [`${kindLabel[node.kind]} ${r.name}`, statusWords(r.status)];
  if (node.kind === 'instance' && node.serviceName) parts.push(`of service ${node.serviceName}`);
  const detail = detailOf(node);
  if (detail) parts.push(detail);
  if (r.available) parts.push(`${r.available} available`);
  return parts.join(', ');
}

function GraphBox(props: { node: GraphNode }): ReactNode {
  const { node } = props;
  const { nodeWidth: w, nodeHeight: h } = GRAPH_SIZES;
  const r = node.resource;
  const tone = toneOf(r.status);
  const href = hrefOf(node);
  const label = describe(node);
  const status = statusWords(r.status);
  // The status pill is sized from its text (12px semibold: under 7.6px a character).
  const pillWidth = Math.round(status.length * 7.6 + (isRunning(r.status) ? 30 : 18));
  // In an <svg>, React makes this <a> an SVG link: typed as HTML, it is an SVGAElement at run time.
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    event.preventDefault();
    navigate(href);
  };
  const version = !!r.version && node.kind !== 'service' && node.kind !== 'component';
  const detail = version ? clip(r.templateName ?? '', 22) : clip(detailOf(node), 32);
  return (
    <a
      href={href}
      onClick={onClick}
      aria-label={label}
      className={`graph-node graph-${node.kind} graph-tone-${tone}`}
      data-node={node.id}
      data-status={r.status}
    >
      <title>{label}</title>
      <g transform={`translate(${node.x} ${node.y})`}>
        <rect className="graph-box" width={w} height={h} rx={8} />
        <rect className="graph-stripe" width={6} height={h - 2} x={1} y={1} rx={3} />
        <text className="graph-kind" x={18} y={20}>
          {kindLabel[node.kind].toUpperCase()}
        </text>
        <text className="graph-name" x={18} y={41}>
          {clip(r.name, 24)}
        </text>
        <text className="graph-detail" x={18} y={61}>
          {detail}
          {version && <tspan className="graph-version"> {r.version}</tspan>}
          {r.available && <tspan className="graph-available"> → {r.available}</tspan>}
        </text>
        <g transform={`translate(18 ${h - 24})`} aria-hidden="true">
          <rect className="graph-pill" width={pillWidth} height={18} rx={9} />
          {isRunning(r.status) && <circle className="graph-pulse" cx={10} cy={9} r={3.5} />}
          <text className="graph-pill-text" x={isRunning(r.status) ? 19 : 9} y={13}>
            {status}
          </text>
        </g>
      </g>
    </a>
  );
}

/**
 * A picture of one environment: its services, their instances here, and its components, with
 * deployment status (coloured like the status badges, always in words too) and template versions.
 * Every box is a link to the resource's page, reachable with Tab.
 */
export function EnvironmentGraph(props: {
  name: string;
  refreshKey?: string;
  empty?: ReactNode;
}): ReactNode {
  const query = useQuery(() => loadEnvironmentGraph(props.name), [props.name], {
    pollMs: 2000,
    pollWhile: (d) =>
      !!d &&
      [d.environment, ...d.services, ...d.instances, ...d.components].some((r) =>
        isRunning(r.status),
      ),
    ...(props.refreshKey !== undefined ? { refreshKey: props.refreshKey } : {}),
  });
  if (!query.data) {
    return query.error ? (
      <ErrorBanner error={query.error} title="Could not draw the environment" />
    ) : (
      <Loading what="the graph" />
    );
  }
  const layout = environmentGraphLayout(query.data);
  const alone = query.data.instances.length === 0 && query.data.components.length === 0;
  return (
    <figure className="graph-figure">
      <ErrorBanner error={query.error} title="Could not refresh the graph" />
      <div className="graph-scroll">
        <svg
          className="env-graph"
          role="group"
          aria-label={`Graph of environment ${props.name}`}
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
        >
          {layout.columns.map((c) => (
            <text
              key={c.title}
              className="graph-column-title"
              x={c.x + 2}
              y={16}
              aria-hidden="true"
            >
              {c.title}
            </text>
          ))}
          <g aria-hidden="true">
            {layout.edges.map((e) => (
              <path
                key={e.id}
                className={`graph-edge graph-edge-${toneOf(e.to.resource.status)}`}
                d={edgePath(e)}
              />
            ))}
          </g>
          {layout.nodes.map((n) => (
            <GraphBox key={n.id} node={n} />
          ))}
        </svg>
      </div>
      <figcaption className="hint">
        {alone && props.empty
          ? props.empty
          : 'Each box opens its page. Colours follow the status badges; an arrow (→) shows a newer recommended template version.'}
      </figcaption>
    </figure>
  );
}
