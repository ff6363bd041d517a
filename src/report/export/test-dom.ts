/**
 * Just enough of the DOM to run the HTML export's script in a test: elements, text, attributes,
 * events. There is deliberately no `innerHTML`: the script must not need it.
 */
export class FakeElement {
  children: FakeElement[] = [];
  parentNode: FakeElement | null = null;
  className = '';
  type = '';
  value = '';
  hidden = false;
  colSpan = 1;
  readonly attributes: Record<string, string> = {};
  readonly #listeners = new Map<string, Array<() => void>>();
  #text = '';

  constructor(readonly tagName: string) {}

  get textContent(): string {
    return this.children.length > 0 ? this.children.map((child) => child.textContent).join('') : this.#text;
  }

  set textContent(value: string) {
    for (const child of this.children) child.parentNode = null;
    this.children = [];
    this.#text = String(value);
  }

  appendChild(child: FakeElement): FakeElement {
    return this.insertBefore(child, null);
  }

  insertBefore(child: FakeElement, before: FakeElement | null): FakeElement {
    const moving = child.tagName === '#fragment' ? child.children.splice(0) : [child];
    const index = before ? this.children.indexOf(before) : this.children.length;
    this.children.splice(index < 0 ? this.children.length : index, 0, ...moving);
    for (const each of moving) each.parentNode = this;
    return child;
  }

  removeChild(child: FakeElement): FakeElement {
    this.children = this.children.filter((each) => each !== child);
    child.parentNode = null;
    return child;
  }

  setAttribute(name: string, value: string): void {
    this.attributes[name] = String(value);
  }

  addEventListener(type: string, listener: () => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  dispatch(type: string): void {
    for (const listener of this.#listeners.get(type) ?? []) listener();
  }

  /** Descendants (depth first) with this tag name. */
  findAll(tagName: string): FakeElement[] {
    return this.children.flatMap((child) => [
      ...(child.tagName === tagName ? [child] : []),
      ...child.findAll(tagName),
    ]);
  }
}

/** Runs `script` against fake elements for the given ids; timers fire at once. */
export function runScript(script: string, elements: Record<string, FakeElement>): void {
  const document = {
    getElementById: (id: string) => elements[id] ?? null,
    createElement: (tagName: string) => new FakeElement(tagName),
    createDocumentFragment: () => new FakeElement('#fragment'),
  };
  const setTimeout = (callback: () => void) => {
    callback();
    return 0;
  };
  new Function('document', 'setTimeout', 'clearTimeout', 'window', script)(
    document,
    setTimeout,
    () => {},
    {},
  );
}
