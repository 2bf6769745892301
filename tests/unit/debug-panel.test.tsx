// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import type { BackendChoiceReport } from '../../src/core/model/backend-choice';
import { debugRequested, DebugPanel } from '../../src/ui/DebugPanel';

afterEach(cleanup);

const report: BackendChoiceReport = {
  current: null,
  renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)',
  software: true,
  remembered: [
    {
      backend: 'wasm',
      reason: 'wasm 52 ms vs webgl 380 ms (SwiftShader renderer: software)',
      timings: [
        { backend: 'webgl', ms: [380, 384] },
        { backend: 'wasm', ms: [51, 53] },
      ],
      renderer: 'SwiftShader',
      software: true,
      modelVersion: '1.0.0',
      source: 'measured',
      at: '2026-11-24T12:00:00.000Z',
    },
  ],
};

describe('DebugPanel', () => {
  it('shows the engine’s backend, its reason and the measurements', async () => {
    render(<DebugPanel info={{ backend: 'wasm', thread: 'worker', reason: 'wasm 52 ms vs webgl 380 ms', modelVersion: '1.0.0' }} describe={async () => report} />);
    expect(screen.getByText('wasm (worker thread)')).toBeTruthy();
    expect(screen.getByText('wasm 52 ms vs webgl 380 ms')).toBeTruthy();
    expect(await screen.findByText('webgl: 380 / 384 ms; wasm: 51 / 53 ms')).toBeTruthy();
    expect(screen.getByText(/SwiftShader driver\) \(software\)/)).toBeTruthy();
  });

  it('is asked for with ?debug=1 only', () => {
    expect(debugRequested('?debug=1')).toBe(true);
    expect(debugRequested('?lang=ja&debug=1')).toBe(true);
    expect(debugRequested('?debug=0')).toBe(false);
    expect(debugRequested('')).toBe(false);
  });
});
