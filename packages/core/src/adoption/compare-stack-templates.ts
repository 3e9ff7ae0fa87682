import {
  parseDocument,
  type CollectionTag,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** CloudFormation's intrinsic-function short forms (`!Ref`, `!Sub`, ...). */
const SHORT_FORMS = [
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

const longForm = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

const TAGS: Array<ScalarTag | CollectionTag> = SHORT_FORMS.flatMap((name) => [
  {
    tag: `!${name}`,
    resolve: (value: string) => {
      if (name !== 'GetAtt') return { [longForm(name)]: value };
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  } satisfies ScalarTag,
  ...(['seq', 'map'] as const).map((collection): CollectionTag => ({
    tag: `!${name}`,
    collection,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({
      [longForm(name)]: value.toJSON() as unknown,
    }),
  })),
]);

/**
 * A CloudFormation template (JSON or YAML, short-form intrinsics allowed) as plain data, short
 * forms turned into their long forms, so two templates that CloudFormation reads the same compare
 * equal whatever their formatting, key order, quoting or comments. Throws on invalid text.
 */
export function parseStackTemplate(text: string): unknown {
  const doc = parseDocument(text, { customTags: TAGS, uniqueKeys: true, prettyErrors: false });
  // Warnings are errors: an unresolved tag would silently drop an intrinsic (stack-findings).
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new Error(`not a CloudFormation template: ${problem.message.split('\n')[0]}`);
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

/** Canonical JSON: keys sorted at every level, two-space indent, one value per line. */
export function canonicalTemplate(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}

/** A line diff (`-` only in `a`, `+` only in `b`, ` ` in both) of two texts; '' when equal. */
export function lineDiff(a: string, b: string, labels = { a: 'a', b: 'b' }): string {
  if (a === b) return '';
  const x = a.split('\n');
  const y = b.split('\n');
  // Longest common subsequence table, from the ends (templates are small).
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () =>
    new Array<number>(y.length + 1).fill(0),
  );
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      lcs[i]![j] =
        x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (j < y.length && (i === x.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push(`+ ${y[j]}`);
      j++;
    } else {
      out.push(`- ${x[i]}`);
      i++;
    }
  }
  // Keep the changed lines with three lines of context around them.
  const keep = new Set<number>([0, 1]);
  out.forEach((line, k) => {
    if (k > 1 && !line.startsWith('  '))
      for (let c = Math.max(2, k - 3); c <= Math.min(out.length - 1, k + 3); c++) keep.add(c);
  });
  const shown: string[] = [];
  let last = -1;
  for (const k of [...keep].sort((p, q) => p - q)) {
    if (last >= 0 && k > last + 1) shown.push('  ...');
    shown.push(out[k]!);
    last = k;
  }
  return shown.join('\n');
}

/**
 * Compares the template Nucleon renders for a resource with the template its stack runs now,
 * structurally (see parseStackTemplate). `diff` shows how the stack's template differs from the
 * rendered one, on canonical JSON.
 */
export function compareStackTemplates(
  rendered: string,
  current: string,
): { equal: boolean; diff: string } {
  const a = canonicalTemplate(parseStackTemplate(rendered));
  const b = canonicalTemplate(parseStackTemplate(current));
  return { equal: a === b, diff: lineDiff(a, b, { a: 'rendered', b: 'stack' }) };
}
