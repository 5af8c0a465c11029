/**
 * Runs once when the Next server starts: opens (and migrates) the store and
 * seeds the `demo` cluster, so the first page already shows a cluster and a
 * broken DATABASE_URL is reported at start rather than on the first request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getStore } = await import('./server/data');
  // scripts/start.mjs answers pushes with the ingest route's own code; publishing it here covers the first push too.
  (await import('./server/nodeIngest')).registerFastIngest();
  try {
    const store = await getStore();
    console.log(`podnet: store ready (${store.kind}, ${store.location})`);
  } catch (err) {
    // The server still starts; every API call will retry opening and answer 500 meanwhile.
    console.error('podnet: could not open the store:', err instanceof Error ? err.message : String(err));
  }
}
