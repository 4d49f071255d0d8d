/**
 * What the benches measure with: medians, a full garbage collection on demand, and interleaved
 * rounds of several parts, so that a busy spell of a shared machine weighs on every part alike.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time each thread of process `pid` (this one by default) has used, in microseconds by
 * thread ID (Linux's /proc/<pid>/task; undefined where there is none). Node names none of its
 * threads, so a caller tells them apart by the main thread's ID (the process ID) and by how busy
 * they are.
 */
export function threadTimes(pid: number = process.pid): Map<number, number> | undefined {
  return perThread(pid, 'stat', (stat) => {
    const fields = statFields(stat);
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND; // utime, stime
  });
}

/**
 * The minor page faults of process `pid` (this one by default), every thread's, so far: each the
 * first touch of a page of memory the process was given (Linux's /proc/<pid>/stat; undefined
 * elsewhere). On a virtual machine a fault costs microseconds (7-20 µs a 4 KB page on the
 * two-core VMs this project's benches run on), so the count says how much of a path's CPU time
 * goes to taking fresh memory rather than to its own work.
 */
export function minorFaults(pid: number = process.pid): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const faults = Number(statFields(stat)[7]); // minflt, after state, ppid, pgrp, session, tty, tpgid and flags
  return Number.isFinite(faults) ? faults : undefined;
}

/** The fields of a /proc `stat` line after the name (in parentheses, it may hold spaces): state is [0]. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * A figure of each thread of process `pid`, read from its /proc/<pid>/task/<tid>/`file` (by
 * thread ID; a thread that ended meanwhile, or whose figure `read` cannot give, is left out);
 * undefined where there is no such folder or no thread gave one.
 */
function perThread<T>(pid: number, file: string, read: (text: string) => T | undefined): Map<number, T> | undefined {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out = new Map<number, T>();
  for (const task of tasks) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${task}/${file}`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile, or the kernel keeps no such file
    }
    const figure = read(text);
    if (figure !== undefined) out.set(Number(task), figure);
  }
  return out.size > 0 ? out : undefined;
}

/**
 * Per-thread CPU time between two {@link threadTimes} of process `pid` (this one by default): the
 * main thread's, the busiest other thread's (in the EPCIS and ledger benches, the ledger's own
 * thread) and its ID, and the rest together.
 */
export function threadShares(before: Map<number, number>, after: Map<number, number>, pid: number = process.pid): { main: number; busiest: number; busiestTid: number; rest: number } {
  let main = 0;
  let busiest = 0;
  let busiestTid = pid;
  let total = 0;
  for (const [tid, t] of after) {
    const used = t - (before.get(tid) ?? 0);
    total += used;
    if (tid === pid) main = used;
    else if (used > busiest) {
      busiest = used;
      busiestTid = tid;
    }
  }
  return { main, busiest, busiestTid, rest: total - main - busiest };
}

/**
 * How long each thread of process `pid` has run and how long it has waited, ready, for a core,
 * in microseconds by thread ID (Linux's /proc/<pid>/task/<tid>/schedstat, kept by the scheduler
 * in nanoseconds; undefined where there is none). Between two readings, a thread's wall time
 * less both is the time it had nothing to do: whether a path is bound by its cores (little idle
 * time, much waiting) or by its own hand-offs (its busiest thread idle) shows there.
 */
export function threadSchedule(pid: number = process.pid): Map<number, { run: number; wait: number }> | undefined {
  return perThread(pid, 'schedstat', (text) => {
    const [run, wait] = text.trim().split(' ').map(Number);
    return Number.isFinite(run) && Number.isFinite(wait) ? { run: (run as number) / 1000, wait: (wait as number) / 1000 } : undefined;
  });
}

/** CPU time process `pid` has used so far, every thread, in microseconds (undefined off Linux). */
function processTime(pid: number): number | undefined {
  const times = threadTimes(pid);
  return times ? [...times.values()].reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Waits until processes `pids` are quiet: together under `share` of one core over `spell` ms
 * (LevelDB's compactions, the garbage collector's sweeping, followers catching up), or `limit` ms
 * have passed; gives the ms waited. A measure started on a quiet machine is charged only for
 * its own work, not for what the measure before it left running; where /proc cannot be read it
 * waits one spell.
 */
export async function quiet(pids: readonly number[], { share = 0.05, spell = 200, limit = 20_000 } = {}): Promise<number> {
  const start = performance.now();
  const used = (): number | undefined => {
    let sum = 0;
    for (const pid of pids) {
      const t = processTime(pid);
      if (t === undefined) return undefined;
      sum += t;
    }
    return sum;
  };
  for (;;) {
    const before = used();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, spell));
    const after = used();
    const elapsed = performance.now() - start;
    if (before === undefined || after === undefined) return elapsed;
    // CPU ticks are 10 ms: a spell of 200 ms at 5% allows one tick
    if (after - before <= share * (performance.now() - t0) * 1000 || elapsed >= limit) return elapsed;
  }
}

/** The q-quantile of some numbers (0 for none). */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

/** The median of some numbers (0 for none). */
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/**
 * A full collection, so that the heap in use is what is live, or so that garbage from building
 * one batch is not charged to the next part. `global.gc` exists only under --expose-gc; V8 lets a
 * running process turn it on.
 */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * Runs `measure` on every part in `rounds` interleaved rounds after one warm-up round, every
 * other round in reverse (so no part always follows the same one, whose heap it inherits), and
 * gives each part's figures by name. `measure` gets the part, the round and its place in it.
 */
export async function interleavedRounds<P extends { readonly name: string }>(parts: readonly P[], rounds: number, measure: (part: P, round: number, place: number) => number): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(parts.map((p) => [p.name, []]));
  for (let round = 0; round <= rounds; round++) {
    const order = round % 2 === 0 ? parts : [...parts].reverse();
    order.forEach((part, place) => {
      const figure = measure(part, round, place);
      if (round > 0) samples.get(part.name)?.push(figure);
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return samples;
}
