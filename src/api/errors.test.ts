import { describe, expect, it } from 'vitest';
import {
  ConflictError, DeniedError, ForbiddenError, InvalidError, NotFoundError, TooManyRequestsError, UnauthorizedError, UnsupportedError,
} from '../repository/errors.js';
import { toApiError } from './errors.js';

describe('toApiError', () => {
  it('maps each domain error class to its status', () => {
    expect(toApiError(new InvalidError('X', 'bad', [{ field: 'f' }]))).toEqual({ status: 400, message: 'bad', details: [{ field: 'f' }] });
    expect(toApiError(new UnauthorizedError('who?')).status).toBe(401);
    expect(toApiError(new ForbiddenError('no')).status).toBe(403);
    expect(toApiError(new DeniedError('policy')).status).toBe(403);
    expect(toApiError(new NotFoundError('name', 'none')).status).toBe(404);
    expect(toApiError(new UnsupportedError('cannot')).status).toBe(405);
    expect(toApiError(new ConflictError('taken')).status).toBe(409);
    expect(toApiError(new TooManyRequestsError('slow down', 30)).status).toBe(429);
  });

  it('names the failing fields of a validation error', () => {
    const err = Object.assign(new Error('body/roles/0 must be string'), {
      statusCode: 400, validationContext: 'body',
      validation: [{ instancePath: '/roles/0', keyword: 'type', params: {}, message: 'must be string' }],
    });
    expect(toApiError(err)).toEqual({ status: 400, message: 'body/roles/0 must be string', details: [{ field: 'roles.0', in: 'body', message: 'must be string' }] });
    const missing = Object.assign(new Error('querystring must have required property \'q\''), {
      validationContext: 'querystring', validation: [{ instancePath: '', keyword: 'required', params: { missingProperty: 'q' }, message: 'x' }],
    });
    expect(toApiError(missing).details).toEqual([{ field: 'q', in: 'querystring', message: 'x' }]);
  });

  it('keeps Fastify\'s client error statuses; anything else is a 500 without its text', () => {
    expect(toApiError(Object.assign(new Error('too large'), { statusCode: 413 }))).toEqual({ status: 413, message: 'too large' });
    expect(toApiError(new Error('SQLITE_BUSY at /secret/path'))).toEqual({ status: 500, message: 'internal server error' });
    expect(toApiError(undefined).status).toBe(500);
  });
});
