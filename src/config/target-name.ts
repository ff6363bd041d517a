import { UserError } from '../errors.js';
import { nearestName } from '../util/suggest.js';

/** `gpt-4o-mini` for `openai:gpt-4o-mini`; a name without a provider prefix (a label) is itself. */
function withoutProvider(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/**
 * The target a name given on the command line stands for, among `known`: the name as it is
 * (`openai:gpt-4o-mini`, a label), or the name without its `provider:` prefix (`gpt-4o-mini`) when
 * one target alone has it. Every command taking a target name resolves it here; an unknown or
 * ambiguous name is a UserError at `where` with a did-you-mean and the names there are.
 */
export function resolveTargetName(
  wanted: string,
  known: Iterable<string>,
  where: string,
  /** What the known names are, for the hint. @default 'known targets' */
  knownLabel = 'known targets',
): string {
  const names = [...new Set(known)];
  if (names.includes(wanted)) return wanted;
  const short = names.filter((name) => withoutProvider(name) === wanted);
  if (short.length === 1) return short[0]!;
  if (short.length > 1) {
    throw new UserError(
      `target "${wanted}" is ambiguous: ${short.join(', ')}`,
      where,
      'give the full name (provider:model or the label)',
    );
  }
  // A typo of either form; the suggestion is always the full name.
  const byForm = new Map<string, string>();
  for (const name of names) {
    byForm.set(name, name);
    if (!byForm.has(withoutProvider(name))) byForm.set(withoutProvider(name), name);
  }
  const nearest = nearestName(wanted, byForm.keys());
  throw new UserError(
    `unknown target "${wanted}"${nearest ? `; did you mean "${byForm.get(nearest)}"?` : ''}`,
    where,
    `${knownLabel}: ${names.length > 0 ? names.join(', ') : '(none)'}`,
  );
}
