import { describe, expect, it } from 'vitest';
import { safeNext } from './SignIn';

describe('safeNext: where sign-in returns to', () => {
  it('returns to a page of this console', () => {
    expect(safeNext('/machines/ag_1?tab=logs')).toBe('/machines/ag_1?tab=logs');
  });
  it('never to another site, a protocol-relative address or back to sign-in', () => {
    for (const bad of ['https://evil.example', '//evil.example/x', 'javascript:alert(1)', '/signin?next=/x', null, '']) {
      expect(safeNext(bad)).toBe('/machines');
    }
  });
});
