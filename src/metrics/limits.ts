/**
 * `--all-netns --metrics`: the series of this many namespaces, the worst
 * first (`--netns-series` raises it). A node runs tens of pods; 20 keeps the
 * sick ones and bounds a node's series whatever runs on it. Apart from the
 * exposition so that the option parser does not load prom-client.
 */
export const NETNS_SERIES_DEFAULT = 20;
export const NETNS_SERIES_MAX = 5000;

/**
 * The kernel counters `nettriage_netstat_total` serves without
 * `--metrics-all-counters`: those of the counter panel, and those the alerts,
 * recording rules and dashboard of `nettriage mixin` read (a test holds
 * them to it). The kernel has ~400; a fleet pays for each on every node.
 */
export const METRIC_NETSTAT_EXTRA = [
  'TcpOutSegs',
  'TcpInSegs',
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpInErrs',
  'TcpExtTCPTimeouts',
  'TcpExtTCPLostRetransmit',
  'TcpExtTCPBacklogDrop',
  'TcpExtTCPRcvQDrop',
  'TcpExtPruneCalled',
  'TcpExtTCPMemoryPressures',
  'IpInDiscards',
  'IpOutNoRoutes',
  'Ip6OutNoRoutes',
] as const;

/** The interface statistics `nettriage_nic_stat_total` serves without `--metrics-all-counters`: trouble, and carrier changes. */
export const METRIC_NIC_STATS_EXTRA = ['carrier_changes'] as const;
