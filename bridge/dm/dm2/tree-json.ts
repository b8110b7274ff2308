import { Status } from '../../core/status.js';
import { Dm2Error, isObj, malformed, onlyKeys, tooLarge } from './errors.js';
import { DEFAULT_DM2_LIMITS, TREE_FORMATS, type Dm2Limits, type JsonTreeNode, type TreeFormat } from './types.js';

const NODE_KEYS = new Set(['uri', 'format', 'type', 'acl', 'value', 'children']);
const SEGMENT_BAD = /[/?]/;

export function isTreeFormat(f: unknown): f is TreeFormat {
  return typeof f === 'string' && (TREE_FORMATS as readonly string[]).includes(f);
}

/** The JSON tree format for a tree Format (`bin` travels as `b64`). */
export function treeFormatOf(format: string): TreeFormat {
  if (format === 'bin') return 'b64';
  return isTreeFormat(format) ? format : 'chr';
}

/** A leaf's text value in its JSON-native type (int/float -> number, bool -> boolean, null -> null). */
export function leafToJson(format: string, text: string): string | number | boolean | null {
  switch (format) {
    case 'int':
    case 'float': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'bool':
      return text === 'true';
    case 'null':
      return null;
    default:
      return text;
  }
}

/** A JSON-native leaf value back to the tree's text form. */
export function jsonToLeaf(value: string | number | boolean | undefined): string {
  return value === undefined ? '' : String(value);
}

/** Check that a leaf value has the JSON type its format demands. */
function checkLeafValue(format: TreeFormat, v: unknown, where: string): void {
  switch (format) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw malformed(`${where}: int value must be an integer number`);
      return;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(`${where}: float value must be a number`);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw malformed(`${where}: bool value must be true or false`);
      return;
    case 'null':
      if (v !== undefined && v !== null) throw malformed(`${where}: null leaf carries no value`);
      return;
    default:
      if (typeof v !== 'string') throw malformed(`${where}: ${format} value must be a string`);
  }
}

/**
 * Validate a JSON tree (an HGET payload, a GET result): shapes, formats, value types, child names,
 * depth and node count. Throws Dm2Error (400, or 413 beyond maxNodes) naming the offending path.
 */
export function decodeTree(v: unknown, limits: Dm2Limits = DEFAULT_DM2_LIMITS): JsonTreeNode {
  let count = 0;
  const walk = (x: unknown, path: string, depth: number): JsonTreeNode => {
    if (depth > limits.maxDepth) throw malformed(`tree ${path}: nested deeper than ${limits.maxDepth}`);
    if (++count > limits.maxNodes) throw tooLarge(`tree has more than ${limits.maxNodes} nodes`);
    if (!isObj(x)) throw malformed(`tree ${path}: a node must be an object`);
    onlyKeys(x, NODE_KEYS, `tree ${path}`);
    const format = x.format;
    if (!isTreeFormat(format)) throw malformed(`tree ${path}: unknown format ${JSON.stringify(format ?? null)}`);
    const node: JsonTreeNode = { format };
    for (const k of ['uri', 'type', 'acl'] as const) {
      const s = x[k];
      if (s === undefined) continue;
      if (typeof s !== 'string') throw malformed(`tree ${path}: "${k}" must be a string`);
      if (s.length > limits.maxField) throw tooLarge(`tree ${path}: "${k}" too long`);
      node[k] = s;
    }
    if (format === 'node') {
      if (x.value !== undefined) throw malformed(`tree ${path}: an interior node has no value`);
      if (x.children !== undefined) node.children = children(x.children, path, depth);
      return node;
    }
    if (x.children !== undefined) throw malformed(`tree ${path}: a leaf has no children`);
    checkLeafValue(format, x.value, `tree ${path}`);
    if (x.value !== undefined && x.value !== null) node.value = x.value as string | number | boolean;
    return node;
  };
  const children = (c: unknown, path: string, depth: number): Record<string, JsonTreeNode> => {
    if (!isObj(c)) throw malformed(`tree ${path}: "children" must be an object`);
    const out: Record<string, JsonTreeNode> = {};
    for (const name of Object.keys(c)) {
      if (name === '' || name === '.' || name === '..' || SEGMENT_BAD.test(name)) throw malformed(`tree ${path}: bad child name ${JSON.stringify(name)}`);
      if (name.length > limits.maxField) throw tooLarge(`tree ${path}: child name too long`);
      // `__proto__` (like `constructor`, `prototype`) is a valid node name: define an own property,
      // since `out[name] =` would call Object.prototype's __proto__ setter and drop the child.
      Object.defineProperty(out, name, { value: walk(c[name], `${path}/${name}`, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  try {
    return walk(v, '.', 1);
  } catch (err) {
    if (err instanceof Dm2Error) throw err;
    throw new Dm2Error(Status.BAD_REQUEST, `tree: ${(err as Error).message}`);
  }
}

/** Parse JSON text with the size limit first (413), then syntax (400); depth is checked by the decoders (decodeTree, checkDepth). */
export function parseJson(body: Uint8Array | string, limits: Dm2Limits, what: string): unknown {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > limits.maxBytes) throw tooLarge(`${what} is ${size} bytes, more than ${limits.maxBytes}`);
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw malformed(`${what} is not JSON: ${(err as Error).message}`);
  }
}

