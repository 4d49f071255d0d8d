/**
 * Waiting, in a test, for what the code under test reaches in its own time (a follower applying
 * a block, a delivery arriving, a restarted gateway becoming ready).
 */
import { expect } from 'chai';

/** Polls `what` every 20 ms until it holds; fails the test, saying so, if it still does not after `ms`. */
export async function until(what: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !(await what()) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  expect(await what(), 'waited in vain').to.equal(true);
}
