import { constants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import type { CommandOutputLine } from '../../ports/command-runner.js';
import type {
  EngineErrorCode,
  EngineResult,
  ProvisionedResource,
} from '../../ports/stack-engine.js';
import type {
  TerraformBinary,
  TerraformExecutor,
  TerraformPlanResult,
  TerraformPlannedChange,
  TerraformRunRequest,
} from '../../ports/terraform-executor.js';
import { runProcessGroup, type ProcessGroupResult } from '../runners/process-group.js';
import { describeTerraformFailure } from './terraform-diagnostics.js';

/** Options of {@link TerraformCliExecutor.detect}. */
export interface TerraformDetectOptions {
  /** The PATH to search, e.g. the runner's configured PATH (adapters never read process.env). */
  path: string;
  /** Binaries to look for, in order. Default `terraform`, then `tofu`. */
  candidates?: readonly ('terraform' | 'tofu')[];
  killGraceMs?: number;
  maxLineBytes?: number;
}

/** Options of {@link TerraformCliExecutor.create}. */
export interface TerraformCliExecutorOptions {
  /** Absolute path of a `terraform` or `tofu` binary. */
  binaryPath: string;
  /**
   * Time between SIGINT (Terraform's graceful stop: it finishes in-flight calls and writes state)
   * and SIGKILL on cancel or timeout. Default 60 s; shorter risks resources unknown to state.
   */
  killGraceMs?: number;
  /** Output lines longer than this are cut and marked. Default 64 KiB. */
  maxLineBytes?: number;
}

/** The file that points the configuration's state at the resource's `stateDir`. */
export const BACKEND_OVERRIDE_FILE = 'nucleon_backend_override.tf';
const PLAN_FILE = 'plan.tfplan';
/** `output -json` and `show -json` are captured whole (never logged): cap their size. */
const MAX_CAPTURE_BYTES = 32 * 1024 * 1024;
/** Stderr lines kept for error messages. */
const STDERR_TAIL_LINES = 400;

type Step = { ok: true; stdout: string } | { ok: false; result: EngineResult };

/**
 * Runs Terraform (or OpenTofu) directly on this machine for one Proton resource: `init`, `plan`
 * to a plan file, `apply` of that plan, then `output -json`; `destroy` runs `destroy
 * -auto-approve`. State lives in the resource's `stateDir` through a local-backend override file
 * (the `-state` flag is deprecated), so workdirs can be thrown away between deployments.
 * Each command runs in its own process group; cancel sends SIGINT, as Ctrl-C would.
 */
export class TerraformCliExecutor implements TerraformExecutor {
  private constructor(
    readonly binary: TerraformBinary,
    private readonly killGraceMs: number,
    private readonly maxLineBytes: number,
  ) {}

  /** Finds `terraform`, then `tofu`, on `options.path`; undefined if none runs. */
  static async detect(options: TerraformDetectOptions): Promise<TerraformCliExecutor | undefined> {
    for (const name of options.candidates ?? ['terraform', 'tofu']) {
      for (const dir of options.path.split(delimiter)) {
        if (dir === '' || !isAbsolute(dir)) continue; // a relative PATH entry is a hijack risk
        const candidate = join(dir, name);
        if (!(await isExecutableFile(candidate))) continue;
        try {
          return await TerraformCliExecutor.create({ ...options, binaryPath: candidate });
        } catch {
          // present but broken (wrong platform, not Terraform): keep looking
        }
      }
    }
    return undefined;
  }

  /** Checks the binary with `version -json`, which both Terraform and OpenTofu answer. */
  static async create(options: TerraformCliExecutorOptions): Promise<TerraformCliExecutor> {
    const stdout: string[] = [];
    const result = await runProcessGroup({
      file: options.binaryPath,
      args: ['version', '-json'],
      cwd: '/',
      env: { CHECKPOINT_DISABLE: '1', PATH: '/usr/bin:/bin' },
      timeoutMs: 30_000,
      killGraceMs: 1_000,
      maxLineBytes: 64 * 1024,
      onLine: (line) => {
        if (line.stream === 'stdout') stdout.push(line.text);
      },
    });
    const version = parseVersion(stdout.join('\n'));
    if (result.ending !== 'EXITED' || result.exitCode !== 0 || version === undefined) {
      throw new Error(
        `${options.binaryPath} is not a working terraform/tofu (version -json failed)`,
      );
    }
    const flavor = basename(options.binaryPath).startsWith('tofu') ? 'tofu' : 'terraform';
    return new TerraformCliExecutor(
      { path: options.binaryPath, flavor, version },
      options.killGraceMs ?? 60_000,
      options.maxLineBytes ?? 64 * 1024,
    );
  }

  async apply(request: TerraformRunRequest): Promise<EngineResult> {
    const deadline = Date.now() + request.timeoutMs;
    const prepared = await this.prepare(request);
    if (prepared !== undefined) return prepared;
    const steps: string[][] = [
      ['init', '-input=false', '-no-color', '-reconfigure'],
      ['plan', '-input=false', '-no-color', `-out=${PLAN_FILE}`],
      ['apply', '-input=false', '-no-color', PLAN_FILE],
    ];
    try {
      for (const args of steps) {
        const step = await this.exec(request, args, deadline, false);
        if (!step.ok) return step.result;
      }
    } finally {
      // The plan holds every input value; don't leave it lying around.
      await rm(join(request.workdir, PLAN_FILE), { force: true });
    }
    const output = await this.exec(request, ['output', '-json'], deadline, true);
    if (!output.ok) return output.result;
    const shown = await this.exec(request, ['show', '-json', '-no-color'], deadline, true);
    if (!shown.ok) return shown.result;
    try {
      const outputs = parseOutputs(output.stdout);
      const provisionedResources = parseResources(shown.stdout);
      const message = `${this.binary.flavor} apply succeeded (${provisionedResources.length} resources in state)`;
      return { outcome: 'SUCCEEDED', message, outputs, provisionedResources };
    } catch (error) {
      return failure('INTERNAL', `could not read terraform's JSON: ${(error as Error).message}`);
    }
  }

  async destroy(request: TerraformRunRequest): Promise<EngineResult> {
    const deadline = Date.now() + request.timeoutMs;
    const prepared = await this.prepare(request);
    if (prepared !== undefined) return prepared;
    const steps: string[][] = [
      ['init', '-input=false', '-no-color', '-reconfigure'],
      ['destroy', '-input=false', '-no-color', '-auto-approve'],
    ];
    for (const args of steps) {
      const step = await this.exec(request, args, deadline, false);
      if (!step.ok) return step.result;
    }
    return { ...empty('SUCCEEDED'), message: `${this.binary.flavor} destroy succeeded` };
  }

  async plan(request: TerraformRunRequest): Promise<TerraformPlanResult> {
    const deadline = Date.now() + request.timeoutMs;
    const prepared = await this.prepare(request);
    if (prepared !== undefined) return { ok: false, message: prepared.message };
    // Read-only: no state lock (a deployment may hold it), never apply, the plan file removed.
    const steps: string[][] = [
      ['init', '-input=false', '-no-color', '-reconfigure', '-lock=false'],
      ['plan', '-input=false', '-no-color', '-lock=false', `-out=${PLAN_FILE}`],
    ];
    try {
      for (const args of steps) {
        const step = await this.exec(request, args, deadline, false);
        if (!step.ok) return { ok: false, message: step.result.message };
      }
      const shown = await this.exec(
        request,
        ['show', '-json', '-no-color', PLAN_FILE],
        deadline,
        true,
      );
      if (!shown.ok) return { ok: false, message: shown.result.message };
      try {
        return { ok: true, changes: parsePlannedChanges(shown.stdout) };
      } catch (error) {
        return {
          ok: false,
          message: `could not read terraform's plan JSON: ${(error as Error).message}`,
        };
      }
    } finally {
      await rm(join(request.workdir, PLAN_FILE), { force: true });
    }
  }

  /** Creates the state dir and writes the backend override; answers early if it cannot. */
  private async prepare(request: TerraformRunRequest): Promise<EngineResult | undefined> {
    if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${request.timeoutMs}`);
    }
    if (request.signal?.aborted) {
      return { ...empty('CANCELLED'), message: 'cancelled: terraform was not started' };
    }
    const info = await stat(request.workdir).catch(() => undefined);
    if (!info?.isDirectory()) {
      return failure('INTERNAL', `workdir ${request.workdir} is not a directory`);
    }
    const stateDir = resolve(request.stateDir);
    if (/[\u0000-\u001f]/.test(stateDir)) {
      return failure('INTERNAL', 'stateDir contains control characters');
    }
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(join(request.workdir, BACKEND_OVERRIDE_FILE), backendOverride(stateDir));
    return undefined;
  }

  /** Runs one terraform command; `capture` keeps stdout (outputs, state) out of the log. */
  private async exec(
    request: TerraformRunRequest,
    args: string[],
    deadline: number,
    capture: boolean,
  ): Promise<Step> {
    const command = args[0] ?? '';
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      return { ok: false, result: stopped('TIMED_OUT', command, request.timeoutMs) };
    }
    const stderr: string[] = [];
    const stdout: string[] = [];
    let captured = 0;
    const onLine = (line: CommandOutputLine): void => {
      if (line.stream === 'stderr') {
        stderr.push(line.text);
        if (stderr.length > STDERR_TAIL_LINES) stderr.shift();
      }
      if (capture && line.stream === 'stdout') {
        captured += line.text.length + 1;
        if (captured <= MAX_CAPTURE_BYTES) stdout.push(line.text);
        return;
      }
      request.onOutput(line);
    };
    const result = await runProcessGroup({
      file: this.binary.path,
      args,
      cwd: request.workdir,
      env: terraformEnv(request.env),
      timeoutMs: remaining,
      signal: request.signal,
      killGraceMs: this.killGraceMs,
      stopSignal: 'SIGINT',
      maxLineBytes: capture ? MAX_CAPTURE_BYTES : this.maxLineBytes,
      onLine,
    });
    if (captured > MAX_CAPTURE_BYTES) {
      return {
        ok: false,
        result: failure(
          'INTERNAL',
          `terraform ${command} printed more than ${MAX_CAPTURE_BYTES} bytes`,
        ),
      };
    }
    const problem = this.judge(result, command, stderr, request.timeoutMs);
    return problem === undefined
      ? { ok: true, stdout: stdout.join('\n') }
      : { ok: false, result: problem };
  }

  private judge(
    result: ProcessGroupResult,
    command: string,
    stderr: readonly string[],
    timeoutMs: number,
  ): EngineResult | undefined {
    switch (result.ending) {
      case 'CANCELLED':
      case 'TIMED_OUT':
        return stopped(result.ending, command, timeoutMs);
      case 'SPAWN_FAILED':
        return failure(
          'INTERNAL',
          `could not start ${this.binary.path}: ${result.error?.message ?? 'unknown error'}`,
        );
      case 'EXITED':
        if (result.exitCode === 0) return undefined;
        return failure(
          failureCode(command, stderr),
          describeTerraformFailure(command, result.exitCode, stderr),
        );
    }
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function parseVersion(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { terraform_version?: unknown };
    return typeof parsed.terraform_version === 'string' ? parsed.terraform_version : undefined;
  } catch {
    return undefined;
  }
}

/** HCL string literal: JSON escapes plus HCL's own template escapes (`${` and `%{`). */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

function backendOverride(stateDir: string): string {
  return [
    '# Written by Nucleon: state for this resource lives in its state dir, not in the workdir.',
    'terraform {',
    '  backend "local" {',
    `    path = ${hclString(join(stateDir, 'terraform.tfstate'))}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Terraform's non-interactive settings, unless the caller set them. */
function terraformEnv(given: Readonly<Record<string, string>>): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...given,
  };
}

/** `init` and `plan` fail on the configuration; `apply`/`destroy` on real resources. */
function failureCode(command: string, stderr: readonly string[]): EngineErrorCode {
  if (stderr.some((line) => /Error acquiring the state lock/.test(line))) return 'INTERNAL';
  return command === 'init' || command === 'plan' ? 'TEMPLATE_INVALID' : 'ENGINE_FAILED';
}

/** `output -json` → strings; non-string values JSON-encoded, as Proton stores outputs. */
export function parseOutputs(json: string): Record<string, string> {
  const parsed = JSON.parse(json === '' ? '{}' : json) as Record<string, { value?: unknown }>;
  const outputs: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    const value = entry?.value;
    outputs[key] = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  }
  return outputs;
}

/** `show -json <plan>` → the resource changes that do something (no-op and read left out). */
export function parsePlannedChanges(json: string): TerraformPlannedChange[] {
  const parsed = JSON.parse(json) as {
    resource_changes?: Array<{
      address?: string;
      type?: string;
      mode?: string;
      change?: { actions?: string[]; before?: { id?: unknown } | null };
    }>;
  };
  if (!parsed || typeof parsed !== 'object' || !('format_version' in parsed))
    throw new Error('not a plan in JSON (no format_version)');
  return (parsed.resource_changes ?? []).flatMap((c) => {
    const actions = c.change?.actions ?? [];
    if (c.mode === 'data' || !c.address || actions.every((a) => a === 'no-op' || a === 'read'))
      return [];
    const id = c.change?.before?.id;
    return [
      {
        address: c.address,
        type: c.type ?? '',
        actions,
        ...(typeof id === 'string' && id !== '' ? { id } : {}),
      },
    ];
  });
}

interface ShownModule {
  resources?: { address?: string; mode?: string; values?: { id?: unknown } }[];
  child_modules?: ShownModule[];
}

/** Managed resources from `show -json`, named by address, identified by their `id`. */
export function parseResources(json: string): ProvisionedResource[] {
  const parsed = JSON.parse(json === '' ? '{}' : json) as {
    values?: { root_module?: ShownModule };
  };
  const resources: ProvisionedResource[] = [];
  const visit = (module: ShownModule | undefined): void => {
    for (const r of module?.resources ?? []) {
      if (r.mode !== 'managed' || r.address === undefined) continue;
      const id = r.values?.id;
      resources.push({
        name: r.address,
        identifier: typeof id === 'string' && id !== '' ? id : r.address,
        provisioningEngine: 'TERRAFORM',
      });
    }
    module?.child_modules?.forEach(visit);
  };
  visit(parsed.values?.root_module);
  return resources;
}

function empty(outcome: EngineResult['outcome']): EngineResult {
  return { outcome, message: '', outputs: {}, provisionedResources: [] };
}

function failure(errorCode: EngineErrorCode, message: string): EngineResult {
  return { ...empty('FAILED'), errorCode, message };
}

function stopped(why: 'CANCELLED' | 'TIMED_OUT', command: string, timeoutMs: number): EngineResult {
  const what = why === 'CANCELLED' ? 'cancelled' : `timed out after ${timeoutMs} ms`;
  const message = `${what} during terraform ${command}; terraform was interrupted (it saves state as it stops)`;
  return { ...empty(why), message };
}
