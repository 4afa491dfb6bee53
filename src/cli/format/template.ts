import { CliError } from "../cli-error.ts";

/**
 * A subset of Go's text/template, as `--format` takes it in docker: `{{.Field.Sub}}`, method-like
 * fields with arguments (`{{.Label "x"}}`), pipelines (`{{.Names | upper}}`), variables (`$`,
 * `$v`), `if`/`else`/`with`/`range … end`, `{{-`/`-}}` trimming, and docker's functions
 * (json, join, split, upper, lower, title, index, len, println, printf, truncate, pad, eq, ne, not).
 */
export type TemplateValue = unknown;

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipeline: Pipeline }
  | { kind: "if" | "with"; pipeline: Pipeline; then: Node[]; otherwise: Node[] }
  | { kind: "range"; pipeline: Pipeline; keyVar?: string; valueVar?: string; body: Node[]; otherwise: Node[] };
type Operand = { kind: "field"; base: string; path: string[] } | { kind: "literal"; value: unknown } | { kind: "call"; name: string } | { kind: "sub"; pipeline: Pipeline };
type Command = Operand[];
interface Pipeline {
  declare?: string;
  commands: Command[];
}

/** Docker's template functions (cli/templates/templates.go). */
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  json: (value) => JSON.stringify(value ?? null),
  join: (list, separator) => (Array.isArray(list) ? list.map(goString).join(String(separator)) : goString(list)),
  split: (text, separator) => String(text).split(String(separator)),
  upper: (text) => String(text).toUpperCase(),
  lower: (text) => String(text).toLowerCase(),
  title: (text) => String(text).replace(/\b\w/g, (c) => c.toUpperCase()),
  index: (value, ...keys) => keys.reduce((current: unknown, key) => (current == null ? undefined : (current as Record<string, unknown>)[String(key)]), value),
  len: (value) => (typeof value === "string" || Array.isArray(value) ? value.length : value && typeof value === "object" ? Object.keys(value).length : 0),
  println: (...values) => values.map(goString).join(" ") + "\n",
  print: (...values) => values.map(goString).join(""),
  printf: (format, ...values) => {
    let index = 0;
    return String(format).replace(/%[-+ #0]*\d*(?:\.\d+)?([sdvqtf%])/g, (_all, verb: string) => (verb === "%" ? "%" : verb === "q" ? JSON.stringify(goString(values[index++])) : goString(values[index++])));
  },
  truncate: (text, length) => String(text).slice(0, Number(length)),
  pad: (text, before, after) => " ".repeat(Number(before)) + goString(text) + " ".repeat(Number(after)),
  eq: (a, ...rest) => rest.some((b) => a === b),
  ne: (a, b) => a !== b,
  not: (value) => !truthy(value),
  and: (...values) => values.find((value) => !truthy(value)) ?? values[values.length - 1],
  or: (...values) => values.find((value) => truthy(value)) ?? values[values.length - 1],
};

/** Prints a value as Go's fmt does with %v (maps as `map[k:v]`, lists as `[a b]`, nil as `<nil>`). */
export function goString(value: unknown): string {
  if (value === undefined) return "<no value>";
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goString).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goString(item)}`).join(" ")}]`;
  }
  return String(value);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function tokenize(source: string): Node[] {
  const tokens: ({ text: string } | { action: string })[] = [];
  let offset = 0;
  while (offset < source.length) {
    const open = source.indexOf("{{", offset);
    if (open < 0) {
      tokens.push({ text: source.slice(offset) });
      break;
    }
    const close = source.indexOf("}}", open + 2);
    if (close < 0) throw new CliError(`template: unclosed action`);
    let text = source.slice(offset, open);
    let action = source.slice(open + 2, close);
    if (action.startsWith("- ")) {
      text = text.trimEnd();
      action = action.slice(1);
    }
    if (action.endsWith(" -")) action = action.slice(0, -1);
    tokens.push({ text }, { action: action.trim() });
    offset = close + 2;
    if (source.slice(open + 2, close).endsWith(" -")) {
      const rest = source.slice(offset);
      offset += rest.length - rest.trimStart().length;
    }
  }
  const stream = tokens.filter((token) => !("text" in token) || token.text !== "");
  let position = 0;
  const parseList = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (position < stream.length) {
      const token = stream[position++]!;
      if ("text" in token) {
        nodes.push({ kind: "text", text: token.text });
        continue;
      }
      const word = token.action.split(/\s+/)[0]!;
      if (terminators.includes(word)) return { nodes, end: token.action };
      if (word === "if" || word === "with") {
        const pipeline = parsePipeline(token.action.slice(word.length));
        const then = parseList(["else", "end"]);
        const otherwise = then.end === "else" ? parseList(["end"]).nodes : [];
        nodes.push({ kind: word, pipeline, then: then.nodes, otherwise });
      } else if (word === "range") {
        let rest = token.action.slice(5).trim();
        const vars = /^(\$\w*)\s*(?:,\s*(\$\w*))?\s*:=\s*/.exec(rest);
        let keyVar: string | undefined;
        let valueVar: string | undefined;
        if (vars) {
          if (vars[2]) [keyVar, valueVar] = [vars[1], vars[2]];
          else valueVar = vars[1];
          rest = rest.slice(vars[0].length);
        }
        const body = parseList(["else", "end"]);
        const otherwise = body.end === "else" ? parseList(["end"]).nodes : [];
        nodes.push({ kind: "range", pipeline: parsePipeline(rest), keyVar, valueVar, body: body.nodes, otherwise });
      } else if (word !== "" && !word.startsWith("/*")) {
        nodes.push({ kind: "action", pipeline: parsePipeline(token.action) });
      }
    }
    if (terminators.length > 0) throw new CliError(`template: unexpected EOF`);
    return { nodes, end: "" };
  };
  return parseList([]).nodes;
}

