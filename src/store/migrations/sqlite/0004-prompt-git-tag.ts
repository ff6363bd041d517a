import type { Migration } from '../../migrator.js';

/** The git tags pointing at the commit a prompt version was last changed in (comma-separated). */
export const promptGitTag: Migration = {
  version: 4,
  name: 'prompt-git-tag',
  sql: `
ALTER TABLE prompt_versions ADD COLUMN git_tag TEXT;
`,
};
