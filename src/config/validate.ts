import type * as z from 'zod';
import { UserError } from '../errors.js';
import { type FieldPath, formatFieldPath } from './source.js';

function hintFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((key) => `"${key}"`).join(', ')} or check the spelling (see \`assay schema\`)`;
    case 'invalid_type':
      return `write a value of type ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'array' ? 'add at least one entry' : 'use a larger value';
    case 'too_big':
      return 'use a smaller value';
    case 'invalid_union':
      return 'see `assay schema` for the accepted forms';
    default:
      return 'see `assay schema` for the accepted values';
  }
}

/**
 * Validates `value` against a zod schema. On failure throws one UserError that names every
 * problem (up to five) with its file:line:column and field.
 */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  locate: (fieldPath: FieldPath) => string,
  what: string,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    // An unknown key is best shown at the key itself.
    const fieldPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    return {
      where: locate(fieldPath),
      text: `${formatFieldPath(fieldPath)}: ${issue.message}`,
      hint: hintFor(issue),
    };
  });
  const first = issues[0]!;
  if (issues.length === 1) throw new UserError(`invalid ${what}: ${first.text}`, first.where, first.hint);
  const lines = issues.slice(0, 5).map((issue) => `${issue.where}: ${issue.text} (${issue.hint})`);
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more problems`);
  throw new UserError(
    `invalid ${what}:\n  ${lines.join('\n  ')}`,
    first.where,
    'fix each place listed above',
  );
}
