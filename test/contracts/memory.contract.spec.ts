/** The in-memory adapters against the port contracts (the reference every adapter matches). */
import { InMemoryEventLog, InMemoryReadStore } from '@chanperf/engine';
import { eventLogContract, readStoreContract } from '../../packages/testing/src/contracts/index.js';

eventLogContract('in-memory', () =>
  Promise.resolve({ log: new InMemoryEventLog(), close: () => Promise.resolve() }),
);

readStoreContract('in-memory', () =>
  Promise.resolve({ store: new InMemoryReadStore(), close: () => Promise.resolve() }),
);
