import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

/** Help, completion and the errors that need no server, through the built binary. */
describe('nucleon catalog commands: help, completion and errors', () => {
  let dir: string;
  // Nothing listens on port 9; credentials are given so only the connection can fail.
  const offline = {
    AWS_ENDPOINT_URL_PROTON: 'http://127.0.0.1:9',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_PROFILE: '',
  };

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'nucleon-catalog-cli-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['templates', ['list', 'show', 'publish', 'register']],
    ['envs', ['list', 'show', 'create', 'update', 'delete']],
    ['services', ['list', 'show', 'create', 'delete']],
    ['instances', ['list', 'update']],
    ['deployments', ['list', 'watch']],
  ])('nucleon %s --help lists its subcommands', async (group, subcommands) => {
    const r = await runCli([group, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: nucleon ${group} [options] [command]`);
    for (const sub of subcommands) expect(r.stdout).toMatch(new RegExp(`^  ${sub} `, 'm'));
  });

  it.each([
    ['templates', 'register'],
    ['envs', 'create'],
    ['envs', 'update'],
    ['envs', 'delete'],
    ['services', 'create'],
    ['instances', 'update'],
    ['deployments', 'watch'],
  ])('nucleon %s %s --help shows the shared connection and output flags', async (group, sub) => {
    const r = await runCli([group, sub, '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--endpoint-url <url>',
      '--profile <name>',
      '--region <region>',
      '-o, --output <format>',
    ])
      expect(r.stdout).toContain(flag);
  });

  it('documents the register, create and delete flags', async () => {
    const register = (await runCli(['templates', 'register', '--help'])).stdout;
    for (const flag of [
      '--kind <kind>',
      '--major <n>',
      '--compatible <env-template:major>',
      '--no-pipeline',
      '--publish',
      '--wait',
    ])
      expect(register).toContain(flag);
    expect((await runCli(['envs', 'create', '--help'])).stdout).toMatch(
      /--set <key=value>[\s\S]*--wait[\s\S]*nucleon envs create dev --template/,
    );
    expect((await runCli(['envs', 'delete', '--help'])).stdout).toContain('-y, --yes');
    expect((await runCli(['instances', 'update', '--help'])).stdout).toMatch(
      /--minor \[n\][\s\S]*--major \[n\]/,
    );
  });

  it('prints a bash completion script that completes commands, subcommands, flags and choices', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o default -F _nucleon_complete nucleon');
    const script = join(dir, 'nucleon.bash');
    writeFileSync(script, r.stdout);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _nucleon_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'bash',
          script,
          'nucleon',
          ...words,
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete('')).toEqual(
      expect.arrayContaining([
        'templates',
        'envs',
        'services',
        'instances',
        'deployments',
        'completion',
        'keys',
        'bundle',
      ]),
    );
    expect(complete('env')).toEqual(['envs']);
    expect(complete('templates', '')).toEqual(['list', 'show', 'publish', 'register']);
    expect(complete('templates', 'register', 'x', '--co')).toEqual(['--compatible']);
    expect(complete('templates', 'register', 'x', '--kind', '')).toEqual(['env', 'svc']);
    expect(complete('envs', 'list', '-o', '')).toEqual(['table', 'json']);
    expect(complete('envs', 'delete', 'dev', '--y')).toEqual(['--yes']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh']);
  });

  it('prints a zsh completion script with install instructions in --help', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef nucleon');
    expect(zsh.stdout).toContain('compdef _nucleon nucleon');
    expect(zsh.stdout).toContain('("templates register") subs=(); flags=(');
    const help = await runCli(['completion', '--help']);
    expect(help.stdout).toContain('source <(nucleon completion bash)');
    expect(help.stdout).toContain('source <(nucleon completion zsh)');
    const bad = await runCli(['completion', 'fish']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      "'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.",
    );
  });

  it('explains usage errors before calling the server', async () => {
    const noTemplate = await runCli(['envs', 'create', 'dev'], offline);
    expect(noTemplate.code).toBe(1);
    expect(noTemplate.stderr).toContain("required option '--template <template>' not specified");
    const output = await runCli(['envs', 'list', '-o', 'yaml'], offline);
    expect(output.code).toBe(1);
    expect(output.stderr).toMatch(/argument 'yaml' is invalid\. Allowed choices are table, json/);
    const version = await runCli(['templates', 'publish', 'x', 'one'], offline);
    expect(version.code).toBe(1);
    expect(version.stderr).toContain('"one" is not a version');
  });

  it('says how to fix an unreachable endpoint or missing credentials', async () => {
    const down = await runCli(['envs', 'list'], offline);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/could not reach the Nucleon endpoint .*--endpoint-url/);
    const noCreds = await runCli(
      ['templates'],
      {
        AWS_ENDPOINT_URL_PROTON: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
        NUCLEON_DATA_DIR: dir,
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      },
      dir,
    );
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toContain('no credentials');
  });
});
