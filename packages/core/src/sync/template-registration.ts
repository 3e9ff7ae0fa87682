import { parse } from 'yaml';

export interface TemplateRegistration {
  compatibleEnvironmentTemplates: Array<{ templateName: string; majorVersion: string }>;
  supportedComponentSources?: string[];
}

const ENTRY = /^([0-9A-Za-z][0-9A-Za-z_-]*):([0-9]+)$/;

function entries(
  list: unknown,
  file: string,
): TemplateRegistration['compatibleEnvironmentTemplates'] {
  if (!Array.isArray(list))
    throw new Error(`${file}: compatible_environments must be a list of "<template>:<major>"`);
  return list.map((item) => {
    const m = ENTRY.exec(String(item).trim());
    if (!m)
      throw new Error(
        `${file}: "${String(item)}" is not "<environment template name>:<major version>", e.g. my-env:1`,
      );
    return { templateName: m[1]!, majorVersion: m[2]! };
  });
}

/**
 * A service template folder's registration file, as Proton's template sync read it:
 * `.template-registration.yaml` (`compatible_environments: [name:major]`, optional
 * `supported_component_sources`), or the legacy `.compatible-envs` (one `name:major` a line).
 * Throws an Error whose message names the file and what to write instead.
 */
export function parseTemplateRegistration(
  registrationYaml: string | undefined,
  compatibleEnvs: string | undefined,
): TemplateRegistration | undefined {
  if (registrationYaml !== undefined) {
    const file = '.template-registration.yaml';
    let doc: unknown;
    try {
      doc = parse(registrationYaml);
    } catch (error) {
      throw new Error(`${file} is not valid YAML: ${(error as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new Error(`${file} must be a mapping with compatible_environments`);
    const d = doc as Record<string, unknown>;
    const sources = d.supported_component_sources;
    if (sources !== undefined && !Array.isArray(sources))
      throw new Error(`${file}: supported_component_sources must be a list (DIRECTLY_DEFINED)`);
    return {
      compatibleEnvironmentTemplates: entries(d.compatible_environments ?? [], file),
      ...(sources ? { supportedComponentSources: sources.map(String) } : {}),
    };
  }
  if (compatibleEnvs !== undefined) {
    const lines = compatibleEnvs
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    return { compatibleEnvironmentTemplates: entries(lines, '.compatible-envs') };
  }
  return undefined;
}
