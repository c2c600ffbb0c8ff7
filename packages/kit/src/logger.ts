import pino, { Logger } from 'pino';

export type { Logger };

/** JSON logs; credentials, tokens and terminal input never reach them. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: [
        'req.headers.authorization', 'req.headers["x-access-token"]', 'req.headers.cookie',
        '*.password', '*.token', '*.otp_code', '*.session_token', '*.api_key', 'password', 'token',
      ],
      censor: '[redacted]',
    },
  });
}
