import { defineConfig } from 'drizzle-kit';

// One schema, one migrations folder, for the embedded and any external PostgreSQL.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
