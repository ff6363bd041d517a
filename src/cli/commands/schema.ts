import { configJsonSchema } from '../../config/schema.js';
import { EXIT } from '../../exit-codes.js';

export async function schemaCommand(): Promise<number> {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
