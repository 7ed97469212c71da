/**
 * The names of the dns system's implementations (drifted.ts builds them),
 * importable without loading the DNS client: the model package lists them
 * for `--impl` and `--help`.
 */
export const DNS_IMPLEMENTATIONS = [
  { name: 'reference', help: 'the reference implementation (systems/dns/reference.ts)' },
  { name: 'recheck-before-lock', help: 'drifted: the freshness check done once, before taking the lock (the seed)' },
  { name: 'cleanup-unguarded', help: 'drifted: cleanup deletes without the prerequisite that spares the active tree' },
] as const;
