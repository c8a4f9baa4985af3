/**
 * The JSON records of one command, written to a temporary file as they are made and read back once
 * every checkpoint has succeeded. A sweep's output (about 16 KB a checkpoint) is never held in
 * memory, and a command that fails part-way prints nothing on stdout. Node-only.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export class RecordSpool {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'richscope-records-'));
  readonly file = path.join(this.dir, 'records.jsonl');
  private readonly fd = openSync(this.file, 'w+');
  /** records added so far */
  count = 0;

  /** `json` is one record's JSON.stringify: it holds no newline, which separates the records. */
  add(json: string): void {
    writeSync(this.fd, `${json}\n`);
    this.count++;
  }

  /** Each record's JSON, in the order added, read `chunkBytes` at a time. */
  *records(chunkBytes = 1 << 20): Generator<string> {
    const chunk = Buffer.alloc(chunkBytes);
    // a chunk may end inside a character: the decoder keeps its first bytes for the next one
    const decoder = new StringDecoder('utf8');
    let position = 0;
    let pending = '';
    for (;;) {
      const bytes = readSync(this.fd, chunk, 0, chunk.length, position);
      if (bytes === 0) break;
      position += bytes;
      const lines = (pending + decoder.write(chunk.subarray(0, bytes))).split('\n');
      pending = lines.pop()!;
      yield* lines;
    }
  }

  /** Closes and removes the file. */
  dispose(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
