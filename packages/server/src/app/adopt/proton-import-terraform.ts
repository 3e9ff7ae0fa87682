import { ValidationError } from '@nucleon/core';
import type { NucleonImportFolder } from '@nucleon/protocol';
import { createTwoFilesPatch } from 'diff';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { RenderedDeployment } from '../deploy/render-deployment.js';

const norm = (s: string) => s.replace(/\r\n/g, '\n').trimEnd();
const patch = (path: string, a: string, b: string) =>
  createTwoFilesPatch(`rendered/${path}`, `repository/${path}`, a, b, '', '', { context: 3 });

/** The Proton ARN's resource part (`environment/prod`), the same whatever account Proton ran in. */
const resourcePart = (arn: string) => arn.split(':').slice(5).join(':');

function inputsOf(tfvars: string | undefined, namespace: string, where: string) {
  if (tfvars === undefined) return undefined;
  try {
    const doc = JSON.parse(tfvars) as Record<string, { inputs?: unknown } | undefined>;
    return (doc[namespace]?.inputs ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError(
      `${where}/proton.auto.tfvars.json is not JSON: ${(error as Error).message}`,
    );
  }
}

const canonical = (o: Record<string, unknown> | undefined) =>
  JSON.stringify(
    Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    null,
    2,
  );

/**
 * Compares a self-managed Terraform resource's folder, as Proton left it in the provisioning
 * repository, with what Nucleon renders for it (ADR 0028): the template's `.tf` files must be
 * there unchanged, no other `.tf` file may be (Proton's generated `proton.*.variables.tf`
 * aside), and the inputs in `proton.auto.tfvars.json` must be the rendered ones. The folder's
 * `.proton/deployment-metadata.json` must name this very resource.
 */
export function compareTerraformFolder(
  resource: ResourceRecord,
  rendered: RenderedDeployment,
  folder: NucleonImportFolder,
): { equal: boolean; diff: string } {
  const files = new Map(folder.files.map((f) => [f.path, f.content]));
  const meta = files.get('.proton/deployment-metadata.json');
  if (meta === undefined)
    throw new ValidationError(
      `folders: ${folder.folder}/ has no .proton/deployment-metadata.json; it is not a folder Proton deployed.`,
    );
  let arn: unknown;
  try {
    const doc = JSON.parse(meta) as {
      resourceMetadata?: { arn?: unknown };
      componentMetadata?: { arn?: unknown };
    };
    arn = doc.resourceMetadata?.arn ?? doc.componentMetadata?.arn;
  } catch (error) {
    throw new ValidationError(
      `folders: ${folder.folder}/.proton/deployment-metadata.json is not JSON: ${(error as Error).message}`,
    );
  }
  if (typeof arn !== 'string' || resourcePart(arn) !== resourcePart(resource.arn))
    throw new ValidationError(
      `folders: ${folder.folder}/ belongs to ${String(arn)}, not to ${resourcePart(resource.arn)}. Give the folder Proton deployed this resource in.`,
    );
  const prefix = `${rendered.folder.directory}/`;
  const templateFiles = rendered.folder.files
    .map((f) => f.slice(prefix.length))
    .filter((f) => f.endsWith('.tf'));
  const diffs: string[] = [];
  for (const name of templateFiles) {
    const mine = rendered.files.get(name);
    const theirs = files.get(name);
    const text = typeof mine === 'string' ? mine : Buffer.from(mine ?? []).toString('utf8');
    if (theirs === undefined) diffs.push(`${name}: in the template, missing from the folder\n`);
    else if (norm(text) !== norm(theirs)) diffs.push(patch(name, text, theirs));
  }
  for (const name of files.keys())
    if (
      name.endsWith('.tf') &&
      !name.includes('/') &&
      !templateFiles.includes(name) &&
      !/^proton\.[a-z_]+\.variables\.tf$/.test(name)
    )
      diffs.push(`${name}: in the folder, not in the template\n`);
  // A component has no inputs of its own: its namespace holds only its name.
  const namespace =
    resource.kind === 'ENVIRONMENT'
      ? 'environment'
      : resource.kind === 'COMPONENT'
        ? 'component'
        : resource.kind === 'SERVICE_PIPELINE'
          ? 'pipeline'
          : 'service_instance';
  const want = inputsOf(
    rendered.visible['proton.auto.tfvars.json'],
    namespace,
    `rendered ${folder.folder}`,
  );
  const have = inputsOf(files.get('proton.auto.tfvars.json'), namespace, folder.folder);
  if (have === undefined)
    diffs.push(
      'proton.auto.tfvars.json: missing from the folder (Proton wrote the inputs there)\n',
    );
  else if (canonical(want) !== canonical(have))
    diffs.push(
      patch(`proton.auto.tfvars.json (${namespace}.inputs)`, canonical(want), canonical(have)),
    );
  return { equal: diffs.length === 0, diff: diffs.join('\n') };
}
