// Runs INSIDE a device namespace (`ip netns exec NS node --import tsx this.ts HOST UUID`): the small
// real UPnP MediaServer of test/peers (SSDP + description + SOAP + GENA publisher). Prints one JSON
// line per event ({ready}, {subscribe}, {delivery}, {bumped}); reads commands from stdin ("bump",
// "stop").
import { createInterface } from 'node:readline';
import { UpnpMediaServer } from '../../peers/upnp-media-server.js';

const [host, uuid] = process.argv.slice(2) as [string, string];
const dev = new UpnpMediaServer({ host, uuid });
const say = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
dev.gena.onSubscribe = (e) => say({ subscribe: e });
dev.gena.onDelivery = (d) => say({ delivery: d });
say({ ready: await dev.start() });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'bump') say({ bumped: dev.bump() });
  if (line === 'stop') break;
}
await dev.stop();
say({ stopped: true });
