/**
 * The pure rule that decides how the body of a notebook cell is highlighted: a cell whose
 * first non-blank line is an `%%islo_exec` magic has a shell body (Python with `--python`).
 *
 * It mirrors IPython's own input transforms: leading blank lines are dropped and common
 * indentation is removed before IPython looks for a `%%` cell magic on the first line.
 */

/** The cell magic this extension makes first-class. */
export const ISLO_EXEC_MAGIC = '%%islo_exec';

/** The language a `%%islo_exec` body is highlighted as. */
export type BodyLanguage = 'shell' | 'python';

/** Where the body of an `%%islo_exec` cell starts, and which language it is in. */
export interface IMagicBody {
  /** Language of the lines after the magic line. */
  readonly language: BodyLanguage;
  /** Offset of the first character after the magic line (its line break included). */
  readonly from: number;
}

// argparse accepts unambiguous prefixes of long options, so `--py` already means `--python`.
const PYTHON_FLAG = /^--py(?:t(?:h(?:on?)?)?)?$/;

/**
 * Find the body of an `%%islo_exec` cell in `text`, or null when the cell is not one.
 *
 * Only the first non-blank line counts: a cell that mentions the magic later, in a
 * comment or a string, is ordinary Python.
 */
export function findIsloExecBody(text: string): IMagicBody | null {
  // A fresh regex per call: a shared global one would carry lastIndex between calls.
  const lineBreak = /\r\n|\r|\n/g;
  let lineStart = 0;
  for (;;) {
    const match = lineBreak.exec(text);
    const lineEnd = match ? match.index : text.length;
    const bodyStart = match ? match.index + match[0].length : text.length;
    const line = text.slice(lineStart, lineEnd).trim();
    if (line !== '') {
      const language = getMagicLineLanguage(line);
      return language === null ? null : { language, from: bodyStart };
    }
    if (!match) {
      return null;
    }
    lineStart = bodyStart;
  }
}

/** The body language of `text` if it is an `%%islo_exec` cell: 'shell', 'python' or null. */
export function getBodyLanguage(text: string): BodyLanguage | null {
  return findIsloExecBody(text)?.language ?? null;
}

/** The body language named by a trimmed first line, or null if it is not our magic. */
function getMagicLineLanguage(line: string): BodyLanguage | null {
  if (!line.startsWith(ISLO_EXEC_MAGIC)) {
    return null;
  }
  const rest = line.slice(ISLO_EXEC_MAGIC.length);
  // `%%islo_execute` is another magic: ours must end the word.
  if (rest !== '' && !/^\s/.test(rest)) {
    return null;
  }
  const options = rest.trim().split(/\s+/);
  return options.some(option => PYTHON_FLAG.test(option)) ? 'python' : 'shell';
}
