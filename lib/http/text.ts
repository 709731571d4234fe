/**
 * The one text rule of every API edge (docs/architecture.md, "Text"): a string may not contain C0
 * control characters (U+0000–U+001F) other than tab, line feed and carriage return. Such input is
 * refused with 400 naming the field, never stripped: PostgreSQL cannot store U+0000 in text at
 * all, and the other controls are never typed by people, so they are either an attack or a bug of
 * the client, which it should hear about. Checked on parsed JSON bodies, path parameters, query
 * strings and multipart fields (lib/http/errors.ts, lib/http/participant.ts, lib/http/multipart.ts).
 */

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export interface ControlCharacter {
  /** Where it was: the field path (`name`, `images.3.label`); empty at the top level. */
  readonly path: string;
  /** The first forbidden character as U+XXXX. */
  readonly char: string;
}

function codeOf(text: string): string | null {
  const m = FORBIDDEN.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/**
 * The first forbidden control character in a value (strings, object keys and values, array
 * items, to any depth), or null. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findControlCharacter(value: unknown): ControlCharacter | null {
  // Paths as parent links, joined only for the one that is reported: copying the path at every
  // level would make a body nested n deep cost n² (a 100,000-deep array took minutes).
  interface Node { readonly key: string | number; readonly parent: Node | null }
  const join = (node: Node | null, last?: string): string => {
    const keys: (string | number)[] = last === undefined ? [] : [last];
    for (let n = node; n; n = n.parent) keys.push(n.key);
    return keys.reverse().join('.');
  };
  const stack: { value: unknown; at: Node | null }[] = [{ value, at: null }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; at: Node | null };
    const v = item.value;
    if (typeof v === 'string') {
      const char = codeOf(v);
      if (char) return { path: join(item.at), char };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], at: { key: i, parent: item.at } });
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i] as [string, unknown];
        const char = codeOf(key);
        if (char) return { path: join(item.at, key), char };
        stack.push({ value: inner, at: { key, parent: item.at } });
      }
    }
  }
  return null;
}

/** The detail of the 400 for a control character. */
export function controlCharacterDetail(found: ControlCharacter): string {
  return `contains the control character ${found.char}; text may not contain control characters other than tab, line feed and carriage return`;
}
