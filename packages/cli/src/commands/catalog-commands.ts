import type { Command } from 'commander';
import type { SetExit } from './catalog-common.js';
import { registerCompletionCommands } from './catalog-completion.js';
import { registerDeploymentsCommands } from './catalog-deploy.js';
import { registerEnvsCommands } from './catalog-envs.js';
import { registerServicesCommands } from './catalog-services.js';
import { registerTemplatesCommands } from './catalog-templates.js';

/** The people-friendly catalog commands: templates, envs, services, instances, deployments, completion. */
export function registerCatalogCommands(program: Command, setExit: SetExit): void {
  registerTemplatesCommands(program, setExit);
  registerEnvsCommands(program, setExit);
  registerServicesCommands(program, setExit);
  registerDeploymentsCommands(program, setExit);
  registerCompletionCommands(program, setExit);
}
