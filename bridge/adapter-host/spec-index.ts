import { SEGMENT, type Access, type NodeSpec } from '../../adapters/sdk/index.js';

const MAX_NODES = 5000;
const MAX_DEPTH = 12;

/** A device subtree from its NodeSpecs: leaves by path, interiors with ordered children. Invalid specs are dropped. */
export class SpecIndex {
  readonly leaves = new Map<string, NodeSpec>();
  readonly interiors = new Map<string, { type: string; children: string[] }>();
  readonly dropped: number;

  constructor(specs: readonly NodeSpec[]) {
    this.interiors.set('', { type: '', children: [] });
    let dropped = 0;
    for (const s of specs) {
      const segs = typeof s.path === 'string' ? s.path.split('/') : [];
      const ok = segs.length > 0 && segs.length <= MAX_DEPTH && segs.every((x) => SEGMENT.test(x) && x !== '.' && x !== '..');
      if (!ok || this.leaves.size + this.interiors.size >= MAX_NODES || this.leaves.has(s.path)) {
        dropped++;
        continue;
      }
      if (s.format !== 'node' && this.interiors.has(s.path)) {
        dropped++;
        continue;
      }
      let parent = '';
      for (let i = 0; i < segs.length; i++) {
        const path = segs.slice(0, i + 1).join('/');
        const last = i === segs.length - 1;
        const p = this.interiors.get(parent)!;
        if (!p.children.includes(segs[i]!)) p.children.push(segs[i]!);
        if (!last || s.format === 'node') {
          const existing = this.interiors.get(path);
          if (!existing) this.interiors.set(path, { type: last ? s.type ?? '' : '', children: [] });
          else if (last && s.type) existing.type = s.type;
        }
        if (this.leaves.has(path) && !last) {
          this.leaves.delete(path); // a leaf cannot have children: the interior wins
          dropped++;
        }
        parent = path;
      }
      if (s.format !== 'node') this.leaves.set(s.path, s);
    }
    this.dropped = dropped;
  }
}

export const allows = (s: NodeSpec, a: Access): boolean => s.access.includes(a);
