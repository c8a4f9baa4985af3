/**
 * torch.save files, both the zip format (torch >= 1.6: `<name>/data.pkl` + `<name>/data/<key>`
 * storages) and the legacy format (five pickles then raw storages). Tensors, including views with
 * strides and storage offsets and tensors sharing a storage, are read row chunk by row chunk.
 */
import { fileStem, readExact, sliceByteSource, viewOf } from './byte-source';
import type { ElementType } from './dtype';
import { concatRows, scalarReader } from './derived-readers';
import { numpyGlobals, PickledArray } from './numpy-pickle';
import { loadPickle, PickleTruncatedError, type PickleCallable } from './pickle';
import { flattenNote, layoutSpan, stridedArrayReader } from './strided-reader';
import { layoutTree, type NamedParts, type ScalarLeaf } from './structure';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';
import { hasZipMagic, openZipEntry, readZipEntries } from './zip';

const STORAGE_TYPES: Record<string, Omit<ElementType, 'littleEndian'>> = {
  DoubleStorage: { name: 'float64', kind: 'float', size: 8 },
  FloatStorage: { name: 'float32', kind: 'float', size: 4 },
  HalfStorage: { name: 'float16', kind: 'float', size: 2 },
  BFloat16Storage: { name: 'bfloat16', kind: 'bfloat', size: 2 },
  LongStorage: { name: 'int64', kind: 'int', size: 8 },
  IntStorage: { name: 'int32', kind: 'int', size: 4 },
  ShortStorage: { name: 'int16', kind: 'int', size: 2 },
  CharStorage: { name: 'int8', kind: 'int', size: 1 },
  ByteStorage: { name: 'uint8', kind: 'uint', size: 1 },
  BoolStorage: { name: 'bool', kind: 'bool', size: 1 },
};

/** A compressed data.pkl is read whole: it may inflate to this, or to 8 times its archive. */
const MAX_INFLATED_PICKLE_BYTES = 64 * 2 ** 20;

/** The legacy format starts with this number, pickled. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

class StorageType {
  constructor(readonly type: Omit<ElementType, 'littleEndian'>) {}
}

class TypeMarker {}

/** One storage named by a persistent id. `data` is filled in once its bytes are located. */
class StorageRef {
  data: ByteSource | null = null;
  constructor(
    readonly key: string,
    readonly type: Omit<ElementType, 'littleEndian'>,
    /** elements, when the pickle says */
    readonly numel: number | null,
    /** legacy storage views: element offset into the root storage */
    readonly root: StorageRef | null = null,
    readonly rootOffset = 0,
  ) {}
}

class TensorRef {
  readonly unsupported = null;
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
  ) {}
}

const isIntList = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && (v as number) >= 0);

function rebuildTensor(source: string): PickleCallable {
  return (args) => {
    const [storage, offset, shape, strides] = args;
    if (!(storage instanceof StorageRef) || !Number.isSafeInteger(offset) || (offset as number) < 0) {
      throw new InputError(source, 'malformed tensor record in the pickle');
    }
    if (!isIntList(shape) || !isIntList(strides) || shape.length !== strides.length) {
      throw new InputError(source, 'malformed tensor shape or strides in the pickle');
    }
    return new TensorRef(storage, offset as number, shape, strides);
  };
}

