/**
 * The render pool's worker thread: renders one template at a time with the step budget it was
 * started with, and answers with the output or the error. The pool enforces the time limit by
 * terminating this thread.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RenderBudgetExceeded, type RenderBudget } from './jinja-runtime.js';
import { RenderError } from './render-error.js';
import { decodeValue, type Wire, type WireRenderError } from './render-transfer.js';
import { createRenderer } from './renderer.js';

/** A render request from the pool. */
export interface RenderTask {
  id: number;
  source: string;
  context: Wire;
  fileName: string;
}

/** The worker's answer to a {@link RenderTask}, or its start-up signal. */
export type RenderReply =
  { ready: true } | { id: number; output: string } | { id: number; error: WireRenderError };

function describe(err: unknown, fileName: string): WireRenderError {
  if (err instanceof RenderError) {
    const cause = err.cause;
    return {
      file: err.file,
      line: err.line,
      message: err.message,
      limit: cause instanceof RenderBudgetExceeded ? cause.limit : undefined,
    };
  }
  return {
    file: fileName,
    line: undefined,
    message: `internal render error: ${err instanceof Error ? err.message : String(err)}`,
  };
}

const port = parentPort;
if (port) {
  // Each task's context is decoded into fresh template data (render-transfer.ts), which the
  // pool built with the same checks the renderer's copy makes: nothing to copy again.
  const renderer = createRenderer({
    budget: (workerData as { budget: RenderBudget }).budget,
    ownedContexts: true,
  });
  port.on('message', (task: RenderTask) => {
    let reply: RenderReply;
    try {
      reply = {
        id: task.id,
        output: renderer.render(task.source, decodeValue(task.context) as object, task.fileName),
      };
    } catch (err) {
      reply = { id: task.id, error: describe(err, task.fileName) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies RenderReply);
}
