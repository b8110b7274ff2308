/** Builders for the commands a test scripts into the reference DM 1.2 server (CmdIDs are assigned when sent). */
import type { AlertCommand, Command, ContainerCommand, Item, ItemCommand, Meta } from '../../bridge/dm/message.js';

export type Scripted = Command;

const target = (uri: string, data?: string, meta?: Meta): Item => ({
  target: { locUri: uri },
  ...(meta ? { meta } : {}),
  ...(data === undefined ? {} : { data }),
});

export const get = (...uris: string[]): ItemCommand => ({ cmd: 'Get', cmdId: '', items: uris.map((u) => target(u)) });
export const replace = (uri: string, data: string, meta?: Meta): ItemCommand => ({ cmd: 'Replace', cmdId: '', items: [target(uri, data, meta)] });
export const add = (uri: string, data?: string, meta?: Meta): ItemCommand => ({ cmd: 'Add', cmdId: '', items: [target(uri, data, meta)] });
export const addNode = (uri: string): ItemCommand => ({ cmd: 'Add', cmdId: '', items: [target(uri, undefined, { format: 'node' })] });
export const del = (uri: string): ItemCommand => ({ cmd: 'Delete', cmdId: '', items: [target(uri)] });
export const copy = (to: string, from: string): ItemCommand => ({ cmd: 'Copy', cmdId: '', items: [{ target: { locUri: to }, source: { locUri: from } }] });
export const exec = (uri: string, data?: string, correlator?: string): ItemCommand => ({
  cmd: 'Exec',
  cmdId: '',
  items: [target(uri, data)],
  ...(correlator === undefined ? {} : { correlator }),
});
export const atomic = (...commands: Command[]): ContainerCommand => ({ cmd: 'Atomic', cmdId: '', commands });
export const sequence = (...commands: Command[]): ContainerCommand => ({ cmd: 'Sequence', cmdId: '', commands });
export const uiAlert = (code: string, options: string, ...texts: string[]): AlertCommand => ({
  cmd: 'Alert',
  cmdId: '',
  data: code,
  items: [{ data: options }, ...texts.map((t) => ({ data: t }))],
});
/** Replace ?prop=ACL of a node. */
export const setAcl = (uri: string, acl: string): ItemCommand => replace(`${uri}?prop=ACL`, acl);
