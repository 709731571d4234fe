/**
 * A study's life (issue 7, "Open, pause, close"): draft → open ⇄ paused → closed. Pure rules; the
 * query layer applies them under the study's lock.
 *
 * - A draft is invisible to participants (its link answers 404); opening it publishes the link.
 * - Paused and closed links answer 409 (lib/studies: assertStudyOpen); a paused study may reopen,
 *   a closed one never does (its data are final), and a draft cannot be closed without ever
 *   having been open (delete the dataset's draft instead of archiving nothing).
 * - Setting the status a study already has is not a transition; the PATCH is a no-op.
 * - What participants agreed to and ran with (the StudyConfig and the consent text) is frozen once
 *   any session has started, withdrawn ones included, so every observer of a study saw the same
 *   study. Name, participant cap, completion code and redirect URL stay editable.
 */
export const STUDY_STATUSES = ['draft', 'open', 'paused', 'closed'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];

const NEXT: Readonly<Record<StudyStatus, readonly StudyStatus[]>> = {
  draft: ['open'],
  open: ['paused', 'closed'],
  paused: ['open', 'closed'],
  closed: [],
};

export function allowedTransitions(from: StudyStatus): readonly StudyStatus[] {
  return NEXT[from];
}

export function canTransition(from: StudyStatus, to: StudyStatus): boolean {
  return from === to || NEXT[from].includes(to);
}

/** Fields frozen once a session has started. */
export const FROZEN_AFTER_START = ['config', 'consentText'] as const;
