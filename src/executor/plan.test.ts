import { describe, expect, it, vi } from 'vitest';
import type { PromptRenderer } from '../prompts/render.js';
import { createEchoProvider } from '../providers/echo.js';
import { createOpenAiCompatibleProvider } from '../providers/openai-compatible.js';
import type { Provider } from '../providers/provider.js';
import { testHttp } from '../providers/test-helpers.js';
import type { ChatMessage, GenerationConfig, Target, Task } from '../types.js';
import { contentHash } from '../util/hash.js';
import { cacheKey, datasetVersion, planItems, workItemId } from './plan.js';

function task(id: string, version = `tv-${id}`): Task {
  return { id, version, vars: { q: id }, assert: [], tags: [], metadata: {}, source: `tasks.yaml (${id})` };
}

function target(name: string, config: GenerationConfig = {}, version = `v-${name}`): Target {
  return {
    name,
    providerId: 'openai-compatible:m',
    config,
    prompt: { name: 'answer', path: 'answer.njk', kind: 'text', source: '{{ q }}', version: 'p1' },
    options: {},
    timeoutMs: 1000,
    version,
  };
}

function compatible(key: string, baseUrl = 'http://127.0.0.1:9/v1'): Provider {
  return createOpenAiCompatibleProvider({
    rest: 'm',
    options: { base_url: baseUrl, api_key_env: 'KEY' },
    env: { KEY: key },
    baseDir: '.',
    http: testHttp,
  });
}

const MESSAGES: ChatMessage[] = [{ role: 'user', content: 'What is 1 + 1?' }];

describe('workItemId', () => {
  it('is the same for the same task version, target version and repeat', () => {
    expect(workItemId(task('a'), target('t'), 0)).toBe(workItemId(task('a'), target('t'), 0));
    expect(workItemId(task('a'), target('t'), 0)).toMatch(/^[0-9a-f]{24}$/);
  });

  it('differs per repeat, task, task version, target and target version', () => {
    const reference = workItemId(task('a'), target('t'), 0);
    const others = [
      workItemId(task('a'), target('t'), 1),
      workItemId(task('b'), target('t'), 0),
      workItemId(task('a', 'tv-changed'), target('t'), 0),
      workItemId(task('a'), target('u'), 0),
      workItemId(task('a'), target('t', {}, 'v-changed'), 0),
    ];
    expect(new Set([reference, ...others]).size).toBe(6);
  });
});

