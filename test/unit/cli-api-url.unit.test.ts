import { describe, expect, it } from 'vitest';
import { apiBaseUrl } from '../../cli/ops/api-url.ts';

describe('pipeline api url', () => {
  it('prints the stack output as it is on AWS', () => {
    const url = 'https://abc123de.execute-api.eu-west-1.amazonaws.com/';

    expect(apiBaseUrl(url, { kind: 'aws' })).toBe(url);
  });

  it('prints the path-addressed form through the emulator endpoint on a local cloud', () => {
    const local = { kind: 'local' as const, endpoint: 'http://127.0.0.1:4566' };

    expect(apiBaseUrl('http://58899dc8.execute-api.127.0.0.1:4566/', local)).toBe(
      'http://127.0.0.1:4566/_aws/execute-api/58899dc8/',
    );
    expect(apiBaseUrl('http://58899dc8.execute-api.localhost:4566', local)).toBe(
      'http://127.0.0.1:4566/_aws/execute-api/58899dc8/',
    );
  });

  it('leaves a URL it does not recognise as an execute-api endpoint alone, with a trailing slash', () => {
    expect(
      apiBaseUrl('https://api.shop.example.com', { kind: 'endpoint', endpoint: 'http://127.0.0.1:4566' }),
    ).toBe('https://api.shop.example.com/');
  });
});
