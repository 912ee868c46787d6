import { parseArgs } from 'node:util';
import { explainText } from '../../shared/diagnose';
import { echo, renderForTerminal } from '../terminal';
import { type Command, UsageError } from '../usage';

export const explain: Command = {
  name: 'explain',
  summary: 'Explain a failure text you copied (stoppedReason, container reason, service event, API error)',
  help: `Usage: ecs-medic explain [--json] [--each-line] [TEXT...]

Names the footgun behind a failure text, why it happens and the exact fix.
TEXT is joined with spaces into one text. Without TEXT, standard input is read
as one text, or with --each-line every non-empty line as a separate text.

Options:
  --json        one JSON object per text: {"input": "...", "findings": [...]}
  --each-line   treat every non-empty line of standard input as its own text
  -h, --help    show this help

Exit status: 0 whether or not a rule recognised the text; 2 on usage errors.`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, 'each-line': { type: 'boolean' } },
    });
    if (values['each-line'] && positionals.length > 0) throw new UsageError('--each-line reads standard input; give no TEXT with it');
    let texts: string[];
    if (positionals.length > 0) texts = [positionals.join(' ')];
    else {
      const input = await io.stdin();
      texts = values['each-line'] ? input.split(/\r?\n/).filter((line) => line.trim() !== '') : [input.trim()];
    }
    if (texts.length === 0 || texts.every((t) => t === '')) throw new UsageError('no text to explain: pass TEXT or pipe it on standard input');

    for (const [i, text] of texts.entries()) {
      const findings = await explainText(text);
      if (values.json) {
        io.out(JSON.stringify({ input: text, findings }));
        continue;
      }
      if (texts.length > 1) io.out(`${i > 0 ? '\n' : ''}── ${echo(text)}`);
      // Unknown texts get the generic next step; only messages that report no failure get nothing.
      if (findings.length === 0) io.out('No failure in this text: ECS reports it for a user stop, a scale-in, a steady state or a routine change.');
      io.out(findings.map(renderForTerminal).join('\n\n'));
    }
    return 0;
  },
};
