/** Tokenising chat text for the command parsers: whitespace, Slack `<…>` tokens, leading bot mentions. */

/** Verbs compare NFKC-folded and lower-cased: `CLAIM`, `ｃｌａｉｍ`, `？` all match. */
export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Zero-width characters chat clients leave around mentions. */
export const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
const WS = /\s/;
/** How far a `<…>` token may reach before it is taken as plain text. */
const MAX_BRACKET = 256;

function isWs(s: string, i: number): boolean {
  return WS.test(s.charAt(i));
}

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s, i)) i++;
  return i;
}

/** End of the whitespace-delimited word at `i`. */
export function wordEnd(s: string, i: number): number {
  while (i < s.length && !isWs(s, i)) i++;
  return i;
}

/** End of the token at `i`: a Slack `<…>` (which may hold spaces: `<@U1|Ann Lee>`) or a word. */
function tokenEnd(s: string, i: number): number {
  if (s.charAt(i) === '<') {
    const limit = Math.min(s.length, i + MAX_BRACKET);
    for (let j = i + 1; j < limit; j++) {
      const c = s.charAt(j);
      if (c === '>') return j + 1;
      if (c === '\n' || c === '<') break;
    }
  }
  return wordEnd(s, i);
}

/** The first token of `s` and everything after it (untrimmed). */
export function firstToken(s: string): { tok: string; rest: string } {
  const i = skipWs(s, 0);
  const end = tokenEnd(s, i);
  return { tok: s.slice(i, end), rest: s.slice(end) };
}

/** Index after the leading bot mentions (`@dutybot`, `＠机器人`, `<@UBOT>`, `<@UBOT|dutybot>`). */
export function skipMentions(s: string): number {
  let i = skipWs(s, 0);
  for (;;) {
    const c = s.charAt(i);
    if (c === '@' || c === '＠') {
      i = skipWs(s, wordEnd(s, i));
    } else if (c === '<' && s.charAt(i + 1) === '@') {
      const end = tokenEnd(s, i);
      if (s.charAt(end - 1) !== '>') return i;
      i = skipWs(s, end);
    } else {
      return i;
    }
  }
}

/** Tokens quoted in messages are cut, so a pasted novel does not come back whole. */
export function quote(s: string): string {
  const chars = Array.from(s.trim());
  return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : chars.join('');
}
