import { useMemo } from 'react';
import { useCoach } from '../store/react';
import { translator } from './i18n';

export function useT() {
  const locale = useCoach((s) => s.locale);
  return useMemo(() => translator(locale), [locale]);
}
