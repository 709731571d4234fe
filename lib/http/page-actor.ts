/** The viewer of a server-rendered page, from the request headers (cookie or bearer token). */
import { headers } from 'next/headers';
import type { Db } from '@/db/client';
import { type Actor, resolveActor } from '../auth/access';

export async function pageActor(db: Db): Promise<Actor> {
  return resolveActor(db, new Request('http://localhost/', { headers: new Headers(await headers()) }));
}
