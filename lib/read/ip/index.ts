/**
 * iproute2 readers: pure parsers from `ip`/`bridge`/`route -n` output (text
 * and `-j` JSON) to the snapshot wire types. Each takes one command's output
 * and returns items, warnings and skipped lines; none throws on user data.
 */
export { parseIpLinkText, type LinkWithAddresses } from './ipLinkText';
export { parseIpRouteText, type IpRouteTextOptions } from './ipRouteText';
export { parseRouteNText } from './routeNText';
export { parseIpNeighText, type IpNeighTextOptions } from './ipNeighText';
export { parseIpRuleText, type IpRuleTextOptions } from './ipRuleText';
export { parseBridgeFdbText, type BridgeFdbTextOptions } from './bridgeFdbText';
export { parseIpNetnsListText, parseIpNetnsListIdText, type NetnsListEntry } from './ipNetnsText';
export { readIpLinkJson, readIpAddrJson } from './ipLinkJson';
export { readIpRouteJson, type IpRouteJsonOptions } from './ipRouteJson';
export { readIpRuleJson, type IpRuleJsonOptions } from './ipRuleJson';
export { readIpNeighJson } from './ipNeighJson';
export { readBridgeFdbJson } from './bridgeFdbJson';
export { readNetnsListIdJson } from './netnsJson';
export type { JsonReadOptions } from './json';
