/**
 * Suggested rewrites for constructs the renderer refuses. Shared by the lint (which finds them
 * before rendering) and the runtime (which catches the ones only data reveals), so an author sees
 * the same advice either way.
 */

/** Python `str` methods, each with the Jinja filter or construct that replaces it. */
export const STR_METHOD_REWRITES: Readonly<Record<string, string>> = {
  upper: 'use `x | upper`',
  lower: 'use `x | lower`',
  title: 'use `x | title`',
  capitalize: 'use `x | capitalize`',
  strip: 'use `x | trim`',
  lstrip: 'use `x | trim` (or keep the input clean)',
  rstrip: 'use `x | trim` (or keep the input clean)',
  replace: "use `x | replace('old', 'new')`",
  join: "use `items | join('sep')`",
  format: "use `'...%s...' | format(value)`",
  startswith: "compare a slice instead: `x[:4] == 'pref'`",
  endswith: "compare a slice instead: `x[-4:] == '.yml'`",
  split: 'make the input a list in the schema (type: array) instead of splitting a string',
  rsplit: 'make the input a list in the schema (type: array) instead of splitting a string',
  splitlines: 'make the input a list in the schema (type: array) instead of splitting a string',
  count: 'use `x | wordcount`, or a loop with `is in`',
  find: "use `'needle' in x`",
  rfind: "use `'needle' in x`",
  index: "use `'needle' in x`",
  rindex: "use `'needle' in x`",
  center: 'use `x | center(width)`',
  ljust: 'pad in the template text instead',
  rjust: 'pad in the template text instead',
  zfill: "use `'%05d' | format(x)`",
  isdigit: 'use `x is number` on a number input',
  isnumeric: 'use `x is number` on a number input',
  isdecimal: 'use `x is number` on a number input',
  isalpha: 'validate the input with a schema pattern instead',
  isalnum: 'validate the input with a schema pattern instead',
  isspace: 'use `x | trim == ""`',
  islower: 'use `x is lower`',
  isupper: 'use `x is upper`',
  istitle: 'validate the input with a schema pattern instead',
  swapcase: 'validate the input with a schema pattern instead',
  casefold: 'use `x | lower`',
  partition: 'make the input a list in the schema instead of splitting a string',
  rpartition: 'make the input a list in the schema instead of splitting a string',
  removeprefix: "use `x | replace('prefix', '')` or a slice",
  removesuffix: "use `x | replace('suffix', '')` or a slice",
  encode: 'strings are already text; drop the call',
  expandtabs: "use `x | replace('\\t', '    ')`",
  translate: "use `x | replace('a', 'b')`",
  format_map: "use `'...%(key)s...' | format(key=value)`",
  isascii: 'validate the input with a schema pattern instead',
  isidentifier: 'validate the input with a schema pattern instead',
  isprintable: 'validate the input with a schema pattern instead',
  maketrans: "use `x | replace('a', 'b')`",
};

/** The message for a Python string method call. */
export function strMethodMessage(name: string): string {
  const rewrite = STR_METHOD_REWRITES[name] ?? 'use a Jinja filter instead';
  return `Python string method .${name}() is not supported (nunjucks cannot run it identically); ${rewrite}`;
}
