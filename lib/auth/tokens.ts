/**
 * Secrets handed to browsers and API clients. Each is 32 random bytes (256 bits) in base64url;
 * only its SHA-256 is stored (auth_sessions.token_hash, api_tokens.token_hash), except the CSRF
 * token, which is not a credential on its own (it is useless without the session cookie).
 *
 * API tokens read `gzb_` + 43 base64url characters, so that secret scanners and people can tell
 * them apart from other secrets; lists show their first 12 characters ("gzb_AbCdEfGh").
 */
import { randomBytes } from 'node:crypto';
import { API_TOKEN_PREFIX } from './access';

const SECRET_BYTES = 32;
export const API_TOKEN_PATTERN = /^gzb_[A-Za-z0-9_-]{43}$/;
/** Characters of a token shown in lists. */
export const API_TOKEN_DISPLAY_LENGTH = 12;

function secret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function newSessionToken(): string {
  return secret();
}

export function newCsrfToken(): string {
  return secret();
}

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${secret()}`;
}

export function isApiTokenFormat(token: string): boolean {
  return API_TOKEN_PATTERN.test(token);
}

export function apiTokenPrefix(token: string): string {
  return token.slice(0, API_TOKEN_DISPLAY_LENGTH);
}