function parsePipeline(text: string): Pipeline {
  let source = text.trim();
  let declare: string | undefined;
  const assign = /^(\$\w+)\s*:=\s*/.exec(source);
  if (assign) {
    declare = assign[1];
    source = source.slice(assign[0].length);
  }
  const words: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s|()"]+)/y;
  for (let position = 0; source.slice(position).trim() !== ""; position = pattern.lastIndex) {
    pattern.lastIndex = position;
    const match = pattern.exec(source);
    if (!match) throw new CliError(`template: bad action ${JSON.stringify(text)}`);
    words.push(match[1]!);
  }
  let index = 0;
  const parseCommands = (): Command[] => {
    const commands: Command[] = [[]];
    while (index < words.length) {
      const word = words[index++]!;
      if (word === ")") break;
      if (word === "|") commands.push([]);
      else if (word === "(") commands[commands.length - 1]!.push({ kind: "sub", pipeline: { commands: parseCommands() } });
      else commands[commands.length - 1]!.push(operand(word));
    }
    if (commands.some((command) => command.length === 0)) throw new CliError(`template: missing value for command in ${JSON.stringify(text)}`);
    return commands;
  };
  return { declare, commands: parseCommands() };
}

function operand(word: string): Operand {
  if (word.startsWith('"')) return { kind: "literal", value: JSON.parse(word) };
  if (word.startsWith("`")) return { kind: "literal", value: word.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(word)) return { kind: "literal", value: Number(word) };
  if (word === "true" || word === "false") return { kind: "literal", value: word === "true" };
  if (word === "nil") return { kind: "literal", value: null };
  if (word.startsWith(".") || word.startsWith("$")) {
    const [base = "", ...path] = word.startsWith(".") ? [".", ...word.slice(1).split(".").filter(Boolean)] : word.split(".");
    return { kind: "field", base, path };
  }
  if (!(word in FUNCTIONS)) throw new CliError(`template: function "${word}" not defined`);
  return { kind: "call", name: word };
}

interface Scope {
  dot: unknown;
  vars: Map<string, unknown>;
}

function lookup(value: unknown, name: string, args: unknown[]): unknown {
  if (value == null || typeof value !== "object") return undefined;
  const member = (value as Record<string, unknown>)[name];
  if (typeof member === "function") return (member as (...a: unknown[]) => unknown).apply(value, args);
  return member;
}

function evalCommand(command: Command, scope: Scope, piped: unknown[]): unknown {
  const [head, ...rest] = command;
  const args = () => [...rest.map((item) => evalOperand(item, scope, [])), ...piped];
  if (head!.kind === "call") return FUNCTIONS[head!.name]!(...args());
  if (head!.kind === "field" && head!.path.length > 0) return evalOperand(head!, scope, args());
  return evalOperand(head!, scope, []);
}

function evalOperand(item: Operand, scope: Scope, args: unknown[]): unknown {
  switch (item.kind) {
    case "literal":
      return item.value;
    case "call":
      return FUNCTIONS[item.name]!();
    case "sub":
      return evalPipeline(item.pipeline, scope);
    case "field": {
      let value = item.base === "." ? scope.dot : scope.vars.get(item.base);
      item.path.forEach((name, position) => (value = lookup(value, name, position === item.path.length - 1 ? args : [])));
      return value;
    }
  }
}

function evalPipeline(pipeline: Pipeline, scope: Scope): unknown {
  let value: unknown;
  pipeline.commands.forEach((command, position) => (value = evalCommand(command, scope, position === 0 ? [] : [value])));
  if (pipeline.declare) scope.vars.set(pipeline.declare, value);
  return value;
}

function render(nodes: Node[], scope: Scope): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "action") {
      const value = evalPipeline(node.pipeline, scope);
      if (!node.pipeline.declare) out += goString(value);
    } else if (node.kind === "if" || node.kind === "with") {
      const value = evalPipeline(node.pipeline, scope);
      if (truthy(value)) out += render(node.then, node.kind === "with" ? { ...scope, dot: value } : scope);
      else out += render(node.otherwise, scope);
    } else if (node.kind === "range") {
      const value = evalPipeline(node.pipeline, scope);
      const entries: [unknown, unknown][] = Array.isArray(value)
        ? value.map((item, index) => [index, item])
        : value && typeof value === "object"
          ? Object.keys(value).sort().map((key) => [key, (value as Record<string, unknown>)[key]])
          : [];
      if (entries.length === 0) out += render(node.otherwise, scope);
      for (const [key, item] of entries) {
        const vars = new Map(scope.vars);
        if (node.keyVar) vars.set(node.keyVar, key);
        if (node.valueVar) vars.set(node.valueVar, item);
        out += render(node.body, { dot: item, vars });
      }
    }
  }
  return out;
}

/** A parsed template, executed once per object. */
export class Template {
  readonly #nodes: Node[];

  constructor(source: string) {
    this.#nodes = tokenize(source);
  }

  /** Renders the template with `data` as `.` and `$`. */
  execute(data: TemplateValue): string {
    return render(this.#nodes, { dot: data, vars: new Map([["$", data]]) });
  }
}
