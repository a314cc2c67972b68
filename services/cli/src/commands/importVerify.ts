/**
 * The end of `chanperf import`: the target read back through its ports must equal the file —
 * every position's eventId, type, channelId and payload, the rejected inputs with their ids,
 * statuses and bytes, the counts and the source checkpoints. A difference fails the import
 * (`IMPORT_VERIFY_FAILED`, exit 2) naming the first one.
 */
import { EngineError } from '@chanperf/engine';
import { readExport, type ExportContents } from './exportFile.js';
import { checkpointLine, countsLine, rejectedLine } from './exportFormat.js';
import { readRange, type MovableStore } from './exportStore.js';

function differs(store: MovableStore, what: string): EngineError {
  return new EngineError(
    'IMPORT_VERIFY_FAILED',
    `import: ${store.name} differs from the file: ${what}`,
    false,
  );
}

export async function verifyImport(
  store: MovableStore,
  file: string,
  contents: ExportContents,
): Promise<void> {
  const head = await store.log.head();
  if (head !== contents.header.head)
    throw differs(store, `its log has ${head} entries, the file ${contents.header.head}`);
  await readExport(file, async (batch) => {
    const got = await readRange(store, batch);
    batch.forEach((e, i) => {
      const g = got[i];
      const same =
        g?.position === e.position &&
        g.eventId === e.eventId &&
        g.type === e.type &&
        g.channelId === e.channelId &&
        g.payload === e.payload;
      if (!same) throw differs(store, `position ${e.position} (line ${e.position + 1})`);
    });
  });
  const rejected = await store.log.list({ limit: contents.rejected.length + 1 });
  if (rejected.length !== contents.rejected.length) {
    throw differs(store, `${rejected.length} rejected inputs, the file ${contents.rejected.length}`);
  }
  for (const [i, record] of rejected.entries()) {
    const raw = (await store.log.rawBytes(record.id)) ?? new Uint8Array();
    const expected = contents.rejected[i];
    if (expected === undefined || rejectedLine({ record, raw }) !== rejectedLine(expected)) {
      throw differs(store, `rejected input ${record.id}`);
    }
  }
  if (countsLine(await store.log.counts()) !== countsLine(contents.counts))
    throw differs(store, 'the counts');
  const checkpoints = store.checkpoints().map(checkpointLine).join('');
  if (checkpoints !== contents.checkpoints.map(checkpointLine).join('')) {
    throw differs(store, 'the source checkpoints');
  }
}
