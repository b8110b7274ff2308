import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDeviceDescription } from '../../../adapters/upnp/description.js';
import { parsePropertySet } from '../../../adapters/upnp/gena.js';
import { buildService, segmentOf, specsOf } from '../../../adapters/upnp/model.js';
import { parseScpd } from '../../../adapters/upnp/scpd.js';
import { escapeXml, parseSoapResponse, soapRequest } from '../../../adapters/upnp/soap.js';
import { faultError } from '../../../adapters/upnp/actions.js';
import { BadValue, NotSupported, SEGMENT } from '../../../adapters/sdk/index.js';

const DESC = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType><friendlyName>Lab</friendlyName>
<UDN>uuid:4d696e69-444c-164e-9d41-0a0b0c0d0e01</UDN>
<serviceList>
 <service><serviceType>urn:schemas-upnp-org:service:ContentDirectory:1</serviceType><serviceId>urn:upnp-org:serviceId:ContentDirectory</serviceId>
  <controlURL>/ctl/ContentDir</controlURL><eventSubURL>/evt/ContentDir</eventSubURL><SCPDURL>/ContentDir.xml</SCPDURL></service>
 <service><serviceType>x</serviceType><serviceId>urn:x:serviceId:Bad</serviceId><controlURL>javascript:alert(1)</controlURL><SCPDURL>/b.xml</SCPDURL></service>
</serviceList>
<deviceList><device><UDN>uuid:emb</UDN><serviceList><service><serviceType>urn:e</serviceType><serviceId>urn:e:serviceId:Emb:1</serviceId>
 <controlURL>http://10.0.0.9/c</controlURL><SCPDURL>e.xml</SCPDURL></service></serviceList></device></deviceList>
</device></root>`;

const SCPD = `<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0">
<actionList>
 <action><name>GetSystemUpdateID</name><argumentList><argument><name>Id</name><direction>out</direction><relatedStateVariable>SystemUpdateID</relatedStateVariable></argument></argumentList></action>
 <action><name>Browse</name><argumentList>
  <argument><name>ObjectID</name><direction>in</direction><relatedStateVariable>A_ARG_TYPE_ObjectID</relatedStateVariable></argument>
  <argument><name>BrowseFlag</name><direction>in</direction><relatedStateVariable>A_ARG_TYPE_BrowseFlag</relatedStateVariable></argument>
  <argument><name>Result</name><direction>out</direction><relatedStateVariable>A_ARG_TYPE_Result</relatedStateVariable></argument>
  <argument><name>NumberReturned</name><direction>out</direction><relatedStateVariable>A_ARG_TYPE_Count</relatedStateVariable></argument>
 </argumentList></action>
 <action><name>bad name/..</name></action>
</actionList>
<serviceStateTable>
 <stateVariable sendEvents="yes"><name>SystemUpdateID</name><dataType>ui4</dataType></stateVariable>
 <stateVariable sendEvents="yes"><name>ContainerUpdateIDs</name><dataType>string</dataType></stateVariable>
 <stateVariable sendEvents="no"><name>A_ARG_TYPE_ObjectID</name><dataType>string</dataType></stateVariable>
 <stateVariable sendEvents="no"><name>A_ARG_TYPE_BrowseFlag</name><dataType>string</dataType>
  <allowedValueList><allowedValue>BrowseMetadata</allowedValue><allowedValue>BrowseDirectChildren</allowedValue></allowedValueList></stateVariable>
 <stateVariable sendEvents="no"><name>A_ARG_TYPE_Result</name><dataType>string</dataType></stateVariable>
 <stateVariable sendEvents="no"><name>A_ARG_TYPE_Count</name><dataType>ui4</dataType></stateVariable>
