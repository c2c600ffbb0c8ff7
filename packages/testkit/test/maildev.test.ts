import nodemailer from 'nodemailer';
import { startMailDev, uniqueName, type MailDev } from '../src';

let mail: MailDev;
beforeAll(async () => { mail = await startMailDev(); });
afterAll(async () => { await mail?.stop(); });

test('a mail sent over SMTP is read back by recipient', async () => {
  const to = `${uniqueName('rcpt')}@example.com`;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: mail.smtpPort, secure: false, ignoreTLS: true });
  await transport.sendMail({ from: 'WebXTerm <no-reply@webxterm.local>', to: `Someone <${to.toUpperCase()}>`, subject: 'Your login code', text: 'Code: 123456' });

  const received = await mail.waitForMail(to, (m) => m.subject === 'Your login code');

  expect(received).toMatchObject({ subject: 'Your login code', from: 'no-reply@webxterm.local', to: [to] });
  expect(received.text).toContain('123456');
  expect(await mail.messagesTo('nobody@example.com')).toEqual([]);
});

test('waitForMail gives up after its timeout', async () => {
  await expect(mail.waitForMail('never@example.com', undefined, 300)).rejects.toThrow('timed out after 300 ms waiting for a matching mail for never@example.com');
});
