// Log redaction: pino paths whose values are censored before any line is written. A second line of defence
// behind "never log a secret": nothing logs request headers or credentials today, and this keeps it so if
// someone logs a request's headers or a configuration object later.
import type { LoggerOptions } from 'pino';

export const LOG_REDACT: NonNullable<LoggerOptions['redact']> = {
  paths: [
    'req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]', 'req.headers["x-api-key"]',
    'headers.authorization', 'headers.cookie', 'headers["proxy-authorization"]', 'authorization',
    'password', '*.password', '*.*.password', 'bindPassword', '*.bindPassword', '*.*.bindPassword',
    'secret', '*.secret', 'token', '*.token', 'access_token', '*.access_token',
  ],
  censor: '[redacted]',
};
