import { afterAll, describe, expect, test } from 'vitest';
import { createRenderPool } from './render-pool.js';
import { RenderError } from './render-error.js';
import { RenderLimitError } from './render-transfer.js';
import { absentComponent } from './render-contexts.js';
import { PyFloat } from './py-values.js';
import { createRenderer } from './renderer.js';

const pool = createRenderPool({
  size: 2,
  timeoutMs: 5_000,
  budget: { maxSteps: 100_000, maxOutputChars: 100_000 },
});
afterAll(() => pool.close());

describe('the render pool', { timeout: 60_000 }, () => {
  test('renders exactly what the in-thread renderer renders, Python values included', async () => {
    const source =
      '{{ a.x }} {{ f }} {{ c.default.outputs | length }} {{ c.default }} {% for k in d %}{{ k }}={{ d[k] }};{% endfor %}';
    const context = () => {
      const d: Record<string, unknown> = { z: 1, a: [1, 'two', null, true] };
      Object.defineProperty(d, '__proto__', {
        value: 'p',
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return { a: { x: 'y' }, f: new PyFloat(2), c: { default: absentComponent() }, d };
    };
    const expected = createRenderer().render(source, context(), 'f.yaml');
    expect(await pool.render(source, context(), 'f.yaml')).toBe(expected);
    expect(expected).toContain('2.0');
  });

  test('passes render errors through with their file and line', async () => {
    const error = await pool
      .render('ok\n{{ missing.name }}', {}, 'x.yaml')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).toString()).toMatch(/^x\.yaml:2: .*missing/);
  });

  test('stops a render past its step budget, and keeps rendering', async () => {
    const error = await pool
      .render(
        '{% for i in range(4000) %}{% for j in range(4000) %}x{% endfor %}{% endfor %}',
        {},
        'loop.yaml',
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderLimitError);
    expect((error as RenderLimitError).limit).toBe('steps');
    expect((error as Error).message).toMatch(
      /step budget exceeded: the template ran more than 100000 loop iterations/,
    );
    expect(await pool.render('{{ 1 + 1 }}', {}, 'f.yaml')).toBe('2');
  });

  test('stops a render past its output budget', async () => {
    const error = await pool
      .render('{% for i in range(1000) %}{{ "y" * 1000 }}{% endfor %}', {}, 'big.yaml')
      .catch((e: unknown) => e);
    expect((error as RenderLimitError).limit).toBe('output');
  });

  test('stops a render past its time limit by terminating its worker', async () => {
    const slow = createRenderPool({
      size: 1,
      timeoutMs: 500,
      budget: { maxSteps: Number.MAX_SAFE_INTEGER, maxOutputChars: 1_000_000 },
    });
    try {
      const error = await slow
        .render(
          '{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}',
          {},
          'slow.yaml',
        )
        .catch((e: unknown) => e);
      expect((error as RenderLimitError).limit).toBe('time');
      expect((error as Error).message).toMatch(/longer than its 500 ms time limit/);
      expect(await slow.render('after', {}, 'f.yaml')).toBe('after');
    } finally {
      await slow.close();
    }
  }, 60_000);
});
