import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_HREF, ShownUrls, showableHref } from '../../../bridge/api/shown-urls.js';
import { renderStatusPage } from '../../../bridge/api/status-html.js';
import { renderShownSection } from '../../../bridge/api/status-shown.js';

const T0 = Date.UTC(2025, 2, 1, 10, 0, 0);

describe('DM 2.0 SHOW list', () => {
  test('only http(s) URLs without credentials, bounded length', () => {
    assert.equal(showableHref('https://portal.example/msg/1'), 'https://portal.example/msg/1');
    assert.equal(showableHref('HTTP://Portal.Example'), 'http://portal.example/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'ftp://x/', 'https://u:p@x/', '/rel', '', `https://x/${'a'.repeat(MAX_HREF)}`]) {
      assert.equal(showableHref(bad), undefined, bad);
    }
  });

  test('enabled: newest first, at most 20, a repeat moves to the top; disabled: false and nothing kept', () => {
    let on = true;
    let t = T0;
    const list = new ShownUrls({ enabled: () => on, now: () => t, serverId: (a) => (a === 'isp' ? 'dm.isp.example' : undefined) });
    for (let i = 0; i < 25; i++) {
      t += 1000;
      assert.equal(list.offer('isp', `https://portal.example/${i}`), true);
    }
    assert.equal(list.list().length, 20);
    assert.equal(list.list()[0]!.href, 'https://portal.example/24');
    assert.equal(list.list()[19]!.href, 'https://portal.example/5');
    assert.equal(list.offer('other', 'https://portal.example/10'), true);
    assert.equal(list.offer('isp', 'https://portal.example/10'), true);
    const top = list.list().slice(0, 2);
    assert.deepEqual(top.map((x) => [x.account, x.serverId, x.href]), [['isp', 'dm.isp.example', 'https://portal.example/10'], ['other', '', 'https://portal.example/10']]);
    assert.equal(list.list().filter((x) => x.account === 'isp' && x.href.endsWith('/10')).length, 1);
    assert.equal(list.offer('isp', 'javascript:alert(1)'), false);
    on = false;
    assert.equal(list.offer('isp', 'https://portal.example/new'), false);
    assert.equal(list.enabled(), false);
    on = true;
    assert.ok(!list.list().some((x) => x.href.endsWith('/new')));
    list.forget('isp');
    assert.deepEqual(list.list().map((x) => x.account), ['other']);
  });

  test('page section: links escaped, rel=noopener noreferrer, labelled with the authority; absent when disabled', () => {
    const html = renderShownSection([{ account: 'isp', serverId: 'dm.isp.example', href: 'https://x.example/?a=1&b="><script>', at: new Date(T0).toISOString() }]);
    assert.match(html, /<a href="https:\/\/x\.example\/\?a=1&amp;b=&quot;&gt;&lt;script&gt;" rel="noopener noreferrer" target="_blank">/);
    assert.match(html, /sent by dm\.isp\.example \(account isp\) at <time>2025-03-01 10:00:00Z<\/time>/);
    assert.equal(html.match(/<script/g), null);
    assert.match(renderShownSection(undefined), /^<section id="shown-section" hidden>/);
    assert.equal(renderShownSection(undefined).match(/<li/g), null);
    const page = (shown?: ReturnType<ShownUrls['list']>) =>
      renderStatusPage({ data: { authorities: [], devices: [], sessions: [], ...(shown ? { shown } : {}) }, nonce: 'n', generatedAt: 'now' });
    assert.match(page(), /<section id="shown-section" hidden>/);
    assert.doesNotMatch(page([]), /<section id="shown-section" hidden>/);
    assert.match(page([]), /no links sent yet/);
  });

  test('any accepted href renders as one link whose text and attribute hold no markup', () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ maxLength: 20 }), (url, junk) => {
      const list = new ShownUrls({ enabled: () => true });
      const href = `${url}${encodeURIComponent(junk)}"'<>`;
      if (!list.offer('isp', href)) return;
      const html = renderShownSection(list.list());
      assert.equal(html.match(/<a /g)?.length, 1);
      const attr = /<a href="([^"]*)"/.exec(html)![1]!;
      assert.doesNotMatch(attr, /[<>"']/);
      assert.match(attr, /^https?:\/\//);
    }), { numRuns: 200 });
  });
});
