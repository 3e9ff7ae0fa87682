/**
 * Renders templates on a pool of worker threads, so a template that loops for a long time never
 * blocks the caller's event loop. Each render counts against a step budget inside the worker
 * (loop iterations, characters of output); the pool adds a wall-clock limit, enforced by
 * terminating the worker, and a heap limit per worker. A render that passes any of them fails
 * with a {@link RenderLimitError} naming the limit; the next render gets a fresh worker.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RenderBudget } from './jinja-runtime.js';
import { RenderError } from './render-error.js';
import { RenderLimitError, encodeValue, toRenderError } from './render-transfer.js';
import type { RenderReply, RenderTask } from './render-worker.js';
import { toTemplateData } from './template-data.js';

/** Options for {@link createRenderPool}. */
export interface RenderPoolOptions {
  /** Worker threads at most (started on demand). */
  size: number;
  /** A render still running after this long is stopped. */
  timeoutMs: number;
  /** Loop iterations and output characters each render may use. */
  budget: RenderBudget;
  /** Heap limit of each worker, in MiB (default 256). */
  maxMemoryMb?: number;
}

/** Renders off the caller's thread; same results and errors as {@link Renderer.render}. */
export interface RenderPool {
  render(source: string, context: object, fileName: string): Promise<string>;
  /** Stops the workers; renders still waiting fail. */
  close(): Promise<void>;
}

interface Job {
  task: RenderTask;
  resolve(output: string): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * How to start a worker: the compiled `render-worker.js` beside this file, or — when this module
 * runs from its TypeScript source (under the test runner) — `render-worker.ts` loaded through tsx.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./render-worker.js', here), eval: false };
  // tsx's ESM API (its package export for `import`), found from its package.json.
  const tsx = pathToFileURL(
    join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const source = new URL('./render-worker.ts', here).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`,
    eval: true,
  };
}

/** Starts a render pool (workers start with the first renders). */
export function createRenderPool(options: RenderPoolOptions): RenderPool {
  const maxMemoryMb = options.maxMemoryMb ?? 256;
  const entry = workerEntry();
  const queue: Job[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;

  const failAll = (error: Error) => {
    for (const job of queue.splice(0)) job.reject(error);
  };

  const retire = (slot: Slot) => {
    if (slot.timer) clearTimeout(slot.timer);
    slots.delete(slot);
    void slot.worker.terminate().catch(() => undefined);
  };

  const settle = (slot: Slot, outcome: { output: string } | { error: Error }) => {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    if (job) {
      if ('output' in outcome) job.resolve(outcome.output);
      else job.reject(outcome.error);
    }
  };

  const spawn = (): Slot => {
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: { budget: options.budget },
      resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
    });
    worker.unref();
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined };
    worker.on('message', (reply: RenderReply) => {
      if ('ready' in reply) slot.ready = true;
      else if ('output' in reply) settle(slot, { output: reply.output });
      else settle(slot, { error: toRenderError(reply.error) });
      dispatch();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const file = slot.job?.task.fileName ?? '';
      const failure =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new RenderLimitError(
              file,
              undefined,
              `the render used more than its ${maxMemoryMb} MiB memory limit and was stopped`,
              'memory',
            )
          : new RenderError(file, undefined, `the render worker failed: ${error.message}`);
      const startingUp = !slot.ready;
      settle(slot, { error: failure });
      retire(slot);
      // A worker that cannot even start would fail every render the same way.
      if (startingUp) failAll(failure);
      dispatch();
    });
    worker.on('exit', () => {
      if (!slots.has(slot)) return;
      settle(slot, {
        error: new RenderError(
          slot.job?.task.fileName ?? '',
          undefined,
          'the render worker stopped unexpectedly',
        ),
      });
      slots.delete(slot);
      dispatch();
    });
    slots.add(slot);
    return slot;
  };

  const start = (slot: Slot, job: Job) => {
    slot.job = job;
    slot.timer = setTimeout(() => {
      settle(slot, {
        error: new RenderLimitError(
          job.task.fileName,
          undefined,
          `the render took longer than its ${options.timeoutMs} ms time limit and was stopped`,
          'time',
        ),
      });
      retire(slot);
      dispatch();
    }, options.timeoutMs);
    slot.timer.unref();
    slot.worker.postMessage(job.task);
  };

  function dispatch(): void {
    if (closed) return;
    while (queue.length > 0) {
      const idle = [...slots].find((s) => s.ready && !s.job);
      if (idle) {
        start(idle, queue.shift()!);
        continue;
      }
      const starting = [...slots].filter((s) => !s.ready).length;
      if (slots.size < options.size && starting < queue.length) {
        spawn();
        continue;
      }
      return;
    }
  }

  return {
    render(source, context, fileName) {
      if (closed)
        return Promise.reject(new RenderError(fileName, undefined, 'the render pool is closed'));
      let wire;
      try {
        wire = encodeValue(toTemplateData(context as Record<string, unknown>, fileName));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      return new Promise<string>((resolve, reject) => {
        queue.push({ task: { id: nextId++, source, context: wire, fileName }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      failAll(new RenderError('', undefined, 'the render pool is closed'));
      const all = [...slots];
      slots.clear();
      for (const slot of all)
        settle(slot, {
          error: new RenderError(
            slot.job?.task.fileName ?? '',
            undefined,
            'the render pool is closed',
          ),
        });
      await Promise.all(all.map((s) => s.worker.terminate().catch(() => undefined)));
    },
  };
}
