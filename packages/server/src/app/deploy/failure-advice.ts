import type { EngineErrorCode, EngineResult } from '../../ports/stack-engine.js';

/** What the template's user should do about each kind of engine failure. */
function advice(code: EngineErrorCode): string {
  switch (code) {
    case 'TEMPLATE_INVALID':
      return 'The engine rejected the template or its inputs: fix the template (publish a new version) or the spec, then redeploy.';
    case 'ENGINE_FAILED':
      return 'A resource failed in the engine: the deployment log has its events; fix the cause, then redeploy.';
    case 'INTERNAL':
      return 'The engine could not be reached or answered unexpectedly; redeploying is safe once it is reachable.';
  }
}

/** A failed run's message followed by what to do about it, chosen by the engine's error code. */
export function failureMessage(result: Pick<EngineResult, 'message' | 'errorCode'>): string {
  return result.errorCode ? `${result.message}. ${advice(result.errorCode)}` : result.message;
}
