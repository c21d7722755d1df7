// Config problems as a moderator reads them: `file:line:col: path: what is wrong — how to fix it`.

export interface ConfigProblem {
  file: string;
  /** 1-based, when the problem has a place in the file. */
  line?: number;
  column?: number;
  /** Where in the config: `lists[0].rules.incendiary-language.alertAt`; empty for the whole file. */
  path: string;
  message: string;
  hint?: string;
}

export function formatProblem(p: ConfigProblem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  const path = p.path ? `${p.path}: ` : '';
  const hint = p.hint ? ` — ${p.hint}` : '';
  return `${where}: ${path}${p.message}${hint}`;
}

/** A config that cannot be used; `problems` holds every problem found, in file order. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** `lists[0].rules.incendiary-language.alertAt` from `['lists', 0, 'rules', 'incendiary-language', 'alertAt']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z0-9_:-]+$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
