/**
 * Class labels of uploaded images.
 *
 * - `prefix`: the file name says it, as in MexCulture142 and the course's Lab-6 code —
 *   "<class>_<n>.<ext>" → "<class>": everything before the LAST "_<digits>" (or "-<digits>", as the
 *   demo's "circle-007.png") ahead of the extension, so multi-word classes keep their underscores
 *   ("Palacio_de_Bellas_Artes_0012.jpg" → "Palacio_de_Bellas_Artes"). No such suffix → no label.
 * - `folder`: the first folder of the path inside a zip ("cats/001.jpg" → "cats").
 * - `none`: no labels. Explicit per-image labels (a JSON map name → label) override any mode.
 */
export const LABEL_MODES = ['prefix', 'folder', 'none'] as const;
export type LabelMode = (typeof LABEL_MODES)[number];

export const MAX_LABEL_LENGTH = 100;

/** Greedy class, so the split happens at the last separator before the digits. */
const PREFIX_PATTERN = /^(.+)[_-]\d+\.[A-Za-z0-9]+$/;

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export function labelFromPrefix(name: string): string | null {
  const m = PREFIX_PATTERN.exec(baseName(name));
  if (!m) return null;
  const label = (m[1] ?? '').trim();
  return label === '' || label.length > MAX_LABEL_LENGTH ? null : label;
}

export function labelFromFolder(name: string): string | null {
  const slash = name.indexOf('/');
  if (slash <= 0) return null;
  const label = name.slice(0, slash).trim();
  return label === '' || label.length > MAX_LABEL_LENGTH ? null : label;
}

export function labelFor(name: string, mode: LabelMode, explicit?: Readonly<Record<string, string | null>>): string | null {
  if (explicit && Object.hasOwn(explicit, name)) return explicit[name] ?? null;
  if (mode === 'prefix') return labelFromPrefix(name);
  if (mode === 'folder') return labelFromFolder(name);
  return null;
}
