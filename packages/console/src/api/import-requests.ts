import type { NucleonImportResult, ProtonImportRequest } from '@nucleon/protocol';
import { parse, stringify } from 'yaml';

/** What the user may edit of a discovered resource: its spec file without the stacks' bodies. */
const EDITABLE = [
  'templateName',
  'templateMajorVersion',
  'templateMinorVersion',
  'spec',
  'protonServiceRoleArn',
  'componentRoleArn',
  'repositoryConnectionArn',
  'repositoryId',
  'branchName',
  'environmentName',
  'serviceName',
  'serviceInstanceName',
  'manifest',
  'templateFile',
  'provisioningRepository',
] as const;

/** `environment prod`, `service frontend`, `component frontend-cache`. */
export const resourceLabel = (r: Pick<ProtonImportRequest, 'kind' | 'name'>) =>
  `${r.kind.toLowerCase()} ${r.name}`;

/**
 * The YAML the console shows for a resource, as the CLI's spec file has it: the template
 * version, the spec with the inputs (those inferred from the stacks filled in), the roles, a
 * pipeline's source repository (empty until the user gives it), a component's template file,
 * and a self-managed Terraform instance's outputs.
 */
export function editableYaml(r: ProtonImportRequest): string {
  const doc: Record<string, unknown> = {};
  for (const k of EDITABLE) if (r[k] !== undefined) doc[k] = r[k];
  if (r.kind === 'SERVICE' && r.stacks.some((s) => s.target === 'pipeline'))
    for (const k of ['repositoryConnectionArn', 'repositoryId', 'branchName'] as const)
      doc[k] = r[k] ?? '';
  if (r.folders?.length)
    doc.folderOutputs = Object.fromEntries(
      r.folders.map((f) => [
        f.target,
        Object.fromEntries((f.outputs ?? []).map((o) => [o.key, o.value])),
      ]),
    );
  return stringify(doc, { lineWidth: 0 });
}

/**
 * The request for MatchProtonResource / AdoptProtonResource: what discovery read (kind, name,
 * stacks, folders) with the user's edits; empty values are left out. Throws with a readable
 * message when the YAML does not parse.
 */
export function requestWith(discovered: ProtonImportRequest, yaml: string): ProtonImportRequest {
  let doc: unknown;
  try {
    doc = parse(yaml) ?? {};
  } catch (error) {
    throw new Error(
      `${resourceLabel(discovered)}: the spec is not YAML: ${(error as Error).message}`,
    );
  }
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${resourceLabel(discovered)}: the spec must be a YAML mapping of fields.`);
  const edited = doc as Record<string, unknown>;
  const out: Record<string, unknown> = {
    kind: discovered.kind,
    name: discovered.name,
    stacks: discovered.stacks,
  };
  for (const k of EDITABLE) {
    const v = edited[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'object') out[k] = v;
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out[k] = String(v);
  }
  if (discovered.folders) {
    const outputs = (edited.folderOutputs ?? {}) as Record<string, Record<string, unknown>>;
    out.folders = discovered.folders.map((f) => ({
      ...f,
      outputs: Object.entries(outputs[f.target] ?? {}).map(([key, value]) => ({
        key,
        value: String(value),
      })),
    }));
  }
  return out as unknown as ProtonImportRequest;
}

/** One resource's match: its per-stack results, or why Nucleon could not match it. */
export interface MatchOutcome {
  results: NucleonImportResult[];
  unmatched?: string;
}

/** identical, differs or unmatched: the resource's worst result. */
export function verdictOf(m: MatchOutcome | undefined): 'identical' | 'differs' | 'unmatched' {
  if (!m || m.unmatched) return 'unmatched';
  return m.results.every((r) => r.match === 'EXACT') ? 'identical' : 'differs';
}
