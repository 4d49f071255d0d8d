/**
 * The embedded ledger's large blocks, appended to one file beside its level database (as a
 * Fabric peer keeps its blocks in block files and only indexes in LevelDB).
 *
 * A block never changes once written, yet kept as a level value it is rewritten by every
 * compaction that passes its level: large blocks (a capture of hundreds of EPCIS events is a
 * megabyte) are most of such a ledger's bytes, so most of LevelDB's background work went to
 * moving them. Here each is written once, at the file's end; level keeps its location. Small
 * blocks stay in level (store.ts BLOCK_FILE_MIN_BYTES).
 *
 * Each block is written after the ones before it as soon as it is sealed, and synced; its commit
 * waits for that, then writes the level batch that records its location (with the state and the
 * height). The level batch is the commit point: a crash before it leaves bytes past the last
 * committed block that no location names, never read (new blocks go after them). So a block is
 * durable, whole, exactly when its location is.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ZfcError } from '../chaincode/errors';

/** Where a block is in the file. */
export interface BlockLocation {
  readonly offset: number;
  readonly length: number;
}

/** A block being written: where it goes, and when it is durable. */
export interface StagedBlock {
  readonly location: BlockLocation;
  /** Settles once the block's bytes are synced; rejects if they could not be written. */
  readonly durable: Promise<void>;
}

/** The file's name in the ledger's folder. */
export const BLOCK_FILE = 'zfc-blocks';

/** A location as level keeps it: `@offset,length` (a stored block itself starts with `{`). */
export function encodeLocation(location: BlockLocation): Buffer {
  return Buffer.from(`@${location.offset},${location.length}`, 'latin1');
}

/** The location a level value names, or undefined when the value is a block itself (ledgers written before the file). */
export function decodeLocation(stored: Uint8Array): BlockLocation | undefined {
  if (stored[0] !== 0x40) return undefined; // '@'
  const m = /^@(\d{1,15}),(\d{1,10})$/.exec(Buffer.from(stored).toString('latin1'));
  if (!m) throw new ZfcError('LEDGER_CORRUPT', 'a block location is malformed');
  return { offset: Number(m[1]), length: Number(m[2]) };
}

/** The block file of one ledger. */
export class BlockFile {
  private constructor(
    /** Absent for a ledger opened only to read that has no block file (all its blocks are in level). */
    private readonly handle: FileHandle | undefined,
    /** The end of the blocks staged so far: the next one is written here. */
    private staged: number,
  ) {}

  /**
   * Opens the file; `committedEnd` is where the last committed block ends (0 for none).
   * Writable, it creates the file if need be and refuses one that ends before `committedEnd`
   * (LEDGER_CORRUPT: blocks the ledger committed are gone, and new ones must not be sealed on top
   * of them). New blocks go after everything in the file: bytes a crash left past the last
   * committed block are named by no block and never read, and nothing is ever cut off.
   */
  static async open(path: string, committedEnd: number, writable: boolean): Promise<BlockFile> {
    let handle: FileHandle;
    try {
      // not O_APPEND: on Linux that makes every positioned write append; created only where no committed block can be missing
      handle = await open(path, writable ? constants.O_RDWR | (committedEnd === 0 ? constants.O_CREAT : 0) : constants.O_RDONLY);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      // opened to read with no file: its blocks, if level names any, are for verify to report missing
      if (missing && !writable) return new BlockFile(undefined, 0);
      if (missing) throw new ZfcError('LEDGER_CORRUPT', `the block file ${path} is missing, and committed blocks are in it`, { path, committedEnd });
      throw new ZfcError('LEDGER_UNAVAILABLE', `cannot open the block file ${path}: ${(err as Error).message}`, { path });
    }
    const size = (await handle.stat()).size;
    // opened to read (the tools), a short file is for verify to report, block by block
    if (writable && size < committedEnd) {
      await handle.close();
      throw new ZfcError('LEDGER_CORRUPT', `the block file ends at byte ${size}, before the last committed block's end (${committedEnd})`, { size, committedEnd });
    }
    return new BlockFile(handle, size);
  }

  /**
   * Starts writing a block after those already staged, and syncing it; returns where it goes and
   * a promise that settles once it is durable. Blocks are staged as they are sealed, so their
   * writes run while the next blocks are validated and the blocks before are committed, off the
   * commit's path. A staged block is part of the ledger once the level batch naming it is
   * written; if that never happens the ledger stops taking blocks and the bytes stay unnamed.
   */
  stage(bytes: Buffer): StagedBlock {
    const handle = this.file();
    const location = { offset: this.staged, length: bytes.length };
    this.staged += bytes.length;
    const durable = (async () => {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, location.offset + written);
        written += bytesWritten;
      }
      await handle.datasync();
    })();
    durable.catch(() => undefined); // the commit that names the block awaits it and reports the failure
    return { location, durable };
  }

  /** A block's bytes. */
  async read(location: BlockLocation): Promise<Buffer> {
    const handle = this.file();
    const out = Buffer.allocUnsafe(location.length);
    let read = 0;
    while (read < location.length) {
      const { bytesRead } = await handle.read(out, read, location.length - read, location.offset + read);
      if (bytesRead === 0) throw new ZfcError('LEDGER_CORRUPT', `the block file ends inside a block (bytes ${location.offset}-${location.offset + location.length})`, { ...location });
      read += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }

  private file(): FileHandle {
    if (!this.handle) throw new ZfcError('LEDGER_CORRUPT', 'a block names a place in the block file, and there is no block file');
    return this.handle;
  }
}
