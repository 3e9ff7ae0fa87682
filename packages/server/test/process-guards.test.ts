import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/scripts/guarded-process.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

function run(fault: string) {
  const r = spawnSync(tsx, [script, fault], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, lines: r.stdout.split('\n').filter(Boolean) };
}

describe('the process guards of `nucleon up`', () => {
  it('log an unhandled rejection and keep the process serving', () => {
    const r = run('rejection');
    expect(r.lines).toEqual([
      JSON.stringify({
        message: 'unhandled promise rejection; Nucleon keeps running',
        error: 'a read failed',
      }),
      'still serving',
    ]);
    expect(r.status).toBe(0);
  });

  it('keep serving through a lost database connection thrown as an exception', () => {
    const r = run('lost-connection');
    expect(r.lines).toEqual([
      JSON.stringify({
        message: 'lost a database connection; Nucleon keeps running and reconnects',
        error: 'Connection terminated unexpectedly',
      }),
      'still serving',
    ]);
    expect(r.status).toBe(0);
  });

  it('log any other uncaught exception and exit with status 1, for a restart in a known state', () => {
    const r = run('bug');
    expect(r.lines).toEqual([
      JSON.stringify({
        message: 'uncaught exception; Nucleon exits so that it restarts in a known state',
        error: 'cannot read properties of undefined',
      }),
    ]);
    expect(r.status).toBe(1);
  });
});
