import { describe, expect, test } from 'vitest';
import { describeTerraformFailure, parseTerraformDiagnostics } from './terraform-diagnostics.js';

const PLAIN = `
Error: Reference to undeclared input variable

  on main.tf line 2, in resource "terraform_data" "x":
   2:   input = var.nope

An input variable with the name "nope" has not been declared. This variable
can be declared with a variable "nope" {} block.
`.split('\n');

const BOXED = `
╷
│ Warning: Unable to open CLI configuration file
│
│ The CLI configuration file at "/root/.terraformrc" does not exist.
╵
╷
│ Error: local-exec provisioner error
│
│   with terraform_data.z,
│   on bad2.tf line 2, in resource "terraform_data" "z":
│    2:   provisioner "local-exec" {
│
│ Error running command 'exit 3': exit status 3. Output: boom
╵
`.split('\n');

describe('parseTerraformDiagnostics', () => {
  test('reads a plain -no-color error block with its location and explanation', () => {
    expect(parseTerraformDiagnostics(PLAIN)).toEqual([
      {
        severity: 'error',
        summary: 'Reference to undeclared input variable',
        location: 'main.tf line 2',
        detail:
          'An input variable with the name "nope" has not been declared. This variable can be declared with a variable "nope" {} block.',
      },
    ]);
  });

  test('reads boxed blocks, keeping warnings apart from errors and the resource address', () => {
    const [warning, error] = parseTerraformDiagnostics(BOXED);
    expect(warning).toMatchObject({
      severity: 'warning',
      summary: 'Unable to open CLI configuration file',
    });
    expect(error).toEqual({
      severity: 'error',
      summary: 'local-exec provisioner error',
      address: 'terraform_data.z',
      location: 'bad2.tf line 2',
      detail: "Error running command 'exit 3': exit status 3. Output: boom",
    });
  });
});

describe('describeTerraformFailure', () => {
  test('names the step and the errors, not the warnings', () => {
    expect(describeTerraformFailure('apply', 1, BOXED)).toBe(
      "terraform apply failed: local-exec provisioner error (terraform_data.z, bad2.tf line 2): Error running command 'exit 3': exit status 3. Output: boom",
    );
  });

  test('falls back to the last stderr lines, then to the exit status', () => {
    expect(describeTerraformFailure('init', 1, ['', 'something odd', 'happened'])).toBe(
      'terraform init failed: something odd | happened',
    );
    expect(describeTerraformFailure('plan', 2, [])).toBe('terraform plan failed: exit status 2');
  });

  test('summarises many errors as "and N more"', () => {
    const lines = ['a', 'b', 'c', 'd', 'e'].flatMap((x) => [
      `Error: problem ${x}`,
      '',
      `detail ${x}`,
    ]);
    expect(describeTerraformFailure('plan', 1, lines)).toBe(
      'terraform plan failed: problem a: detail a; problem b: detail b; problem c: detail c; and 2 more errors',
    );
  });
});
