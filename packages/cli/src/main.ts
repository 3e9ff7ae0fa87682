import { Command, CommanderError } from 'commander';
import { ProtonApiError } from '@nucleon/protocol';
import { registerServeCommands } from './commands/up.js';

const SERVE_COMMANDS = new Set(['up', 'server', 'worker']);

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
  // `nucleon up|server|worker` load only the serve commands: the other commands' modules (the
  // AWS SDK among them) would add to every server start (ADR 0024).
  if (!SERVE_COMMANDS.has(argv[2] ?? '')) {
    (await import('./commands/keys.js')).registerKeyCommands(program, setExit);
    (await import('./commands/connections.js')).registerConnectionCommands(program, setExit);
    (await import('./commands/access.js')).registerAccessCommands(program, setExit);
    (await import('./commands/bundle.js')).registerBundleCommands(program, setExit);
    (await import('./commands/deployment.js')).registerDeploymentCommands(program, setExit);
    (await import('./commands/repos.js')).registerRepoCommands(program, setExit);
    (await import('./commands/rollout.js')).registerRolloutCommands(program, setExit);
    (await import('./commands/drift.js')).registerDriftCommands(program, setExit);
    (await import('./commands/events.js')).registerEventCommands(program, setExit);
    (await import('./commands/template.js')).registerTemplateCommands(program, setExit);
    (await import('./commands/examples.js')).registerExamplesCommands(program, setExit);
    (await import('./commands/catalog-commands.js')).registerCatalogCommands(program, setExit);
    (await import('./commands/import-proton.js')).registerImportCommands(program, setExit);
    (await import('./commands/care.js')).registerCareCommands(program, setExit);
  }
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