function allowList(source: string) {
  const rebuild = rebuildTensor(source);
  const identity: PickleCallable = (args) => args[0];
  const functions: Record<string, unknown> = {
    'torch._utils._rebuild_tensor_v2': rebuild,
    'torch._utils._rebuild_tensor': rebuild,
    'torch._utils._rebuild_parameter': identity,
    'torch._utils._rebuild_parameter_with_state': identity,
    // (func, new_type, args, state): rebuild the plain tensor, drop the subclass and its state
    'torch._tensor._rebuild_from_type_v2': ((args) => {
      const [fn, , inner] = args;
      if (typeof fn !== 'function' || !Array.isArray(inner))
        throw new InputError(source, 'malformed tensor record');
      return (fn as PickleCallable)(inner);
    }) satisfies PickleCallable,
    'torch.Tensor': new TypeMarker(),
    'torch.nn.parameter.Parameter': new TypeMarker(),
    'collections.OrderedDict': ((args) =>
      new Map(Array.isArray(args[0]) ? (args[0] as [unknown, unknown][]) : [])) satisfies PickleCallable,
    'torch.device': ((args) => String(args[0])) satisfies PickleCallable,
    'builtins.set': ((args) => new Set(Array.isArray(args[0]) ? args[0] : [])) satisfies PickleCallable,
    'builtins.frozenset': ((args) => new Set(Array.isArray(args[0]) ? args[0] : [])) satisfies PickleCallable,
    'builtins.tuple': ((args) => (Array.isArray(args[0]) ? [...args[0]] : [])) satisfies PickleCallable,
    'builtins.list': ((args) => (Array.isArray(args[0]) ? [...args[0]] : [])) satisfies PickleCallable,
    ...numpyGlobals(source),
  };
  return (module: string, name: string): unknown => {
    const mod = module === '__builtin__' ? 'builtins' : module;
    const full = `${mod}.${name}`;
    if (Object.hasOwn(functions, full)) return functions[full];
    if (mod === 'torch' && Object.hasOwn(STORAGE_TYPES, name)) return new StorageType(STORAGE_TYPES[name]);
    if (mod === 'torch' && name.endsWith('Storage')) {
      throw new InputError(
        source,
        `tensors of torch.${name} are not supported (supported: float, double, half, bfloat16, integer and bool)`,
      );
    }
    return undefined;
  };
}

function tensorReader(source: string, key: string, tensor: TensorRef, littleEndian: boolean): ArrayReader {
  let storage = tensor.storage;
  let offset = tensor.offset;
  if (storage.root) {
    offset += storage.rootOffset;
    storage = storage.root;
  }
  const data = storage.data;
  if (!data)
    throw new InputError(source, `tensor ${key}: its storage ${storage.key} is missing from the file`);
  const type: ElementType = { ...storage.type, littleEndian: littleEndian || storage.type.size === 1 };
  const available = Math.floor(data.size / type.size);
  const limit = storage.numel === null ? available : Math.min(storage.numel, available);
  const span = layoutSpan({ base: 0, type, shape: tensor.shape, strides: tensor.strides, offset });
  if (span > 0 && offset + span > limit) {
    throw new InputError(
      source,
      `truncated: tensor ${key} (${tensor.shape.join(', ')}) addresses storage elements up to ${offset + span} but storage ${storage.key} holds ${limit}`,
    );
  }
  return stridedArrayReader(data, key, {
    base: 0,
    type,
    shape: tensor.shape,
    strides: tensor.strides,
    offset,
  });
}

type Leaf = TensorRef | PickledArray;

const isLeaf = (value: unknown): value is Leaf => value instanceof TensorRef || value instanceof PickledArray;

/** Readers of one split's named parts: batches concatenated, numbers as 0-d arrays. */
function readersOf(
  source: string,
  named: NamedParts<Leaf | ScalarLeaf>[],
  littleEndian: boolean,
  notes: string[],
  ignored: string[],
): ArrayReader[] {
  const open = (key: string, leaf: Leaf | ScalarLeaf): ArrayReader =>
    leaf instanceof TensorRef
      ? tensorReader(source, key, leaf, littleEndian)
      : leaf instanceof PickledArray
        ? leaf.reader(key)
        : scalarReader(key, leaf.value);
  const arrays: ArrayReader[] = [];
  for (const { key, parts } of named) {
    const scalars = parts.filter((part) => !isLeaf(part) || part.shape.length === 0).length;
    if (scalars > 0 && parts.length > 1) {
      ignored.push(
        `${key} (${scalars === parts.length ? 'one value per batch' : 'values and arrays mixed'})`,
      );
      continue;
    }
    const readers = parts.map((part, i) => open(parts.length > 1 ? `${key}[${i}]` : key, part));
    const reader = readers.length === 1 ? readers[0] : concatRows(source, key, readers);
    if (readers.length > 1)
      notes.push(`${key}: ${readers.length} batches read in order as (${reader.shape.join(', ')})`);
    const note = flattenNote(key, reader.shape);
    if (note) notes.push(note);
    if (reader.rows === 0 && reader.shape.length > 0) notes.push(`${key} has zero rows`);
    arrays.push(reader);
  }
  return arrays;
}

