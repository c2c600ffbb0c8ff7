import type { ClientSource } from '@webxterm/contracts';

/**
 * Document 002: the client is told apart by its User-Agent. VS Code (its extension host or
 * webviews) is `vscode`; any other browser (`Mozilla/…`) is `ui`; everything else — curl, the
 * CLI, scripts, no User-Agent at all — is `cli`. Only `ui` logins get the emailed code.
 */
export function clientSourceOf(userAgent: string | undefined): ClientSource {
  const ua = userAgent ?? '';
  if (/vscode/i.test(ua)) return 'vscode';
  if (/^Mozilla\//.test(ua)) return 'ui';
  return 'cli';
}
