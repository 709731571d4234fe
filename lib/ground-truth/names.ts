/**
 * Matching file names and CSV cells to a dataset's images. A key matches an image when it equals
 * the image's name ("circle-000.png") or its name without extension ("circle-000"); a map file
 * "circle-000.npy" or "circle-000.png.npy" is the key without its own extension. Only the last
 * path component counts (zip entries, folders). A stem shared by two images is ambiguous and
 * matches neither.
 */
export interface NamedImage {
  readonly id: string;
  readonly name: string;
}

const stem = (name: string): string => name.replace(/\.[^./]+$/, '');

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function imageMatcher<T extends NamedImage>(images: readonly T[]): (key: string) => T | undefined {
  const exact = new Map(images.map((i) => [i.name, i]));
  const stems = new Map<string, T | null>();
  for (const i of images) stems.set(stem(i.name), stems.has(stem(i.name)) ? null : i);
  return (key) => exact.get(key) ?? stems.get(key) ?? stems.get(stem(key)) ?? undefined;
}

/** The image a map file is for: its base name without the map extension (.npy, .png). */
export function imageForFile<T extends NamedImage>(match: (key: string) => T | undefined, fileName: string): T | undefined {
  const base = baseName(fileName);
  return match(base.replace(/\.(npy|png)$/i, ''));
}
