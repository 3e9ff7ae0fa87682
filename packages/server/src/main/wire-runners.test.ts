import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { parseRunnerEnvironments } from './wire-runners.js';

describe('NUCLEON_RUNNER_ENVIRONMENTS', () => {
  it('maps environment names to runners', () => {
    expect(
      Object.fromEntries(parseRunnerEnvironments(' prod=codebuild, dev = local,,k=kubernetes')),
    ).toEqual({
      prod: 'codebuild',
      dev: 'local',
      k: 'kubernetes',
    });
  });

  it('names every bad entry and the accepted runners', () => {
    const error = (() => {
      try {
        parseRunnerEnvironments('prod=lambda,=local,a=local=b');
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(3);
    expect(error!.problems[0]).toContain(
      '"prod=lambda" must be environmentName=local|codebuild|kubernetes',
    );
  });
});
