import { createSoftnetCollector } from '../collectors/softnet.js';
import { createDropReasonsCollector } from '../collectors/dropReasons.js';
import { createQdiscsCollector } from '../collectors/qdiscs.js';
import { qdiscDrops } from './alerts/rules/qdisc.js';
import { softnetDrops, softnetSqueeze } from './alerts/rules/softnet.js';
import { createConntrackCollector } from '../collectors/conntrack.js';
import { createCountersCollector } from '../collectors/counters.js';
import { createDestinationsCollector } from '../collectors/destinations.js';
import { createEthtoolCollector } from '../collectors/ethtool.js';
import { createNicsCollector } from '../collectors/nics.js';
import { createPathsCollector } from '../collectors/paths.js';
import { createDnsCollector } from '../collectors/dns.js';
import { dnsConntrackRace, dnsFailing, dnsSlow, dnsUnreachable } from './alerts/rules/dns.js';
import { createRoutesCollector } from '../collectors/routes.js';
import { createStallsCollector } from '../collectors/stalls.js';
import { pmtuBlackhole } from './alerts/rules/pmtu.js';
import { createOwnersCollector } from '../collectors/owners.js';
import { createProcessVitalsCollector } from '../collectors/processVitals.js';
import { createConnectsCollector } from '../collectors/connects.js';
import { createSelfCollector } from '../collectors/self.js';
import { createSocketMemoryCollector } from '../collectors/socketMemory.js';
import { createSocketsCollector } from '../collectors/sockets.js';
import { createTargetCollector } from '../collectors/target.js';
import type { CollectorFactory } from './collectorContext.js';
import { conntrackDrops, conntrackTableFull } from './alerts/rules/conntrack.js';
import { acceptQueueOverflow, tcpRetransmits, timeWaitOverflow, udpBufferErrors } from './alerts/rules/counters.js';
import { nicErrors } from './alerts/rules/nics.js';
import { destinationUnreachable, duplicateAddress, gatewayUnreachable, linkDown, linkFlapping, mtuMismatch, neighbourTableFull, noDefaultRoute } from './alerts/rules/links.js';
import { socketMemoryPressure } from './alerts/rules/socketMemory.js';
import { closeWaitClimbing, ephemeralPortExhaustion, orphanSockets, synSentStuck } from './alerts/rules/sockets.js';
import type { Rule } from './alerts/types.js';
import { alertsPanel } from './panels/alerts.js';
import { conntrackPanel } from './panels/conntrack.js';
import { countersPanel } from './panels/counters.js';
import { nicsPanel } from './panels/nics.js';
import { socketMemoryPanel } from './panels/socketMemory.js';
import { socketsPanel } from './panels/sockets.js';
import type { PanelDescriptor } from './panels/types.js';
import { connectsWanted, destinationsContext, ethtoolTargets, ownersWanted, dnsWanted, pathsWanted, stallsWanted, vitalsWanted } from './queryGates.js';
import { liveShellPids } from './targetShell.js';

/**
 * Everything nettriage reads, judges and shows, listed once. A new source is
 * a collector, a panel and a rule, each in its own file, and one line in
 * each list below.
 */

/** The sources, in the order a tick starts them. */
export const COLLECTORS: CollectorFactory[] = [
  () => createTargetCollector(),
  () => createSocketsCollector(),
  () => createCountersCollector(),
  () => createConntrackCollector(),
  () => createNicsCollector(),
  () => createRoutesCollector(),
  () => createSocketMemoryCollector(),
  () => createSoftnetCollector(),
  () => createQdiscsCollector(),
  (ctx) => createDropReasonsCollector(ctx.dropReasons),
  (ctx) => createEthtoolCollector(() => ethtoolTargets(ctx)),
  (ctx) => createOwnersCollector(ctx.owners, () => ownersWanted(ctx)),
  (ctx) => createProcessVitalsCollector(ctx.io, () => vitalsWanted(ctx)),
  // Tracing is off where the drop reasons' is: a fixture tree has no tracefs.
  (ctx) => createConnectsCollector(ctx.io, { peers: () => connectsWanted(ctx), off: () => (ctx.dropReasons.off ? 'not with --proc-root: who connects comes from the kernel’s tracefs, not from a tree' : undefined) }),
  (ctx) => createDestinationsCollector(() => destinationsContext(ctx)),
  (ctx) => createStallsCollector(() => stallsWanted(ctx)),
  (ctx) => createPathsCollector(() => pathsWanted(ctx)),
  (ctx) => createDnsCollector(dnsWanted(ctx)),
  // Every shell of ours counts: the target's, and the readers the fleet keeps in empty namespaces.
  () => createSelfCollector(liveShellPids),
];

/** The panels, in focus order (Tab, and their keys); the layout places them by their area. */
export const PANELS: readonly PanelDescriptor[] = [alertsPanel, socketsPanel, countersPanel, conntrackPanel, socketMemoryPanel, nicsPanel];

/** Every rule, in the order the README's table lists them. */
export const RULES: Rule[] = [
  closeWaitClimbing,
  ephemeralPortExhaustion,
  timeWaitOverflow,
  synSentStuck,
  acceptQueueOverflow,
  tcpRetransmits,
  conntrackTableFull,
  conntrackDrops,
  nicErrors,
  udpBufferErrors,
  orphanSockets,
  socketMemoryPressure,
  softnetDrops,
  softnetSqueeze,
  qdiscDrops,
  linkDown,
  linkFlapping,
  noDefaultRoute,
  destinationUnreachable,
  gatewayUnreachable,
  neighbourTableFull,
  duplicateAddress,
  mtuMismatch,
  pmtuBlackhole,
  dnsUnreachable,
  dnsSlow,
  dnsFailing,
  dnsConntrackRace,
] as unknown as Rule[];
