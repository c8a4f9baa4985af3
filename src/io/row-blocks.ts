/**
 * Row blocks for the readers, reused from one checkpoint to the next. A browser worker's allocator
 * returns freed pages to the system, so every fresh block is paid again in page faults as it is
 * filled; a sweep of small checkpoints reads blocks of the same few lengths over and over.
 *
 * A block is handed back only by a consumer that keeps nothing of it (`zipRows` with `recycle`); one
 * that is never handed back is ordinary garbage.
 */

/** The most bytes of free blocks kept for reuse: two of a browser shard's chunks (plan.ts). */
export const ROW_BLOCK_POOL_BYTES = 48 << 20;

/** Free blocks are let go once no block has been taken or handed back for this long. */
export const ROW_BLOCK_IDLE_MS = 2000;

const free: Float64Array[] = [];
let freeBytes = 0;
let lastUse = 0;
let trimTimer: ReturnType<typeof setTimeout> | null = null;

function unref(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  // a Node timer would otherwise hold the CLI open after its last checkpoint
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/** An idle worker holds no pool: the free list is dropped `ROW_BLOCK_IDLE_MS` after the last use. */
function touch(): void {
  lastUse = Date.now();
  if (trimTimer) return;
  const check = () => {
    const idle = Date.now() - lastUse;
    if (idle < ROW_BLOCK_IDLE_MS) {
      trimTimer = unref(setTimeout(check, ROW_BLOCK_IDLE_MS - idle));
      return;
    }
    free.length = 0;
    freeBytes = 0;
    trimTimer = null;
  };
  trimTimer = unref(setTimeout(check, ROW_BLOCK_IDLE_MS));
}

/** A block of `length` values, reused where one of that length was handed back; not zeroed. */
export function takeRowBlock(length: number): Float64Array {
  touch();
  const at = free.findIndex((block) => block.length === length);
  if (at < 0) return new Float64Array(length);
  const [block] = free.splice(at, 1);
  freeBytes -= block.byteLength;
  return block;
}

/** Hands a block back: its contents may be overwritten by any later read. */
export function recycleRowBlock(block: Float64Array): void {
  // only whole blocks: a view would hand back memory that its parent's owner still uses
  if (block.byteOffset !== 0 || block.byteLength !== block.buffer.byteLength) return;
  if (free.includes(block) || freeBytes + block.byteLength > ROW_BLOCK_POOL_BYTES) return;
  touch();
  free.push(block);
  freeBytes += block.byteLength;
}

/** Bytes of free blocks held now (tests). */
export function freeRowBlockBytes(): number {
  return freeBytes;
}
