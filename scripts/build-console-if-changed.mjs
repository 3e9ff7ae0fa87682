// `npm start` builds the console only when its inputs changed since the last build: a sha256 over
// the console's sources and config, the @nucleon/protocol build it imports and the lockfile is kept
// in packages/console/dist/.build-stamp (ADR 0022). `npm run build` always builds it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const consoleDir = join(root, 'packages/console');
const stampFile = join(consoleDir, 'dist/.build-stamp');
const inputs = [
  'packages/console/src',
  'packages/console/package.json',
  'packages/console/tsconfig.json',
  'packages/console/vite.config.ts',
  'packages/protocol/dist',
  'package-lock.json',
];

/** Every file under `path` (or the file itself), sorted so the hash does not depend on readdir. */
function filesOf(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesOf(join(path, name)));
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((p) => filesOf(join(root, p)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const want = inputsHash();
const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
if (have === want && existsSync(join(consoleDir, 'dist/index.html'))) {
  process.stdout.write('console: unchanged since the last build, not rebuilt\n');
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build', '-w', '@nucleon/console'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stampFile, `${want}\n`);
}
