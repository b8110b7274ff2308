import fc from 'fast-check';
import type { Command, Header, Item, LocRef, Message, Meta } from '../../../bridge/dm/message.js';

/** Characters XML 1.0 can carry, weighted toward the ones that need escaping. */
const xmlChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('&', '<', '>', '"', "'", ' ', '\t', '\n', '\r', ']', '0', 'a', 'é', '€') },
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xfffd }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);

/** Any text (Item Data keeps it exactly). */
export const text = fc.string({ unit: xmlChar, maxLength: 40 });
/** Identifier-like text: decoders trim simple elements, so no whitespace at the ends. */
export const idText = text.map((s) => s.trim());

const opt = { noNullPrototype: true, requiredKeys: [] as never[] };

export const meta: fc.Arbitrary<Meta> = fc.record(
  {
    format: idText, type: idText, size: fc.nat(), mark: idText, nextNonce: idText,
    maxMsgSize: fc.nat(), maxObjSize: fc.nat(),
  },
  opt,
);

const locRef: fc.Arbitrary<LocRef> = fc.record({ locUri: idText, locName: idText }, { noNullPrototype: true, requiredKeys: ['locUri'] });

export const item: fc.Arbitrary<Item> = fc.record(
  { target: locRef, source: locRef, meta, data: text, moreData: fc.constant(true) },
  opt,
);
const items = fc.array(item, { maxLength: 3 });
const items1 = fc.array(item, { minLength: 1, maxLength: 3 });

const itemCommand = fc.record(
  {
    cmd: fc.constantFrom('Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace'),
    cmdId: idText, noResp: fc.constant(true), meta, correlator: idText, items,
  },
  { noNullPrototype: true, requiredKeys: ['cmd', 'cmdId', 'items'] },
) as fc.Arbitrary<Command>;

const alert = fc.record(
  { cmd: fc.constant('Alert'), cmdId: idText, noResp: fc.constant(true), data: idText, correlator: idText, items },
  { noNullPrototype: true, requiredKeys: ['cmd', 'cmdId', 'data', 'items'] },
) as fc.Arbitrary<Command>;

const results = fc.record(
  {
    cmd: fc.constant('Results'), cmdId: idText, msgRef: idText, cmdRef: idText, meta,
    targetRef: idText, sourceRef: idText, items,
  },
  { noNullPrototype: true, requiredKeys: ['cmd', 'cmdId', 'cmdRef', 'items'] },
) as fc.Arbitrary<Command>;

const status = fc.record(
  {
    cmd: fc.constant('Status'), cmdId: idText, msgRef: idText, cmdRef: idText, refCmd: idText,
    targetRefs: fc.array(idText, { minLength: 1, maxLength: 2 }),
    sourceRefs: fc.array(idText, { minLength: 1, maxLength: 2 }),
    chal: fc.record({ meta }, { noNullPrototype: true }), data: idText, items: items1,
  },
  { noNullPrototype: true, requiredKeys: ['cmd', 'cmdId', 'msgRef', 'cmdRef', 'refCmd', 'data'] },
) as fc.Arbitrary<Command>;

export const command: fc.Arbitrary<Command> = fc.letrec<{ cmd: Command }>((tie) => ({
  cmd: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    itemCommand, alert, results, status,
    fc.record(
      {
        cmd: fc.constantFrom('Atomic', 'Sequence'), cmdId: idText, noResp: fc.constant(true), meta,
        commands: fc.array(tie('cmd'), { maxLength: 3 }),
      },
      { noNullPrototype: true, requiredKeys: ['cmd', 'cmdId', 'commands'] },
    ) as fc.Arbitrary<Command>,
  ),
})).cmd;

export const header: fc.Arbitrary<Header> = fc.record(
  {
    verDTD: fc.constantFrom('1.2', '1.1'), verProto: fc.constantFrom('DM/1.2', 'DM/1.3'), sessionId: idText, msgId: idText,
    target: locRef, source: locRef, respUri: idText, noResp: fc.constant(true),
    cred: fc.record({ meta, data: idText }, { noNullPrototype: true }), meta,
  },
  { noNullPrototype: true, requiredKeys: ['verDTD', 'verProto', 'sessionId', 'msgId', 'target', 'source'] },
);

export const message: fc.Arbitrary<Message> = fc.record({
  header,
  commands: fc.array(command, { maxLength: 6 }),
  final: fc.boolean(),
}, { noNullPrototype: true });
