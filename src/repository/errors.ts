// Errors that core and format code throw. They carry no HTTP status: each format's error writer maps them
// to its own wire shape (OCI errors, npm's, the REST API's), in one place.

/** The repository, package, tag or file does not exist. `what` names the kind for format mapping. */
export class NotFoundError extends Error {
  constructor(readonly what: 'repository' | 'name' | 'manifest' | 'blob' | 'upload' | 'asset', message: string) {
    super(message);
  }
}

/** A policy (write policy, online flag, quota) refuses the request. */
export class DeniedError extends Error {}

/** The request needs credentials it did not carry, or they are wrong. */
export class UnauthorizedError extends Error {}

/** Authenticated, but not allowed. */
export class ForbiddenError extends Error {}

/** The request is malformed; `code` is a format-level code such as DIGEST_INVALID. */
export class InvalidError extends Error {
  constructor(readonly code: string, message: string, readonly detail?: unknown) {
    super(message);
  }
}

/** This kind of repository cannot do that (e.g. push to a proxy). */
export class UnsupportedError extends Error {}

/** The request conflicts with the current state: the name is taken, or it would remove the last administrator. */
export class ConflictError extends Error {}

/** Too many attempts (failed logins): refused for `retryAfterSeconds` without looking at the request further. */
export class TooManyRequestsError extends Error {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}
