import { parse, stringify } from 'yaml';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One instance in a ServiceSpec. */
export interface InstanceEntry {
  name: string;
  environment: string;
  spec: Obj;
}

/** The parts of a ServiceSpec the console edits. */
export interface ServiceSpecDoc {
  pipeline?: Obj;
  instances: InstanceEntry[];
}

/** `proton: EnvironmentSpec` with the inputs under `spec`. */
export function environmentSpecText(values: Obj): string {
  return stringify({ proton: 'EnvironmentSpec', spec: values });
}

/** The inputs of an EnvironmentSpec document; throws a readable error on anything else. */
export function readEnvironmentSpec(text: string): Obj {
  const doc: unknown = parse(text);
  if (!isObj(doc))
    throw new Error('The spec must be a YAML mapping starting with "proton: EnvironmentSpec".');
  if (doc.spec !== undefined && doc.spec !== null && !isObj(doc.spec))
    throw new Error('"spec" must be a mapping of input names to values.');
  return isObj(doc.spec) ? doc.spec : {};
}

export function serviceSpecText(doc: ServiceSpecDoc): string {
  return stringify({
    proton: 'ServiceSpec',
    ...(doc.pipeline ? { pipeline: doc.pipeline } : {}),
    instances: doc.instances.map((i) => ({
      name: i.name,
      environment: i.environment,
      spec: i.spec,
    })),
  });
}

/** The pipeline and instances of a ServiceSpec document; throws a readable error on anything else. */
export function readServiceSpec(text: string): ServiceSpecDoc {
  const doc: unknown = parse(text);
  if (!isObj(doc))
    throw new Error('The spec must be a YAML mapping starting with "proton: ServiceSpec".');
  if (doc.instances !== undefined && !Array.isArray(doc.instances))
    throw new Error('"instances" must be a list.');
  const instances = ((doc.instances as unknown[] | undefined) ?? []).map((entry, i) => {
    if (!isObj(entry))
      throw new Error(`instances[${i}] must be a mapping with name, environment and spec.`);
    return {
      name: typeof entry.name === 'string' ? entry.name : '',
      environment: typeof entry.environment === 'string' ? entry.environment : '',
      spec: isObj(entry.spec) ? entry.spec : {},
    };
  });
  const result: ServiceSpecDoc = { instances };
  if (isObj(doc.pipeline)) result.pipeline = doc.pipeline;
  return result;
}

/** An instance's inputs inside the ServiceSpec it was deployed with (the API's `spec`). */
export function instanceInputsOf(specText: string | undefined, instanceName: string): Obj {
  if (!specText) return {};
  try {
    return readServiceSpec(specText).instances.find((i) => i.name === instanceName)?.spec ?? {};
  } catch {
    return {};
  }
}

/** The pipeline inputs inside a ServiceSpec. */
export function pipelineInputsOf(specText: string | undefined): Obj {
  if (!specText) return {};
  try {
    return readServiceSpec(specText).pipeline ?? {};
  } catch {
    return {};
  }
}

/** The environment inputs inside an EnvironmentSpec. */
export function environmentInputsOf(specText: string | undefined): Obj {
  if (!specText) return {};
  try {
    return readEnvironmentSpec(specText);
  } catch {
    return {};
  }
}
