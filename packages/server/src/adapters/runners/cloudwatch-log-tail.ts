import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CommandOutputLine } from '../../ports/command-runner.js';

/** Lines longer than this are cut and marked, as the local runner does. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * Follows one CloudWatch Logs stream from its head, delivering each complete line once. The
 * stream may not exist yet (a build still queued): that is not an error, there is just nothing.
 */
export class CloudWatchLogTail {
  private token: string | undefined;
  private at = new Date();

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly onOutput: (line: CommandOutputLine) => void,
  ) {}

  /** Reads every event written since the last call. */
  async drain(where: { group: string; stream: string }): Promise<void> {
    for (;;) {
      let page;
      try {
        page = await this.logs.send(
          new GetLogEventsCommand({
            logGroupName: where.group,
            logStreamName: where.stream,
            startFromHead: true,
            ...(this.token ? { nextToken: this.token } : {}),
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return;
        throw error;
      }
      for (const event of page.events ?? []) {
        this.at = new Date(event.timestamp ?? Date.now());
        this.push(event.message ?? '');
      }
      const next = page.nextForwardToken;
      if (!next || next === this.token) return;
      this.token = next;
      if ((page.events ?? []).length === 0) return;
    }
  }

  /** Each event is a line (CodeBuild's end in a newline) or several; a trailing newline ends one. */
  private push(message: string): void {
    const text = message.endsWith('\n') ? message.slice(0, -1) : message;
    for (const line of text.split('\n')) this.emit(line.replace(/\r$/, ''));
  }

  private emit(text: string): void {
    const cut =
      text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…[truncated]` : text;
    this.onOutput({ stream: 'stdout', text: cut, at: this.at });
  }
}
