# nettriage for a DaemonSet (deploy/kubernetes): the one-file build on Node 20 with the tools it runs.
#   docker build -t nettriage:0.1.0 .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
# npm ci runs `prepare`: the one-file build, dist/nettriage.js.
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
# iproute2: ss, ip, nstat, tc; procps: the processes; conntrack, ethtool, iptables: the kernel's tables and
# NIC counters; tcpdump: bundles; util-linux: nsenter into namespaces; bind9-dnsutils: dig, the DNS probes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 procps conntrack ethtool iptables tcpdump util-linux bind9-dnsutils \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist/nettriage.js /usr/local/bin/nettriage
ENTRYPOINT ["/usr/local/bin/nettriage"]
CMD ["--headless", "--all-netns", "--metrics", "0.0.0.0:9464"]
