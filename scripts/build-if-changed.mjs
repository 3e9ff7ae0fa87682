// `npm start` compiles only what changed: `tsc -b` is incremental (each package's .tsbuildinfo
// records its inputs), and this wrapper says which packages it rebuilt, or that it starts from the
// built output, instead of staying silent (ADR 0022). Compile errors are printed in full.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();
const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', '--verbose'], {
  cwd: root,
  encoding: 'utf8',
});
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
if (r.status !== 0) {
  process.stderr.write(output);
  process.exit(r.status ?? 1);
}
// "Building project '/…/packages/server/tsconfig.json'..." for each package compiled.
const built = [...output.matchAll(/Building project '([^']+)'/g)].map((m) =>
  m[1].replace(root, '').replace(/\/?tsconfig(\.build)?\.json$/, ''),
);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
process.stdout.write(
  built.length === 0
    ? `build: sources unchanged since the last build, starting from the built output (checked in ${seconds} s)\n`
    : `build: rebuilt ${built.filter(Boolean).join(', ')} in ${seconds} s\n`,
);
