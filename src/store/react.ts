import { createContext, createElement, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { CoachState, CoachStore } from './coach-store';

const CoachStoreContext = createContext<CoachStore | null>(null);

export function CoachStoreProvider({ store, children }: { store: CoachStore; children?: ReactNode }) {
  return createElement(CoachStoreContext.Provider, { value: store }, children);
}

export function useCoachStoreApi(): CoachStore {
  const store = useContext(CoachStoreContext);
  if (!store) throw new Error('useCoach must be used inside <CoachStoreProvider>');
  return store;
}

/** Reads a narrow slice of the coach store; re-renders only when that slice changes. */
export function useCoach<T>(selector: (s: CoachState) => T): T {
  return useStore(useCoachStoreApi(), selector);
}
