/**
 * A small JQL evaluator for the in-memory Jira and the fake Jira server: the clauses the app's queries
 * use — `AND`/`OR`/`NOT`, parentheses, `=`, `!=`, `in`, `not in`, `is EMPTY`, `is not EMPTY`, `>=`, `<=`, `>`, `<` (relative
 * dates like `-2d`), `ORDER BY` (ignored: results come in key order). Field names are
 * case-insensitive; values are matched case-insensitively.
 */

export type JqlValue = string | number | null | undefined | (string | number)[];

/** Reads a field of an item for the evaluator (e.g. 'project' → ['SUP', '10000'] for key and id). */
export type JqlFieldReader<T> = (item: T, field: string) => JqlValue;

type Node =
  | { op: 'and' | 'or'; left: Node; right: Node }
  | { op: 'not'; node: Node }
  | { op: 'cmp'; field: string; cmp: string; values: string[] };

const TOKEN =
  /\s*(?:(\()|(\))|(,)|("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|(!=|>=|<=|=|>|<|~)|([^\s(),"'=!<>~]+))/y;

function tokenize(jql: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < jql.length && (m = TOKEN.exec(jql))) {
    const t = m.slice(1).find((x) => x !== undefined);
    if (t !== undefined) out.push(t);
  }
  if (jql.slice(TOKEN.lastIndex).trim() !== '')
    throw new Error(`JQL: cannot read ${jql.slice(TOKEN.lastIndex)}`);
  return out;
}

const unquote = (t: string): string =>
  (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))
    ? t.slice(1, -1).replace(/\\(.)/g, '$1')
    : t;

/** Parses a JQL query; throws on anything it does not understand (a test should notice). */
export function parseJql(jql: string): Node | null {
  const tokens = tokenize(jql);
  const orderAt = tokens.findIndex(
    (t, i) => t.toLowerCase() === 'order' && tokens[i + 1]?.toLowerCase() === 'by',
  );
  const body = orderAt >= 0 ? tokens.slice(0, orderAt) : tokens;
  let i = 0;
  const peek = () => body[i]?.toLowerCase();
  const next = () => {
    const t = body[i++];
    if (t === undefined) throw new Error(`JQL: unexpected end in ${jql}`);
    return t;
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek() === 'or') {
      i++;
      left = { op: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseUnary();
    while (peek() === 'and') {
      i++;
      left = { op: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Node => {
    if (peek() === 'not') {
      i++;
      return { op: 'not', node: parseUnary() };
    }
    if (peek() === '(') {
      i++;
      const n = parseOr();
      if (next() !== ')') throw new Error(`JQL: missing ) in ${jql}`);
      return n;
    }
    const field = unquote(next()).toLowerCase();
    let cmp = next().toLowerCase();
    if (cmp === 'not' && peek() === 'in') {
      i++;
      cmp = 'not in';
    }
    if (cmp === 'is') {
      const negated = peek() === 'not';
      if (negated) i++;
      const what = next().toLowerCase();
      if (what !== 'empty' && what !== 'null') throw new Error(`JQL: expected EMPTY after is in ${jql}`);
      return { op: 'cmp', field, cmp: negated ? 'is not' : 'is', values: [] };
    }
    if (cmp === 'in' || cmp === 'not in') {
      if (next() !== '(') throw new Error(`JQL: expected ( after in in ${jql}`);
      const values: string[] = [];
      while (peek() !== ')') {
        values.push(unquote(next()));
        if (peek() === ',') i++;
      }
      i++;
      return { op: 'cmp', field, cmp, values };
    }
    if (!['=', '!=', '>=', '<=', '>', '<'].includes(cmp)) throw new Error(`JQL: unsupported operator ${cmp}`);
    return { op: 'cmp', field, cmp, values: [unquote(next())] };
  };
  if (body.length === 0) return null;
  const node = parseOr();
  if (i !== body.length) throw new Error(`JQL: unexpected ${body[i]} in ${jql}`);
  return node;
}

/** Epoch ms of a JQL date value: relative (`-2d`, `-4h`, `-30m`, `-1w`) or 'YYYY-MM-DD[ HH:mm]'. */
function dateValue(v: string, nowMs: number): number {
  const rel = /^([+-]?\d+)([wdhm])$/.exec(v);
  if (rel) {
    const unit = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'w' | 'd' | 'h' | 'm'];
    return nowMs + Number(rel[1]) * unit;
  }
  return Date.parse(v.replace(' ', 'T'));
}

function matches<T>(node: Node, item: T, read: JqlFieldReader<T>, nowMs: number): boolean {
  if (node.op === 'and')
    return matches(node.left, item, read, nowMs) && matches(node.right, item, read, nowMs);
  if (node.op !== 'cmp' && node.op !== 'not')
    return matches(node.left, item, read, nowMs) || matches(node.right, item, read, nowMs);
  if (node.op === 'not') return !matches(node.node, item, read, nowMs);
  const raw = read(item, node.field);
  const have = (Array.isArray(raw) ? raw : raw === null || raw === undefined ? [] : [raw]).map((x) =>
    String(x).toLowerCase(),
  );
  const want = node.values.map((v) => v.toLowerCase());
  switch (node.cmp) {
    case 'is':
      return have.every((h) => h === '');
    case 'is not':
      return have.some((h) => h !== '');
    case '=':
    case 'in':
      return have.some((h) => want.includes(h));
    case '!=':
    case 'not in':
      return !have.some((h) => want.includes(h));
    default: {
      const limit = dateValue(node.values[0] ?? '', nowMs);
      return have.some((h) => {
        const x = /^\d+$/.test(h) ? Number(h) : Date.parse(h);
        if (Number.isNaN(x)) return false;
        if (node.cmp === '>=') return x >= limit;
        if (node.cmp === '<=') return x <= limit;
        if (node.cmp === '>') return x > limit;
        return x < limit;
      });
    }
  }
}

/**
 * Filters items by a JQL query.
 * @example filterJql(issues, 'project = SUP AND statusCategory != Done', read, now)
 */
export function filterJql<T>(items: readonly T[], jql: string, read: JqlFieldReader<T>, nowMs: number): T[] {
  const node = parseJql(jql);
  return node ? items.filter((it) => matches(node, it, read, nowMs)) : [...items];
}
