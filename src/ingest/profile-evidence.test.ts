import { describe, expect, it } from 'vitest';
import type { StackGrowth } from '../core/model.js';
import { leadingLeakFunctions } from './profile-evidence.js';

const at = (fn: string) => ({ file: 'work/leaks.go', line: 12, function: fn });
const grew = (delta: number, site?: string, callers: string[] = []): StackGrowth => ({
  stack: [],
  leaf: { function: 'runtime.mallocgc', file: 'malloc.go', line: 1 },
  ...(site ? { site: at(site) } : {}),
  ...(callers.length > 0 ? { callers: callers.map(at) } : {}),
  before: 0,
  after: delta,
  delta,
  perMinute: 0,
});
const growth = (stacks: StackGrowth[]) => ({ baselineArtifact: 'heap-1.pb.gz', intervalSeconds: 1, stacks });

describe('leadingLeakFunctions', () => {
  it('names the leading application stack, site first, and ignores smaller growth', () => {
    const leak = [grew(64 << 20, 'work.(*Cache).Put', ['main.serve', 'main.main'])];
    const noisy = [grew(100, undefined), ...leak, grew(4096, 'main.write', ['main.main'])];
    noisy.sort((a, b) => b.delta - a.delta);
    expect(leadingLeakFunctions({ growth: growth(leak) })).toEqual([
      'work.(*Cache).Put',
      'main.serve',
      'main.main',
    ]);
    expect(leadingLeakFunctions({ growth: growth(noisy) })).toEqual(
      leadingLeakFunctions({ growth: growth(leak) }),
    );
  });

  it('puts the creation site that added the most goroutines first', () => {
    const creationSites = [
      { function: 'runtime.gcBgMarkStartWorkers', file: 'mgc.go', line: 1, count: 4, before: 0, delta: 4 },
      {
        function: 'work.Subscribe',
        file: '/src/work/leaks.go',
        line: 12,
        repoFile: 'work/leaks.go',
        count: 210,
        before: 10,
        delta: 200,
      },
      {
        function: 'work.Poll',
        file: '/src/work/poll.go',
        line: 3,
        repoFile: 'work/poll.go',
        count: 2,
        before: 1,
        delta: 1,
      },
    ];
    const stacks = [grew(200, 'work.(*Subscriber).listen')];
    expect(leadingLeakFunctions({ creationSites, growth: growth(stacks) })).toEqual([
      'work.Subscribe',
      'work.(*Subscriber).listen',
    ]);
  });

  it('is empty when nothing grew in application code', () => {
    expect(leadingLeakFunctions({ growth: growth([grew(10, undefined)]) })).toEqual([]);
    expect(leadingLeakFunctions({})).toEqual([]);
  });
});
