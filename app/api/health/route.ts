import { getDbHandle } from '@/db/client';
import { appliedMigrationCount, committedMigrations } from '@/db/migrate';
import { VERSION } from '@/lib/version';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    const handle = await getDbHandle();
    const applied = await appliedMigrationCount(handle);
    const committed = committedMigrations().length;
    return Response.json({
      status: applied === committed ? 'ok' : 'degraded',
      db: handle.location,
      version: VERSION,
      migrations: { applied, committed },
    });
  } catch (err) {
    return Response.json(
      { status: 'error', detail: err instanceof Error ? err.message : String(err), version: VERSION },
      { status: 503 },
    );
  }
}
