/**
 * The embedded ledger's blocks, appended to one file beside its level database (as a Fabric peer
 * keeps its blocks in block files and only indexes in LevelDB).
 *
 * A block never changes once written, yet kept as a level value it was rewritten by every
 * compaction that passed its level: blocks are most of a ledger's bytes (each transaction's
 * arguments, writes, answer and event), so most of LevelDB's background work went to moving
 * them. Here each block is written once, at the file's end; level keeps its location.
 *
 * A commit writes its blocks at the end of what is committed and syncs the file, then writes the
 * level batch that records their locations (with the state and the height). The level batch is
 * the commit point: a crash before it leaves bytes past the committed end that no location
 * names, and the next commit writes over them (a writable open cuts them off first). So a block
 * is durable, whole, exactly when its location is.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ZfcError } from '../chaincode/errors';

/** Where a block is in the file. */
export interface BlockLocation {
  readonly offset: number;
  readonly length: number;
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
    /** The end of the committed blocks: the next ones are written here. */
    private end: number,
  ) {}

  /**
   * Opens the file; `committedEnd` is where the last committed block ends (0 for none).
   * Writable, it creates the file if need be, cuts off whatever lies past that end (blocks whose
   * commit never happened), and refuses a file that ends before it (LEDGER_CORRUPT: blocks the
   * ledger committed are gone, and new ones must not be sealed on top of them).
   */
  static async open(path: string, committedEnd: number, writable: boolean): Promise<BlockFile> {
    let handle: FileHandle;
    try {
      // not O_APPEND: on Linux that makes every positioned write append
      handle = await open(path, writable ? constants.O_RDWR | constants.O_CREAT : constants.O_RDONLY);
    } catch (err) {
      if (!writable && committedEnd === 0 && (err as NodeJS.ErrnoException).code === 'ENOENT') return new BlockFile(undefined, 0);
      throw new ZfcError('LEDGER_UNAVAILABLE', `cannot open the block file ${path}: ${(err as Error).message}`, { path });
    }
    const size = (await handle.stat()).size;
    // opened to read (the tools), a short file is for verify to report, block by block
    if (writable && size < committedEnd) {
      await handle.close();
      throw new ZfcError('LEDGER_CORRUPT', `the block file ends at byte ${size}, before the last committed block's end (${committedEnd})`, { size, committedEnd });
    }
    if (writable && size > committedEnd) {
      await handle.truncate(committedEnd);
      await handle.datasync();
    }
    return new BlockFile(handle, committedEnd);
  }

  /**
   * Writes blocks after the committed ones and syncs them; returns their locations. They become
   * part of the file only with {@link committed} (after the level batch naming them is written):
   * until then the next write goes over them.
   */
  async write(blocks: readonly Buffer[]): Promise<BlockLocation[]> {
    const handle = this.file();
    const locations: BlockLocation[] = [];
    let at = this.end;
    for (const b of blocks) {
      locations.push({ offset: at, length: b.length });
      at += b.length;
    }
    const bytes = blocks.length === 1 ? (blocks[0] as Buffer) : Buffer.concat(blocks as Buffer[]);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, this.end + written);
      written += bytesWritten;
    }
    await handle.datasync();
    return locations;
  }

  /** Marks blocks written by {@link write} as committed: the next write goes after them. */
  committed(locations: readonly BlockLocation[]): void {
    const last = locations[locations.length - 1];
    if (last) this.end = last.offset + last.length;
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
