import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleAsset {
  body: Uint8Array;
  contentType: string;
  /** Vite's hashed files under `assets/` never change: they may be cached for a year. */
  immutable: boolean;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const MAX_ASSET_BYTES = 10 * 1024 * 1024;

/**
 * Where the built console lives: the installed `@nucleon/console` package, else the monorepo's
 * `packages/console/dist` next to this package (the same path from `src/http` and `dist/http`).
 */
export function locateConsoleDist(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('@nucleon/console/package.json');
    return join(dirname(pkg), 'dist');
  } catch {
    return fileURLToPath(new URL('../../../console/dist/', import.meta.url));
  }
}

/**
 * The console's built files, read into memory. Only files that exist in the build are served
 * (no path from the request ever reaches the file system), and the set is re-read when
 * `index.html` changes, so a rebuild shows up without restarting the server.
 */
export class ConsoleAssets {
  private files = new Map<string, ConsoleAsset>();
  private loadedFrom = -1;

  constructor(readonly dir: string) {}

  /** Whether a built console is there at all. */
  available(): boolean {
    this.refresh();
    return this.files.has('index.html');
  }

  /** The asset at a URL path (`/assets/index-abc.js`), or undefined. */
  get(urlPath: string): ConsoleAsset | undefined {
    this.refresh();
    const key = urlPath.replace(/^\/+/, '');
    return key === '' ? this.files.get('index.html') : this.files.get(key);
  }

  private refresh(): void {
    const index = join(this.dir, 'index.html');
    let mtime: number;
    try {
      mtime = statSync(index).mtimeMs;
    } catch {
      this.files = new Map();
      this.loadedFrom = -1;
      return;
    }
    if (mtime === this.loadedFrom) return;
    const files = new Map<string, ConsoleAsset>();
    for (const path of walk(this.dir)) {
      const type = contentTypes[extname(path).toLowerCase()];
      if (!type || statSync(path).size > MAX_ASSET_BYTES) continue;
      const key = relative(this.dir, path).split(sep).join('/');
      files.set(key, {
        body: readFileSync(path),
        contentType: type,
        immutable: key.startsWith('assets/'),
      });
    }
    this.files = files;
    this.loadedFrom = mtime;
  }
}

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
