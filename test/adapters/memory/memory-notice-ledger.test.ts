import { describe } from 'vitest';
import { MemoryNoticeLedger } from '../../../src/adapters/memory/memory-notice-ledger.js';
import { noticeLedgerContract } from '../notice-ledger.contract.js';

const LEASE_MS = 60_000;

describe('memory-notice-ledger', () => {
  noticeLedgerContract(() => ({ ledger: new MemoryNoticeLedger(LEASE_MS), leaseMs: LEASE_MS }));
});
