// Writes config/listwarden.schema.json from the zod schema (editors use it for completion and checks).
// Usage: node --import tsx scripts/emit-schema.ts [out-file]   (default: config/listwarden.schema.json)

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/config/index.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../config/listwarden.schema.json', import.meta.url));

export function schemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? SCHEMA_FILE;
  writeFileSync(out, schemaText());
  console.log(`wrote ${out}`);
}
