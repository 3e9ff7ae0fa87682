import type { ProvisionRequest, Provisioner } from '../../ports/provisioner.js';
import type { EngineResult, StackEngine } from '../../ports/stack-engine.js';

/** Deploys the rendered template as a CloudFormation stack named after the resource. */
export class CloudFormationProvisioner implements Provisioner {
  constructor(
    private readonly engine: StackEngine,
    private readonly region: string,
  ) {}

  async run(request: ProvisionRequest): Promise<EngineResult> {
    const common = {
      stackName: request.resourceName,
      owner: request.owner,
      region: this.region,
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      onEvent: (line: string) => request.log('engine', line),
      ...(request.roleArn ? { roleArn: request.roleArn } : {}),
    };
    if (request.operation === 'DELETE') return this.engine.destroy(common);
    const body = request.templateFile ? request.files.get(request.templateFile) : undefined;
    if (body === undefined)
      return {
        outcome: 'FAILED',
        message: 'the rendered CloudFormation template is missing',
        outputs: {},
        provisionedResources: [],
      };
    return this.engine.deploy({
      ...common,
      templateBody: typeof body === 'string' ? body : Buffer.from(body).toString('utf8'),
    });
  }
}
