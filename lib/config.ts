/**
 * Server configuration from the environment, validated once. Every setting has
 * a default that works on a fresh clone: the embedded PostgreSQL under `.data/postgres`.
 */
import path from 'node:path';
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  GAZEBENCH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  GAZEBENCH_WORKER: z.enum(['0', '1']).default('1'),
  WEB_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  // Read by the evaluation job (lib/scoring/curve-check.ts); checked here so a bad value stops start-up.
  GAZEBENCH_CURVE_SAMPLES: z.string().regex(/^\d*$/, 'must be a non-negative integer (0 = recompute browser curves in full)').optional(),
});

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  secret: string | undefined;
  inProcessWorker: boolean;
  /** HTTP server processes of `npm start` (node:cluster, one shared port), on either database. */
  webProcesses: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    secret: e.GAZEBENCH_SECRET,
    inProcessWorker: e.GAZEBENCH_WORKER === '1',
    webProcesses: e.WEB_PROCESSES,
  };
}
