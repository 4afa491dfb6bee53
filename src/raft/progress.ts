/**
 * What a leader knows of one follower's log. `probe`: one append at a time until a match is found;
 * `replicate`: streaming, up to a window of in-flight appends; `snapshot`: a snapshot is on its way.
 */
export class Progress {
  match = 0;
  next: number;
  state: "probe" | "replicate" | "snapshot" = "probe";
  /** In probe state: an append is out and unanswered. */
  probeSent = false;
  /** Last index of each unacknowledged append, oldest first. */
  inflight: number[] = [];
  /** Index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Ticks since the snapshot went out unanswered (it may have been lost). */
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  readonly isLearner: boolean;

  constructor(next: number, isLearner: boolean) {
    this.next = next;
    this.isLearner = isLearner;
  }

  /** Whether another append may go out now. */
  canSend(maxInflight: number): boolean {
    if (this.state === "snapshot") return false;
    if (this.state === "probe") return !this.probeSent;
    return this.inflight.length < maxInflight;
  }

  /** An append ending at `lastIndex` went out. */
  sent(lastIndex: number): void {
    if (this.state === "replicate") {
      this.inflight.push(lastIndex);
      this.next = lastIndex + 1;
    } else {
      this.probeSent = true;
    }
  }

  /** The follower matched up to `index`; returns whether that is news. */
  acknowledge(index: number): boolean {
    while (this.inflight.length > 0 && this.inflight[0]! <= index) this.inflight.shift();
    this.probeSent = false;
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    return true;
  }

  becomeProbe(): void {
    this.state = "probe";
    this.next = this.match + 1;
    this.inflight = [];
    this.probeSent = false;
  }

  becomeReplicate(): void {
    this.state = "replicate";
    this.next = this.match + 1;
    this.inflight = [];
  }

  becomeSnapshot(index: number): void {
    this.state = "snapshot";
    this.pendingSnapshot = index;
    this.snapshotTicks = 0;
    this.inflight = [];
  }
}
