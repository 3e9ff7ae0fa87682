import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { StackChange } from '@nucleon/core';
import type { StackPlan, TerraformPlanner } from '../../ports/stack-planner.js';
import type { TerraformExecutor, TerraformPlannedChange } from '../../ports/terraform-executor.js';

const PLAN_TIMEOUT_MS = 5 * 60_000;

/** Terraform's actions in the change-set vocabulary of previews. */
export function stackChangeOf(c: TerraformPlannedChange): StackChange {
  const has = (a: string) => c.actions.includes(a);
  const base = {
    logicalResourceId: c.address,
    resourceType: c.type,
    ...(c.id ? { physicalResourceId: c.id } : {}),
  };
  if (has('create') && has('delete')) return { ...base, action: 'Modify', replacement: 'True' };
  if (has('create')) return { ...base, action: 'Add' };
  if (has('delete')) return { ...base, action: 'Remove' };
  return { ...base, action: 'Modify', replacement: 'False' };
}

/**
 * `terraform plan` for previews, where Terraform runs on the runner: the rendered files go to a
 * throw-away workspace whose backend points at the resource's state folder (the one deployments
 * use), and the executor runs init and plan without the state lock and never applies.
 */
export class TerraformCliPlanner implements TerraformPlanner {
  constructor(
    private readonly executor: TerraformExecutor,
    private readonly workspaceRoot: string,
    private readonly stateRoot: string,
    private readonly baseEnv: Readonly<Record<string, string>>,
  ) {}

  async plan(request: {
    resourceName: string;
    files: ReadonlyMap<string, Uint8Array | string>;
  }): Promise<StackPlan> {
    const workdir = join(this.workspaceRoot, `preview-${randomUUID()}`);
    await mkdir(workdir, { recursive: true, mode: 0o700 });
    try {
      for (const [path, content] of request.files) {
        const target = resolve(workdir, path);
        if (!target.startsWith(workdir + sep))
          return { kind: 'error', message: `refusing to write ${path} outside the workspace` };
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      const result = await this.executor.plan({
        workdir,
        stateDir: join(this.stateRoot, request.resourceName),
        env: { ...this.baseEnv, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
        timeoutMs: PLAN_TIMEOUT_MS,
        // Plan output is not kept: errors carry terraform's stderr.
        onOutput: () => undefined,
      });
      if (!result.ok) return { kind: 'error', message: `terraform plan failed: ${result.message}` };
      const { flavor, version } = this.executor.binary;
      return {
        kind: 'changes',
        changes: result.changes.map(stackChangeOf),
        status: 'PLANNED',
        statusReason: `${flavor} ${version} plan (read-only, -lock=false)`,
      };
    } finally {
      await rm(workdir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
