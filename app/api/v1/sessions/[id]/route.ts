import { getDb } from '@/db/client';
import { sessionConfig, sessionState, withdrawSession } from '@/db/queries/sessions';
import { SessionParams } from '@/lib/http/params';
import { answer, parseWith, sessionToken } from '@/lib/http/participant';
import { publicConfig } from '@/lib/studies/config';
import type { SessionStateResponse } from '@/lib/studies/contract';
import { presentTrial } from '@/lib/studies/present';

export const dynamic = 'force-dynamic';

/** Participant (token): the session's state, to resume after a reload. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    const state = await sessionState(await getDb(), id, sessionToken(req));
    const body: SessionStateResponse = {
      sessionId: state.session.id,
      status: state.session.status as SessionStateResponse['status'],
      modality: state.session.modality === 'mouse' ? 'mouse' : 'webcam',
      trials: state.trials.map((t) => presentTrial(id, t)),
      nextTrialPosition: state.nextTrialPosition,
      geometry: state.geometry,
      validations: state.validations,
      config: publicConfig(sessionConfig(state.session)),
    };
    return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
  });
}

/** Participant (token): withdraw — every datum of the session is deleted; affected maps are recomputed. */
export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    await withdrawSession(await getDb(), id, sessionToken(req));
    return new Response(null, { status: 204 });
  });
}
