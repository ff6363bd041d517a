/**
 * XML 1.0 cannot hold these at all, not even as character references: C0 controls other than tab,
 * line feed and carriage return, U+FFFE, U+FFFF. Unpaired surrogates cannot be encoded in UTF-8.
 */
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Drops characters XML cannot carry and replaces broken surrogates with U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(FORBIDDEN, '').replace(LONE_SURROGATE, '\uFFFD');
}

const TEXT_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Element content. `>` is escaped too, so `]]>` can never appear. */
export function escapeXmlText(text: string): string {
  return xmlSafe(text).replace(/[&<>]/g, (char) => TEXT_ENTITIES[char] ?? char);
}

const ATTRIBUTE_ENTITIES: Record<string, string> = {
  ...TEXT_ENTITIES,
  '"': '&quot;',
  "'": '&apos;',
  // Parsers turn raw tabs and line breaks in attributes into spaces; references keep them.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** An attribute value, for use inside double quotes. */
export function escapeXmlAttribute(text: string): string {
  return xmlSafe(text).replace(/[&<>"'\t\n\r]/g, (char) => ATTRIBUTE_ENTITIES[char] ?? char);
}
