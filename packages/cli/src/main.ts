import { Command, CommanderError } from 'commander';
import { ProtonApiError } from '@nucleon/protocol';
import { registerAccessCommands } from './commands/access.js';
import { registerBundleCommands } from './commands/bundle.js';
import { registerCatalogCommands } from './commands/catalog-commands.js';
import { registerDeploymentCommands } from './commands/deployment.js';
import { registerExamplesCommands } from './commands/examples.js';
import { registerImportCommands } from './commands/import-proton.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerConnectionCommands } from './commands/connections.js';
import { registerRepoCommands } from './commands/repos.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerDriftCommands } from './commands/drift.js';
import { registerEventCommands } from './commands/events.js';
import { registerServeCommands } from './commands/up.js';
import { registerTemplateCommands } from './commands/template.js';

/** Runs the nucleon CLI and resolves with its exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command()
    .name('nucleon')
    .description(
      'Nucleon: a self-hosted, Proton-compatible platform-templates server, and its toolkit.',
    )
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerServeCommands(program, setExit);
  registerKeyCommands(program, setExit);
  registerConnectionCommands(program, setExit);
  registerAccessCommands(program, setExit);
  registerBundleCommands(program, setExit);
  registerDeploymentCommands(program, setExit);
  registerRepoCommands(program, setExit);
  registerRolloutCommands(program, setExit);
  registerDriftCommands(program, setExit);
  registerEventCommands(program, setExit);
  registerTemplateCommands(program, setExit);
  registerExamplesCommands(program, setExit);
  registerCatalogCommands(program, setExit);
  registerImportCommands(program, setExit);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ProtonApiError) {
      process.stderr.write(`nucleon: ${error.type}: ${error.message}\n`);
      return 1;
    }
    if (
      error instanceof Error &&
      'cause' in error &&
      (error as { code?: string }).code === undefined &&
      /fetch failed/.test(error.message)
    ) {
      process.stderr.write(
        `nucleon: could not reach the Nucleon endpoint (${String((error.cause as Error)?.message ?? error.cause)}). Is \`nucleon up\` running, and is --endpoint-url right?\n`,
      );
      return 1;
    }
    throw error;
  }
  return exitCode;
}
