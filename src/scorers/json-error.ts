/**
 * Finds where a JSON text goes wrong. `JSON.parse` decides validity; its messages are not enough
 * for a report because V8 gives a position for some errors and quotes the input for others. This
 * small recursive-descent checker runs only after `JSON.parse` has failed.
 */

export interface JsonSyntaxProblem {
  /** Offset of the offending character in the text. */
  offset: number;
  message: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const SIMPLE_ESCAPES = '"\\/bfnrt';

class Problem extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** The first syntax problem in `text`, or `undefined` when it is valid JSON. */
export function findJsonProblem(text: string): JsonSyntaxProblem | undefined {
  let index = 0;

  const describe = (at: number): string => {
    const code = text.codePointAt(at);
    return code === undefined ? 'end of input' : JSON.stringify(String.fromCodePoint(code));
  };
  const skipWhitespace = () => {
    let char = text[index];
    while (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index += 1;
      char = text[index];
    }
  };

  const parseString = () => {
    const start = index;
    index += 1;
    for (;;) {
      const char = text[index];
      if (char === undefined) throw new Problem(start, 'unterminated string');
      if (char === '"') {
        index += 1;
        return;
      }
      if (char === '\\') {
        const escaped = text[index + 1];
        if (escaped !== undefined && SIMPLE_ESCAPES.includes(escaped)) {
          index += 2;
          continue;
        }
        HEX4.lastIndex = index + 2;
        if (escaped === 'u' && HEX4.test(text)) {
          index += 6;
          continue;
        }
        throw new Problem(index, 'bad escape sequence in string');
      }
      if (char.charCodeAt(0) < 0x20) throw new Problem(index, 'unescaped control character in string');
      index += 1;
    }
  };

  const parseValue = (): void => {
    skipWhitespace();
    const char = text[index];
    if (char === '{') {
      parseContainer('}', true);
    } else if (char === '[') {
      parseContainer(']', false);
    } else if (char === '"') {
      parseString();
    } else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      NUMBER.lastIndex = index;
      if (!NUMBER.test(text)) throw new Problem(index, 'invalid number');
      index = NUMBER.lastIndex;
    } else {
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, index));
      if (literal === undefined) throw new Problem(index, `unexpected ${describe(index)}`);
      index += literal.length;
    }
  };

  const parseContainer = (close: string, isObject: boolean): void => {
    index += 1;
    skipWhitespace();
    if (text[index] === close) {
      index += 1;
      return;
    }
    for (;;) {
      if (isObject) {
        skipWhitespace();
        if (text[index] !== '"')
          throw new Problem(index, `expected a property name in double quotes, found ${describe(index)}`);
        parseString();
        skipWhitespace();
        if (text[index] !== ':')
          throw new Problem(index, `expected ":" after the property name, found ${describe(index)}`);
        index += 1;
      }
      parseValue();
      skipWhitespace();
      if (text[index] === ',') {
        index += 1;
        continue;
      }
      if (text[index] === close) {
        index += 1;
        return;
      }
      throw new Problem(index, `expected "," or "${close}", found ${describe(index)}`);
    }
  };

  try {
    parseValue();
    skipWhitespace();
    if (index < text.length) throw new Problem(index, `unexpected ${describe(index)} after the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof Problem) return { offset: error.offset, message: error.message };
    throw error;
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
