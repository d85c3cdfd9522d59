/**
 * `--all-netns --metrics`: the series of this many namespaces, the worst
 * first (`--netns-series` raises it). A node runs tens of pods; 20 keeps the
 * sick ones and bounds a node's series whatever runs on it. Apart from the
 * exposition so that the option parser does not load prom-client.
 */
export const NETNS_SERIES_DEFAULT = 20;
export const NETNS_SERIES_MAX = 5000;
