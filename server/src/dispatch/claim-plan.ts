/**
 * What one claim may take for a site, decided from what its gate row says (pure: the SQL in
 * transitions.sql.ts reads the gate and the lanes in use, calls this, and writes what it says).
 *
 * - concurrency: the site's `threads` are lanes 0..threads-1. A lane is held while an IN_FLIGHT
 *   delivery with a live lease carries its number; its holder sends that lane's deliveries one
 *   after another and may top it up, nobody else may use it. So requests in flight never exceed
 *   `threads`, summed over every process.
 * - rate: start times ("slots") are handed out from `dispatch_gate.next_start_at`, spaced
 *   (1000 + margin) / maxRps ms apart, and only up to `lookaheadMs` ahead.
 */

export interface GateState {
  threads: number;
  maxRps: number;
  /** Lanes held by a live lease, and whether by this worker. */
  heldLanes: ReadonlyArray<{ lane: number; mine: boolean }>;
  /** How far ahead of the claim's database time the next free slot is (0 when it is free now). */
  startOffsetMs: number;
}

export interface ClaimWants {
  /** Lanes of the site this process runs now, with how many more deliveries each could take. */
  ownLanes: ReadonlyArray<{ lane: number; want: number }>;
  /** Lanes this process may still open, and how many deliveries to give each. */
  maxNewLanes: number;
  perNewLane: number;
  /** Slots wanted beyond one per delivery claimed now: for deliveries already held whose slots went unused. */
  extraSlots: number;
  maxCount: number;
  rateMarginMs: number;
  lookaheadMs: number;
  /**
   * How long this process takes to have a claim's answer in hand (its recent claims'): slots start
   * no earlier than that after the claim's database time, so they are not already behind when
   * they arrive (a slot more than the tolerance behind is skipped, and a lane without one waits
   * for another claim). 0 or unset: from the database time, as before. The look-ahead counts from
   * there too. Slots are still consecutive in `next_start_at`, so the cap is unchanged.
   */
  leadMs?: number;
}

export type ClaimPlan =
  /** Nothing to ask the queue for (no lane free, nothing wanted); `lostLanes` may still need stopping. */
  | { kind: 'nothing'; lostLanes: number[] }
  /** The slots are handed out further ahead than the look-ahead: ask again in `ms`. */
  | { kind: 'rate-wait'; ms: number; lostLanes: number[] }
  | {
      kind: 'take';
      /** The lane of the n-th row the queue gives (at most `laneOf.length` rows). */
      laneOf: number[];
      /** Slots that fit in the look-ahead: the most one claim may reserve. */
      slotsInHorizon: number;
      /** Where the first slot is, in ms after the claim's database time: the gate's next free slot, or the lead if later. */
      startOffsetMs: number;
      slotIntervalMs: number;
      lostLanes: number[];
    };

export function planClaim(gate: GateState, wants: ClaimWants): ClaimPlan {
  const others = new Set(gate.heldLanes.filter((r) => !r.mine).map((r) => r.lane));
  const used = new Set(gate.heldLanes.map((r) => r.lane));
  // Lanes this process asked to top up that another process now holds (its lease ran out): stop them.
  const lostLanes = wants.ownLanes.filter((o) => others.has(o.lane)).map((o) => o.lane);
  // After `threads` is lowered, lanes above the new count drain but get nothing more.
  const topUps = wants.ownLanes.filter((o) => !others.has(o.lane) && o.lane < gate.threads && o.want > 0);
  for (const own of wants.ownLanes) if (!others.has(own.lane)) used.add(own.lane);
  // At most half the free lanes at a time (at least one): one process alone still has them all
  // within a few claims, and processes sharing a busy site each get a part instead of the first
  // one to claim taking every lane.
  const free = gate.threads - used.size;
  const room = Math.min(wants.maxNewLanes, free <= 1 ? free : Math.ceil(free / 2));
  const newLanes: number[] = [];
  for (let lane = 0; lane < gate.threads && newLanes.length < room; lane++) if (!used.has(lane)) newLanes.push(lane);
  // New lanes first: with fewer due deliveries than wanted, they go out side by side rather than
  // queue behind a lane that may be busy with a slow request.
  const targets = [...newLanes.map((lane) => ({ lane, want: wants.perNewLane })), ...topUps.map((o) => ({ lane: o.lane, want: o.want }))];
  const wanted = Math.min(wants.maxCount, targets.reduce((n, t) => n + t.want, 0));
  if (wanted === 0 && wants.extraSlots === 0) return { kind: 'nothing', lostLanes };
  const interval = (1000 + wants.rateMarginMs) / gate.maxRps;
  const lead = Math.max(0, wants.leadMs ?? 0);
  const start = Math.max(gate.startOffsetMs, lead);
  const horizon = wants.lookaheadMs + lead;
  if (start > horizon) return { kind: 'rate-wait', ms: start - horizon, lostLanes };
  const slotsInHorizon = Math.floor((horizon - start) / interval) + 1;
  const take = Math.min(wanted, slotsInHorizon);
  // Lanes for the rows in the order they come back; any prefix of a round robin within each
  // lane's want is itself within the wants, so fewer due rows than asked for is fine.
  const laneOf: number[] = [];
  const given = targets.map(() => 0);
  for (let t = 0; laneOf.length < take; t = (t + 1) % targets.length) {
    if (given[t]! < targets[t]!.want) {
      given[t]! += 1;
      laneOf.push(targets[t]!.lane);
    }
  }
  return { kind: 'take', laneOf, slotsInHorizon, startOffsetMs: start, slotIntervalMs: interval, lostLanes };
}
