import type { Command } from 'commander';
import { registerTemplateLintCommand } from './template-lint.js';
import { registerTemplateRenderCommand } from './template-render.js';
import { registerTemplateTestCommand } from './template-test.js';

/**
 * Registers `nucleon template lint|render|test`: the offline template toolkit. These commands
 * need no server and no database; they read bundle folders and write only where told.
 */
export function registerTemplateCommands(program: Command, setExit: (code: number) => void): void {
  const template = program
    .command('template')
    .description(
      'offline template toolkit: lint a bundle, render it for a spec, test it against snapshots (no server needed)',
    );
  registerTemplateLintCommand(template, setExit);
  registerTemplateRenderCommand(template, setExit);
  registerTemplateTestCommand(template, setExit);
}