function buildContainer(
  source: string,
  value: unknown,
  stem: string,
  littleEndian: boolean,
  pickleBytes: number,
): ArrayContainer {
  const layout = layoutTree(value, { isLeaf, stem, source, maxVisits: Math.max(1024, pickleBytes) });
  const notes = [...layout.notes];
  const ignored = [...layout.ignored];
  const arrays = readersOf(source, layout.fit, littleEndian, notes, ignored);
  const evalSplit = layout.eval
    ? { name: layout.eval.name, arrays: readersOf(source, layout.eval.arrays, littleEndian, notes, ignored) }
    : undefined;
  if (arrays.length === 0) {
    throw new InputError(
      source,
      `the torch file holds no tensors or arrays (save a tensor, or a dict/list/tuple of tensors)${ignored.length > 0 ? `; found only: ${ignored.slice(0, 8).join(', ')}` : ''}`,
    );
  }
  if (ignored.length > 0) {
    const shown = ignored.slice(0, 8).join(', ');
    notes.push(
      `ignored entries that are not numeric arrays: ${shown}${ignored.length > 8 ? `, ... (${ignored.length} in all)` : ''}`,
    );
  }
  return { source, format: 'torch', arrays, ...(evalSplit ? { evalSplit } : {}), notes };
}

/** True when the first bytes are the legacy format's pickled magic number. */
export function hasLegacyTorchMagic(lead: Uint8Array): boolean {
  // PROTO n, LONG1 10, then the ten little-endian bytes of the magic number
  return lead.length >= 4 && lead[0] === 0x80 && lead[2] === 0x8a && lead[3] === 0x0a;
}

/** Opens a torch.save file of either format. */
export async function openTorch(src: ByteSource): Promise<ArrayContainer> {
  const lead = await src.read(0, 4);
  if (hasZipMagic(lead)) return openTorchZip(src);
  if (hasLegacyTorchMagic(lead)) return openTorchLegacy(src);
  throw new InputError(src.name, 'not a torch.save file: neither a zip archive nor the legacy pickle format');
}

async function openTorchZip(src: ByteSource): Promise<ArrayContainer> {
  const entries = await readZipEntries(src, 'torch.save zip archive');
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new InputError(src.name, 'not a torch.save archive: it has no data.pkl');
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  let littleEndian = true;
  const order = byName.get(`${prefix}byteorder`);
  if (order) {
    const text = new TextDecoder().decode(
      await readExact(await openZipEntry(src, order), 0, order.uncompressedSize, 'byteorder'),
    );
    littleEndian = text.trim() !== 'big';
  }
  // read whole: a compressed one (torch.save never compresses) may inflate no further than this
  if (pkl.method !== 0 && pkl.uncompressedSize > Math.max(MAX_INFLATED_PICKLE_BYTES, 8 * src.size)) {
    throw new InputError(
      src.name,
      `${pkl.name} would inflate to ${pkl.uncompressedSize} bytes, far more than the ${src.size}-byte archive: refusing it (torch.save stores it uncompressed)`,
    );
  }
  const pklSource = await openZipEntry(src, pkl);
  const pklBytes = await readExact(pklSource, 0, pklSource.size, 'data.pkl', src.name);
  const storages = new Map<string, StorageRef>();
  const { value } = loadPickle(pklBytes, 0, {
    source: src.name,
    resolveGlobal: allowList(src.name),
    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof StorageType)) {
        throw new InputError(src.name, 'unsupported persistent id in data.pkl');
      }
      const key = String(pid[2]);
      const numel = Number.isSafeInteger(pid[4]) ? (pid[4] as number) : null;
      let storage = storages.get(key);
      if (!storage) {
        storage = new StorageRef(key, pid[1].type, numel);
        storages.set(key, storage);
      }
      return storage;
    },
  });
  for (const storage of storages.values()) {
    const entry = byName.get(`${prefix}data/${storage.key}`);
    if (!entry) throw new InputError(src.name, `storage ${storage.key} is missing from the archive`);
    storage.data = await openZipEntry(src, entry);
  }
  return buildContainer(src.name, value, fileStem(src.name), littleEndian, pklBytes.length);
}

