export * from './coach-store';
