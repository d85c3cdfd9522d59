import { Text } from 'ink';
import { truncate } from '../src/format.js';

/** One dim line of advice (how to reach what did not fit). */
export function Hint({ text, width }: { text: string; width: number }) {
  return <Text dimColor>{truncate(text, width)}</Text>;
}
