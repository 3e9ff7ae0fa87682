import { extensionTargetPrefix, targetPrefix } from '@nucleon/protocol';
import type { TemplateKind } from '@nucleon/core';
import type { BundlesService } from '../app/bundles-service.js';
import type { TagsService } from '../app/tags-service.js';
import type { TemplatesService } from '../app/templates-service.js';
import type { OperationEntry } from './operation-registry.js';

type In = Record<string, unknown>;
const s = (v: unknown): string => v as string;
const o = <T>(v: unknown): T => v as T;

/** The catalog's Proton operations (templates, versions, tags) and the bundle extension. */
export function catalogOperations(deps: {
  templates: TemplatesService;
  tags: TagsService;
  bundles: BundlesService;
}): Array<[string, OperationEntry]> {
  const { templates, tags, bundles } = deps;
  const entries: Array<[string, OperationEntry]> = [];
  const op = (
    name: string,
    entry: Omit<OperationEntry, 'input' | 'output'>,
    prefix = targetPrefix,
  ) =>
    entries.push([
      `${prefix}.${name}`,
      { input: `${name}Input`, output: `${name}Output`, ...entry },
    ]);

  for (const [kind, label, key] of [
    ['ENVIRONMENT', 'Environment', 'environmentTemplate'],
    ['SERVICE', 'Service', 'serviceTemplate'],
  ] as Array<[TemplateKind, string, string]>) {
    op(`Create${label}Template`, {
      handler: async (i: In) => ({
        [key]: await templates.createTemplate(kind, {
          ...o(i),
          provisioning: s(i.provisioning ?? i.pipelineProvisioning ?? undefined),
        }),
      }),
    });
    op(`Get${label}Template`, {
      handler: async (i: In) => ({ [key]: await templates.getTemplate(kind, s(i.name)) }),
    });
    op(`List${label}Templates`, {
      handler: async (i: In) =>
        templates.listTemplates(
          kind,
          o<string | undefined>(i.nextToken),
          o<number | undefined>(i.maxResults),
        ),
    });
    op(`Update${label}Template`, {
      handler: async (i: In) => ({ [key]: await templates.updateTemplate(kind, o(i)) }),
    });
    op(`Delete${label}Template`, {
      handler: async (i: In) => ({ [key]: await templates.deleteTemplate(kind, s(i.name)) }),
    });
    op(`Create${label}TemplateVersion`, {
      handler: async (i: In) => ({ [`${key}Version`]: await templates.createVersion(kind, o(i)) }),
    });
    op(`Get${label}TemplateVersion`, {
      handler: async (i: In) => ({
        [`${key}Version`]: await templates.getVersion(
          kind,
          s(i.templateName),
          s(i.majorVersion),
          s(i.minorVersion),
        ),
      }),
    });
    op(`List${label}TemplateVersions`, {
      handler: async (i: In) => templates.listVersions(kind, o(i)),
    });
    op(`Update${label}TemplateVersion`, {
      handler: async (i: In) => ({ [`${key}Version`]: await templates.updateVersion(kind, o(i)) }),
    });
    op(`Delete${label}TemplateVersion`, {
      handler: async (i: In) => ({ [`${key}Version`]: await templates.deleteVersion(kind, o(i)) }),
    });
  }

  op('TagResource', {
    handler: async (i: In) => (await tags.tag(s(i.resourceArn), o(i.tags)), {}),
  });
  op('UntagResource', {
    handler: async (i: In) => (await tags.untag(s(i.resourceArn), o(i.tagKeys)), {}),
  });
  op('ListTagsForResource', {
    handler: async (i: In) =>
      tags.list(
        s(i.resourceArn),
        o<string | undefined>(i.nextToken),
        o<number | undefined>(i.maxResults),
      ),
  });

  op('PutBundle', { handler: async (i: In) => bundles.put(o(i)) }, extensionTargetPrefix);
  return entries;
}
