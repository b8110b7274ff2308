import { RIGHTS, type Principal, type Right } from './types.js';

/** A parsed ACL: for each command, `'*'` (any authenticated server) or a list of ServerIDs. */
export type Acl = Partial<Record<Right, '*' | readonly string[]>>;

export type AclParse = { ok: true; acl: Acl } | { ok: false; reason: string };

// An id is printable, without whitespace or = & * + (PROTOCOL.md §2.10).
const ID = /^[\x21-\x7e\u00a0-\uffff]+$/u;
const ID_FORBIDDEN = /[=&*+\s]/u;

export function isValidServerId(id: string): boolean {
  return ID.test(id) && !ID_FORBIDDEN.test(id);
}

/**
 * Parse `Add=a+b&Get=*`. The empty string is the empty ACL (the node inherits).
 * Rejects unknown commands, duplicated commands, empty id lists, `*` mixed with ids, bad ids.
 */
export function parseAcl(text: string): AclParse {
  const acl: Acl = {};
  if (text === '') return { ok: true, acl };
  for (const entry of text.split('&')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) return { ok: false, reason: `malformed ACL entry "${entry}"` };
    const cmd = entry.slice(0, eq);
    if (!(RIGHTS as readonly string[]).includes(cmd)) return { ok: false, reason: `unknown ACL command "${cmd}"` };
    const right = cmd as Right;
    if (acl[right] !== undefined) return { ok: false, reason: `ACL command "${cmd}" given twice` };
    const ids = entry.slice(eq + 1).split('+');
    if (ids.length === 1 && ids[0] === '*') {
      acl[right] = '*';
      continue;
    }
    for (const id of ids) {
      if (id === '*') return { ok: false, reason: `"*" cannot be combined with ServerIDs in "${cmd}"` };
      if (!isValidServerId(id)) return { ok: false, reason: `invalid ServerID "${id}" in ACL` };
    }
    if (new Set(ids).size !== ids.length) return { ok: false, reason: `duplicate ServerID in "${cmd}"` };
    acl[right] = ids;
  }
  return { ok: true, acl };
}

/** Canonical text: commands in RIGHTS order, ids in given order. */
export function serializeAcl(acl: Acl): string {
  const parts: string[] = [];
  for (const r of RIGHTS) {
    const v = acl[r];
    if (v === undefined) continue;
    parts.push(`${r}=${v === '*' ? '*' : v.join('+')}`);
  }
  return parts.join('&');
}

export function isEmptyAcl(acl: Acl): boolean {
  return RIGHTS.every((r) => acl[r] === undefined);
}

/** Does this ACL grant `right` to `principal`? The local operator (null) always passes. */
export function grants(acl: Acl, right: Right, principal: Principal): boolean {
  if (principal === null) return true;
  const v = acl[right];
  if (v === undefined) return false;
  return v === '*' || v.includes(principal);
}

/**
 * Remove a ServerID from an ACL. Commands left with no ids are dropped, except in the root ACL,
 * where they become `*` (PROTOCOL.md §2.10).
 */
export function withoutServerId(acl: Acl, serverId: string, isRoot: boolean): Acl {
  const out: Acl = {};
  for (const r of RIGHTS) {
    const v = acl[r];
    if (v === undefined) continue;
    if (v === '*') {
      out[r] = '*';
      continue;
    }
    const ids = v.filter((id) => id !== serverId);
    if (ids.length > 0) out[r] = ids;
    else if (isRoot) out[r] = '*';
  }
  return out;
}

/** The ACL given to a server that adds an interior node without Replace rights on the parent. */
export function adderAcl(serverId: string): Acl {
  return { Add: [serverId], Delete: [serverId], Replace: [serverId] };
}
