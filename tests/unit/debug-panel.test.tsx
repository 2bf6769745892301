// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { debugRequested, DebugPanel } from '../../src/ui/DebugPanel';

afterEach(cleanup);

describe('DebugPanel', () => {
  it('shows what the engine reports: backend and thread, its reason, the model version', () => {
    const reason = 'wasm (skipped webgl: software rendering (SwiftShader) is slower than wasm); in a worker';
    render(<DebugPanel info={{ backend: 'wasm', thread: 'worker', reason, modelVersion: '1.0.0' }} />);
    expect(screen.getByText('wasm (worker thread)')).toBeTruthy();
    expect(screen.getByText(reason)).toBeTruthy();
    expect(screen.getByText('1.0.0')).toBeTruthy();
  });

  it('says it is loading until the engine is ready', () => {
    render(<DebugPanel />);
    expect(screen.getByText('loading…')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('is asked for with ?debug=1 only', () => {
    expect(debugRequested('?debug=1')).toBe(true);
    expect(debugRequested('?lang=ja&debug=1')).toBe(true);
    expect(debugRequested('?debug=0')).toBe(false);
    expect(debugRequested('')).toBe(false);
  });
});
