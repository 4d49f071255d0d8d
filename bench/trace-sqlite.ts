/**
 * The baseline for the trace benchmark: what an engineer would build instead of the trace
 * index — SQLite (better-sqlite3) with an indexed edge table and recursive CTEs. It answers
 * the same two questions with the same content (lots with tests, lineage edges, custody hops,
 * holders with quantities and sales) so the timings compare like with like.
 */
import Database from 'better-sqlite3';
import type { Fact } from '../gateway-api/trace-model';

const SCHEMA = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TABLE lots (id INTEGER PRIMARY KEY, gtin TEXT NOT NULL, lot TEXT NOT NULL, kind TEXT, producer TEXT,
  quantity REAL, unit TEXT, location TEXT, production_date TEXT, status TEXT DEFAULT 'active', tx TEXT, ts TEXT,
  UNIQUE (gtin, lot));
CREATE TABLE edges (from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, quantity REAL, unit TEXT, tx TEXT, ts TEXT);
CREATE INDEX edges_from ON edges (from_id, to_id);
CREATE INDEX edges_to ON edges (to_id, from_id);
CREATE TABLE hops (lot_id INTEGER NOT NULL, kind TEXT, from_p TEXT, to_p TEXT, quantity REAL, unit TEXT,
  shipment TEXT, location TEXT, tx TEXT, ts TEXT);