describe('cacheKey', () => {
  const provider = compatible('sk-one');

  it('is shared by repeats when temperature is 0', () => {
    const greedy = target('t', { temperature: 0 });
    expect(cacheKey(provider, greedy, MESSAGES, 0)).toBe(cacheKey(provider, greedy, MESSAGES, 1));
    expect(cacheKey(provider, greedy, MESSAGES, 0)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['temperature 0.7', { temperature: 0.7 }],
    ['no temperature (the provider samples by default)', {}],
  ])('differs per repeat with %s', (_what, config) => {
    const sampling = target('t', config);
    expect(cacheKey(provider, sampling, MESSAGES, 0)).not.toBe(cacheKey(provider, sampling, MESSAGES, 1));
    // …and the same repeat of the same request still hits.
    expect(cacheKey(provider, sampling, MESSAGES, 1)).toBe(cacheKey(provider, sampling, MESSAGES, 1));
  });

  it('does not depend on the API key', () => {
    const greedy = target('t', { temperature: 0 });
    expect(cacheKey(compatible('sk-one'), greedy, MESSAGES, 0)).toBe(
      cacheKey(compatible('sk-two-different'), greedy, MESSAGES, 0),
    );
  });

  it('changes with the messages, the config, the endpoint and the provider', () => {
    const greedy = target('t', { temperature: 0 });
    const reference = cacheKey(provider, greedy, MESSAGES, 0);
    const others = [
      cacheKey(provider, greedy, [{ role: 'user', content: 'What is 2 + 2?' }], 0),
      cacheKey(provider, target('t', { temperature: 0, max_tokens: 5 }), MESSAGES, 0),
      cacheKey(compatible('sk-one', 'http://127.0.0.1:10/v1'), greedy, MESSAGES, 0),
      cacheKey(createEchoProvider(), greedy, MESSAGES, 0),
    ];
    expect(new Set([reference, ...others]).size).toBe(5);
  });

  it('does not depend on the target name or on the order of config keys', () => {
    const a = target('a', { temperature: 0, max_tokens: 5 });
    const b = target('b', { max_tokens: 5, temperature: 0 });
    expect(cacheKey(provider, a, MESSAGES, 0)).toBe(cacheKey(provider, b, MESSAGES, 0));
  });
});

describe('cacheKey: two targets that differ in anything that shapes the request never share an answer', () => {
  // Each mutation changes one request-shaping field of a target's options or config.
  const mutations: Array<
    [string, (options: Record<string, unknown>, config: GenerationConfig, n: number) => void]
  > = [
    [
      'a header value',
      (options, _config, n) => {
        options.headers = { ...(options.headers as object), 'x-gateway-token': `token-${n}` };
      },
    ],
    [
      'a header name',
      (options, _config, n) => {
        options.headers = { ...(options.headers as object), [`x-extra-${n}`]: 'on' };
      },
    ],
    [
      'a query parameter of the base URL',
      (options, _config, n) => {
        options.base_url = `http://127.0.0.1:9/v1?key=k${n}`;
      },
    ],
    [
      'a provider option',
      (options, _config, n) => {
        options.provider_options = { route: `r${n}` };
      },
    ],
    [
      'the key variable',
      (options, _config, n) => {
        options.api_key_env = `KEY_${n}`;
      },
    ],
    [
      'a generation parameter',
      (_options, config, n) => {
        config[`extra_${n}`] = n;
      },
    ],
    [
      'max_tokens',
      (_options, config, n) => {
        config.max_tokens = 100 + n;
      },
    ],
  ];

  it.each(mutations)('%s', (_what, mutate) => {
    // A small deterministic generator: different starting targets, each mutated twice.
    for (let seed = 1; seed <= 25; seed++) {
      const base = () => {
        const options: Record<string, unknown> = { base_url: 'http://127.0.0.1:9/v1' };
        if (seed % 2) options.headers = { 'x-team': `team-${seed % 5}` };
        if (seed % 3 === 0) options.provider_options = { region: 'eu' };
        return {
          options,
          config: { temperature: 0, ...(seed % 4 ? { top_p: 0.5 } : {}) } as GenerationConfig,
        };
      };
      const keys = [seed, seed + 1000].map((n) => {
        const { options, config } = base();
        mutate(options, config, n);
        return cacheKey(provider(), { ...target('t', config), options }, MESSAGES, 0);
      });
      const { options, config } = base();
      keys.push(cacheKey(provider(), { ...target('t', config), options }, MESSAGES, 0));
      expect(new Set(keys).size, `seed ${seed}`).toBe(3);
    }
  });

  function provider(): Provider {
    return compatible('sk-one');
  }
});

describe('planItems', () => {
  it('expands tasks × targets × repeats, rendering each prompt once per task', () => {
    const render = vi.fn<PromptRenderer>((vars) => [{ role: 'user', content: `Q: ${String(vars.q)}` }]);
    const targets = [target('greedy', { temperature: 0 }), target('hot', { temperature: 1 })];
    const items = [...planItems([task('a'), task('b')], targets, 3, new Map([['answer', render]]))];

    expect(items).toHaveLength(2 * 2 * 3);
    expect(render).toHaveBeenCalledTimes(2);
    expect(render).toHaveBeenCalledWith({ q: 'a' }, 'task "a" (tasks.yaml (a))');
    expect(items.map((item) => [item.task.id, item.target.name, item.repeat])).toEqual([
      ['a', 'greedy', 0],
      ['a', 'greedy', 1],
      ['a', 'greedy', 2],
      ['a', 'hot', 0],
      ['a', 'hot', 1],
      ['a', 'hot', 2],
      ['b', 'greedy', 0],
      ['b', 'greedy', 1],
      ['b', 'greedy', 2],
      ['b', 'hot', 0],
      ['b', 'hot', 1],
      ['b', 'hot', 2],
    ]);
    expect(items[0]?.messages).toEqual([{ role: 'user', content: 'Q: a' }]);
    expect(new Set(items.map((item) => item.id)).size).toBe(12);
    expect(items[0]?.id).toBe(workItemId(task('a'), targets[0]!, 0));

    const provider = compatible('sk');
    const keys = (taskId: string, name: string) =>
      new Set(
        items
          .filter((item) => item.task.id === taskId && item.target.name === name)
          .map((i) => cacheKey(provider, i.target, i.messages, i.repeat)),
      );
    expect(keys('a', 'greedy').size).toBe(1);
    expect(keys('a', 'hot').size).toBe(3);
  });

  it('plans the same ids and keys every time', () => {
    const render: PromptRenderer = (vars) => [{ role: 'user', content: String(vars.q) }];
    const plan = () =>
      [...planItems([task('a')], [target('t')], 2, new Map([['answer', render]]))].map((item) => [
        item.id,
        cacheKey(compatible('k'), item.target, item.messages, item.repeat),
      ]);
    expect(plan()).toEqual(plan());
  });
});

describe('datasetVersion', () => {
  it('changes when a task changes, is added, or the order changes', () => {
    const reference = datasetVersion([task('a'), task('b')]);
    expect(datasetVersion([task('a'), task('b')])).toBe(reference);
    expect(datasetVersion([task('a'), task('b', 'tv-edited')])).not.toBe(reference);
    expect(datasetVersion([task('a'), task('b'), task('c')])).not.toBe(reference);
    expect(datasetVersion([task('b'), task('a')])).not.toBe(reference);
  });

  it('is the content hash of the (id, version) pairs, whatever the ids hold', () => {
    const tasks = [
      'a',
      '0',
      '__proto__',
      'quote"back\\slash',
      'ünï\u2028code',
      'line\nbreak',
      'x'.repeat(300),
    ].map((id, index) => task(id, `tv-${index}`));
    expect(datasetVersion(tasks)).toBe(contentHash(tasks.map((entry) => [entry.id, entry.version])));
  });
});
