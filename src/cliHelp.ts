import { NETNS_SERIES_DEFAULT } from './metrics/limits.js';

/** `nettriage --help`: every option and subcommand, as the option parser takes them. */
export const HELP = `Usage: nettriage [options]

A live terminal dashboard for network incidents: TCP socket states and their
trend, read from the kernel of this host or of a network namespace.

Options:
  -i, --interval DURATION  sampling interval (default 1s; e.g. 500ms, 2s, 0.5)
      --timeout DURATION   per-collector timeout (default 2x interval, 2s..10s)
      --netns NAME         watch the named network namespace (ip netns list)
      --pid PID            watch the network namespace of process PID
                           (a container or pod: any PID inside it)
      --ethtool IF[,IF..]  also read driver counters (ethtool -S) of these
                           interfaces; devices with hardware always are
      --config FILE        alert thresholds (JSON; see the README's table)
      --no-color           no colours or text styles (also: NO_COLOR=1)
      --light              colours readable on a light background (also when
                           COLORFGBG names a light background)
      --json               no screen: print one JSON sample per interval (NDJSON)
      --all-netns          with --json: every network namespace of the host, its
                           socket states, counters and alerts, in each record
      --count N            with --json: stop after N samples
      --record FILE        also append every sample to FILE (NDJSON after a
                           header; created 0600, never over an existing file)
      --record-max SIZE    rotate the recording once past SIZE (default 64M;
                           FILE.1 keeps the previous part)
      --metrics ADDR       serve Prometheus metrics at http://ADDR/metrics; a bare
                           port is 127.0.0.1:PORT (0.0.0.0:PORT only if written)
      --metrics-all-counters
                           with --metrics: every kernel counter (~400) and
                           interface statistic, not only those the rules read
      --netns-series N     with --all-netns and --metrics: the series of the N
                           worst namespaces (default ${NETNS_SERIES_DEFAULT})
      --headless           no screen and no output: with --metrics or --record
      --bundle-capture     b on a socket in a drill-down also captures its
                           packets (tcpdump, 10 s, 5,000 packets, 16 MB at most)
      --drop-reasons       where the kernel has no hist triggers, sample its drop
                           reasons (skb:kfree_skb) 1 s in 10 (with hist
                           triggers they are always counted, as root)
      --dns-probes         ask each nameserver one query every 10 s even while
                           the checklist (t) is closed: for --json, --headless
                           and --metrics (on screen, t starts them)
      --replay FILE        play a recording on the dashboard, its alerts judged
                           again with today's rules and --config (with --json:
                           its records, alerts recomputed)
      --proc-root DIR      read /proc from DIR (default /proc)
      --sys-root DIR       read /sys from DIR (default /sys)
  -h, --help               show this help
  -V, --version            show the version

       nettriage rules [--config FILE]  the built-in alert rules as a Prometheus
                                       alerting-rules file, over --metrics' series
       nettriage mixin DIR [--config FILE] [--runbook-url BASE]
                        alerts, recording rules, Alertmanager inhibit rules, a
                        Grafana dashboard, runbooks and a PrometheusRule, in DIR
       nettriage fleet --prometheus URL [--json] [--interval DURATION]
                        every node's and pod's nettriage alerts, worst first,
                        from Prometheus (read-only; / filters, Enter: what to run)
       nettriage bundle [--netns NAME|--pid PID] [--out FILE] [--part-max SIZE]
                        [--capture BPF [--capture-seconds N] [--capture-packets N]]
                                       an incident bundle (.tar.gz, 0600): ss,
                                       nstat, conntrack, ip, iptables, nft,
                                       resolv.conf, sysctls and a manifest
       nettriage convert KIND [FILE]   captured output (ss, netstat -s, nstat,
                                       ethtool -S, ...) as JSON; see convert --help

Keys: arrows or j/k select, Tab focuses the next panel, z zooms it, a shows
every counter that moved, + and - change the interval, p or space pauses the
view (sampling continues), ? shows help, q quits.

Needs iproute2 (ss); run as root to read other namespaces.`;
