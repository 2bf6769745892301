import { decideHost, loadCoachConfig, parseCoachConfig, withDevServer } from '../../src/embed/allowed-hosts';

describe('coach-config.json: which pages may embed the coach', () => {
  it('keeps only well-formed origins', () => {
    expect(parseCoachConfig({ hostOrigins: ['https://shop.example', 'https://shop.example/', '*', 'null', 42, 'http://127.0.0.1:5173'] })).toEqual({
      hostOrigins: ['https://shop.example', 'http://127.0.0.1:5173'],
    });
  });

  it.each([null, 'x', [], {}, { hostOrigins: 'https://shop.example' }])('refuses %j as a config', (json) => {
    expect(parseCoachConfig(json)).toBeNull();
  });

  it('allows exactly the listed origins', () => {
    const config = { hostOrigins: ['https://shop.example'] };
    expect(decideHost('https://shop.example', config)).toEqual({ allowed: true, host: 'https://shop.example' });
    expect(decideHost('https://evil.example', config)).toMatchObject({ allowed: false, reason: 'not-listed' });
    expect(decideHost('https://shop.example.evil.example', config)).toMatchObject({ allowed: false, reason: 'not-listed' });
    expect(decideHost('http://shop.example', config)).toMatchObject({ allowed: false, reason: 'not-listed' });
    expect(decideHost(null, config)).toMatchObject({ allowed: false, reason: 'no-host' });
    expect(decideHost('https://shop.example', null)).toMatchObject({ allowed: false, reason: 'no-config' });
  });

  it('refuses a listed origin named by a page on another origin, when the browser says who the parent is', () => {
    const config = { hostOrigins: ['https://shop.example'] };
    expect(decideHost('https://shop.example', config, 'https://evil.example')).toMatchObject({ allowed: false, reason: 'not-parent' });
    expect(decideHost('https://shop.example', config, 'https://shop.example')).toEqual({ allowed: true, host: 'https://shop.example' });
  });

  it('reads the config without credentials, and treats a failed fetch as no config', async () => {
    const seen: RequestInit[] = [];
    const ok = (async (_url: string, init: RequestInit) => {
      seen.push(init);
      return new Response(JSON.stringify({ hostOrigins: ['https://shop.example'] }));
    }) as typeof fetch;
    expect(await loadCoachConfig('https://coach.example/coach-config.json', ok)).toEqual({ hostOrigins: ['https://shop.example'] });
    expect(seen[0].credentials).toBe('omit');
    expect(await loadCoachConfig('x', (async () => new Response('nope', { status: 404 })) as typeof fetch)).toBeNull();
    expect(await loadCoachConfig('x', (async () => new Response('{not json')) as typeof fetch)).toBeNull();
    expect(await loadCoachConfig('x', (async () => Promise.reject(new TypeError('offline'))) as typeof fetch)).toBeNull();
  });
});

describe('the CSP headers README.md documents', () => {
  it('are the ones the browser suite runs under', async () => {
    const { readFileSync } = await import('node:fs');
    const { coachCsp, hostCsp } = await import('../../src/embed/csp');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`Content-Security-Policy: ${coachCsp(['https://shop.example'])}\n`);
    expect(readme).toContain(`Content-Security-Policy: ${hostCsp('https://coach.example')}\n`);
  });
});

describe('the dev server on any port (development only)', () => {
  it('adds the coach origin under both loopback names to what the config lists', () => {
    expect(withDevServer({ hostOrigins: ['https://shop.example'] }, 'http://localhost:5174').hostOrigins).toEqual(['https://shop.example', 'http://localhost:5174', 'http://127.0.0.1:5174']);
    expect(withDevServer(null, 'http://127.0.0.1:5190').hostOrigins).toEqual(['http://localhost:5190', 'http://127.0.0.1:5190']);
    expect(withDevServer(null, 'https://coach.example').hostOrigins).toEqual(['https://coach.example']);
    expect(decideHost('http://localhost:5174', withDevServer(null, 'http://127.0.0.1:5174')).allowed).toBe(true);
    expect(decideHost('http://localhost:5175', withDevServer(null, 'http://127.0.0.1:5174')).allowed).toBe(false);
  });
});
