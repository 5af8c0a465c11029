/**
 * The trace engine's public surface: `trace(topology, from, to, options)`
 * and the stage functions a UI or a diagnosis may want on their own.
 */
export * from './types';
export { trace, DEFAULT_PACKET_SIZE, DEFAULT_TTL, DEFAULT_PROTOCOL } from './trace';
export { lookupRoute, lookupTable, selectSource, checkGateway, reversePathCheck, synthesizeLocalTable, DEFAULT_RULES } from './routeLookup';
export type { RouteQuery, RouteLookup, RouteMatch, RuleActionMatch, NoRoute, GatewayCheck, SourceSelection, ReversePath } from './routeLookup';
export { resolveNeighbor, l2Domain, underlayOwner } from './neighbor';
export type { NeighborResolution } from './neighbor';
export { bridgeForward } from './bridge';
export type { BridgeDecision, Frame } from './bridge';
export { vxlanEncap, vxlanDecap, VXLAN_OVERHEAD } from './vxlan';
export type { VxlanEncapResult, VxlanDecapResult } from './vxlan';
export { ipipEncap, ipipDecap, IPIP_OVERHEAD } from './ipip';
export type { IpipEncapResult, IpipDecapResult } from './ipip';
export { deliverLocally } from './deliver';
export type { LocalDelivery } from './deliver';
export { resolveEndpoint } from './endpoints';
export type { EndpointResolution } from './endpoints';
export { predictTraceroute, forwardingHops } from './traceroute';
export type { ForwardingHop } from './traceroute';
export { formatRoute, formatNeighbour, formatFdb, formatRule, formatDst, normaliseTable } from './format';
export { linkDownReason, isL3Device, ipForwardOf, rpFilterOf, actsAsUnderlay } from './device';
export { indexTopology, fastCanonicalIp, LINUX_VXLAN_DEFAULT_PORT } from '../topology/topologyIndex';
export type { TopologyIndex } from '../topology/topologyIndex';
