export { AdapterHost, enabledKey, type AdapterHostOptions, type DeviceSource } from './host.js';
export { toBridgeError } from './errors.js';
