import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import {
  ConflictError,
  NotFoundError,
  NucleonError,
  ValidationError,
  assessStackChanges,
  parseVersionPart,
  protonArn,
  type AssessedStackChanges,
} from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type { RolloutSelector, RolloutTemplateKind } from '../../ports/rollout-store.js';
import type { StackPlan, StackPlanner, TerraformPlanner } from '../../ports/stack-planner.js';
import type { LoadedBundle, TemplateRenderer } from '../../ports/version-bundles.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import { engineOf } from '../deploy/engine-of.js';
import { renderDeployment } from '../deploy/render-deployment.js';
import { environmentInputs } from './plan-environment-deployment.js';
import { instanceInputs } from './plan-instance-deployment.js';
import { kindWord, resolveTemplateKind } from './resolve-template-kind.js';
import { memberId, needsVersion, selectInstances } from './select-instances.js';

export interface PreviewInput {
  templateName: string;
  /** SERVICE or ENVIRONMENT; needed only when both kinds have a template of that name. */
  templateType?: string;
  targetMajorVersion: string;
  targetMinorVersion: string;
  selector?: RolloutSelector;
  /** Ask the engine for its plan per instance: a CloudFormation change set, a terraform plan (default true). */
  changeSets?: boolean;
}

interface FileChange {
  path: string;
  change: 'ADDED' | 'REMOVED' | 'MODIFIED' | 'UNCHANGED';
  before?: string;
  after?: string;
  diff?: string;
}

const text = (b: Uint8Array | string) =>
  typeof b === 'string' ? b : Buffer.from(b).toString('utf8');
const idOf = (r: ResourceRecord) => memberId(r);
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;

/**
 * The impact of moving instances to a template version: per instance, the files it deploys
 * before and after with a unified diff, the input changes, and for CloudFormation the change set
 * CloudFormation itself computes. Content-addressed: the hash covers the target version's bundle
 * and, per instance, its current version and last deployment and every file the rollout would
 * deploy, so a rollout started with a hash deploys exactly what was previewed or is refused.
 */
export class PreviewService {
  constructor(
    private readonly d: DeployDeps,
    private readonly renderer: TemplateRenderer,
    private readonly planner: StackPlanner,
    private readonly accountId: string,
    /** Where Terraform runs on the runner (terraform-cli), its read-only plan. */
    private readonly terraform?: TerraformPlanner,
  ) {}

  async preview(input: PreviewInput) {
    const major = parseVersionPart(input.targetMajorVersion);
    const minor = parseVersionPart(input.targetMinorVersion);
    const kind = await resolveTemplateKind(this.d, input.templateName, input.templateType);
    const version = await this.requireVersion(kind, input.templateName, major, minor);
    const bundle = await this.d.bundles.load(kind, input.templateName, major, minor);
    const instances = (
      await selectInstances(this.d, kind, input.templateName, input.selector)
    ).filter((r) => needsVersion(r, major, minor));
    const resources = [];
    const hashed = [];
    for (const r of instances) {
      const one = await this.previewOne(
        kind,
        r,
        bundle,
        { major, minor },
        input.changeSets !== false,
      );
      resources.push(one.view);
      hashed.push(one.hashed);
    }
    return {
      previewHash: this.hash(kind, version.bundleSha256, major, minor, hashed),
      templateName: input.templateName,
      templateType: kind,
      targetMajorVersion: String(major),
      targetMinorVersion: String(minor),
      resources,
    };
  }

  /** The hash a preview of exactly these instances would have now. */
  async hashOf(input: Parameters<PreviewService['check']>[0]): Promise<string> {
    const { kind, major, minor } = input;
    const version = await this.requireVersion(kind, input.templateName, major, minor);
    const bundle = await this.d.bundles.load(kind, input.templateName, major, minor);
    const hashed = [];
    for (const r of input.instances)
      hashed.push((await this.afterOf(kind, r, bundle, major, minor)).hashed);
    return this.hash(kind, version.bundleSha256, major, minor, hashed);
  }

  /** StartRollout's check: a stale hash is a ConflictException saying what to do. */
  async check(
    input: {
      kind: RolloutTemplateKind;
      templateName: string;
      major: number;
      minor: number;
      instances: ResourceRecord[];
    },
    hash: string,
  ): Promise<void> {
    const now = await this.hashOf(input);
    if (now !== hash)
      throw new ConflictError(
        `The preview ${hash} is stale: what this rollout would deploy has changed since it was previewed (an instance was deployed, its inputs or environment changed, or the selection differs; it is ${now} now). Preview again, review the changes, and start the rollout with the new previewHash.`,
      );
  }

