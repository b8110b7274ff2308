/** The binding's types live next to message.ts so that sessions can use them without importing the codec. */
export * from '../dm2-message.js';
