/** Where a build's artifacts land, under the run's key prefix (see CodeBuildCommandRunner). */
export const OUTPUTS_FOLDER = 'outputs';

/**
 * The buildspec for one deployment, made from the manifest as Proton made it: the manifest's
 * `runtimes` as `runtime-versions`, its commands as the build phase (buildspec 0.2 runs them in
 * one bash, so `cd` and `export` carry over; the first failure ends the phase), and
 * `proton-outputs.json` as the build's artifact. `proton-inputs.json` is listed too: it always
 * exists, so a run that writes no outputs file still uploads something and is not failed for
 * "no matching artifact paths". Environment values travel as the build's environment variables,
 * never inside the buildspec.
 *
 * Written as JSON, which is YAML, with every non-ASCII character escaped: what a command holds
 * can never turn into YAML structure.
 */
export function buildspecFor(
  commands: readonly string[],
  runtimes: Readonly<Record<string, string>> | undefined,
): string {
  const phases: Record<string, unknown> = {};
  if (runtimes && Object.keys(runtimes).length > 0)
    phases.install = { 'runtime-versions': { ...runtimes } };
  phases.build = { commands: [...commands] };
  const spec = {
    version: '0.2',
    env: { shell: 'bash' },
    phases,
    artifacts: { files: ['proton-outputs.json', 'proton-inputs.json'] },
  };
  return JSON.stringify(spec, null, 2).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** CodeBuild accepts build timeouts of 5 to 2160 minutes. */
export function timeoutMinutes(timeoutMs: number): number {
  return Math.min(2160, Math.max(5, Math.ceil(timeoutMs / 60_000)));
}
