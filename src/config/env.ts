// `${VAR}` in config string values, filled from the environment (for secrets); `${VAR:-default}` and `$${` (a literal `${`).

import { isMap, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';

export interface EnvProblem {
  node: Scalar;
  path: PropertyKey[];
  message: string;
  hint: string;
}

export interface Substituted {
  /** The value each changed scalar had in the file, so errors quote the file and never a secret. */
  originals: Map<Scalar, unknown>;
  /** Values that came from the environment, to be blanked out of any message. */
  secrets: Set<string>;
  problems: EnvProblem[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** Rewrites string scalars (values, never keys) of the document in place. */
export function substituteEnv(doc: Document, env: NodeJS.ProcessEnv): Substituted {
  const out: Substituted = { originals: new Map(), secrets: new Set(), problems: [] };

  const fill = (node: Scalar<string>, path: PropertyKey[]): void => {
    const text = node.value;
    const replaced = text.replace(REFERENCE, (whole: string, inner: string | undefined) => {
      if (inner === undefined) return '${';
      const m = NAME.exec(inner);
      if (!m) {
        out.problems.push({
          node,
          path,
          message: `"${whole}" is not a valid environment variable reference`,
          hint: 'write ${NAME} or ${NAME:-default}, with a name of letters, digits and _ (write $${ for a literal ${)',
        });
        return whole;
      }
      const name = m[1]!;
      const fallback = m[2];
      const value = env[name];
      if (value === undefined || (value === '' && fallback !== undefined)) {
        if (fallback !== undefined) return fallback;
        out.problems.push({
          node,
          path,
          message: `environment variable ${name} is not set`,
          hint: `set ${name} before starting listwarden, or give a default: \${${name}:-value}`,
        });
        return whole;
      }
      out.secrets.add(value);
      return value;
    });
    if (replaced !== text) {
      out.originals.set(node, text);
      node.value = replaced;
    }
  };

  const walk = (node: Node | null | undefined, path: PropertyKey[]): void => {
    if (!node) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value as Node | null, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node | null, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      fill(node as Scalar<string>, path);
    }
  };

  walk(doc.contents as Node | null, []);
  return out;
}
