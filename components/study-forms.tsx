'use client';
/**
 * The study creation form (POST /api/v1/studies). The server validates everything with the same
 * zod schema as the API; this form only collects values and shows the server's field errors next
 * to their fields (`config.viewingMs` under "Viewing time"). Empty numeric fields are omitted, so
 * the StudyConfig defaults apply.
 */
import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, apiJson, errorText } from './api-client';

const input = 'w-full rounded border border-stone-300 px-3 py-2';

export interface DatasetChoice {
  id: string;
  slug: string;
  name: string;
  imageCount: number;
}

export const DEFAULT_CONSENT =
  'You are invited to take part in a study of where people look in images. Your webcam is used in your browser to estimate where you look; ' +
  'no video or image of you leaves your computer, only gaze coordinates. Taking part is voluntary and you may stop at any time, ' +
  'which deletes your data. By continuing you agree to take part.';

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'error', errorText(e)));

function Field({ label, field, error, hint, children }: { label: string; field: string; error: ApiError | null; hint?: string; children: ReactNode }) {
  return (
    <label className="block space-y-1">
      <span className="text-sm font-medium">{label}</span>
      {children}
      {hint ? <span className="block text-xs text-stone-600">{hint}</span> : null}
      {error && error.field === field ? (
        <p className="text-sm text-red-700" role="alert" data-testid={`error-${field}`}>
          {error.message}
        </p>
      ) : null}
    </label>
  );
}

/** Fields whose errors have a place in the form; any other error is shown at the bottom. */
const PLACED = new Set([
  'name', 'slug', 'datasetId', 'consentText', 'participantCap', 'completionCode', 'redirectUrl', 'config',
  'config.imagesPerParticipant', 'config.observersPerImage', 'config.viewingMs', 'config.fixationCross', 'config.calibrationPoints',
  'config.validationThresholdDeg', 'config.driftEvery', 'config.attentionChecks.every', 'config.modality',
]);

function numberOrUndefined(form: FormData, key: string): number | undefined {
  const raw = String(form.get(key) ?? '').trim();
  return raw === '' ? undefined : Number(raw);
}

function textOrNull(form: FormData, key: string): string | null {
  const raw = String(form.get(key) ?? '').trim();
  return raw === '' ? null : raw;
}

