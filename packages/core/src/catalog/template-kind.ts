/** The two kinds of template in Proton's catalog. */
export const TemplateKind = { ENVIRONMENT: 'ENVIRONMENT', SERVICE: 'SERVICE' } as const;
export type TemplateKind = (typeof TemplateKind)[keyof typeof TemplateKind];

/** ARN resource type segment per kind. */
export function templateResourceType(
  kind: TemplateKind,
): 'environment-template' | 'service-template' {
  return kind === 'ENVIRONMENT' ? 'environment-template' : 'service-template';
}
