/**
 * What each alert means, how to confirm it and how to fix it: said once,
 * here. The dashboard's alerts take their why from here where it does not
 * depend on the numbers; `nettriage mixin` writes one runbook a rule from it,
 * and each Prometheus alert's `runbook_url` points at its page.
 */
export interface Runbook {
  /** Why it matters and what usually causes it. */
  why: string;
  /** Commands that confirm it (PLACEHOLDERS in capitals). */
  confirm: string[];
  /** What fixes it, most likely first. */
  fix: string[];
}

export const RUNBOOKS: Record<string, Runbook> = {
  'conntrack-table-full': {
    why: 'When the table is full new connections are dropped before they reach any socket ("nf_conntrack: table full, dropping packet"); NAT-heavy hosts and Kubernetes nodes hit it first. Find the top talkers or raise nf_conntrack_max (memory: ~300 bytes an entry).',
    confirm: ['conntrack -C; sysctl net.netfilter.nf_conntrack_max', 'conntrack -L -o extended 2>/dev/null | awk \'{print $3, $7}\' | sort | uniq -c | sort -rn | head', 'dmesg | grep -i "table full"'],
    fix: ['Find the top talkers and the state their entries are in (many TIME_WAIT or UNREPLIED entries point at a client or a scan).', 'Raise net.netfilter.nf_conntrack_max (and nf_conntrack_buckets) if memory allows: about 300 bytes an entry.', 'Lower nf_conntrack_tcp_timeout_established or exempt heavy flows from tracking (iptables -t raw ... -j NOTRACK).'],
  },
  'conntrack-drops': {
    why: 'insert_failed is usually a race between two packets of a new flow (UDP DNS through NAT is the classic); drop and early_drop mean the table had no room. Each is a packet, often a connection attempt, lost.',
    confirm: ['conntrack -S', 'dmesg | grep -i conntrack', 'nettriage (t): is the DNS conntrack race named?'],
    fix: ['insert_failed with UDP DNS: see NettriageDnsConntrackRace.', 'drop and early_drop: the table has no room; see NettriageConntrackTableFull.'],
  },
  'time-wait-overflow': {
    why: 'The kernel ran out of TIME-WAIT buckets and destroys closing sockets early, so late packets of an old connection can corrupt a new one. Many short connections are the cause; reuse connections, or raise the limit.',
    confirm: ['nstat -az TcpExtTCPTimeWaitOverflow', 'ss -tan state time-wait | wc -l; sysctl net.ipv4.tcp_max_tw_buckets'],
    fix: ['Reuse connections (keep-alive, pooling) instead of one connection a request.', 'Raise net.ipv4.tcp_max_tw_buckets if memory allows.'],
  },
  'accept-queue-overflow': {
    why: 'Connections complete their handshake faster than the application accept()s them; the kernel then drops them and clients see timeouts or resets. Find why the accept loop is slow (blocked workers, CPU), or raise the backlog (listen() and net.core.somaxconn).',
    confirm: ['ss -ltn   # Recv-Q (waiting) against Send-Q (backlog) of each listener', 'nstat -az TcpExtListenOverflows TcpExtListenDrops', 'sudo nettriage --pid PID  # the listener\'s owner, its threads and CPU'],
    fix: ['Find why the accept loop is slow: blocked workers, CPU starvation, a lock.', 'Raise the backlog: the application\'s listen() argument and net.core.somaxconn.', 'Add instances behind the load balancer.'],
  },
  'tcp-retransmits': {
    why: 'Segments are lost on the way or acknowledged too late: congestion, a lossy link or NIC (check the NIC panel), a full queue at the peer, or a firewall dropping packets. Latency grows with every retransmission.',
    confirm: ['ss -tin state established | grep -E "retrans:[0-9]+/[1-9]"', 'nstat -az TcpRetransSegs TcpExtTCPLostRetransmit TcpExtTCPTimeouts', 'ip -s link   # drops and errors on the NICs'],
    fix: ['Look below TCP first: NIC errors, conntrack drops, a full accept queue or a PMTU black hole explain retransmits (Alertmanager inhibits this alert while one of them fires).', 'Otherwise congestion or a lossy path: mtr -T -P PORT PEER from the node.'],
  },
  'udp-buffer-errors': {
    why: 'A UDP socket\'s buffer was full, so the kernel dropped datagrams (receive: the application reads too slowly; send: it writes faster than the link). DNS, syslog, metrics and QUIC lose data silently.',
    confirm: ['nstat -az UdpRcvbufErrors UdpSndbufErrors Udp6RcvbufErrors', 'ss -uamn   # Recv-Q and the skmem of each UDP socket'],
    fix: ['Receive: read faster (more workers, SO_REUSEPORT) or raise SO_RCVBUF and net.core.rmem_max.', 'Send: pace the sender or raise SO_SNDBUF and net.core.wmem_max.'],
  },
  'dns-unreachable': {
    why: 'A nameserver of the resolv.conf the namespace\'s processes read does not answer: every lookup that reaches it waits its timeout before the next server is tried. With one of several down lookups are slow; with all down they fail ("temporary failure in name resolution"). The server is down, filtered (a NetworkPolicy, a firewall) or unreachable from this namespace.',
    confirm: ['cat /etc/resolv.conf   # inside the namespace: nsenter --net=... or kubectl exec', 'dig +tries=1 +time=2 @NAMESERVER . NS', 'sudo nettriage --pid PID  (t: the DNS line)'],
    fix: ['Bring the nameserver back or remove it from resolv.conf / the pod\'s dnsConfig.', 'Check NetworkPolicies and firewalls between the namespace and port 53 (UDP and TCP).'],
  },
  'dns-slow': {
    why: 'Every connection to a name starts with a lookup: its answer time comes before the first SYN, times the queries an external name costs with ndots and the search list. An overloaded nameserver (CoreDNS without enough replicas), a slow upstream, or packets lost and retried.',
    confirm: ['dig @NAMESERVER . NS   # the query time', 'sudo nettriage --pid PID  (t: the DNS line, the queries one lookup costs)'],
    fix: ['Scale the nameserver, or run a node-local cache.', 'Lower ndots or end names with a dot to save the search-list queries.'],
  },
  'dns-failing': {
    why: 'The nameserver answers, but with SERVFAIL (it could not resolve: its upstream is down, DNSSEC failed) or REFUSED (it will not serve this client: an ACL, a wrong server): lookups fail at once.',
    confirm: ['dig @NAMESERVER . NS', 'dig @NAMESERVER example.com   # the rcode and the comments'],
    fix: ['SERVFAIL: check the nameserver\'s upstreams and its logs.', 'REFUSED: check its ACLs, or point the namespace at the right server.'],
  },
  'dns-conntrack-race': {
    why: 'glibc sends the A and AAAA queries of a lookup from one socket at the same moment; through NAT (a Service IP, a node-local DNAT) both race to create the same conntrack entry, one loses (insert_failed) and is dropped, and the lookup waits its 5 s timeout before retrying. Fixes: `options single-request-reopen` (or `use-vc` for TCP) in resolv.conf / the pod’s dnsConfig, a node-local DNS cache (NodeLocal DNSCache), or a kernel with the conntrack race fixes (5.0+ for most of it).',
    confirm: ['conntrack -S | grep -o "insert_failed=[0-9]*"', 'ss -unp dport = :53'],
    fix: ['options single-request-reopen (or use-vc) in resolv.conf / the pod\'s dnsConfig.', 'A node-local DNS cache (NodeLocal DNSCache) so that lookups do not go through DNAT.'],
  },
  'link-flapping': {
    why: 'A link that loses and finds its carrier drops every packet in between, resets the neighbour entries behind it and, on a bond or a bridge, moves traffic around: connections stall in bursts and retransmit. A cable, an optic, a switch port, a NIC driver or firmware, or the peer of a veth restarting.',
    confirm: ['ip -s link show DEV   # carrier_changes', 'dmesg | grep -i "link is"', 'ethtool DEV'],
    fix: ['Replace the cable or optic, or move to another switch port.', 'Update the NIC driver or firmware; for a veth, find why its peer restarts.'],
  },
  'mtu-mismatch': {
    why: 'A veth hands each frame to its other end, which refuses one larger than its own MTU: small packets pass, large ones vanish without an ICMP error, so connections stall on their first full-size segment (a TLS certificate, a large response) while pings and handshakes work. Usually a CNI or a manual change that set one end only.',
    confirm: ['ip -d link show DEV', 'ip -d link show PEER'],
    fix: ['Set both ends of the veth to the same MTU (usually the CNI\'s configured MTU).'],
  },
  'destination-unreachable': {
    why: 'The kernel has no route for these packets, or refuses one (an unreachable, blackhole or prohibit route): connect() fails at once with ENETUNREACH or EHOSTUNREACH, which applications often log as a generic connection error. A missing default route, a VPN client, a CNI plugin or a failover script leaves such routes behind.',
    confirm: ['ip route get DESTINATION', 'ip route show table all', 'ip rule'],
    fix: ['Restore the route (or the default route), or remove the blackhole/unreachable route left behind.'],
  },
  'duplicate-address': {
    why: 'A duplicate address is never used: connections from it fail, and the host that holds it gets this one\u2019s traffic. Two machines (or containers) configured with the same static address, a cloned VM, or a DHCPv6/SLAAC mix-up.',
    confirm: ['ip -6 addr show dev DEV   # dadfailed', 'ip -6 neigh show ADDRESS'],
    fix: ['Give one of the two hosts another address; remove the duplicate and add it again to retry DAD.'],
  },
  'link-down': {
    why: 'The interface is up but its link is not: a cable or switch port, a NIC that lost its peer, or for a veth the other end down (its container stopped, or its side set down). Every connection routed through it stalls; new ones fail once the neighbour entries expire.',
    confirm: ['ip link show DEV', 'ethtool DEV   # Link detected', 'dmesg | grep -i DEV'],
    fix: ['A cable, optic or switch port; for a veth, its other end (the container) is down or was deleted.'],
  },
  'no-default-route': {
    why: 'Every address outside the connected networks is now unreachable: connect() fails with ENETUNREACH at once, or SYNs go nowhere. A DHCP renewal that did not restore it, a VPN or network manager that replaced the table, an `ip route del` or a config push.',
    confirm: ['ip route show default', 'journalctl -u systemd-networkd -u NetworkManager --since -1h'],
    fix: ['Restore the default route (ip route add default via GATEWAY), then find what removed it: DHCP, a VPN, a config push.'],
  },
  'gateway-unreachable': {
    why: 'Without the gateway’s link-layer address nothing routed beyond the local networks leaves: SYNs to every remote address wait and time out, while local traffic works. The gateway is down, on another VLAN, its address changed, or ARP is filtered between here and it.',
    confirm: ['ip neigh show GATEWAY', 'arping -I DEV GATEWAY', 'ip route show default'],
    fix: ['Check the gateway is up and on this VLAN; check its address in the route; check ARP filtering (arp_ignore, a firewall).'],
  },
  'neighbour-table-full': {
    why: 'The neighbour table is the host’s, shared by every namespace: a node with many pods, or one talking to many hosts on a flat network, fills it. At gc_thresh3 a new neighbour cannot be added: packets to it are dropped, and connections fail at random, seemingly by destination.',
    confirm: ['ip -s neigh | wc -l; sysctl net.ipv4.neigh.default.gc_thresh3', 'dmesg | grep -i "neighbour table overflow"'],
    fix: ['Raise net.ipv4.neigh.default.gc_thresh1/2/3 (and the ipv6 ones) above the number of neighbours the node talks to.'],
  },
  'nic-errors': {
    why: 'The interface is losing packets before they reach the stack: ring buffers too small or drained too slowly (missed, fifo, drops), a bad cable or optic (crc, frame), or a cloud allowance exceeded. TCP sees it as retransmits.',
    confirm: ['ip -s -s link show DEV', 'ethtool -S DEV | grep -Ei "err|drop|miss|fifo|crc"', 'ethtool -g DEV   # ring sizes'],
    fix: ['Missed, fifo, drops: larger rings (ethtool -G), more queues, IRQ affinity spread over CPUs.', 'crc, frame: the cable, optic or port.', 'In a cloud: the instance\'s packet or bandwidth allowance.'],
  },
  'pmtu-blackhole': {
    why: 'Small packets reach the peer (the handshake, its request, our ACKs) but full-size segments do not, and no ICMP "fragmentation needed" comes back to lower the path MTU: a link on the way has a smaller MTU (a tunnel, a VPN, a cloud interconnect) and something filters the ICMP. TLS handshakes and large responses hang while pings and small requests work.',
    confirm: ['ip route get PEER   # a cached PMTU exception?', 'ping -M do -s 1472 PEER   # full-size, do not fragment', 'tcpdump -ni any "icmp[0] == 3 and icmp[1] == 4"'],
    fix: ['Let ICMP "fragmentation needed" (and ICMPv6 packet too big) through the firewalls on the path.', 'Or lower the MTU (or clamp the MSS: iptables ... -j TCPMSS --clamp-mss-to-pmtu) toward that path; net.ipv4.tcp_mtu_probing=1 as a stopgap.'],
  },
  'qdisc-drops': {
    why: 'Packets were queued to be sent faster than this queue lets them out, and it was full (its limit, or a shaper\'s rate): the sender sees loss and retransmits. Either the traffic exceeds the link or the shaping, or the queue is too short for the bursts it gets.',
    confirm: ['tc -s qdisc show dev DEV'],
    fix: ['Raise the queue\'s limit, or the shaper\'s rate if the shaping is wrong; or send less.'],
  },
  'socket-memory-pressure': {
    why: 'Past tcp_mem\'s (udp_mem\'s) pressure level the kernel shrinks socket buffers and prunes receive queues: throughput drops. At the maximum allocations fail and packets are dropped ("out of memory -- consider tuning tcp_mem"). Many sockets with full buffers are the cause: peers that do not read, or applications that do not.',
    confirm: ['cat /proc/net/sockstat; sysctl net.ipv4.tcp_mem net.ipv4.udp_mem', 'ss -tmn | sort -t: -k2 -rn | head   # the sockets holding the most memory'],
    fix: ['Find the sockets whose queues are full and the process that does not read them.', 'Raise tcp_mem / udp_mem if the host has the memory.'],
  },
  'close-wait-climbing': {
    why: 'The peer closed these connections and the application never called close(): a socket leak in that process (a missing close() on an error path, a pool that never releases, a stuck worker). Each one holds a file descriptor: at the process\'s limit accept() and every open() fail with EMFILE. Fix it there; restarting only resets the count.',
    confirm: ['ss -tanp state close-wait | head', 'ls /proc/PID/fd | wc -l; grep "open files" /proc/PID/limits', 'sudo nettriage --pid PID   # the owners, their sockets and the forecast to EMFILE'],
    fix: ['Fix the missing close() in the process that holds them (an error path, a pool that never releases, a stuck worker).', 'Restart it only to buy time: the count starts again.'],
  },
  'ephemeral-port-exhaustion': {
    why: 'Every connect() to one destination (local IP, remote IP, remote port) needs a free local port; when none is left it fails with EADDRNOTAVAIL, which no kernel counter records. Closed connections keep their port for 60 s in TIME-WAIT, so short connections exhaust the range.',
    confirm: ['ss -tan dst PEER | awk \'{print $1}\' | sort | uniq -c', 'sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse'],
    fix: ['Reuse connections (pooling, keep-alive).', 'Widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse=1 for outgoing connections, or add source addresses.'],
  },
  'syn-sent-stuck': {
    why: 'SYNs to this destination get no answer: a firewall dropping them, a peer that is down or overloaded, or a route into a black hole. The kernel retries for about two minutes before connect() fails.',
    confirm: ['ss -tan state syn-sent', 'tcpdump -ni any host PEER and tcp port PORT', 'ip route get PEER; nstat -az TcpExtTCPSynRetrans'],
    fix: ['A firewall or NetworkPolicy dropping the SYNs, a peer that is down, or a route into a black hole.', 'If the peer is a local listener whose accept queue overflows, that is the cause (Alertmanager inhibits this alert while NettriageAcceptQueueOverflow fires).'],
  },
  'orphan-sockets': {
    why: 'Sockets the application closed but whose FIN exchange has not finished (FIN-WAIT-1, LAST-ACK, CLOSING). Past the limit the kernel resets connections and logs "too many orphaned sockets"; peers that stop reading are the usual cause.',
    confirm: ['cat /proc/net/sockstat; sysctl net.ipv4.tcp_max_orphans', 'ss -tan state fin-wait-1 state last-ack | wc -l'],
    fix: ['Find the peers that stop reading; lower net.ipv4.tcp_orphan_retries; raise tcp_max_orphans if memory allows.'],
  },
  'softnet-drops': {
    why: 'Packets arrived faster than the CPU taking them off the NIC could pass them up the stack, and its backlog (net.core.netdev_max_backlog) was full. Nothing above this layer counts them: no TCP or UDP counter moves. One CPU doing all the work is the usual cause (RSS or RPS not spreading the load).',
    confirm: ['cat /proc/net/softnet_stat   # column 2 per CPU', 'grep -E "eth|mlx|ena" /proc/interrupts'],
    fix: ['Spread the load: RSS queues, RPS/RFS, IRQ affinity.', 'Raise net.core.netdev_max_backlog.'],
  },
  'softnet-squeeze': {
    why: 'Each softirq round may process netdev_budget packets in netdev_budget_usecs; a squeeze is a round that stopped with packets still waiting. Often it is harmless, but sustained squeezes come before backlog drops: latency grows while packets wait, and the backlog fills.',
    confirm: ['cat /proc/net/softnet_stat   # column 3 per CPU', 'sysctl net.core.netdev_budget net.core.netdev_budget_usecs'],
    fix: ['Raise net.core.netdev_budget / netdev_budget_usecs; spread the load over more CPUs.'],
  },
};

/** The why of a rule whose alerts say it in the same words whatever the numbers. */
export function whyOf(id: string): string {
  const runbook = RUNBOOKS[id];
  if (!runbook) throw new Error(`no runbook for ${id}`);
  return runbook.why;
}
