// @vitest-environment jsdom
import { mountPhotoCoach } from '../../src/embed/host';

afterEach(() => document.body.replaceChildren());

describe('mountPhotoCoach', () => {
  it('creates a titled iframe that may use the camera and tells the coach who the host is', () => {
    const el = document.createElement('div');
    document.body.append(el);
    const coach = mountPhotoCoach(el, { origin: 'https://coach.example', src: 'https://coach.example/coach.html', locale: 'ja' });
    const iframe = el.querySelector('iframe')!;
    expect(iframe).toBe(coach.iframe);
    expect(iframe.title).toBe('写真コーチ');
    expect(iframe.allow).toBe('camera');
    const url = new URL(iframe.src);
    expect(url.origin).toBe('https://coach.example');
    expect(url.searchParams.get('host')).toBe(location.origin);
    expect(url.searchParams.get('locale')).toBe('ja');
    coach.ready.catch(() => {});
    coach.destroy();
    coach.destroy();
    expect(el.querySelector('iframe')).toBeNull();
  });

  it.each([
    ['origin with a path', { origin: 'https://coach.example/', src: 'https://coach.example/coach.html' }],
    ['wildcard origin', { origin: '*', src: 'https://coach.example/coach.html' }],
    ['src on another origin', { origin: 'https://coach.example', src: 'https://evil.example/coach.html' }],
    ['relative src on the page origin', { origin: 'https://coach.example', src: '/coach.html' }],
  ])('refuses %s', (_, opts) => {
    const el = document.createElement('div');
    expect(() => mountPhotoCoach(el, opts)).toThrow(TypeError);
    expect(el.querySelector('iframe')).toBeNull();
  });
});