  private async requireVersion(
    kind: RolloutTemplateKind,
    templateName: string,
    major: number,
    minor: number,
  ) {
    const v = await this.d.catalog.getVersion(kind, templateName, major, minor);
    if (!v) {
      const t = await this.d.catalog.getTemplate(kind, templateName);
      if (!t)
        throw new NotFoundError(`The ${kindWord(kind)} template ${templateName} does not exist.`);
    }
    if (!v || (v.status !== 'PUBLISHED' && v.status !== 'DRAFT'))
      throw new ValidationError(
        `The ${kindWord(kind)} template version ${templateName}:${major}.${minor} is not registered (status ${v?.status ?? 'absent'}). Preview a DRAFT or PUBLISHED version.`,
      );
    return v;
  }

  private hash(
    kind: RolloutTemplateKind,
    bundleSha: string | null,
    major: number,
    minor: number,
    hashed: unknown[],
  ) {
    const doc = JSON.stringify(
      canonical({
        bundle: bundleSha,
        to: `${major}.${minor}`,
        instances: hashed,
        // Environment previews name their kind; service previews hash as they always did.
        ...(kind === 'ENVIRONMENT' ? { kind } : {}),
      }),
    );
    return `sha256:${createHash('sha256').update(doc).digest('hex')}`;
  }

  /** What the instance would deploy on the version, and what of it the hash covers. */
  private async afterOf(
    kind: RolloutTemplateKind,
    r: ResourceRecord,
    bundle: LoadedBundle,
    major: number,
    minor: number,
  ) {
    const { inputs } =
      kind === 'ENVIRONMENT'
        ? environmentInputs(bundle, r)
        : instanceInputs(bundle, r, r.spec ?? '');
    const next: ResourceRecord = {
      ...r,
      templateMajor: major,
      templateMinor: minor,
      settings: { ...r.settings, inputs },
    };
    const rendered = await renderDeployment({
      store: this.d.store,
      renderer: this.renderer,
      bundle,
      resource: next,
      accountId: this.accountId,
      deployment: { id: 'preview', operation: 'DEPLOY' },
      templateArn: protonArn(this.d.arnScope, `${kindWord(kind)}-template/${r.templateName}`),
    });
    const files: Record<string, string> = { ...rendered.visible };
    if (rendered.folder.engine === 'codebuild')
      for (const [path, data] of bundle.files)
        if (path.startsWith(`${rendered.folder.directory}/`)) files[path] = text(data);
    return {
      inputs,
      files,
      rendered,
      hashed: {
        instance: idOf(r),
        from: `${r.templateMajor}.${r.templateMinor}`,
        lastDeployment: r.lastAttemptedDeploymentId,
        files,
      },
    };
  }

  /** What the instance deploys now: its last successful deployment's files and bundle. */
  private async beforeOf(
    kind: RolloutTemplateKind,
    r: ResourceRecord,
  ): Promise<Record<string, string>> {
    const dep = r.lastSucceededDeploymentId
      ? await this.d.store.getDeployment(r.lastSucceededDeploymentId)
      : undefined;
    const files: Record<string, string> = { ...(dep?.rendered ?? {}) };
    const state = dep?.targetState as
      { templateMajorVersion?: string; templateMinorVersion?: string } | undefined;
    if (state?.templateMajorVersion) {
      const old = await this.d.bundles.load(
        kind,
        r.templateName,
        Number(state.templateMajorVersion),
        Number(state.templateMinorVersion),
      );
      const folder = kind === 'ENVIRONMENT' ? old.environment : old.instance;
      if (folder?.engine === 'codebuild')
        for (const [path, data] of old.files)
          if (path.startsWith(`${folder.directory}/`)) files[path] = text(data);
    }
    return files;
  }