CREATE INDEX hops_lot ON hops (lot_id);
CREATE TABLE tests (lot_id INTEGER NOT NULL, test_id TEXT, lab TEXT, verdict TEXT, tx TEXT, ts TEXT);
CREATE INDEX tests_lot ON tests (lot_id);
CREATE TABLE participants (id TEXT PRIMARY KEY, name TEXT, role TEXT);
`;

const IDS = `(SELECT value FROM json_each(?))`;

/** A trace answered by SQLite: row counts, for checking against the index. */
export interface SqlTrace {
  readonly lots: number;
  readonly edges: number;
  readonly hops: number;
  readonly holders: number;
}

/** The SQLite baseline database. */
export class SqliteTrace {
  private readonly db: Database.Database;
  private readonly ids = new Map<string, number>();
  private readonly ins: Record<'lot' | 'edge' | 'hop' | 'test' | 'participant' | 'status', Database.Statement>;
  private readonly q: Record<'back' | 'forward' | 'lots' | 'tests' | 'edgesIn' | 'edgesOut' | 'hopsBack' | 'hopsAll' | 'holders', Database.Statement>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.exec(SCHEMA);
    this.ins = {
      lot: this.db.prepare('INSERT INTO lots (id, gtin, lot, kind, producer, quantity, unit, location, production_date, tx, ts) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (gtin, lot) DO UPDATE SET kind=excluded.kind, producer=excluded.producer, quantity=excluded.quantity, unit=excluded.unit, location=excluded.location, production_date=excluded.production_date, tx=excluded.tx, ts=excluded.ts'),
      edge: this.db.prepare('INSERT INTO edges VALUES (?,?,?,?,?,?)'),
      hop: this.db.prepare('INSERT INTO hops VALUES (?,?,?,?,?,?,?,?,?,?)'),
      test: this.db.prepare('INSERT INTO tests VALUES (?,?,?,?,?,?)'),
      participant: this.db.prepare('INSERT OR REPLACE INTO participants VALUES (?,?,?)'),
      status: this.db.prepare('UPDATE lots SET status = ? WHERE id = ?'),
    };
    this.q = {
      back: this.db.prepare('WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT e.from_id FROM edges e JOIN up ON e.to_id = up.id) SELECT id FROM up'),
      forward: this.db.prepare('WITH RECURSIVE down(id) AS (SELECT ? UNION SELECT e.to_id FROM edges e JOIN down ON e.from_id = down.id) SELECT id FROM down'),
      lots: this.db.prepare(`SELECT l.*, p.name AS producer_name FROM lots l LEFT JOIN participants p ON p.id = l.producer WHERE l.id IN ${IDS}`),
      tests: this.db.prepare(`SELECT * FROM tests WHERE lot_id IN ${IDS}`),
      edgesIn: this.db.prepare(`SELECT * FROM edges WHERE to_id IN ${IDS}`),
      edgesOut: this.db.prepare(`SELECT * FROM edges WHERE from_id IN ${IDS}`),
      hopsBack: this.db.prepare(`SELECT * FROM hops WHERE lot_id IN ${IDS} AND kind != 'sale'`),
      hopsAll: this.db.prepare(`SELECT * FROM hops WHERE lot_id IN ${IDS}`),
      holders: this.db.prepare(
        `SELECT lot_id, p, SUM(received) AS received, SUM(shipped) AS shipped, SUM(sold) AS sold, SUM(sales) AS sales FROM (
           SELECT lot_id, to_p AS p, quantity AS received, 0 AS shipped, 0 AS sold, 0 AS sales FROM hops WHERE lot_id IN ${IDS} AND kind = 'receive'
           UNION ALL SELECT lot_id, from_p, 0, quantity, 0, 0 FROM hops WHERE lot_id IN ${IDS} AND kind = 'ship'
           UNION ALL SELECT lot_id, from_p, 0, 0, quantity, 1 FROM hops WHERE lot_id IN ${IDS} AND kind = 'sale'
         ) GROUP BY lot_id, p`,
      ),
    };
  }

  private id(gtin: string, lot: string): number {
    const key = `${gtin}|${lot}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(key, id);
      this.db.prepare('INSERT OR IGNORE INTO lots (id, gtin, lot) VALUES (?,?,?)').run(id, gtin, lot);
    }
    return id;
  }

  /** Loads facts inside one transaction. */
  load(batch: readonly (Fact & { txId: string; timestamp: string })[]): void {
    this.db.transaction(() => {
      for (const f of batch) this.insert(f);
    })();
  }

  private insert(f: Fact & { txId: string; timestamp: string }): void {
    switch (f.type) {
      case 'participant':
        this.ins.participant.run(f.id, f.name, f.role);
        return;
      case 'lot':
        this.ins.lot.run(this.id(f.gtin, f.lot), f.gtin, f.lot, f.kind, f.producer, f.quantity, f.unit, f.location ?? '', f.productionDate ?? '', f.txId, f.timestamp);
        return;
      case 'input':
        this.ins.edge.run(this.id(f.from.gtin, f.from.lot), this.id(f.to.gtin, f.to.lot), f.quantity, f.unit, f.txId, f.timestamp);
        return;
      case 'hop':
        this.ins.hop.run(this.id(f.lotRef.gtin, f.lotRef.lot), f.kind, f.from, f.to, f.quantity, f.unit, f.shipmentId ?? '', f.location ?? '', f.txId, f.timestamp);
        return;
      case 'test':
        this.ins.test.run(this.id(f.lotRef.gtin, f.lotRef.lot), f.testId, f.lab, f.verdict, f.txId, f.timestamp);
        return;
      case 'status':
        this.ins.status.run(f.status, this.id(f.lotRef.gtin, f.lotRef.lot));
        return;
      default:
        return;
    }
  }

  /** Trace back from a lot: every input lot with tests, edges and custody hops. */
  traceBack(gtin: string, lot: string): SqlTrace {
    const start = this.ids.get(`${gtin}|${lot}`);
    const ids = JSON.stringify((this.q.back.all(start) as { id: number }[]).map((r) => r.id));
    const lots = this.q.lots.all(ids);
    this.q.tests.all(ids);
    const edges = this.q.edgesIn.all(ids);
    const hops = this.q.hopsBack.all(ids);
    return { lots: lots.length, edges: edges.length, hops: hops.length, holders: 0 };
  }

  /** Trace forward from a lot: every downstream lot, custody hop and holder with sales. */
  traceForward(gtin: string, lot: string): SqlTrace {
    const start = this.ids.get(`${gtin}|${lot}`);
    const ids = JSON.stringify((this.q.forward.all(start) as { id: number }[]).map((r) => r.id));
    const lots = this.q.lots.all(ids);
    this.q.tests.all(ids);
    const edges = this.q.edgesOut.all(ids);
    const hops = this.q.hopsAll.all(ids);
    const holders = this.q.holders.all(ids, ids, ids);
    return { lots: lots.length, edges: edges.length, hops: hops.length, holders: holders.length };
  }

  close(): void {
    this.db.close();
  }
}
