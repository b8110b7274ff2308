import { Status } from '../../core/status.js';
import type { NodeInfo, OpContext, Provider } from '../provider.js';
import type { Format, NodeInput, Outcome, Right } from '../types.js';

/** One computed leaf: how to read it and, when writable, how to change it. */
export interface LeafSpec {
  /** Path relative to the mount point, e.g. "URI/MaxDepth". */
  path: string;
  format: Format;
  type?: string;
  get(): string;
  /** Replace handler; absent = read-only (405). */
  set?(value: string, ctx: OpContext): Outcome;
  secret?: boolean;
}

/** Interior structure derived from a flat list of leaf paths. */
export class LeafIndex {
  readonly leaves = new Map<string, LeafSpec>();
  readonly interiors = new Map<string, string[]>();

  constructor(specs: readonly LeafSpec[]) {
    this.interiors.set('', []);
    for (const s of specs) {
      this.leaves.set(s.path, s);
      const segs = s.path.split('/');
      for (let i = 0; i < segs.length; i++) {
        const parent = segs.slice(0, i).join('/');
        const name = segs[i]!;
        const kids = this.interiors.get(parent) ?? [];
        if (!kids.includes(name)) kids.push(name);
        this.interiors.set(parent, kids);
        if (i < segs.length - 1 && !this.interiors.has(segs.slice(0, i + 1).join('/'))) {
          this.interiors.set(segs.slice(0, i + 1).join('/'), []);
        }
      }
    }
  }

  info(rel: string, rootType: string, permanentRoot = true): NodeInfo | undefined {
    const leaf = this.leaves.get(rel);
    if (leaf) {
      const info: NodeInfo = { format: leaf.format, type: leaf.type ?? 'text/plain', permanent: true, access: leafAccess(leaf) };
      if (leaf.secret) info.secret = true;
      else info.value = leaf.get();
      return info;
    }
    const kids = this.interiors.get(rel);
    if (!kids) return undefined;
    return { format: 'node', type: rel === '' ? rootType : '', permanent: rel === '' ? permanentRoot : true, access: ['Get'], children: kids };
  }

  replace(rel: string, input: NodeInput, ctx: OpContext): Outcome {
    const leaf = this.leaves.get(rel);
    if (!leaf) return { status: Status.NOT_FOUND };
    if (!leaf.set) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'read-only node' };
    if (input.format !== undefined && input.format !== leaf.format) {
      return { status: Status.UNSUPPORTED_MEDIA_TYPE, reason: `format must be ${leaf.format}` };
    }
    return leaf.set(input.data ?? '', ctx);
  }
}

function leafAccess(leaf: LeafSpec): Right[] {
  return leaf.set ? ['Get', 'Replace'] : ['Get'];
}

/** A fixed subtree of computed leaves (DevInfo, DevDetail, Bridge settings). */
export class FixedProvider implements Provider {
  readonly transactional = true;
  private index: LeafIndex;

  constructor(
    specs: readonly LeafSpec[],
    private readonly rootType: string,
  ) {
    this.index = new LeafIndex(specs);
  }

  /** Replace the leaf list (e.g. when adapters register). */
  reset(specs: readonly LeafSpec[]): void {
    this.index = new LeafIndex(specs);
  }

  node(segs: readonly string[]): NodeInfo | undefined {
    return this.index.info(segs.join('/'), this.rootType);
  }

  replace(segs: readonly string[], input: NodeInput, ctx: OpContext): Outcome {
    return this.index.replace(segs.join('/'), input, ctx);
  }
}
