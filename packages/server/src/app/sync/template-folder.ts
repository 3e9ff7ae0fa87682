import type { MirrorTarget, RepositoryMirror } from '../../ports/repository-mirror.js';
import type { TemplateSyncConfigRecord } from '../../ports/template-sync-store.js';

/**
 * Where a template's version folders are at a commit, as Proton looked for them:
 * `<subdirectory>/<template-name>` when the config names a subdirectory, otherwise the first
 * folder named after the template (shallowest first, then in path order) that holds a `v<N>` folder.
 */
export async function findTemplateFolder(
  mirror: RepositoryMirror,
  target: MirrorTarget,
  commit: string,
  c: Pick<TemplateSyncConfigRecord, 'subdirectory' | 'templateName'>,
): Promise<string | undefined> {
  if (c.subdirectory) {
    const path = `${c.subdirectory}/${c.templateName}`;
    return (await mirror.list(target, commit, path)) ? path : undefined;
  }
  const folders = await mirror.folders(target, commit);
  const set = new Set(folders);
  const candidates = folders
    .filter((f) => f === c.templateName || f.endsWith(`/${c.templateName}`))
    .filter((f) =>
      [...set].some((x) => x.startsWith(`${f}/v`) && /^v\d+$/.test(x.slice(f.length + 1))),
    )
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return candidates[0];
}
