import {
  LineCounter,
  parseDocument,
  type CollectionTag,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** CloudFormation's intrinsic-function short forms (`!Ref`, `!Sub`, ...). */
export const CLOUDFORMATION_SHORT_TAGS = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'If',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'Cidr',
  'ImportValue',
  'GetAZs',
  'Equals',
  'Not',
  'And',
  'Or',
  'Transform',
  'ToJsonString',
  'Length',
] as const;

/** One problem in a rendered file, with its 1-based line when known. */
export interface ParseProblem {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

function longForm(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function collectionTag(name: string, collection: 'map' | 'seq'): CollectionTag {
  return {
    tag: `!${name}`,
    collection,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({
      [longForm(name)]: value.toJSON() as unknown,
    }),
  };
}

function scalarTag(name: string): ScalarTag {
  return {
    tag: `!${name}`,
    resolve: (value: string) => {
      if (name !== 'GetAtt') return { [longForm(name)]: value };
      // `!GetAtt Resource.Attribute.Path` is `Fn::GetAtt: [Resource, Attribute.Path]`.
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  };
}

/** The `yaml` custom tags for every short form, in scalar, sequence and mapping flavours. */
export const CLOUDFORMATION_YAML_TAGS: readonly (ScalarTag | CollectionTag)[] =
  CLOUDFORMATION_SHORT_TAGS.flatMap((name) => [
    scalarTag(name),
    collectionTag(name, 'seq'),
    collectionTag(name, 'map'),
  ]);

/**
 * Parses a rendered CloudFormation template (YAML or JSON) strictly: YAML errors and warnings
 * (unknown tags, duplicate keys, several documents...) are all problems, and the template must
 * be a mapping. Short forms become their long forms (`!Ref X` → `{Ref: X}`).
 */
export function parseCloudFormationYaml(
  text: string,
  file: string,
): { value?: unknown; problems: ParseProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    customTags: [...CLOUDFORMATION_YAML_TAGS],
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const problems: ParseProblem[] = [...doc.errors, ...doc.warnings].map((issue) => ({
    file,
    line: lineCounter.linePos(issue.pos[0]).line,
    message: `invalid CloudFormation YAML: ${issue.message.split('\n')[0] ?? issue.message}`,
  }));
  if (problems.length > 0) return { problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      problems: [{ file, message: `invalid CloudFormation YAML: ${(error as Error).message}` }],
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      problems: [
        {
          file,
          line: 1,
          message: 'a CloudFormation template must be a mapping (Resources:, Outputs:, ...)',
        },
      ],
    };
  }
  return { value, problems: [] };
}
