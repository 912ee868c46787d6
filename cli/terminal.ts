import type { Finding } from '../shared/findings';
import { boundFinding } from '../shared/notify/bounded';
import { clip, unsafeCharacters } from '../shared/notify/safe-text';
import { renderFinding } from '../shared/render/text';
import type { Io } from './usage';

/**
 * Every character a terminal acts on instead of printing, as a visible
 * `\uXXXX`: C0 controls but tab and line feed (ESC starts `\e]0;…\a`
 * retitles and `\e[2J` clears; CR overwrites the line), DEL, C1 controls
 * (U+009B is CSI on its own) and bidi overrides. The same escape is valid JSON
 * inside a string, where JSON.stringify leaves C1 and bidi characters raw, so
 * one pass keeps `--json` lines parseable to the exact input.
 */
export function escapeControls(text: string): string {
  return text.replace(unsafeCharacters, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every line the CLI writes goes through `escapeControls`. */
export function terminalSafe(io: Io): Io {
  return { out: (line) => io.out(escapeControls(line)), err: (line) => io.err(escapeControls(line)), stdin: io.stdin };
}

const MAX_ECHO = 200;

/** Input echoed back (a header, a name in an error): cut, saying how long it was. */
export function echo(text: string): string {
  return text.length > MAX_ECHO ? `${clip(text, MAX_ECHO)} (${text.length} characters)` : text;
}

/** A finding for a person: each field bounded as in an alert, so one huge AWS string cannot flood the screen. */
export function renderForTerminal(finding: Finding): string {
  return renderFinding(boundFinding(finding));
}
