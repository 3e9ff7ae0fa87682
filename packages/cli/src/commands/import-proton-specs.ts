import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ImportKind, ImportSpecFile } from '@nucleon/server/proton-estate';

export type { ImportKind, ImportSpecFile } from '@nucleon/server/proton-estate';

const noun = (k: ImportKind) => k.toLowerCase();
const fileName = (f: ImportSpecFile) => `${noun(f.kind)}-${f.name}.yaml`;

const HINTS: Record<ImportKind, string> = {
  ENVIRONMENT:
    '# Complete "spec" with the inputs Proton deployed it with (and check the template version),\n',
  SERVICE:
    '# Complete "spec" with the inputs Proton deployed it with (and check the template version);\n' +
    '# with a pipeline, give the source repository it builds from (repositoryConnectionArn,\n' +
    '# repositoryId, branchName) as the service had it in Proton,\n',
  COMPONENT:
    '# "templateFile" is the template the stack runs now; put the Jinja source of the component\n' +
    '# instead if you have it (Proton rendered it with the component, environment and instance),\n',
};

/**
 * Writes one YAML per resource into `dir`. A file that exists already is kept (the user may have
 * completed its spec): re-running discovery never overwrites their inputs.
 */
export async function writeSpecFiles(
  dir: string,
  files: readonly ImportSpecFile[],
): Promise<{ written: string[]; kept: string[] }> {
  await mkdir(dir, { recursive: true });
  const existing = new Set(await readdir(dir));
  const written: string[] = [];
  const kept: string[] = [];
  for (const f of files) {
    const name = fileName(f);
    if (existing.has(name)) {
      kept.push(name);
      continue;
    }
    const header =
      `# nucleon import proton: ${noun(f.kind)} ${f.name}, found by discovery.\n` +
      HINTS[f.kind] +
      '# then run `nucleon import proton match`.\n';
    await writeFile(join(dir, name), header + stringify(f, { lineWidth: 0 }));
    written.push(name);
  }
  return { written, kept };
}

const ORDER: ImportKind[] = ['ENVIRONMENT', 'SERVICE', 'COMPONENT'];

/**
 * Reads every spec file of a --specs folder in the order adoption needs: environments, then
 * services (their instances render with the environments' outputs), then components.
 */
export async function readSpecFiles(
  dir: string,
): Promise<Array<{ file: string; spec: ImportSpecFile }>> {
  const names = (await readdir(dir))
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  const out: Array<{ file: string; spec: ImportSpecFile }> = [];
  for (const file of names) {
    const spec = parse(await readFile(join(dir, file), 'utf8')) as ImportSpecFile;
    if (!ORDER.includes(spec?.kind))
      throw new Error(
        `${join(dir, file)}: not an import spec file (kind must be ENVIRONMENT, SERVICE or COMPONENT)`,
      );
    out.push({ file, spec });
  }
  return out.sort((a, b) => ORDER.indexOf(a.spec.kind) - ORDER.indexOf(b.spec.kind));
}
