/** DM 2.0 JSON binding codec (DM2-BINDING.md): pure functions, no tree, no I/O. */
export * from './types.js';
export { Dm2Error } from './errors.js';
export { alert as decodeAlert, decodeClientPackage, decodeCommand, decodeServerPackage } from './decode.js';
export { encodePackage, type OutgoingServerPackage } from './encode.js';
export { decodeTree, isTreeFormat, jsonToLeaf, leafToJson, parseJson, treeFormatOf } from './tree-json.js';
export { notificationMac, verifyNotification, type Dm2Notification, type NotificationCheck, type NotificationContext } from './notification.js';
