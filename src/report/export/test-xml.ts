/** A strict little XML parser for tests: it throws on anything a real parser would reject. */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${at}: ${JSON.stringify(source.slice(at, at + 40))}`);
  };
  for (const char of source) {
    const code = char.codePointAt(0) ?? 0;
    if ((code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) || code === 0xfffe || code === 0xffff) {
      fail(`forbidden character U+${code.toString(16)}`);
    }
  }
  const skipSpace = (): void => {
    while (at < source.length && /\s/.test(source[at] ?? '')) at++;
  };
  const readName = (): string => {
    NAME.lastIndex = at;
    const match = NAME.exec(source);
    if (!match) return fail('expected a name');
    at += match[0].length;
    return match[0];
  };
  const decode = (raw: string): string => {
    if (raw.includes('<')) fail('raw < in text');
    return raw.replace(/&([^;]*);?/g, (entity, body: string) => {
      if (!entity.endsWith(';')) return fail(`bad entity ${entity}`);
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (body in named) return named[body] ?? '';
      if (/^#\d+$/.test(body)) return String.fromCodePoint(Number(body.slice(1)));
      if (/^#x[0-9a-f]+$/i.test(body)) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
      return fail(`unknown entity ${entity}`);
    });
  };

  if (source.startsWith('<?xml')) {
    at = source.indexOf('?>') + 2;
    if (at < 2) fail('unterminated declaration');
  }
  const parseElement = (): XmlElement => {
    if (source[at] !== '<') fail('expected <');
    at++;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', at)) {
        at += 2;
        return element;
      }
      if (source[at] === '>') break;
      const name = readName();
      if (source[at] !== '=' || source[at + 1] !== '"') fail('expected ="');
      const end = source.indexOf('"', at + 2);
      if (end < 0) fail('unterminated attribute');
      if (name in element.attributes) fail(`duplicate attribute ${name}`);
      element.attributes[name] = decode(source.slice(at + 2, end));
      at = end + 1;
    }
    at++;
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) fail('unterminated element');
      element.text += decode(source.slice(at, next));
      at = next;
      if (source.startsWith('</', at)) {
        at += 2;
        if (readName() !== element.name) fail(`mismatched </…> for <${element.name}>`);
        skipSpace();
        if (source[at] !== '>') fail('expected >');
        at++;
        return element;
      }
      element.children.push(parseElement());
    }
  };
  skipSpace();
  const root = parseElement();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
}

/** Children with this tag name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
