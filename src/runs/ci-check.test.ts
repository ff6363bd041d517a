import { describe, expect, it } from 'vitest';
import { ciJobUrl, graceMs } from './ci-check.js';

describe('graceMs', () => {
  it('gives calls in flight 10% of --max-time, at least 5 s and at most 30 s', () => {
    expect(graceMs(1_000)).toBe(5_000);
    expect(graceMs(120_000)).toBe(12_000);
    expect(graceMs(3_600_000)).toBe(30_000);
  });
});

describe('ciJobUrl', () => {
  it('links the GitHub Actions run, or the GitLab job, and nothing elsewhere', () => {
    expect(
      ciJobUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42' }),
    ).toBe('https://github.com/o/r/actions/runs/42');
    expect(ciJobUrl({ CI_JOB_URL: 'https://gitlab.com/o/r/-/jobs/7' })).toBe(
      'https://gitlab.com/o/r/-/jobs/7',
    );
    expect(ciJobUrl({ GITHUB_REPOSITORY: 'o/r' })).toBeNull();
  });
});
