import {
  RenderError,
  RenderLimitError,
  createRenderPool,
  type RenderLimit,
  type RenderPool,
  type RenderPoolOptions,
} from '@nucleon/templates';
import type { TemplateRenderer } from '../../ports/version-bundles.js';

/** The setting behind each render limit, named in the failure so an operator knows what to raise. */
const settingOf: Record<RenderLimit, string> = {
  steps: 'NUCLEON_RENDER_MAX_STEPS',
  output: 'NUCLEON_RENDER_MAX_OUTPUT_CHARS',
  time: 'NUCLEON_RENDER_TIMEOUT_MS',
  memory: 'the render workers’ fixed heap limit',
};

/**
 * The TemplateRenderer port over a worker-thread render pool: renders never run on the server's
 * event loop, and one that passes its step budget, output budget, time or memory limit fails
 * with a message naming the limit and its setting.
 */
export class PooledTemplateRenderer implements TemplateRenderer {
  private readonly pool: RenderPool;

  constructor(options: RenderPoolOptions) {
    this.pool = createRenderPool(options);
  }

  async render(
    source: string,
    context: Record<string, unknown>,
    fileName: string,
  ): Promise<string> {
    try {
      return await this.pool.render(source, context, fileName);
    } catch (error) {
      if (error instanceof RenderLimitError) {
        throw new RenderError(
          error.file,
          error.line,
          `${error.message} (the limit is ${settingOf[error.limit]}); a template that needs this much is almost certainly looping by mistake`,
        );
      }
      throw error;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
