/**
 * Finds and evaluates a simple arithmetic expression (numbers, + - * /, parentheses) inside free text,
 * so the mock can answer "What is 12 * (3 + 4)?" with "84".
 */

// A run of expression characters that starts with a digit, `-` or `(` and ends with a digit or `)`.
const CANDIDATE = /-?[\d(][\d\s.+\-*/()]*[\d)]/g;
const MAX_DECIMALS = 10;

/** The value of the first arithmetic expression in `text` with at least one operator, if any. */
export function findArithmetic(text: string): number | undefined {
  for (const match of text.matchAll(CANDIDATE)) {
    const value = evaluate(balance(match[0]));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Formats a result the way a person would write it: integers plain, decimals trimmed. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(MAX_DECIMALS)));
}

// Drops parentheses that belong to the surrounding prose, e.g. "(about 2+2)" yields "2+2)".
function balance(candidate: string): string {
  let text = candidate;
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth++;
    else if (char === ')') depth--;
  }
  while (depth < 0 && text.endsWith(')')) {
    text = text.slice(0, -1).trimEnd();
    depth++;
  }
  while (depth > 0 && text.startsWith('(')) {
    text = text.slice(1).trimStart();
    depth--;
  }
  return text;
}

/** Evaluates `source`; undefined when it is not a complete expression with an operator or is not finite. */
export function evaluate(source: string): number | undefined {
  const parser = new Parser(source);
  const value = parser.expression();
  parser.skipSpace();
  if (value === undefined || !parser.atEnd() || parser.operators === 0 || !Number.isFinite(value)) {
    return undefined;
  }
  return value;
}

// Recursive descent: expression = term (('+'|'-') term)*; term = factor (('*'|'/') factor)*;
// factor = '-' factor | number | '(' expression ')'.
class Parser {
  operators = 0;
  private position = 0;

  constructor(private readonly source: string) {}

  atEnd(): boolean {
    return this.position >= this.source.length;
  }

  skipSpace(): void {
    while (isSpace(this.source.charCodeAt(this.position))) this.position++;
  }

  expression(): number | undefined {
    let left = this.term();
    while (left !== undefined) {
      this.skipSpace();
      const operator = this.peek();
      if (operator !== '+' && operator !== '-') break;
      this.position++;
      this.operators++;
      const right = this.term();
      if (right === undefined) return undefined;
      left = operator === '+' ? left + right : left - right;
    }
    return left;
  }

  private term(): number | undefined {
    let left = this.factor();
    while (left !== undefined) {
      this.skipSpace();
      const operator = this.peek();
      if (operator !== '*' && operator !== '/') break;
      this.position++;
      this.operators++;
      const right = this.factor();
      if (right === undefined) return undefined;
      left = operator === '*' ? left * right : left / right;
    }
    return left;
  }

  private factor(): number | undefined {
    this.skipSpace();
    const char = this.peek();
    if (char === '-') {
      this.position++;
      const value = this.factor();
      return value === undefined ? undefined : -value;
    }
    if (char === '(') {
      this.position++;
      const value = this.expression();
      this.skipSpace();
      if (this.peek() !== ')') return undefined;
      this.position++;
      return value;
    }
    return this.number();
  }

  private number(): number | undefined {
    const start = this.position;
    while (isDigit(this.source.charCodeAt(this.position))) this.position++;
    if (this.peek() === '.' && isDigit(this.source.charCodeAt(this.position + 1))) {
      this.position++;
      while (isDigit(this.source.charCodeAt(this.position))) this.position++;
    }
    return this.position === start ? undefined : Number(this.source.slice(start, this.position));
  }

  private peek(): string {
    return this.source.charAt(this.position);
  }
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160;
}
