import type { ProtonClient } from '@nucleon/protocol';
import {
  inputTypesOfSchema,
  templateKey,
  type TemplateInputTypes,
  type TemplateOf,
} from '@nucleon/server/proton-estate';

/**
 * The input types of every template the stacks came from, read from Nucleon (read-only). A
 * template not registered yet (or a Nucleon not reachable) gives none: its inputs are left to
 * the user, and `notes` says so.
 */
export async function fetchInputTypes(
  client: ProtonClient,
  stacks: readonly TemplateOf[],
): Promise<{ types: Map<string, TemplateInputTypes>; notes: string[] }> {
  const types = new Map<string, TemplateInputTypes>();
  const notes: string[] = [];
  for (const s of stacks) {
    if (!s.templateName || !s.templateKind || types.has(templateKey(s))) continue;
    try {
      const schema = await schemaOf(client, s);
      if (schema) types.set(templateKey(s), inputTypesOfSchema(schema));
    } catch (error) {
      notes.push(
        `inputs of ${s.templateName} not inferred from stack parameters: ${(error as Error).message}`,
      );
    }
  }
  return { types, notes };
}

async function schemaOf(client: ProtonClient, s: TemplateOf): Promise<string | undefined> {
  const templateName = s.templateName!;
  const majorVersion = s.templateMajorVersion ?? '1';
  let minorVersion = s.templateMinorVersion;
  if (s.templateKind === 'ENVIRONMENT') {
    if (minorVersion === undefined) {
      const t = (await client.call('GetEnvironmentTemplate', { name: templateName }))
        .environmentTemplate;
      const [major, minor] = (t.recommendedVersion ?? '').split('.');
      if (major !== majorVersion || minor === undefined) return undefined;
      minorVersion = minor;
    }
    return (
      await client.call('GetEnvironmentTemplateVersion', {
        templateName,
        majorVersion,
        minorVersion,
      })
    ).environmentTemplateVersion.schema;
  }
  if (minorVersion === undefined) {
    const t = (await client.call('GetServiceTemplate', { name: templateName })).serviceTemplate;
    const [major, minor] = (t.recommendedVersion ?? '').split('.');
    if (major !== majorVersion || minor === undefined) return undefined;
    minorVersion = minor;
  }
  return (
    await client.call('GetServiceTemplateVersion', { templateName, majorVersion, minorVersion })
  ).serviceTemplateVersion.schema;
}
