import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ProvisionRequest, Provisioner } from '../../ports/provisioner.js';
import type { EngineResult } from '../../ports/stack-engine.js';
import type { TerraformExecutor } from '../../ports/terraform-executor.js';

/**
 * Terraform run directly on the runner (for environments without a provisioning repository,
 * where `terraform` or `tofu` is installed): init/plan/apply in a private workspace with state
 * kept per resource under `<stateRoot>/<resource name>/`.
 */
export class TerraformCliProvisioner implements Provisioner {
  constructor(
    private readonly executor: TerraformExecutor,
    private readonly workspaceRoot: string,
    private readonly stateRoot: string,
    private readonly baseEnv: Readonly<Record<string, string>>,
  ) {}

  async run(request: ProvisionRequest): Promise<EngineResult> {
    const workdir = join(this.workspaceRoot, request.deploymentId);
    const stateDir = join(this.stateRoot, request.resourceName);
    await rm(workdir, { recursive: true, force: true });
    await mkdir(workdir, { recursive: true, mode: 0o700 });
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    try {
      for (const [path, content] of request.files) {
        const target = resolve(workdir, path);
        if (!target.startsWith(workdir + sep))
          throw new Error(`refusing to write ${path} outside the workspace`);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      request.log(
        'engine',
        `${this.executor.binary.flavor} ${this.executor.binary.version}: ${request.operation === 'DELETE' ? 'destroy' : 'init, plan, apply'}`,
      );
      const run = {
        workdir,
        stateDir,
        env: { ...this.baseEnv, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        onOutput: (line: { stream: 'stdout' | 'stderr'; text: string }) =>
          request.log(line.stream, line.text),
      };
      return request.operation === 'DELETE'
        ? await this.executor.destroy(run)
        : await this.executor.apply(run);
    } finally {
      await rm(workdir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
