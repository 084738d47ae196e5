// The Slack bench's load generator, in a process of its own so its fetches don't share
// the receiver's event loop: reads SlackAckBenchOptions as JSON from argv[2], prints the result as JSON.
import { benchSlackAck } from './slack.ts';

process.stdout.write(JSON.stringify(await benchSlackAck(JSON.parse(process.argv[2]!))));
