// Hand-written types of the medic_bpf addon (build/Release/medic_bpf.node); test/ebpf/addon.test.ts checks them.

/** Byte offsets of struct medic_event as the compiler laid it out (bpf/medic.h). */
export interface EventLayout {
  /** struct medic_event; panic records are struct medic_panic_event (panicSize). */
  size: number;
  panicSize: number;
  configSize: number;
  stackDepth: number;
  strMax: number;
  rawMax: number;
  offsets: Record<string, number>;
}

export interface AttachUprobeOptions {
  /** BPF program name in the object (uprobe_gopanic, uprobe_newproc1, uprobe_gcstart, uprobe_user). */
  program: string;
  /** Path of the ELF file to probe. */
  binary: string;
  /** Function symbol (Go names with dots work: runtime.gopanic). */
  symbol: string;
  /** Bytes past the symbol's address (Go: past the stack check, so the probe fires once per call). Default 0. */
  offset?: number;
  /** Only this process; -1 (default) for every process running the binary. */
  pid?: number;
  /** Value of bpf_get_attach_cookie() in the program. Default 0. */
  cookie?: number;
}

export interface SessionStats {
  /** Probe hits counted by the programs. */
  hits: number;
  /** Events lost because the ring buffer was full. */
  drops: number;
  /** Events handed to JavaScript. */
  delivered: number;
  batches: number;
  links: number;
}

/** One BPF object: open in the constructor, then load, configure, attach, start, stop, close. */
export declare class BpfSession {
  /** Opens the object file; throws (with libbpf's log) when it cannot. */
  constructor(objectPath: string);
  /** Loads the programs into the kernel; the error carries the verifier's log and `errno`. */
  load(): void;
  updateMap(map: string, key: Buffer, value: Buffer): void;
  /** Attaches an entry uprobe; returns the number of links held. */
  attachUprobe(options: AttachUprobeOptions): number;
  /**
   * Starts the polling thread. Batches arrive on the JavaScript thread: `count` records, each a
   * u32 little-endian length, 4 zero bytes, then the record (struct medic_event or medic_panic_event).
   */
  start(onBatch: (batch: Buffer, count: number) => void): void;
  /** Stops polling; resolves after the last batch was delivered to onBatch. */
  stop(): Promise<void>;
  stats(): SessionStats;
  /** Destroys the links, frees the ring buffer and closes the object. Call after stop(). */
  close(): void;
}

export interface NativeAddon {
  BpfSession: typeof BpfSession;
  eventLayout(): EventLayout;
  libbpfVersion(): string;
}