export function StudyCreateForm({ datasets, preselect }: { datasets: DatasetChoice[]; preselect?: string }) {
  const router = useRouter();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const attention = numberOrUndefined(form, 'attentionEvery');
    const config: Record<string, unknown> = {
      imagesPerParticipant: numberOrUndefined(form, 'imagesPerParticipant'),
      observersPerImage: numberOrUndefined(form, 'observersPerImage'),
      viewingMs: numberOrUndefined(form, 'viewingMs'),
      fixationCross: form.get('fixationCross'),
      calibrationPoints: Number(form.get('calibrationPoints')),
      validationThresholdDeg: numberOrUndefined(form, 'validationThresholdDeg'),
      driftEvery: numberOrUndefined(form, 'driftEvery'),
      ...(attention === undefined ? {} : { attentionChecks: { every: attention } }),
      modality: form.get('modality'),
    };
    const slug = textOrNull(form, 'slug');
    setBusy(true);
    setError(null);
    try {
      const created = await apiJson<{ slug: string }>('/api/v1/studies', {
        json: {
          name: String(form.get('name') ?? ''),
          ...(slug ? { slug } : {}),
          datasetId: String(form.get('datasetId') ?? ''),
          consentText: String(form.get('consentText') ?? ''),
          participantCap: numberOrUndefined(form, 'participantCap') ?? null,
          completionCode: textOrNull(form, 'completionCode'),
          redirectUrl: textOrNull(form, 'redirectUrl'),
          config: Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined && v !== null)),
        },
      });
      router.push(`/workspace/studies/${created.slug}`);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  }

  if (datasets.length === 0) {
    return <p className="text-stone-700">Create a dataset with images first: a study shows a dataset&apos;s images to participants.</p>;
  }
  return (
    <form onSubmit={submit} className="max-w-2xl space-y-6" noValidate>
      <fieldset className="space-y-4">
        <legend className="text-lg font-semibold">Study</legend>
        <Field label="Study name" field="name" error={error}>
          <input name="name" required className={input} />
        </Field>
        <Field label="Dataset" field="datasetId" error={error}>
          <select name="datasetId" defaultValue={datasets.find((d) => d.slug === preselect)?.id ?? datasets[0]?.id} className={input}>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.imageCount} images)
              </option>
            ))}
          </select>
        </Field>
        <Field label="Link name (optional)" field="slug" error={error} hint="The study link is /s/<link name>. Leave it empty for a random, unguessable one.">
          <input name="slug" className={input} placeholder="random" />
        </Field>
        <Field label="Consent text" field="consentText" error={error} hint="Shown first; participants must agree before anything else happens.">
          <textarea name="consentText" rows={5} defaultValue={DEFAULT_CONSENT} className={input} />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="text-lg font-semibold">Trials</legend>
        <Field label="Images per participant" field="config.imagesPerParticipant" error={error} hint="Default 20; at most the dataset's image count.">
          <input name="imagesPerParticipant" type="number" min={1} defaultValue={20} className={input} />
        </Field>
        <Field label="Observers per image (target)" field="config.observersPerImage" error={error} hint="Images are assigned balanced, fewest observers first, until each reaches this.">
          <input name="observersPerImage" type="number" min={1} defaultValue={15} className={input} />
        </Field>
        <Field label="Viewing time (ms)" field="config.viewingMs" error={error} hint="500–30000; 3000 as in MexCulture142.">
          <input name="viewingMs" type="number" min={500} step={100} defaultValue={3000} className={input} />
        </Field>
        <Field label="Fixation cross" field="config.fixationCross" error={error}>
          <select name="fixationCross" defaultValue="centre" className={input}>
            <option value="centre">centre of the screen</option>
            <option value="random">random position</option>
          </select>
        </Field>
        <Field label="Modality" field="config.modality" error={error}>
          <select name="modality" defaultValue="webcam" className={input}>
            <option value="webcam">webcam</option>
            <option value="mouse">mouse (sharp window around the cursor)</option>
            <option value="both">both (webcam, mouse when the webcam fails)</option>
          </select>
        </Field>
        <Field label="Attention check every N images" field="config.attentionChecks.every" error={error} hint="0 = none.">
          <input name="attentionEvery" type="number" min={0} defaultValue={0} className={input} />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="text-lg font-semibold">Calibration</legend>
        <Field label="Calibration points" field="config.calibrationPoints" error={error}>
          <select name="calibrationPoints" defaultValue="9" className={input}>
            <option value="9">9</option>
            <option value="13">13</option>
          </select>
        </Field>
        <Field label="Validation threshold (degrees)" field="config.validationThresholdDeg" error={error} hint="Recalibrate when accuracy is worse; WebGazer typically reaches about 4°.">
          <input name="validationThresholdDeg" type="number" min={0.1} step={0.1} defaultValue={4} className={input} />
        </Field>
        <Field label="Drift check every N images" field="config.driftEvery" error={error} hint="0 = none.">
          <input name="driftEvery" type="number" min={0} defaultValue={5} className={input} />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 sm:grid-cols-2">
        <legend className="text-lg font-semibold">Recruitment</legend>
        <Field label="Participant cap" field="participantCap" error={error} hint="Empty: no cap (the study still fills when every image has its observers).">
          <input name="participantCap" type="number" min={1} className={input} />
        </Field>
        <Field label="Completion code" field="completionCode" error={error} hint="Shown at the end, e.g. your Prolific completion code.">
          <input name="completionCode" className={input} />
        </Field>
        <Field label="Redirect URL" field="redirectUrl" error={error} hint="Where participants go at the end, e.g. https://app.prolific.com/submissions/complete?cc=…">
          <input name="redirectUrl" className={input} />
        </Field>
      </fieldset>

      {error && !PLACED.has(error.field ?? '') ? (
        <p className="text-sm text-red-700" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {error && error.field === 'config' ? (
        <p className="text-sm text-red-700" role="alert">
          {error.message}
        </p>
      ) : null}
      <button type="submit" disabled={busy} className="rounded bg-stone-900 px-4 py-2 text-white disabled:opacity-50">
        Create study
      </button>
    </form>
  );
}
