/**
 * Route types iproute2 prints. Kept apart from the zod schema so readers
 * (and the collector bundle that uses them) do not load zod to know them.
 */
export const ROUTE_TYPES = ['unicast', 'local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'] as const;

/** Lookup set over ROUTE_TYPES. */
export const ROUTE_TYPE_SET: ReadonlySet<string> = new Set<string>(ROUTE_TYPES);
