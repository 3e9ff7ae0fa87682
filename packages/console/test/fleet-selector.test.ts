import { describe, expect, test } from 'vitest';
import { selectorOf } from '../src/api/fleet-selector.js';

const empty = { environments: '', services: '', instances: '', tags: '' };

describe('the preview form’s selector', () => {
  test('an empty form selects every instance (no selector is sent)', () => {
    expect(selectorOf(empty)).toEqual({});
    expect(selectorOf({ ...empty, environments: ' , ' })).toEqual({});
  });

  test('comma-separated lists become the operation’s selector, trimmed', () => {
    expect(
      selectorOf({
        environments: 'dev, staging ',
        services: 'orders',
        instances: 'orders/orders-dev,web/web-prod',
        tags: 'team=payments, tier = gold=1',
      }),
    ).toEqual({
      selector: {
        environments: ['dev', 'staging'],
        services: ['orders'],
        instances: ['orders/orders-dev', 'web/web-prod'],
        tags: [
          { key: 'team', value: 'payments' },
          { key: 'tier', value: 'gold=1' },
        ],
      },
    });
  });

  test('an instance without its service, or a tag without a key, says what to write instead', () => {
    expect(selectorOf({ ...empty, instances: 'orders-dev' }).error).toBe(
      'Instances are written service/instance (got “orders-dev”).',
    );
    expect(selectorOf({ ...empty, tags: '=x' }).error).toBe(
      'Tags are written key=value (got “=x”).',
    );
    expect(selectorOf({ ...empty, tags: 'team' }).error).toBe(
      'Tags are written key=value (got “team”).',
    );
  });
});
