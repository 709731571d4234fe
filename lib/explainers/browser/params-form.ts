/**
 * Method parameters as the /explain page edits them: every value is a text field whose meaning
 * follows the type of the method's default (number, boolean, string, or JSON for arrays/objects).
 * Pure, so the conversion rules are tested without a browser. The explainer itself still validates
 * the values and names the parameter at fault (ExplainerError).
 */

export type ParamKind = 'number' | 'boolean' | 'string' | 'json';

export function paramKind(defaultValue: unknown): ParamKind {
  if (typeof defaultValue === 'number') return 'number';
  if (typeof defaultValue === 'boolean') return 'boolean';
  if (typeof defaultValue === 'string') return 'string';
  return 'json';
}

/** The text shown for a value in a field of `kind`. */
export function formatParam(value: unknown, kind: ParamKind): string {
  if (kind === 'string' && typeof value === 'string') return value;
  if (kind === 'number' && typeof value === 'number') return String(value);
  if (kind === 'boolean') return value === true ? 'true' : 'false';
  return JSON.stringify(value) ?? '';
}

export type ParsedParam = { ok: true; value: unknown } | { ok: false; reason: string };

/** The value of a field of `kind`; a reason when the text is not one. */
export function parseParam(text: string, kind: ParamKind): ParsedParam {
  switch (kind) {
    case 'string':
      return { ok: true, value: text };
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, reason: `must be true or false, got '${text}'` };
    case 'number': {
      const value = text.trim() === '' ? NaN : Number(text);
      return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: `must be a finite number, got '${text}'` };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (error) {
        return { ok: false, reason: `must be JSON (${error instanceof Error ? error.message : String(error)})` };
      }
  }
}

/** Field texts of a method: its defaults, overridden by a preset's values. */
export function paramTexts(defaults: Readonly<Record<string, unknown>>, preset: Readonly<Record<string, unknown>> = {}): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) {
    texts[key] = formatParam(key in preset ? preset[key] : value, paramKind(value));
  }
  return texts;
}

/**
 * Parameter values of a method from its field texts, or the first field in error
 * (`{field, reason}`), in the order of the defaults.
 */
export function paramValues(
  defaults: Readonly<Record<string, unknown>>,
  texts: Readonly<Record<string, string>>,
): { ok: true; values: Record<string, unknown> } | { ok: false; field: string; reason: string } {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults)) {
    const kind = paramKind(value);
    const parsed = parseParam(texts[key] ?? formatParam(value, kind), kind);
    if (!parsed.ok) return { ok: false, field: key, reason: parsed.reason };
    values[key] = parsed.value;
  }
  return { ok: true, values };
}
