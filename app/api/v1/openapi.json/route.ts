import { apiDocument } from '@/lib/api/document';

export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(apiDocument(), { headers: { 'Cache-Control': 'public, max-age=300' } });
}
