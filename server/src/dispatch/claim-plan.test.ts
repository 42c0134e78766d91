import { describe, expect, it } from 'vitest';
import { type ClaimWants, type GateState, planClaim } from './claim-plan.js';

const gate = (overrides: Partial<GateState> = {}): GateState => ({ threads: 8, maxRps: 1000, heldLanes: [], startOffsetMs: 0, ...overrides });
const wants = (overrides: Partial<ClaimWants> = {}): ClaimWants => ({
  ownLanes: [],
  maxNewLanes: 100,
  perNewLane: 2,
  extraSlots: 0,
  maxCount: 256,
  rateMarginMs: 30,
  lookaheadMs: 100,
  ...overrides,
});

describe('claim planning', () => {
  it('opens at most half of the free lanes (at least one), lowest first, round robin within each want', () => {
    const plan = planClaim(gate(), wants());
    expect(plan).toEqual({ kind: 'take', laneOf: [0, 1, 2, 3, 0, 1, 2, 3], slotsInHorizon: 98, startOffsetMs: 0, slotIntervalMs: 1.03, lostLanes: [] });
    const last = planClaim(gate({ threads: 3, heldLanes: [{ lane: 0, mine: false }, { lane: 2, mine: false }] }), wants());
    expect(last).toMatchObject({ kind: 'take', laneOf: [1, 1] });
  });

  it('never gives a lane another process holds, and names own lanes taken over as lost', () => {
    const plan = planClaim(
      gate({ threads: 4, heldLanes: [{ lane: 0, mine: true }, { lane: 1, mine: false }] }),
      wants({ ownLanes: [{ lane: 0, want: 1 }, { lane: 1, want: 5 }] }),
    );
    // Free: 2 and 3, of which half (one) opens; new lanes come before top-ups.
    expect(plan).toMatchObject({ kind: 'take', laneOf: [2, 0, 2], lostLanes: [1] });
  });

  it('tops up no lane at or above threads (lowered while it drained)', () => {
    const plan = planClaim(gate({ threads: 2, heldLanes: [{ lane: 0, mine: false }, { lane: 1, mine: false }, { lane: 5, mine: true }] }), wants({ ownLanes: [{ lane: 5, want: 4 }] }));
    expect(plan).toEqual({ kind: 'nothing', lostLanes: [] });
  });

  it('starts the slots no earlier than the lead (a slow claim answer), the look-ahead counted from there; a later free slot wins', () => {
    // Free now, answers taking ~150 ms: the first slot 150 ms on, as many slots as without a lead.
    expect(planClaim(gate(), wants({ leadMs: 150 }))).toMatchObject({ kind: 'take', startOffsetMs: 150, slotsInHorizon: 98 });
    // The next free slot already 200 ms ahead: it stays the start, with 50 ms of look-ahead left after it.
    expect(planClaim(gate({ startOffsetMs: 200 }), wants({ leadMs: 150 }))).toMatchObject({ kind: 'take', startOffsetMs: 200, slotsInHorizon: 49 });
    // Further than lead + look-ahead: wait for the rest.
    expect(planClaim(gate({ startOffsetMs: 300 }), wants({ leadMs: 150 }))).toEqual({ kind: 'rate-wait', ms: 50, lostLanes: [] });
    // No lead (fast claims): as before.
    expect(planClaim(gate({ startOffsetMs: 30 }), wants({ leadMs: 0 }))).toMatchObject({ kind: 'take', startOffsetMs: 30, slotsInHorizon: 68 });
  });

  it('takes no more than fits in the rate look-ahead, and waits when the slots are further ahead', () => {
    expect(planClaim(gate({ maxRps: 10 }), wants())).toMatchObject({ kind: 'take', laneOf: [0], slotsInHorizon: 1 });
    expect(planClaim(gate({ maxRps: 10, startOffsetMs: 350 }), wants())).toEqual({ kind: 'rate-wait', ms: 250, lostLanes: [] });
  });

  it('the count cap and extra slots alone', () => {
    expect(planClaim(gate(), wants({ maxCount: 3 }))).toMatchObject({ kind: 'take', laneOf: [0, 1, 2] });
    expect(planClaim(gate({ threads: 1, heldLanes: [{ lane: 0, mine: true }] }), wants({ ownLanes: [{ lane: 0, want: 0 }] }))).toEqual({ kind: 'nothing', lostLanes: [] });
    expect(planClaim(gate({ threads: 1, heldLanes: [{ lane: 0, mine: true }] }), wants({ ownLanes: [{ lane: 0, want: 0 }], extraSlots: 4 }))).toMatchObject({ kind: 'take', laneOf: [] });
  });

  it('respects how many lanes this process may still open', () => {
    expect(planClaim(gate(), wants({ maxNewLanes: 1 }))).toMatchObject({ kind: 'take', laneOf: [0, 0] });
    expect(planClaim(gate(), wants({ maxNewLanes: 0 }))).toEqual({ kind: 'nothing', lostLanes: [] });
  });
});