/** Loads one pickle at `offset`, reading more of the file until it fits. */
async function loadPickleAt(
  src: ByteSource,
  offset: number,
  options: Omit<Parameters<typeof loadPickle>[2], 'source'>,
): Promise<{ value: unknown; end: number }> {
  let window = 1 << 16;
  for (;;) {
    const length = Math.min(window, src.size - offset);
    const bytes = await readExact(src, offset, length, 'pickle');
    try {
      const { value, end } = loadPickle(bytes, 0, { ...options, source: src.name });
      return { value, end: offset + end };
    } catch (error) {
      if (!(error instanceof PickleTruncatedError) || length >= src.size - offset) throw error;
      window *= 4;
    }
  }
}

async function openTorchLegacy(src: ByteSource): Promise<ArrayContainer> {
  const resolveGlobal = allowList(src.name);
  const plain = { resolveGlobal };
  const magic = await loadPickleAt(src, 0, plain);
  if (typeof magic.value !== 'bigint' || magic.value !== LEGACY_MAGIC) {
    throw new InputError(src.name, 'not a torch.save file: bad legacy magic number');
  }
  const protocol = await loadPickleAt(src, magic.end, plain);
  if (protocol.value !== 1001) {
    throw new InputError(src.name, `unsupported legacy torch protocol version ${String(protocol.value)}`);
  }
  const sysInfo = await loadPickleAt(src, protocol.end, plain);
  const littleEndian = !(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== false;
  const storages = new Map<string, StorageRef>();
  const main = await loadPickleAt(src, sysInfo.end, {
    resolveGlobal,
    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof StorageType)) {
        throw new InputError(src.name, 'unsupported persistent id in the torch pickle');
      }
      const [, storageType, rootKey, , size, viewMetadata] = pid as [
        unknown,
        StorageType,
        unknown,
        unknown,
        unknown,
        unknown,
      ];
      const key = String(rootKey);
      let root = storages.get(key);
      if (!root) {
        root = new StorageRef(key, storageType.type, Number.isSafeInteger(size) ? (size as number) : null);
        storages.set(key, root);
      }
      if (Array.isArray(viewMetadata)) {
        const [viewKey, viewOffset, viewSize] = viewMetadata;
        if (!Number.isSafeInteger(viewOffset)) throw new InputError(src.name, 'malformed storage view');
        return new StorageRef(
          String(viewKey),
          storageType.type,
          Number(viewSize),
          root,
          viewOffset as number,
        );
      }
      return root;
    },
  });
  const keys = await loadPickleAt(src, main.end, plain);
  if (!Array.isArray(keys.value))
    throw new InputError(src.name, 'malformed legacy torch file: no storage key list');
  let at = keys.end;
  for (const rawKey of keys.value) {
    const key = String(rawKey);
    const storage = storages.get(key);
    if (!storage) throw new InputError(src.name, `storage ${key} is listed but never used`);
    const numel = Number(
      viewOf(await readExact(src, at, 8, `storage ${key} size`)).getBigInt64(0, littleEndian),
    );
    const bytes = numel * storage.type.size;
    if (!Number.isSafeInteger(bytes) || numel < 0 || at + 8 + bytes > src.size) {
      throw new InputError(
        src.name,
        `truncated: storage ${key} needs ${bytes} bytes at ${at + 8} but the file holds ${src.size}`,
      );
    }
    storage.data = sliceByteSource(src, at + 8, bytes, src.name);
    at += 8 + bytes;
  }
  return buildContainer(src.name, main.value, fileStem(src.name), littleEndian, main.end - sysInfo.end);
}
