import { createContext, useContext, type ReactNode } from 'react';
import type { CallerAccessOutput } from '@nucleon/protocol';

/** What the signed-in principal may do, as GetCallerAccess answered it. */
export interface Access {
  caller: CallerAccessOutput;
  /** Whether the caller's role allows an action (`services:write`); grants may still narrow it per resource. */
  can(action: string): boolean;
}

export function accessOf(caller: CallerAccessOutput): Access {
  const actions = new Set(caller.actions);
  return { caller, can: (action) => actions.has(action) };
}

const AccessContext = createContext<Access | undefined>(undefined);

export function AccessProvider(props: { access: Access; children: ReactNode }): ReactNode {
  return <AccessContext.Provider value={props.access}>{props.children}</AccessContext.Provider>;
}

/** The caller's access; the console hides what it may not do (the server refuses it anyway). */
export function useAccess(): Access {
  const access = useContext(AccessContext);
  if (!access)
    throw new Error('useAccess is used outside the signed-in console (no AccessProvider).');
  return access;
}

/** Whether the caller may take an action; for buttons and links that change things. */
export function useCan(action: string): boolean {
  return useAccess().can(action);
}
