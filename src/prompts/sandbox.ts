import nunjucks from 'nunjucks';
import { callWithin, type TimeLimit } from '../user-code/time-limit.js';

/**
 * Nunjucks is not a sandbox: `{{ range.constructor("return process")() }}` runs any JavaScript.
 * Templates rendered through `renderSandboxed` cannot reach constructors, prototypes, globals or
 * nunjucks' own objects; variables, their fields and methods (`items.length`, `text.split(",")`),
 * filters, tests, loops, macros and includes work as documented.
 *
 * Nunjucks has no hook for member access, so the guards wrap three functions of its public
 * `runtime` export, which compiled templates call for every `a.b`, `a[b]`, `name` and `f()`. They
 * apply only while a sandboxed render is running, so other users of nunjucks in the process are
 * unaffected. If an upgrade renamed these functions, `installGuards` throws at the first render
 * rather than leave templates unguarded (and the escape tests in sandbox.test.ts fail).
 */

/** Member and variable names that lead from a value to JavaScript's internals. */
const BLOCKED_NAMES: ReadonlySet<string> = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** Names every plain object inherits (`valueOf`, `toString`…): a template's own variables only. */
const INHERITED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const functionConstructorOf = (source: string): unknown =>
  Object.getPrototypeOf(new Function(`return ${source}`)()).constructor;

/** Values no template may hold, whatever the path to them: each one reaches arbitrary code. */
const FORBIDDEN_VALUES: ReadonlySet<unknown> = new Set<unknown>([
  Function,
  functionConstructorOf('async function () {}'),
  functionConstructorOf('function* () {}'),
  functionConstructorOf('async function* () {}'),
  Function.prototype,
  Object,
  Object.prototype,
  Reflect,
  Proxy,
  // biome-ignore lint/security/noGlobalEval: listed to be refused, never called
  eval,
  globalThis,
  process,
]);

/** A template tried to reach JavaScript's internals. */
export class TemplateSandboxError extends Error {
  static override readonly name = 'TemplateSandboxError';
  override readonly name = TemplateSandboxError.name;
}

export const SANDBOX_HINT =
  'templates may use variables, their fields and methods, filters, loops, macros and includes, but not constructor, prototype, __proto__ or JavaScript globals';

function refuse(what: string): never {
  throw new TemplateSandboxError(`${what} is not allowed in a template (it reaches JavaScript's internals)`);
}

function checkValue<T>(value: T, what: string): T {
  if ((typeof value === 'function' || typeof value === 'object') && FORBIDDEN_VALUES.has(value)) {
    refuse(what);
  }
  return value;
}

type MemberLookup = (target: unknown, key: unknown) => unknown;
type ContextOrFrameLookup = (context: unknown, frame: unknown, name: string) => unknown;
type CallWrap = (target: unknown, name: string, context: unknown, args: unknown[]) => unknown;
interface RuntimeHooks {
  memberLookup: MemberLookup;
  contextOrFrameLookup: ContextOrFrameLookup;
  callWrap: CallWrap;
}

/** How many sandboxed renders are on the stack (renders are synchronous; includes nest). */
let depth = 0;
let installed = false;

function installGuards(): void {
  if (installed) return;
  const runtime = nunjucks.runtime as unknown as Partial<RuntimeHooks>;
  const { memberLookup, contextOrFrameLookup, callWrap } = runtime;
  if (
    typeof memberLookup !== 'function' ||
    typeof contextOrFrameLookup !== 'function' ||
    typeof callWrap !== 'function'
  ) {
    throw new Error(
      'this version of nunjucks lacks runtime.memberLookup, contextOrFrameLookup or callWrap, which the template sandbox guards; install the nunjucks version in package.json',
    );
  }
  runtime.memberLookup = (target, key) => {
    if (depth === 0) return memberLookup(target, key);
    // The name is checked and used as one string, so a key object cannot change between the two.
    const name = typeof key === 'number' ? key : String(key);
    if (typeof name === 'string' && BLOCKED_NAMES.has(name)) refuse(`"${name}"`);
    return checkValue(memberLookup(target, name), `reading "${String(name)}"`);
  };
  runtime.contextOrFrameLookup = (context, frame, name) => {
    if (depth === 0) return contextOrFrameLookup(context, frame, name);
    if (BLOCKED_NAMES.has(name)) refuse(`"${name}"`);
    const value = contextOrFrameLookup(context, frame, name);
    // Inherited by the variables object, not defined by the task or the template: `valueOf()`
    // called from a template would hand it nunjucks' own context.
    if (INHERITED_NAMES.has(name) && value === (Object.prototype as Record<string, unknown>)[name]) {
      refuse(`"${name}"`);
    }
    return checkValue(value, `"${name}"`);
  };
  runtime.callWrap = (target, name, context, args) => {
    if (depth > 0) checkValue(target, `calling ${name}`);
    return callWrap(target, name, context, args);
  };
  installed = true;
}

/**
 * A nunjucks environment whose filters and tests are only the ones registered: a filter named
 * `valueOf` would otherwise be found on the registry's prototype.
 */
export class SandboxedEnvironment extends nunjucks.Environment {
  constructor(loader: nunjucks.ILoader | null, options: nunjucks.ConfigureOptions) {
    super(loader, options);
    installGuards();
  }

  override getFilter(name: string): (...args: unknown[]) => unknown {
    if (BLOCKED_NAMES.has(name) || INHERITED_NAMES.has(name)) refuse(`the filter "${name}"`);
    return super.getFilter(name);
  }

  // Not in @types/nunjucks, but a method of every Environment (compiled `x is name` calls it).
  getTest(name: string): unknown {
    if (BLOCKED_NAMES.has(name) || INHERITED_NAMES.has(name)) refuse(`the test "${name}"`);
    return (nunjucks.Environment.prototype as unknown as { getTest(name: string): unknown }).getTest.call(
      this,
      name,
    );
  }
}

/**
 * Renders a template of a `SandboxedEnvironment` with the guards on; with `limit`, a render still
 * running past it (a custom filter that loops) is stopped with `TimeLimitError`.
 */
export function renderSandboxed(template: nunjucks.Template, context: object, limit?: TimeLimit): string {
  depth++;
  try {
    return limit
      ? callWithin('a render with template filters', () => template.render(context), limit)
      : template.render(context);
  } finally {
    depth--;
  }
}
