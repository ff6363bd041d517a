import { pathToFileURL } from 'node:url';
import { UserError } from '../errors.js';
import { importExternal } from './import-external.js';

/**
 * Imports a user's module: TypeScript through jiti (loaded only then), JavaScript natively.
 * A load failure becomes a UserError naming `what`.
 */
export async function importUserModule(
  file: string,
  what: string,
  location?: string,
): Promise<{ default?: unknown }> {
  try {
    if (/\.[mc]?ts$/i.test(file)) {
      const { createJiti } = await importExternal<typeof import('jiti')>('jiti');
      return (await createJiti(import.meta.url).import(file)) as { default?: unknown };
    }
    return await importExternal<{ default?: unknown }>(pathToFileURL(file).href);
  } catch (error) {
    throw new UserError(
      `cannot load ${what}: ${(error as Error).message}`,
      location,
      'fix the error in that module',
      {
        cause: error,
      },
    );
  }
}
