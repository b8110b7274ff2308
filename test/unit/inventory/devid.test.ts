import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hashDevId, macDevId, mdnsDevId, parseArp, SEGMENT, slug, uniqueId, upnpDevId } from '../../../bridge/inventory/devid.js';

describe('DevID rules', () => {
  test('upnp-<uuid>, mdns-<instance>.<host>, mac-<hex>', () => {
    assert.equal(upnpDevId('4D696E69-444C'), 'upnp-4d696e69-444c');
    assert.equal(mdnsDevId('Lab ZC Printer', 'lab-zc.local'), 'mdns-lab-zc-printer.lab-zc');
    assert.equal(mdnsDevId('Café Drucker', 'büro.local.'), 'mdns-cafe-drucker.buro');
    assert.equal(mdnsDevId('printer', 'printer.local'), 'mdns-printer');
    assert.equal(mdnsDevId('打印机', 'プリンタ.local'), undefined, 'nothing ASCII left: fall back to the MAC');
    assert.equal(macDevId('0242ac110002'), 'mac-0242ac110002');
    assert.equal(macDevId('zz'), undefined);
    assert.equal(uniqueId('mdns-a', (id) => id === 'mdns-a' || id === 'mdns-a~2'), 'mdns-a~3');
  });

  test('property: every derived DevID is one valid URI segment and deterministic', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (instance, host) => {
      const id = mdnsDevId(instance, host);
      if (id !== undefined) {
        assert.match(id, SEGMENT);
        assert.equal(mdnsDevId(instance, host), id);
      }
      assert.match(hashDevId('mdns', instance + host), SEGMENT);
      assert.match(`x${slug(instance)}`, /^x[a-z0-9-]*$/);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9._~-]{1,100}$/), (uuid) => {
      assert.match(upnpDevId(uuid)!, SEGMENT);
    }));
  });

  test('/proc/net/arp: complete entries only', () => {
    const t = `IP address       HW type     Flags       HW address            Mask     Device
10.78.0.11       0x1         0x2         AA:bb:cc:00:11:22     *        eth0
10.78.0.12       0x1         0x0         00:00:00:00:00:00     *        eth0
garbage
10.78.0.13       0x1         0x2         00:00:00:00:00:00     *        eth0`;
    assert.deepEqual([...parseArp(t)], [['10.78.0.11', 'aabbcc001122']]);
  });
});
