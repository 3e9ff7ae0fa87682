import { ValidationError, parseVersionPart } from '@nucleon/core';
import type { ProtonImportRequest } from '@nucleon/protocol';
import type { LoadedBundle } from '../../ports/version-bundles.js';
import type { ProtonImportDeps } from './proton-import-plan.js';

/** The template version an environment or service import names, and its spec. */
export function required(req: ProtonImportRequest) {
  const missing = (['templateName', 'templateMajorVersion', 'spec'] as const).filter(
    (k) => !req[k],
  );
  if (missing.length)
    throw new ValidationError(
      `${missing.join(', ')}: required to import ${req.kind === 'ENVIRONMENT' ? 'an environment' : 'a service'}.`,
    );
  return {
    templateName: req.templateName!,
    major: parseVersionPart(req.templateMajorVersion!),
    minor:
      req.templateMinorVersion === undefined
        ? undefined
        : parseVersionPart(req.templateMinorVersion),
    spec: req.spec!,
  };
}

/**
 * A self-managed Terraform pipeline is committed to the account settings'
 * pipelineProvisioningRepository (as in Proton): adopt its folder only from that repository,
 * or its next deployment would commit elsewhere.
 */
export async function checkPipelineRepository(
  d: Pick<ProtonImportDeps, 'pipelineRepository'>,
  req: ProtonImportRequest,
  templateName: string,
  major: number,
  bundle: LoadedBundle,
): Promise<void> {
  const engine = bundle.pipeline?.engine ?? 'nothing';
  if (engine !== 'terraform' || !req.folders?.some((f) => f.target === 'pipeline'))
    throw new ValidationError(
      engine === 'terraform'
        ? `${templateName}:${major} provisions its pipeline with self-managed Terraform: give the pipeline's folder (target "pipeline") in the pipeline provisioning repository.`
        : `${templateName}:${major} provisions its pipeline with ${engine}; importing from Proton adopts CloudFormation stacks and self-managed Terraform only.`,
    );
  const repo = await d.pipelineRepository?.();
  const given = req.provisioningRepository;
  const name = (x: { provider: string; name: string; branch: string }) =>
    `${x.provider}:${x.name}@${x.branch}`;
  if (!repo || (given && name(given) !== name(repo)))
    throw new ValidationError(
      `The pipeline of ${req.name} was committed to ${given ? name(given) : 'a provisioning repository'}, but ${repo ? `the account settings' pipelineProvisioningRepository is ${name(repo)}` : 'the account settings have no pipelineProvisioningRepository'}. Set it to that repository with UpdateAccountSettings (as Proton had it), then import again.`,
    );
}

export /** Import adopts CloudFormation stacks, and Terraform the user applied from a repository. */
function requireEngine(
  bundle: LoadedBundle,
  part: 'environment' | 'instance',
  req: ProtonImportRequest,
): void {
  const folder = part === 'environment' ? bundle.environment : bundle.instance;
  if (folder?.engine === 'cloudformation') return;
  if (folder?.engine === 'terraform' && (part === 'instance' || req.provisioningRepository)) return;
  throw new ValidationError(
    folder?.engine === 'terraform'
      ? `${req.templateName}:${req.templateMajorVersion} provisions with Terraform: give provisioningRepository (the self-managed repository Proton committed to, linked in Nucleon) and the environment's folder in it.`
      : `${req.templateName}:${req.templateMajorVersion} provisions its ${part} with ${folder?.engine ?? 'nothing'}; importing from Proton adopts CloudFormation stacks and self-managed Terraform only.`,
  );
}
