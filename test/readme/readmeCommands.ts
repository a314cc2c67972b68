/**
 * The README's commands, as test/readme/commands.spec.ts runs them, in the order they appear:
 *
 * - each ```sh block, whole (a command may span lines);
 *   - a block whose commands are only variable assignments (`API=…; H=…`) is a `prelude`, set
 *     before every later command;
 *   - a block that runs `chanperf serve` is a `serve`: started in the background;
 *   - a block that runs `npm` is `skipped`, with the reason: `npm test` is the suite this test
 *     is part of, and `npm run demo` is `scripts/setup.sh` (the install and build this test
 *     stands in for, ~2 minutes) then `chanperf demo` (services/cli/src/commands/demo.int.spec.ts);
 *   - a ```text block right after a sh block is what that block prints on stdout, exactly;
 * - each `curl …` in a table's cell: a request to the `serve` started last.
 */

export type Step =
  | { readonly kind: 'run'; readonly script: string; readonly output?: string; readonly line: number }
  | { readonly kind: 'prelude'; readonly script: string; readonly line: number }
  | { readonly kind: 'serve'; readonly script: string; readonly line: number }
  | { readonly kind: 'curl'; readonly script: string; readonly line: number }
  | { readonly kind: 'skipped'; readonly script: string; readonly why: string; readonly line: number };

const SKIPPED_NPM =
  '`npm test` is the suite this test belongs to; `npm run demo` is the install and build this ' +
  'test stands in for, then `chanperf demo` (services/cli/src/commands/demo.int.spec.ts)';

/** One shell line, comments and continuations aside, is only `NAME=value` assignments. */
function onlyAssignments(script: string): boolean {
  const commands = script
    .replace(/\\\n/g, ' ')
    .split(/\n|;/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return commands.every((c) => /^[A-Za-z_]\w*=("[^"]*"|'[^']*'|\S*)$/.test(c));
}

function blockStep(script: string, line: number): Step {
  if (/^\s*npm /m.test(script)) return { kind: 'skipped', script, why: SKIPPED_NPM, line };
  if (/chanperf serve\b/.test(script)) return { kind: 'serve', script, line };
  if (onlyAssignments(script)) return { kind: 'prelude', script, line };
  return { kind: 'run', script, line };
}

/** The `curl …` commands in a table row's cells (in backticks). */
function tableCurls(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .map((cell) => /^\s*`(curl [^`]+)`\s*$/.exec(cell)?.[1])
    .filter((c): c is string => c !== undefined);
}

/** The steps of a README, in order. */
export function readmeSteps(markdown: string): Step[] {
  const lines = markdown.split('\n');
  const steps: Step[] = [];
  let shEnd = -1; // the line index of the last sh block's closing fence
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i] ?? '');
    if (fence === null) {
      const row = lines[i] ?? '';
      if (row.startsWith('|')) {
        for (const script of tableCurls(row)) steps.push({ kind: 'curl', script, line: i + 1 });
      }
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    const last = steps.at(-1);
    if (fence[1] === 'sh') {
      steps.push(blockStep(body.join('\n'), start + 1));
      shEnd = i;
    } else if (fence[1] === 'text' && last?.kind === 'run' && rightAfter(lines, shEnd, start)) {
      steps[steps.length - 1] = { ...last, output: body.join('\n') };
    }
  }
  return steps;
}

/** Only blank lines between the sh block that ended at `end` and the fence at `start`. */
function rightAfter(lines: readonly string[], end: number, start: number): boolean {
  return end >= 0 && lines.slice(end + 1, start).every((l) => l.trim() === '');
}
