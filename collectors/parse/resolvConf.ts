import { isIP } from 'node:net';
import { type Parsed, parsed } from '../types.js';

/** A resolver configuration as glibc reads it (resolv.conf(5)). */
export interface ResolvConf {
  /** In the order tried; glibc uses the first 3. */
  nameservers: string[];
  /** The search list (the last `search` or `domain` line wins). */
  search: string[];
  /** A name with fewer dots than this is tried with each search domain first. Default 1, at most 15. */
  ndots: number;
  /** Seconds per try (default 5, at most 30) and tries per nameserver (default 2, at most 5). */
  timeoutSec: number;
  attempts: number;
  /** Every option as written (`single-request-reopen`, `use-vc`, `rotate`, `edns0`, ...). */
  options: string[];
}

/** glibc's MAXNS: nameservers past the third are ignored. */
export const MAX_NAMESERVERS = 3;

const bounded = (v: string | undefined, max: number, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Math.min(Number(v), max) : fallback);

/** resolv.conf: `nameserver`, `search`/`domain`, `options`; comments start with `#` or `;`. */
export function parseResolvConf(text: string): Parsed<ResolvConf> {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1, timeoutSec: 5, attempts: 2, options: [] };
  let skipped = 0;
  const notes: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const [keyword, ...args] = line.split(/\s+/);
    switch (keyword) {
      case 'nameserver': {
        // A link-local IPv6 nameserver carries its zone: fe80::1%eth0.
        const address = args[0] ?? '';
        if (isIP(address.replace(/%[^%]+$/, '')) === 0) skipped++;
        else conf.nameservers.push(address);
        break;
      }
      case 'search':
      case 'domain':
        conf.search = args.filter((d) => d !== '.' && d !== '');
        break;
      case 'options':
        for (const option of args) {
          conf.options.push(option);
          const [name, value] = option.split(':');
          if (name === 'ndots') conf.ndots = bounded(value, 15, 1);
          else if (name === 'timeout') conf.timeoutSec = Math.max(1, bounded(value, 30, 5));
          else if (name === 'attempts') conf.attempts = Math.max(1, bounded(value, 5, 2));
        }
        break;
      case 'sortlist':
      case 'lookup':
      case 'family':
        break;
      default:
        skipped++;
    }
  }
  if (conf.nameservers.length > MAX_NAMESERVERS) notes.push(`${conf.nameservers.length} nameservers: glibc uses the first ${MAX_NAMESERVERS}`);
  return parsed(conf, skipped, notes);
}

/** What one lookup of a name costs, as glibc's resolver asks. */
export interface LookupCost {
  name: string;
  /** Queries sent when the name exists only as written (A and AAAA for each name tried). */
  queries: number;
  /** Of those, the ones answered NXDOMAIN: the search domains tried first. */
  nxdomain: number;
}

/**
 * The queries one getaddrinfo() of `name` makes for both address families:
 * a name with fewer dots than `ndots` (and no trailing dot) goes through
 * every search domain before itself; each name tried costs an A and an
 * AAAA query. With `ndots:5` and five search domains an external name
 * like `api.example.com` costs 12 queries, 10 of them NXDOMAIN.
 */
export function lookupCost(conf: ResolvConf, name: string): LookupCost {
  const dots = (name.match(/\./g) ?? []).length;
  const searched = !name.endsWith('.') && dots < conf.ndots ? conf.search.length : 0;
  return { name, queries: (searched + 1) * 2, nxdomain: searched * 2 };
}
