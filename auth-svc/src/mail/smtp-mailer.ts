import nodemailer, { Transporter } from 'nodemailer';
import type { Mailer } from '../domain/ports';

export interface SmtpSettings { host: string; port: number; secure: boolean; user?: string; password?: string; from: string }

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(private readonly s: SmtpSettings) {
    this.transport = nodemailer.createTransport({
      host: s.host, port: s.port, secure: s.secure,
      auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
      connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10_000,
    });
  }

  async sendOtp(to: string, username: string, code: string, ttlMin: number): Promise<void> {
    await this.transport.sendMail({
      from: this.s.from,
      to,
      subject: `Your WebXTerm login code: ${code}`,
      text: `Hello ${username},\n\nYour WebXTerm login code is ${code}.\nIt expires in ${ttlMin} minutes and works once.\n\n`
        + 'If you did not try to log in, change your password: someone knows it.\n',
    });
  }

  async sendInvitation(to: string, username: string, organizationName: string, invitedBy: string): Promise<void> {
    await this.transport.sendMail({
      from: this.s.from,
      to,
      subject: `You are invited to ${organizationName} on WebXTerm`,
      text: `Hello ${username},\n\n${invitedBy} invited you to the organization "${organizationName}" on WebXTerm.\n`
        + 'Log in as usual and accept or decline the invitation under your invitations (GET /api/users/me/invitations).\n'
        + 'Until you accept, that organization does not see your name and you do not appear in it.\n',
    });
  }

  close(): void {
    this.transport.close();
  }
}
