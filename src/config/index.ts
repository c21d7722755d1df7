// Config: load and validate the YAML file, and read the result. Stages import types from types.ts.

import { z } from 'zod';
import { configFileSchema, conditionSchema, conditionShape } from './schema.js';

export type * from './types.js';
export { ConfigError, formatProblem, type ConfigProblem } from './errors.js';
export { defaultConfig, loadConfig, parseConfigText } from './load.js';
export { findList, resolveRuleSettings } from './resolve.js';
export { BUILTIN_RULE_IDS, MATCH_FIELDS } from './schema.js';

type JsonObject = Record<string, unknown>;

/** JSON Schema of the config file for editors (yaml-language-server, VS Code): what may be written in it. */
export function configJsonSchema(): object {
  const strip = (s: JsonObject): JsonObject => {
    const { $schema: _drop, ...rest } = s;
    return rest;
  };
  const schema = z.toJSONSchema(configFileSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override: (ctx) => {
      if (ctx.zodSchema !== conditionSchema) return;
      // The shorthand `{ ownText: { keywords: [...] } }` is accepted too; say so to editors.
      const { description, ...canonical } = ctx.jsonSchema as JsonObject;
      const { field: _field, ...bodyShape } = conditionShape;
      const body = strip(z.toJSONSchema(z.strictObject(bodyShape), { io: 'input', target: 'draft-2020-12' }) as JsonObject);
      const fieldPattern = (canonical.properties as Record<string, JsonObject> | undefined)?.field?.pattern;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonObject)[key];
      Object.assign(ctx.jsonSchema, {
        description,
        anyOf: [
          canonical,
          {
            type: 'object',
            description: 'Shorthand: the field as the only key, e.g. ownText: { keywords: [...] }.',
            minProperties: 1,
            maxProperties: 1,
            propertyNames: { pattern: fieldPattern },
            additionalProperties: body,
          },
        ],
      });
    },
  }) as JsonObject;
  return {
    $schema: schema.$schema,
    $id: 'https://listwarden.invalid/listwarden.schema.json',
    title: 'listwarden configuration',
    ...strip(schema),
  };
}