</serviceStateTable></scpd>`;

test('device description: services of root and embedded devices with absolute http URLs', () => {
  const r = parseDeviceDescription(DESC, 'http://10.78.0.11:8200/rootDesc.xml');
  assert.ok(r.ok);
  assert.deepEqual(r.value.services.map((s) => s.serviceId), ['urn:upnp-org:serviceId:ContentDirectory', 'urn:e:serviceId:Emb:1']);
  assert.equal(r.value.services[0]!.controlUrl, 'http://10.78.0.11:8200/ctl/ContentDir');
  assert.equal(r.value.services[0]!.eventSubUrl, 'http://10.78.0.11:8200/evt/ContentDir');
  assert.equal(r.value.services[1]!.scpdUrl, 'http://10.78.0.11:8200/e.xml');
  assert.equal(r.value.services.some((s) => s.serviceId.endsWith(':Bad')), false, 'a javascript: control URL drops the service');
});

test('SCPD: actions, args, state variables with sendEvents and allowed values; invalid names dropped', () => {
  const r = parseScpd(SCPD);
  assert.ok(r.ok);
  assert.deepEqual(r.value.actions.map((a) => a.name), ['GetSystemUpdateID', 'Browse']);
  assert.deepEqual(r.value.actions[1]!.args.map((a) => `${a.direction}:${a.name}`), ['in:ObjectID', 'in:BrowseFlag', 'out:Result', 'out:NumberReturned']);
  const v = new Map(r.value.stateVars.map((x) => [x.name, x]));
  assert.equal(v.get('SystemUpdateID')!.sendEvents, true);
  assert.equal(v.get('A_ARG_TYPE_ObjectID')!.sendEvents, false);
  assert.deepEqual(v.get('A_ARG_TYPE_BrowseFlag')!.allowedValues, ['BrowseMetadata', 'BrowseDirectChildren']);
});

test('model: readable state (getter or evented), action nodes, every segment a valid URI segment', () => {
  const d = parseDeviceDescription(DESC, 'http://10.78.0.11:8200/rootDesc.xml');
  const s = parseScpd(SCPD);
  assert.ok(d.ok && s.ok);
  const svc = buildService(d.value.services[0]!, s.value, segmentOf(d.value.services[0]!.serviceId, new Set()), true);
  assert.equal(svc.seg, 'ContentDirectory');
  assert.equal(svc.state.get('SystemUpdateID')!.getter?.action.name, 'GetSystemUpdateID');
  assert.equal(svc.state.get('ContainerUpdateIDs')!.getter, undefined);
  assert.equal(svc.state.has('A_ARG_TYPE_Result'), false);
  const paths = specsOf([svc]).map((x) => x.path);
  for (const p of ['Services/ContentDirectory/State/SystemUpdateID', 'Services/ContentDirectory/Actions/Browse/In/ObjectID',
    'Services/ContentDirectory/Actions/Browse/Exec', 'Services/ContentDirectory/Actions/Browse/Out/Result']) assert.ok(paths.includes(p), p);
  for (const p of paths) for (const seg of p.split('/')) assert.match(seg, SEGMENT);
  assert.equal(segmentOf('urn:a:serviceId:Content Dir/..', new Set()), 'Content_Dir_..');
  assert.equal(segmentOf('urn:x:serviceId:A', new Set(['A'])), 'A-2');
});

test('SOAP: request escapes values; response out args, escaped DIDL kept as text; faults keep the UPnP code', () => {
  const req = soapRequest('urn:schemas-upnp-org:service:ContentDirectory:1', 'Browse', [['ObjectID', '0<&>"\'']]);
  assert.match(req, /<ObjectID>0&lt;&amp;&gt;&quot;&apos;<\/ObjectID>/);
  const ok = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<u:BrowseResponse xmlns:u="urn:schemas-upnp-org:service:ContentDirectory:1"><Result>&lt;DIDL-Lite&gt;&lt;/DIDL-Lite&gt;</Result><NumberReturned>3</NumberReturned><Extra>x</Extra></u:BrowseResponse></s:Body></s:Envelope>`;
  const r = parseSoapResponse(ok, 'Browse', ['Result', 'NumberReturned']);
  assert.ok(r.ok && r.value.kind === 'ok');
  assert.deepEqual(r.value.out, { Result: '<DIDL-Lite></DIDL-Lite>', NumberReturned: '3' });
  const fault = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>
<detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>401</errorCode><errorDescription>Invalid Action</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`;
  const f = parseSoapResponse(fault, 'Nope', []);
  assert.ok(f.ok && f.value.kind === 'fault');
  assert.deepEqual(f.value.fault, { code: 401, description: 'Invalid Action' });
  const e = faultError('Nope', f.value.fault);
  assert.ok(e instanceof NotSupported);
  assert.match(e.message, /UPnP error 401/);
  assert.ok(faultError('Browse', { code: 402, description: 'Invalid Args' }) instanceof BadValue);
  assert.equal(escapeXml('a\u0001b'), 'ab');
});

test('GENA propertyset: evented variables by name', () => {
  const r = parsePropertySet(`<?xml version="1.0"?><e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><SystemUpdateID>7</SystemUpdateID></e:property><e:property><ContainerUpdateIDs></ContainerUpdateIDs></e:property></e:propertyset>`);
  assert.ok(r.ok);
  assert.deepEqual([...r.value], [['SystemUpdateID', '7'], ['ContainerUpdateIDs', '']]);
});

const HOSTILE = [
  '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><root><device>&b;</device></root>',
  '<!DOCTYPE x SYSTEM "file:///etc/passwd"><scpd/>',
  `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`,
  `<root>${'<x/>'.repeat(6000)}</root>`,
  '<root><device><unclosed></device></root>',
  '',
  'not xml at all',
  '<root>'.padEnd(300 * 1024, ' ') + '</root>',
];

test('hostile and malformed XML: every parser answers a reason, never throws', () => {
  for (const x of HOSTILE) {
    const a = parseDeviceDescription(x, 'http://h/');
    const b = parseScpd(x);
    const c = parseSoapResponse(x, 'Browse', ['Result']);
    const d = parsePropertySet(x);
    assert.equal(a.ok, false, x.slice(0, 40));
    assert.equal(b.ok, false, x.slice(0, 40));
    assert.equal(c.ok, false, x.slice(0, 40));
    assert.equal(d.ok, false, x.slice(0, 40));
  }
});

// an arbitrary XML-ish document: nested elements with arbitrary names and text
const xmlish = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 20 }).map(escapeXml),
    fc.tuple(fc.constantFrom('root', 'device', 'service', 'serviceList', 'scpd', 'action', 'actionList', 'argument', 'name', 'Envelope', 'Body',
      'Fault', 'BrowseResponse', 'Result', 'propertyset', 'property', 'stateVariable', 'serviceStateTable', 'x'), fc.array(tie('node'), { maxLength: 4 }))
      .map(([n, kids]) => `<${n}>${(kids as string[]).join('')}</${n}>`),
  ),
})).node;

test('property: arbitrary (well- or ill-formed) input never throws and answers the typed shape', () => {
  fc.assert(fc.property(fc.oneof(xmlish, fc.string({ maxLength: 300 })), (x) => {
    const a = parseDeviceDescription(x, 'http://10.0.0.1/d.xml');
    if (a.ok) for (const s of a.value.services) assert.match(s.controlUrl, /^https?:\/\//);
    const b = parseScpd(x);
    if (b.ok) for (const ac of b.value.actions) assert.match(ac.name, SEGMENT);
    const c = parseSoapResponse(x, 'Browse', ['Result']);
    if (c.ok && c.value.kind === 'ok') for (const v of Object.values(c.value.out)) assert.equal(typeof v, 'string');
    const d = parsePropertySet(x);
    if (d.ok) for (const v of d.value.values()) assert.equal(typeof v, 'string');
  }), { numRuns: 500 });
});

test('property: SOAP request round-trips any argument value through the response parser', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (v) => {
    // a request for the action "BrowseResponse" has the shape of a Browse answer
    const r = parseSoapResponse(soapRequest('urn:t', 'BrowseResponse', [['Result', v]]), 'Browse', ['Result']);
    assert.ok(r.ok && r.value.kind === 'ok');
    assert.equal(r.value.out.Result, v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
  }), { numRuns: 300 });
});
