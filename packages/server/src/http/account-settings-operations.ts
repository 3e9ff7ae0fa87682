import { targetPrefix } from '@nucleon/protocol';
import type { AccountSettingsService } from '../app/account-settings-service.js';
import type { OperationEntry } from './operation-registry.js';

/** GetAccountSettings and UpdateAccountSettings. */
export function accountSettingsOperations(
  settings: AccountSettingsService,
): Array<[string, OperationEntry]> {
  return [
    [
      `${targetPrefix}.GetAccountSettings`,
      {
        input: 'GetAccountSettingsInput',
        output: 'GetAccountSettingsOutput',
        handler: () => settings.get(),
      },
    ],
    [
      `${targetPrefix}.UpdateAccountSettings`,
      {
        input: 'UpdateAccountSettingsInput',
        output: 'UpdateAccountSettingsOutput',
        handler: (i) => settings.update(i),
      },
    ],
  ];
}
