/** JSON pointers (RFC 6901) and the map from a normalized object's pointers back to its source's. */

export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function join(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${escapeToken(t)}`).join('');
}

/**
 * Records, while a source is normalized, where each normalized node came
 * from. A pointer that was not recorded maps to its nearest recorded
 * ancestor, followed by the rest of the path in the source's own spelling
 * when the source has one (a field the template leaves out: where to add it),
 * or by nothing (a field inside a value parsed from a string).
 */
export class SourcePointers {
  private readonly map = new Map<string, string>();

  constructor(
    root: string,
    private readonly spell?: (token: string) => string,
  ) {
    this.map.set('', root);
  }

  record(normalized: string, source: string): void {
    this.map.set(normalized, source);
  }

  pointerOf = (path: string): string => {
    let current = path;
    for (;;) {
      const found = this.map.get(current);
      if (found !== undefined) {
        const rest = path.slice(current.length);
        return this.spell && rest ? found + rest.split('/').slice(1).map(this.spell).map((t) => `/${t}`).join('') : found;
      }
      const cut = current.lastIndexOf('/');
      if (cut < 0) return this.map.get('') as string;
      current = current.slice(0, cut);
    }
  };
}

/** Copies a JSON tree as is, recording every node's pointer at `source` (the identity map for ECS's own JSON). */
export function identity(root: string): (path: string) => string {
  return (path) => root + path;
}
