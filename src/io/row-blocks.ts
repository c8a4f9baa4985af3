/**
 * Row blocks for the readers, reused from one checkpoint to the next. A browser worker's allocator
 * returns freed pages to the system, so every fresh block is paid again in page faults as it is
 * filled; a sweep of small checkpoints reads blocks of the same few lengths over and over.
 *
 * A block is handed back only by a consumer that keeps nothing of it (`zipRows` with `recycle`); one
 * that is never handed back is ordinary garbage.
 */

/** The most bytes of free blocks kept for reuse. */
export const ROW_BLOCK_POOL_BYTES = 32 << 20;

const free: Float64Array[] = [];
let freeBytes = 0;

/** A block of `length` values, reused where one of that length was handed back; not zeroed. */
export function takeRowBlock(length: number): Float64Array {
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
  free.push(block);
  freeBytes += block.byteLength;
}

/** Bytes of free blocks held now (tests). */
export function freeRowBlockBytes(): number {
  return freeBytes;
}
