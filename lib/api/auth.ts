/** Sign-up, sign-in, sign-out and the current session (app/api/v1/auth/**). */
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/auth/password';
import { defineRoute } from '@/lib/http/openapi';
import { NoContent } from './common';

const Email = z.email('must be an email address').max(254, 'at most 254 characters').meta({ description: 'compared case-insensitively' });

export const SignUpBody = z.object({
  email: Email,
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
  name: z.string().trim().max(100, 'at most 100 characters').default(''),
});

export const SignInBody = z.object({
  email: Email,
  password: z.string().min(1, 'required').max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
});

export const UserBody = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'researcher']),
});

export const SessionBody = z.object({
  user: UserBody,
  csrfToken: z.string().optional().meta({ description: 'send it back as X-CSRF-Token on cookie-authenticated mutations (absent for API tokens)' }),
  via: z.enum(['cookie', 'token']),
  scopes: z.array(z.enum(['read', 'write'])),
});

const rateLimited = { description: 'too many attempts (Retry-After header)' };

export const signUp = defineRoute({
  method: 'POST', path: '/api/v1/auth/signup', tags: ['accounts'], auth: 'none',
  summary: 'Create a researcher account and sign in (sets the gb_session cookie)',
  body: { kind: 'json', schema: SignUpBody },
  responses: { 201: { description: 'account created, signed in', schema: SessionBody }, 403: { description: 'sign-up is closed, or cross-site request' }, 409: { description: 'email already registered' }, 429: rateLimited },
});

export const signIn = defineRoute({
  method: 'POST', path: '/api/v1/auth/signin', tags: ['accounts'], auth: 'none',
  summary: 'Sign in with email and password (sets the gb_session cookie)',
  body: { kind: 'json', schema: SignInBody },
  responses: { 200: { description: 'signed in', schema: SessionBody }, 401: { description: 'wrong email or password' }, 429: rateLimited },
});

export const signOut = defineRoute({
  method: 'POST', path: '/api/v1/auth/signout', tags: ['accounts'], auth: 'session',
  summary: 'End the browser session (clears the cookie)',
  responses: { 204: NoContent },
});

export const session = defineRoute({
  method: 'GET', path: '/api/v1/auth/session', tags: ['accounts'], auth: 'signed-in',
  summary: 'Who am I: the signed-in user, and the CSRF token of a cookie session',
  responses: { 200: { description: 'the caller', schema: SessionBody } },
});