  private async previewOne(
    kind: RolloutTemplateKind,
    r: ResourceRecord,
    bundle: LoadedBundle,
    { major, minor }: { major: number; minor: number },
    changeSets: boolean,
  ) {
    const isEnv = kind === 'ENVIRONMENT';
    const base = {
      serviceName: r.serviceName,
      serviceInstanceName: isEnv ? '' : r.name,
      environmentName: r.environmentName ?? r.name,
      currentVersion: `${r.templateMajor}.${r.templateMinor}`,
      targetVersion: `${major}.${minor}`,
    };
    let after;
    try {
      after = await this.afterOf(kind, r, bundle, major, minor);
    } catch (error) {
      if (!(error instanceof NucleonError) && !(error instanceof Error)) throw error;
      const message = `cannot render ${idOf(r)} on ${major}.${minor}: ${error.message}`;
      return { view: { ...base, error: message }, hashed: { instance: idOf(r), error: message } };
    }
    const before = await this.beforeOf(kind, r);
    // An environment's engine follows its own settings; an instance's, its environment's.
    const env = isEnv
      ? r
      : await this.d.store.getResource({
          kind: 'ENVIRONMENT',
          serviceName: '',
          name: r.environmentName ?? '',
        });
    const engine = engineOf(
      isEnv ? bundle.environment : bundle.instance,
      env?.settings ?? {},
      this.d.terraformCli,
    );
    const files = diffFiles(before, after.files);
    const oldInputs = (r.settings.inputs as Record<string, unknown>) ?? {};
    const inputChanges = [...new Set([...Object.keys(oldInputs), ...Object.keys(after.inputs)])]
      .sort()
      .filter((k) => JSON.stringify(oldInputs[k]) !== JSON.stringify(after.inputs[k]))
      .map((name) => ({
        name,
        ...(name in oldInputs ? { before: JSON.stringify(oldInputs[name]) } : {}),
        ...(name in after.inputs ? { after: JSON.stringify(after.inputs[name]) } : {}),
      }));
    let changeSet: (AssessedStackChanges & { status: string; statusReason?: string }) | undefined;
    let changeSetNote: string | undefined;
    const plan = changeSets ? await this.enginePlan(engine, r, after.rendered) : undefined;
    if (plan?.kind === 'changes')
      changeSet = {
        ...assessStackChanges(plan.changes),
        status: plan.status,
        ...(plan.statusReason ? { statusReason: plan.statusReason } : {}),
      };
    else if (plan)
      changeSetNote =
        plan.kind === 'absent'
          ? engine === 'cloudformation'
            ? 'the stack does not exist yet: deploying creates every resource of the template'
            : 'the instance has no Terraform state yet: deploying creates every resource'
          : plan.message;
    return {
      view: {
        ...base,
        engine,
        files,
        inputChanges,
        ...(changeSet ? { changeSet } : {}),
        ...(changeSetNote ? { changeSetNote } : {}),
      },
      hashed: after.hashed,
    };
  }

  /** The engine's own plan: a CloudFormation change set, or terraform plan on the runner. */
  private async enginePlan(
    engine: string,
    r: ResourceRecord,
    rendered: Rendered,
  ): Promise<StackPlan | undefined> {
    if (engine === 'cloudformation') {
      const body = rendered.templateFile
        ? text(rendered.files.get(rendered.templateFile) ?? '')
        : '';
      return r.engineName
        ? this.planner.plan({
            stackName: r.engineName,
            templateBody: body,
            region: this.d.arnScope.region,
          })
        : { kind: 'absent' };
    }
    if (engine === 'terraform-cli' && this.terraform)
      return r.engineName
        ? this.terraform.plan({ resourceName: r.engineName, files: rendered.files })
        : { kind: 'absent' };
    return undefined;
  }
}

/** The rendered deployment, as renderDeployment returns it. */
type Rendered = Awaited<ReturnType<typeof renderDeployment>>;

/** Every path in either set, with a unified diff of what changes. */
function diffFiles(before: Record<string, string>, after: Record<string, string>): FileChange[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().map((path) => {
    const b = before[path];
    const a = after[path];
    const change: FileChange['change'] =
      b === undefined ? 'ADDED' : a === undefined ? 'REMOVED' : a === b ? 'UNCHANGED' : 'MODIFIED';
    return {
      path,
      change,
      ...(b !== undefined ? { before: b } : {}),
      ...(a !== undefined ? { after: a } : {}),
      ...(change === 'UNCHANGED'
        ? {}
        : {
            diff: createTwoFilesPatch(`a/${path}`, `b/${path}`, b ?? '', a ?? '', '', '', {
              context: 3,
            }),
          }),
    };
  });
}
