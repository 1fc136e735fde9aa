/** The raw addon path for bench/ebpf: records counted as they arrive, no decoding, as the peer of the collector. */
import { probeConfig } from '../../src/ingest/trace/collector.js';
import { GoInspector } from '../../src/ingest/trace/collector-inspect.js';
import { loadAddon } from '../../src/ingest/trace/collector-native.js';
import { measure, type Rate } from './measure.js';

export async function rawAddonRate(binary: string): Promise<Rate> {
  const load = loadAddon();
  if (!load.ok) throw new Error(load.reason);
  const inspector = await GoInspector.open(binary);
  const { found } = await inspector.lookup(['main.handle']);
  const fn = found['main.handle'];
  try {
    return await measure('raw addon (records counted)', binary, async (pid) => {
      const session = new load.addon.BpfSession(load.objectPath);
      session.load();
      const config = probeConfig(inspector.info, 0, true);
      session.updateMap('medic_config', Buffer.alloc(4), config);
      session.attachUprobe({
        program: 'uprobe_user',
        binary,
        symbol: 'main.handle',
        offset: fn?.offset ?? 0,
        pid,
      });
      let events = 0;
      session.start((_batch, count) => {
        events += count;
      });
      return async () => {
        await session.stop();
        const { drops } = session.stats();
        session.close();
        return { events, drops };
      };
    });
  } finally {
    inspector.close();
  }
}
