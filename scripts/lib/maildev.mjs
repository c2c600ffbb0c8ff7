// MailDev, the local mail catcher that receives every email the services send (OTP codes…).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, MAILDEV, STACK_DIR, WAIT } from './config.mjs';
import { ok, StackError } from './log.mjs';
import { httpStatus, isListening, pollUntil } from './net.mjs';
import { tailText } from './procs.mjs';

/** Reuses whatever listens on the SMTP port already; otherwise starts MailDev and waits for its web UI. */
export async function ensureMailDev(group) {
  const { smtpPort, webPort } = MAILDEV;
  if (await isListening(smtpPort)) {
    ok(`mail: something already listens on 127.0.0.1:${smtpPort}; using it`);
    return;
  }
  const mailDir = join(STACK_DIR, 'maildev');
  mkdirSync(mailDir, { recursive: true });
  const handle = group.spawn('maildev', BIN('maildev'), [
    '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--mail-directory', mailDir,
  ]);
  const { reason } = await pollUntil(async () => (await httpStatus(`http://127.0.0.1:${webPort}/email`)) === 200, {
    timeoutMs: WAIT.infraMs,
    abort: () => (handle.exited ? `it exited (${handle.exited})` : null),
  });
  if (reason) throw new StackError(`MailDev did not start (smtp ${smtpPort}, web ${webPort}): ${reason}\n${tailText(handle)}`);
  ok(`MailDev: smtp 127.0.0.1:${smtpPort}, web http://localhost:${webPort}`);
}
