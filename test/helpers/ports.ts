/** A free TCP port on the loopback interface (the product's own helper). */
export { freeLoopbackPort as freePort } from '../../src/net.js';
