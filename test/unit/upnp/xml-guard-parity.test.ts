import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DOC_LIMITS, xmlRejection as adapterGuard, type XmlLimits } from '../../../adapters/upnp/xml-guard.js';
import { DESCRIPTION_LIMITS, xmlRejection as inventoryGuard } from '../../../bridge/inventory/xml-guard.js';

// adapters/upnp/xml-guard.ts is a deliberate copy of bridge/inventory/xml-guard.ts (layering forbids
// sharing it): this keeps the two from drifting apart.

const SMALL: XmlLimits = { maxBytes: 400, maxDepth: 4, maxElements: 12 };

const piece = fc.constantFrom(
  '<a>', '</a>', '<b x="1">', '</b>', '<c/>', '<s:Envelope>', '</s:Envelope>', 'text', '&amp;', '<!-- <a> -->',
  '<![CDATA[<a>]]>', '<?xml version="1.0"?>', '<!DOCTYPE x>', '<!ENTITY e "v">', '<', '>', '/', ' ', 'é',
);

test('xml-guard copies: same default limits', () => {
  assert.deepEqual(DOC_LIMITS, DESCRIPTION_LIMITS);
});

test('xml-guard copies: the adapter and inventory guards give the same verdict on any input', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
      const xml = parts.join('');
      assert.equal(adapterGuard(xml, SMALL), inventoryGuard(xml, SMALL));
      assert.equal(adapterGuard(xml), inventoryGuard(xml));
    }),
    { numRuns: 500 },
  );
  // the property is not vacuous: both accept and reject
  assert.equal(adapterGuard('<a><b/></a>', SMALL), undefined);
  assert.match(adapterGuard('<a><a><a><a><a>', SMALL) ?? '', /nested deeper than 4/);
});
