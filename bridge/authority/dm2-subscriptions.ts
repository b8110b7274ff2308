import type { Clock } from '../core/clock.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Dm2Alert, SubEvent } from '../dm/dm2-message.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { SubscriptionsRepo } from '../store/subscriptions-repo.js';
import type { Tree } from '../tree/tree.js';
import { isWithin } from '../tree/uri.js';

export interface SubscriptionAlertDeps {
  events: TypedEmitter<BridgeEvents>;
  tree: Tree;
  accounts: AccountsRepo;
  subscriptions: SubscriptionsRepo;
  outbox: OutboxRepo;
  clock: Clock;
  log?: Logger;
  /** An alert was queued for this account (the supervisor opens a session). */
  onQueued?: (account: string) => void;
}

const EVENT_OF: Record<'Add' | 'Replace' | 'Delete', SubEvent> = { Add: 'joined', Replace: 'changed', Delete: 'left' };
const DEVICES = './GwMO/DevInventory/Devices/';

/** Alert type for a change: device events under the inventory, node events elsewhere (our choice). */
export function subscriptionAlertType(uri: string, event: SubEvent): string {
  return uri.startsWith(DEVICES) ? `org.dmbridge.device.${event}` : `org.dmbridge.node.${event}`;
}

/**
 * Turns committed tree changes under a SUB'd URI into alerts queued durably in the subscriber's
 * outbox for its next session (DM2-BINDING.md "SUB"; ARCHITECTURE.md "Events to MAs"): the MA's
 * own changes included, one alert per change per MA however many of its subscriptions match, and
 * only for nodes that MA may Get (for a delete: as the node's ACL was just before it). Deleting an
 * ancestor of a subscribed node counts as `left`. Device joined/changed/left arrive here from the
 * inventory with `alerted`, the accounts the device-event rule already alerted: they get no second
 * alert (one event reaches an MA once). Returns the function that stops listening.
 */
export function startSubscriptionAlerts(d: SubscriptionAlertDeps): () => void {
  return d.events.on('tree.changed', ({ uri, op, alerted }) => {
    const event = EVENT_OF[op];
    const subs = d.subscriptions.all();
    if (subs.length === 0) return;
    const hit = new Set<string>();
    for (const s of subs) {
      if (hit.has(s.account) || !s.events.includes(event) || alerted?.includes(s.account) === true) continue;
      if (isWithin(uri, s.uri) || (op === 'Delete' && isWithin(s.uri, uri))) hit.add(s.account);
    }
    for (const account of hit) {
      const row = d.accounts.get(account);
      if (!row) continue;
      const readable = op === 'Delete' ? d.tree.acls.allowedBeforeDelete(uri, 'Get', row.serverId) : d.tree.acls.allows(uri, 'Get', row.serverId);
      if (!readable) continue;
      const alert: Dm2Alert = { type: subscriptionAlertType(uri, event), source: uri, data: { op }, correlator: null };
      try {
        d.outbox.add(account, JSON.stringify(alert), d.clock.now());
        d.onQueued?.(account);
      } catch (err) {
        d.log?.error({ err, authority: account, uri }, 'cannot queue subscription alert');
      }
    }
  });
}
