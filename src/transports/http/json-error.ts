// Finds where a JSON text first goes wrong, for the 400 message on a malformed body. V8's own
// JSON.parse messages do not always carry a position (Node 20: `Unexpected token '}', ..."x": [}"
// is not valid JSON`), so this small scanner re-reads the text — only on the error path.

export interface JsonSyntaxProblem {
  /** Zero-based offset of the first offending character (the text length for a premature end). */
  position: number;
  line: number;
  column: number;
  problem: string;
}

class Stop extends Error {
  constructor(readonly position: number, readonly problem: string) {
    super(problem);
  }
}

function scan(text: string): void {
  let i = 0;
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++; };
  const fail = (problem?: string): never => {
    if (i >= text.length) throw new Stop(text.length, problem ?? 'unexpected end of input');
    throw new Stop(i, problem ?? `unexpected ${JSON.stringify(text[i])}`);
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character in string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('bad escape');
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '' || match[0] === '-') fail();
    i += match![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        string(); ws();
        if (text[i] !== ':') fail("expected ':' after property name");
        i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  value();
  ws();
  if (i < text.length) fail('unexpected data after the JSON value');
}

/** Locates the first syntax problem; undefined when the text is valid JSON or nests too deep to scan. */
export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  try {
    scan(text);
    return undefined;
  } catch (error) {
    // A stack overflow on absurd nesting: let the caller fall back to JSON.parse's own message.
    if (!(error instanceof Stop)) return undefined;
    const before = text.slice(0, error.position).split('\n');
    return { position: error.position, line: before.length, column: (before.at(-1)?.length ?? 0) + 1, problem: error.problem };
  }
}
