import type { Metadata } from 'next';
import { parseStudyLink } from '@/lib/gaze/client/study-link';
import { ParticipantFlow } from './participant-flow';

export const metadata: Metadata = {
  title: 'Study',
  robots: { index: false, follow: false },
  referrer: 'no-referrer',
};

/**
 * Participant study link /s/<slug>[?PROLIFIC_PID=…&STUDY_ID=…&SESSION_ID=… | ?workerId=…&assignmentId=…&hitId=…].
 * Everything after the link parameters happens in the browser (./participant-flow.tsx) against
 * the participant API.
 */
export default async function StudyPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { slug } = await params;
  const link = parseStudyLink(await searchParams);
  return <ParticipantFlow slug={slug} link={link} />;
}
