import { FaultStep, InjectedFault, type FaultInjector } from '../ports/fault-injector.js';

interface Rule {
  step: FaultStep;
  subject: string | undefined;
  times: number;
  /** `throw` an InjectedFault, or `kill` the whole process with SIGKILL (a crash at that step). */
  action: 'throw' | 'kill';
}

const STEPS = new Set<string>(Object.values(FaultStep));

/**
 * Faults from a spec such as `render@env-a,engine-start@env-b:2,finish@env-c=kill`: each entry
 * throws at the named step for the named subject (any subject when `@…` is left out), the first
 * `times` times (once by default) for each subject; `=kill` kills the process with SIGKILL instead
 * (a crash at that step). For tests only.
 */
export class ConfiguredFaults implements FaultInjector {
  private readonly fired = new Map<string, number>();

  private constructor(private readonly rules: readonly Rule[]) {}

  static parse(spec: string): ConfiguredFaults {
    const rules = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry): Rule => {
        const m = /^([a-z-]+)(?:@([^:=]+))?(?::(\d+))?(?:=(throw|kill))?$/.exec(entry);
        if (!m || !STEPS.has(m[1]!))
          throw new Error(
            `NUCLEON_FAULTS: "${entry}" is not step[@subject][:times][=throw|kill] with a step among ${[...STEPS].join(', ')}`,
          );
        return {
          step: m[1] as FaultStep,
          subject: m[2],
          times: m[3] ? Number(m[3]) : 1,
          action: m[4] === 'kill' ? 'kill' : 'throw',
        };
      });
    return new ConfiguredFaults(rules);
  }

  at(step: FaultStep, subject: string): void {
    for (const rule of this.rules) {
      if (rule.step !== step || (rule.subject !== undefined && rule.subject !== subject)) continue;
      const key = `${step}@${subject}`;
      const n = this.fired.get(key) ?? 0;
      if (n >= rule.times) continue;
      this.fired.set(key, n + 1);
      if (rule.action === 'kill') process.kill(process.pid, 'SIGKILL');
      throw new InjectedFault(
        `injected fault at step ${step} for ${subject} (${n + 1} of ${rule.times})`,
      );
    }
  }
}
