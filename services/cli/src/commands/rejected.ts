/** `chanperf rejected --db PATH [--after ID] [--limit N]`: rejected inputs as NDJSON (raw input, code, message). */
import { withEngine } from '../commandEngine.js';
import { intOption, needDb, type CommandLine } from '../commandLine.js';
import { print } from '../stdout.js';

export async function rejectedCommand(commandLine: CommandLine): Promise<void> {
  await withEngine(needDb(commandLine, true), commandLine.config, commandLine.logger, async (engine) => {
    const rows = await engine.store.log.list({
      afterId: intOption(commandLine, 'after', 0),
      limit: intOption(commandLine, 'limit', 1000),
    });
    await print(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  });
}
